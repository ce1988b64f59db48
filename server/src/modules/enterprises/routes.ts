import { z } from 'zod';
import {
  ZEnterprise,
  ZEnterpriseDetail,
  ZEnterpriseQuery,
  ZIdParam,
  ZMyEnterprise,
  ZPageQuery,
  ZReassignVerification,
  ZRejectVerification,
  ZVerification,
  ZVerificationDetail,
  ZVerificationQuery,
  ZVerificationSubmit,
  pageOf,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import type { AdminActor, WechatActor } from '../identity/actor';
import { enterpriseDetail, listEnterprises, myEnterprises } from './service';
import {
  approveVerification,
  licenceImage,
  listVerifications,
  myVerifications,
  reassignVerification,
  rejectVerification,
  submitVerification,
  verificationDetail,
} from './verification';
import { loggedRead } from '../financing/grants';

export function enterpriseRoutes(app: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/enterprises',
      operationId: 'listEnterprises',
      summary: '企业列表（按角色与区域限定范围）',
      tags: ['企业'],
      auth: 'admin',
      query: ZPageQuery.extend(ZEnterpriseQuery.shape),
      response: pageOf(ZEnterprise),
      handler: async ({ actor, query, meta }) =>
        loggedRead(app, actor, meta, listEnterprises(actor!, query, query), (page) => page.list.map((e) => ({ enterpriseId: e.id, scope: 'registration', action: 'registration' }))),
    }),
    route({
      method: 'get',
      path: '/enterprises/:id',
      operationId: 'getEnterprise',
      summary: '企业详情（范围外返回 404）',
      tags: ['企业'],
      auth: 'admin',
      params: ZIdParam,
      response: ZEnterpriseDetail,
      handler: async ({ actor, params, meta }) =>
        loggedRead(app, actor, meta, enterpriseDetail(app, actor!, params.id, meta), (e) => [{ enterpriseId: e.id, scope: 'registration', action: 'registration' }]),
    }),
    route({
      method: 'get',
      path: '/me/enterprises',
      operationId: 'listMyEnterprises',
      summary: '我绑定的企业及其成员',
      tags: ['企业'],
      auth: 'wechat',
      response: z.array(ZMyEnterprise),
      handler: async ({ actor }) => myEnterprises(actor!.id),
    }),
    route({
      method: 'post',
      path: '/verifications',
      operationId: 'submitVerification',
      summary: '提交企业认证申请（multipart：文本字段 + 营业执照照片 licence，JPEG/PNG，≤5 MB）',
      tags: ['企业认证'],
      auth: 'wechat',
      body: ZVerificationSubmit,
      multipart: { files: { licence: '营业执照照片（JPEG 或 PNG，不超过 5 MB）' } },
      response: ZVerification,
      status: 201,
      idempotent: true,
      handler: async ({ actor, body, files, meta }) => submitVerification(app, actor as WechatActor, body, files.licence, meta),
    }),
    route({
      method: 'get',
      path: '/verifications/mine',
      operationId: 'listMyVerifications',
      summary: '我的认证申请',
      tags: ['企业认证'],
      auth: 'wechat',
      response: z.array(ZVerification),
      handler: async ({ actor }) => myVerifications(actor as WechatActor),
    }),
    route({
      method: 'get',
      path: '/verifications',
      operationId: 'listVerifications',
      summary: '认证审核队列（本区域）',
      tags: ['企业认证'],
      auth: 'admin',
      roles: ['advisor', 'platform_admin'],
      query: ZPageQuery.extend(ZVerificationQuery.shape),
      response: pageOf(ZVerification),
      handler: async ({ actor, query }) => listVerifications(actor as AdminActor, query, query.status),
    }),
    route({
      method: 'get',
      path: '/verifications/:id',
      operationId: 'getVerification',
      summary: '认证申请详情（含登记数据比对）',
      tags: ['企业认证'],
      auth: 'admin',
      roles: ['advisor', 'platform_admin'],
      params: ZIdParam,
      response: ZVerificationDetail,
      handler: async ({ actor, params }) => verificationDetail(actor as AdminActor, params.id),
    }),
    route({
      method: 'get',
      path: '/verifications/:id/licence',
      operationId: 'getVerificationLicence',
      summary: '营业执照照片',
      tags: ['企业认证'],
      auth: 'signed-in',
      params: ZIdParam,
      binary: 'image/jpeg',
      handler: async ({ actor, params }, ctx) => {
        if (actor!.kind === 'admin' && !['advisor', 'platform_admin'].includes(actor!.role)) {
          const { NotFoundError } = await import('../../lib/errors');
          throw new NotFoundError('认证申请不存在或无权访问');
        }
        const image = await licenceImage(app, actor!, params.id);
        ctx.type = image.mime;
        ctx.set('Cache-Control', 'private, no-store');
        ctx.body = image.data;
      },
    }),
    route({
      method: 'post',
      path: '/verifications/:id/approve',
      operationId: 'approveVerification',
      summary: '通过认证（企业当前所在区域的融资顾问，或平台管理员）',
      tags: ['企业认证'],
      auth: 'admin',
      roles: ['advisor', 'platform_admin'],
      params: ZIdParam,
      response: ZVerification,
      handler: async ({ actor, params, meta }) => approveVerification(app, actor as AdminActor, params.id, meta),
    }),
    route({
      method: 'post',
      path: '/verifications/:id/reject',
      operationId: 'rejectVerification',
      summary: '驳回认证（须填写原因；企业当前所在区域的融资顾问，或平台管理员）',
      tags: ['企业认证'],
      auth: 'admin',
      roles: ['advisor', 'platform_admin'],
      params: ZIdParam,
      body: ZRejectVerification,
      response: ZVerification,
      handler: async ({ actor, params, body, meta }) => rejectVerification(app, actor as AdminActor, params.id, body.reason, meta),
    }),
    route({
      method: 'post',
      path: '/verifications/:id/reassign',
      operationId: 'reassignVerification',
      summary: '改派认证申请到另一区域的融资顾问（仅平台管理员；仅限登记数据中尚无的企业），并通知申请人',
      tags: ['企业认证'],
      auth: 'admin',
      roles: ['platform_admin'],
      params: ZIdParam,
      body: ZReassignVerification,
      response: ZVerification,
      handler: async ({ actor, params, body, meta }) => reassignVerification(app, actor as AdminActor, params.id, body.regionCode, meta),
    }),
  ];
}
