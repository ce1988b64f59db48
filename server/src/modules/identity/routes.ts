import { z } from 'zod';
import {
  ZAdminLoginRequest,
  ZChangePasswordRequest,
  ZCurrentUser,
  ZIdParam,
  ZSession,
  ZTotpConfirmRequest,
  ZTotpEnrolRequest,
  ZTotpEnrolment,
  ZWechatLoginRequest,
  ZWechatLoginResult,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import { RateLimiter } from '../../middleware/rate-limit';
import type { AdminActor, PersonActor } from './actor';
import {
  adminLogin,
  beginTotpEnrolment,
  changeOwnPassword,
  confirmTotpEnrolment,
  currentUser,
  logout,
  revokeOwnSession,
  wechatLogin,
} from './service';
import { findOwnSession, listLiveSessions } from './sessions';

export const SESSION_COOKIE = 'xyd_sid';

export function identityRoutes(app: AppContext, signInLimiter: RateLimiter): RouteSpec[] {
  const secureCookie = app.config.publicUrl.startsWith('https://');
  return [
    route({
      method: 'post',
      path: '/auth/admin/login',
      operationId: 'adminLogin',
      summary: '管理后台登录（用户名 + 密码，开启动态验证码的账号需 totp）',
      tags: ['身份认证'],
      auth: 'public',
      body: ZAdminLoginRequest,
      response: ZCurrentUser,
      handler: async ({ body, meta }, ctx) => {
        signInLimiter.hit(`admin:${meta.ip}`);
        const { token, user } = await adminLogin(app, body, meta);
        ctx.cookies.set(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: secureCookie,
          path: '/',
          maxAge: app.config.session.consoleAbsoluteMs,
          overwrite: true,
        });
        return user;
      },
    }),
    route({
      method: 'post',
      path: '/auth/wechat/login',
      operationId: 'wechatLogin',
      summary: '小程序登录：wx.login 的 code 换取平台会话令牌',
      tags: ['身份认证'],
      auth: 'public',
      body: ZWechatLoginRequest,
      response: ZWechatLoginResult,
      handler: async ({ body, meta }) => {
        signInLimiter.hit(`wechat:${meta.ip}`);
        return wechatLogin(app, body.code, meta);
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      operationId: 'logout',
      summary: '退出登录（结束当前会话）',
      tags: ['身份认证'],
      auth: 'signed-in',
      handler: async ({ actor, meta }, ctx) => {
        await logout(app, actor as PersonActor, meta);
        ctx.cookies.set(SESSION_COOKIE, null, { path: '/' });
      },
    }),
    route({
      method: 'get',
      path: '/auth/me',
      operationId: 'getCurrentUser',
      summary: '当前用户',
      tags: ['身份认证'],
      auth: 'signed-in',
      response: ZCurrentUser,
      handler: async ({ actor }) => currentUser(actor as PersonActor),
    }),
    route({
      method: 'get',
      path: '/auth/sessions',
      operationId: 'listSessions',
      summary: '我的登录会话',
      tags: ['身份认证'],
      auth: 'signed-in',
      response: z.array(ZSession),
      handler: async ({ actor }) => {
        const person = actor as PersonActor;
        return listLiveSessions(person.kind, person.id, person.sessionId);
      },
    }),
    route({
      method: 'delete',
      path: '/auth/sessions/:id',
      operationId: 'revokeSession',
      summary: '结束我的某个会话',
      tags: ['身份认证'],
      auth: 'signed-in',
      params: ZIdParam,
      handler: async ({ actor, params, meta }) => {
        const person = actor as PersonActor;
        const session = await findOwnSession(person.kind, person.id, params.id);
        await revokeOwnSession(app, person, session, meta);
      },
    }),
    route({
      method: 'post',
      path: '/auth/password',
      operationId: 'changePassword',
      summary: '修改我的密码（其他会话随之结束）',
      tags: ['身份认证'],
      auth: 'admin',
      body: ZChangePasswordRequest,
      handler: async ({ actor, body, meta }) => changeOwnPassword(app, actor as AdminActor, body.oldPassword, body.newPassword, meta),
    }),
    route({
      method: 'post',
      path: '/auth/totp/enrol',
      operationId: 'beginTotpEnrolment',
      summary: '开始绑定动态验证码（TOTP）；已绑定时需提供当前验证码 code',
      tags: ['身份认证'],
      auth: 'admin',
      body: ZTotpEnrolRequest,
      response: ZTotpEnrolment,
      handler: async ({ actor, body, meta }) => beginTotpEnrolment(app, actor as AdminActor, body.code, meta),
    }),
    route({
      method: 'post',
      path: '/auth/totp/confirm',
      operationId: 'confirmTotpEnrolment',
      summary: '确认动态验证码绑定（其他会话随之结束）',
      tags: ['身份认证'],
      auth: 'admin',
      body: ZTotpConfirmRequest,
      handler: async ({ actor, body, meta }) => confirmTotpEnrolment(app, actor as AdminActor, body.code, meta),
    }),
  ];
}
