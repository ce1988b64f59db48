import type { TAdminLoginRequest, TCurrentUser, TMemberEnterprise, TTotpEnrolment } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ConflictError, RateLimitedError, UnauthenticatedError, UpstreamError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { recordAudit, recordAuditAlone } from '../audit/service';
import { Enterprise, EnterpriseMember } from '../enterprises/models';
import { WechatApiError } from '../../wechat';
import type { Actor, AdminActor, WechatActor } from './actor';
import { AdminUser, Organisation, Session, WechatUser } from './models';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords';
import { findLiveSession, openSession, revokeAllSessions, revokeSession, touchSession } from './sessions';
import { checkTotp, generateTotpSecret, totpUri } from './totp';

function lockedMessage(until: Date): string {
  const shanghai = new Date(until.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
  return `连续登录失败次数过多，账号已锁定，请于 ${shanghai}（北京时间）后重试`;
}

/**
 * Console sign-in. Failures (wrong password or TOTP) count toward a 15-minute lock after five; the lock
 * holds even for the right password. TOTP is required when the account has it, and for every account in
 * production unless it is still to be enrolled (which the demo setting allows).
 */
export async function adminLogin(
  app: AppContext,
  input: TAdminLoginRequest,
  meta: RequestMeta,
): Promise<{ token: string; user: TCurrentUser }> {
  const user = await AdminUser.findOne({ where: { username: input.username } });
  if (!user) {
    await burnPasswordCheck(input.password);
    await recordAuditAlone(app.db, {
      actor: null,
      actorName: input.username,
      action: 'auth.admin.login',
      outcome: 'failure',
      detail: { reason: 'unknown_user' },
      meta,
    });
    throw new UnauthenticatedError('用户名或密码错误', 'INVALID_CREDENTIALS');
  }
  const now = clock.now();
  if (user.lockedUntil && new Date(user.lockedUntil) > now) {
    await recordAuditAlone(app.db, {
      actor: null,
      actorName: user.username,
      action: 'auth.admin.login',
      targetType: 'admin_user',
      targetId: user.id,
      outcome: 'denied',
      detail: { reason: 'locked' },
      meta,
    });
    throw new RateLimitedError(lockedMessage(new Date(user.lockedUntil)), 'ACCOUNT_LOCKED');
  }
  const passwordOk = await verifyPassword(user.passwordHash, input.password);
  let failure: { reason: string; error: UnauthenticatedError } | null = null;
  if (!passwordOk) {
    failure = { reason: 'bad_password', error: new UnauthenticatedError('用户名或密码错误', 'INVALID_CREDENTIALS') };
  } else if (user.disabled) {
    failure = { reason: 'disabled', error: new UnauthenticatedError('账号已停用，请联系平台管理员', 'INVALID_CREDENTIALS') };
  } else if (user.totpSecret && !input.totp) {
    // Not a failure: the client asks for the code and sends again.
    throw new UnauthenticatedError('请输入动态验证码', 'TOTP_REQUIRED');
  } else if (user.totpSecret && input.totp && !checkTotp(user.totpSecret, input.totp, now.getTime())) {
    failure = { reason: 'bad_totp', error: new UnauthenticatedError('动态验证码错误或已过期', 'TOTP_INVALID') };
  }
  // Without TOTP (and without the demo setting) the session may only enrol TOTP until it is confirmed.
  const mustEnrolTotp = !user.totpSecret && !app.config.allowAdminWithoutTotp;
  if (failure) {
    const { reason, error } = failure;
    const locked = await app.db.transaction(async (t) => {
      const fresh = await AdminUser.findByPk(user.id, { transaction: t, lock: t.LOCK.UPDATE });
      const attempts = (fresh?.failedAttempts ?? 0) + 1;
      const lockNow = attempts >= app.config.lockout.maxFailures;
      const lockedUntil = lockNow ? new Date(now.getTime() + app.config.lockout.lockMs) : null;
      await AdminUser.update(
        { failedAttempts: lockNow ? 0 : attempts, lockedUntil },
        { where: { id: user.id }, transaction: t },
      );
      await recordAudit(t, {
        actor: null,
        actorName: user.username,
        action: 'auth.admin.login',
        targetType: 'admin_user',
        targetId: user.id,
        outcome: 'failure',
        detail: { reason, attempts, locked: lockNow },
        meta,
      });
      return lockedUntil;
    });
    if (locked) throw new RateLimitedError(lockedMessage(locked), 'ACCOUNT_LOCKED');
    throw error;
  }

  const { token, actorUser } = await app.db.transaction(async (t) => {
    await AdminUser.update({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now }, { where: { id: user.id }, transaction: t });
    const opened = await openSession(
      t,
      'admin',
      user.id,
      { idleMs: app.config.session.consoleIdleMs, absoluteMs: app.config.session.consoleAbsoluteMs },
      meta,
      mustEnrolTotp ? 'enrol_totp' : 'full',
    );
    await recordAudit(t, {
      actor: null,
      actorName: user.username,
      action: 'auth.admin.login',
      targetType: 'admin_user',
      targetId: user.id,
      outcome: 'success',
      detail: { sessionId: opened.session.id, mustEnrolTotp },
      meta,
    });
    return { token: opened.token, actorUser: user };
  });
  const actor = await loadAdminActor(actorUser.id, '', mustEnrolTotp);
  if (!actor) throw new UnauthenticatedError();
  return { token, user: await currentUser(actor) };
}

/** Miniapp sign-in: the code is exchanged with WeChat (or the development provider) for an openid. */
export async function wechatLogin(
  app: AppContext,
  code: string,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: string; user: TCurrentUser }> {
  let session;
  try {
    session = await app.wechatLogin.code2Session(code);
  } catch (error) {
    if (error instanceof WechatApiError) {
      await recordAuditAlone(app.db, {
        actor: null,
        actorName: 'wechat',
        action: 'auth.wechat.login',
        outcome: 'failure',
        detail: { errcode: error.errcode },
        meta,
      });
      if (error.errcode === 40029 || error.errcode === 40163) {
        throw new UnauthenticatedError('登录凭证无效或已使用，请重新进入小程序', 'INVALID_CREDENTIALS');
      }
      if (error.errcode === 45011) throw new RateLimitedError('登录过于频繁，请稍后再试');
      throw new UpstreamError('微信登录服务暂时不可用，请稍后再试');
    }
    throw error;
  }
  const now = clock.now();
  return app.db.transaction(async (t) => {
    let user = await WechatUser.findOne({ where: { openid: session.openid }, transaction: t, lock: t.LOCK.UPDATE });
    if (user) {
      await WechatUser.update(
        { sessionKey: session.sessionKey, unionid: session.unionid ?? user.unionid, lastLoginAt: now },
        { where: { id: user.id }, transaction: t },
      );
    } else {
      user = await WechatUser.create(
        {
          id: newId(),
          openid: session.openid,
          unionid: session.unionid ?? null,
          sessionKey: session.sessionKey,
          displayName: '微信用户',
          lastLoginAt: now,
        },
        { transaction: t },
      );
    }
    const limits = { idleMs: app.config.session.miniappIdleMs, absoluteMs: app.config.session.miniappAbsoluteMs };
    const opened = await openSession(t, 'wechat', user.id, limits, meta);
    await recordAudit(t, {
      actor: { kind: 'wechat', id: user.id, displayName: user.displayName, sessionId: opened.session.id },
      action: 'auth.wechat.login',
      targetType: 'wechat_user',
      targetId: user.id,
      outcome: 'success',
      meta,
    });
    const actor: WechatActor = { kind: 'wechat', id: user.id, displayName: user.displayName, sessionId: opened.session.id };
    return {
      token: opened.token,
      expiresAt: new Date(opened.session.expiresAt).toISOString(),
      user: await currentUser(actor, t),
    };
  });
}

export async function loadAdminActor(userId: string, sessionId: string, mustEnrolTotp = false): Promise<AdminActor | null> {
  const user = (await AdminUser.findByPk(userId, {
    attributes: ['id', 'username', 'displayName', 'role', 'regionCode', 'disabled', 'totpSecret'],
    include: [{ model: Organisation, as: 'organisation', attributes: ['id', 'type', 'regionCode', 'disabled'] }],
    raw: true,
    nest: true,
  })) as unknown as
    | (Pick<AdminUser, 'username' | 'displayName' | 'role' | 'regionCode' | 'disabled' | 'totpSecret'> & {
        id: string | number;
        organisation: { id: string | number | null; type: Organisation['type']; regionCode: string | null; disabled: boolean | number };
      })
    | null;
  if (!user || user.organisation.id === null || user.disabled || user.organisation.disabled) return null;
  return {
    kind: 'admin',
    id: String(user.id),
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    organisationId: String(user.organisation.id),
    orgType: user.organisation.type,
    regionCode: user.role === 'platform_admin' ? null : (user.regionCode ?? user.organisation.regionCode),
    sessionId,
    mustEnrolTotp: mustEnrolTotp && !user.totpSecret,
  };
}

/** Resolves a bearer or cookie token to an actor; refreshes the idle window. */
export async function authenticate(token: string): Promise<Actor | null> {
  const session = await findLiveSession(token);
  if (!session) return null;
  let actor: Actor | null = null;
  if (session.userKind === 'admin') {
    actor = await loadAdminActor(session.userId, session.id, session.scope === 'enrol_totp');
  } else {
    const user = (await WechatUser.findByPk(session.userId, { attributes: ['id', 'displayName'], raw: true })) as { id: string | number; displayName: string } | null;
    if (user) actor = { kind: 'wechat', id: String(user.id), displayName: user.displayName, sessionId: session.id };
  }
  if (actor) await touchSession(session);
  return actor;
}

export async function memberEnterprises(wechatUserId: string, t?: import('sequelize').Transaction): Promise<TMemberEnterprise[]> {
  const members = await EnterpriseMember.findAll({ where: { wechatUserId }, transaction: t, order: [['createdAt', 'ASC']] });
  if (members.length === 0) return [];
  const enterprises = await Enterprise.findAll({
    where: { id: members.map((m) => m.enterpriseId) },
    attributes: ['id', 'name', 'uscc'],
    transaction: t,
  });
  const byId = new Map(enterprises.map((e) => [e.id, e]));
  return members.flatMap((m) => {
    const e = byId.get(m.enterpriseId);
    return e ? [{ id: e.id, name: e.name, uscc: e.uscc, memberRole: m.role }] : [];
  });
}

export async function currentUser(actor: Actor, t?: import('sequelize').Transaction): Promise<TCurrentUser> {
  if (actor.kind === 'wechat') {
    return { kind: 'wechat', id: actor.id, displayName: actor.displayName, role: 'ent_user', enterprises: await memberEnterprises(actor.id, t) };
  }
  const user = await AdminUser.findByPk(actor.id, { include: [{ model: Organisation, as: 'organisation' }] });
  const org = (user as AdminUser & { organisation: Organisation }).organisation;
  return {
    kind: 'admin',
    id: actor.id,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    organisation: { id: org.id, name: org.name, type: org.type, regionCode: org.regionCode },
    regionCode: actor.regionCode,
    totpEnabled: Boolean(user?.totpSecret),
    mustEnrolTotp: actor.mustEnrolTotp,
  };
}

export async function logout(app: AppContext, actor: Actor, meta: RequestMeta): Promise<void> {
  await app.db.transaction(async (t) => {
    await revokeSession(t, actor.sessionId, 'logout');
    await recordAudit(t, { actor, action: 'auth.logout', targetType: 'session', targetId: actor.sessionId, outcome: 'success', meta });
  });
}

export async function revokeOwnSession(app: AppContext, actor: Actor, session: Session, meta: RequestMeta): Promise<void> {
  await app.db.transaction(async (t) => {
    await revokeSession(t, session.id, 'revoked_by_user');
    await recordAudit(t, { actor, action: 'auth.session.revoke', targetType: 'session', targetId: session.id, outcome: 'success', meta });
  });
}

export async function changeOwnPassword(
  app: AppContext,
  actor: AdminActor,
  oldPassword: string,
  newPassword: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await AdminUser.findByPk(actor.id);
  if (!user || !(await verifyPassword(user.passwordHash, oldPassword))) {
    throw new ValidationError('原密码不正确', [{ field: 'oldPassword', message: '原密码不正确' }]);
  }
  if (oldPassword === newPassword) {
    throw new ValidationError('新密码不能与原密码相同', [{ field: 'newPassword', message: '新密码不能与原密码相同' }]);
  }
  const passwordHash = await hashPassword(newPassword);
  await app.db.transaction(async (t) => {
    await AdminUser.update({ passwordHash, passwordChangedAt: clock.now() }, { where: { id: actor.id }, transaction: t });
    // Other sessions may belong to whoever knew the old password.
    const others = await Session.findAll({ where: { userKind: 'admin', userId: actor.id, revokedAt: null }, transaction: t });
    for (const s of others) if (s.id !== actor.sessionId) await revokeSession(t, s.id, 'password_changed');
    await recordAudit(t, { actor, action: 'auth.password.change', targetType: 'admin_user', targetId: actor.id, outcome: 'success', meta });
  });
}

export async function beginTotpEnrolment(app: AppContext, actor: AdminActor, meta: RequestMeta): Promise<TTotpEnrolment> {
  const secret = generateTotpSecret();
  await app.db.transaction(async (t) => {
    await AdminUser.update({ totpPendingSecret: secret }, { where: { id: actor.id }, transaction: t });
    await recordAudit(t, { actor, action: 'auth.totp.enrol', targetType: 'admin_user', targetId: actor.id, outcome: 'success', meta });
  });
  return { secret, otpauthUrl: totpUri(actor.username, secret) };
}

export async function confirmTotpEnrolment(app: AppContext, actor: AdminActor, code: string, meta: RequestMeta): Promise<void> {
  const user = await AdminUser.findByPk(actor.id);
  if (!user?.totpPendingSecret) throw new ConflictError('请先开始绑定动态验证码');
  if (!checkTotp(user.totpPendingSecret, code, clock.nowMs())) {
    throw new ValidationError('动态验证码不正确', [{ field: 'code', message: '动态验证码不正确，请核对手机上的 6 位数字' }]);
  }
  await app.db.transaction(async (t) => {
    await AdminUser.update({ totpSecret: user.totpPendingSecret, totpPendingSecret: null }, { where: { id: actor.id }, transaction: t });
    // The enrolment-only session becomes a full one.
    await Session.update({ scope: 'full' }, { where: { id: actor.sessionId }, transaction: t });
    await recordAudit(t, { actor, action: 'auth.totp.confirm', targetType: 'admin_user', targetId: actor.id, outcome: 'success', meta });
  });
}

export { revokeAllSessions };
