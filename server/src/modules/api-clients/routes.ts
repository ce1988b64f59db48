import {
  ZApiClient,
  ZApiClientCredentials,
  ZApiClientQuery,
  ZCreateApiClient,
  ZIdParam,
  ZPageQuery,
  ZRotateApiClient,
  ZUpdateApiClient,
  pageOf,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import type { AdminActor } from '../identity/actor';
import { createApiClient, disableApiClient, listApiClients, rotateApiClientSecret, updateApiClient } from './service';

const FI_ADMIN = ['fi_admin'] as const;
const TAGS = ['机构系统对接'];

/**
 * An institution's administrator manages its own API clients. Create and rotate are not idempotent on purpose:
 * their answer holds the secret, which is shown once and never stored for a replay.
 */
export function apiClientRoutes(app: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api-clients',
      operationId: 'listApiClients',
      summary: '本机构的接口客户端列表',
      tags: TAGS,
      auth: 'admin',
      roles: FI_ADMIN,
      callers: ['person'],
      query: ZPageQuery.extend(ZApiClientQuery.shape),
      response: pageOf(ZApiClient),
      handler: async ({ actor, query }) => listApiClients(actor as AdminActor, query, query),
    }),
    route({
      method: 'post',
      path: '/api-clients',
      operationId: 'createApiClient',
      summary: '新建接口客户端（密钥只显示这一次）',
      tags: TAGS,
      auth: 'admin',
      roles: FI_ADMIN,
      callers: ['person'],
      body: ZCreateApiClient,
      response: ZApiClientCredentials,
      status: 201,
      handler: async ({ actor, body, meta }) => createApiClient(app, actor as AdminActor, body, meta),
    }),
    route({
      method: 'patch',
      path: '/api-clients/:id',
      operationId: 'updateApiClient',
      summary: '修改接口客户端（名称、角色、有效期、IP 白名单）',
      tags: TAGS,
      auth: 'admin',
      roles: FI_ADMIN,
      callers: ['person'],
      params: ZIdParam,
      body: ZUpdateApiClient,
      response: ZApiClient,
      handler: async ({ actor, params, body, meta }) => updateApiClient(app, actor as AdminActor, params.id, body, meta),
    }),
    route({
      method: 'post',
      path: '/api-clients/:id/disable',
      operationId: 'disableApiClient',
      summary: '停用接口客户端（立即生效）',
      tags: TAGS,
      auth: 'admin',
      roles: FI_ADMIN,
      callers: ['person'],
      params: ZIdParam,
      response: ZApiClient,
      handler: async ({ actor, params, meta }) => disableApiClient(app, actor as AdminActor, params.id, meta),
    }),
    route({
      method: 'post',
      path: '/api-clients/:id/rotate',
      operationId: 'rotateApiClientSecret',
      summary: '轮换接口客户端密钥（旧密钥在宽限期内仍可用；新密钥只显示这一次）',
      tags: TAGS,
      auth: 'admin',
      roles: FI_ADMIN,
      callers: ['person'],
      params: ZIdParam,
      body: ZRotateApiClient,
      response: ZApiClientCredentials,
      handler: async ({ actor, params, body, meta }) => rotateApiClientSecret(app, actor as AdminActor, params.id, body, meta),
    }),
  ];
}
