import { z } from 'zod';
import { ZIdParam, ZMessage, ZMessageQuery, ZPageQuery, ZSubscriptionReport, ZSubscriptionTemplate, ZUnreadCount, pageOf } from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import { listMessages, markAllRead, markRead, recordSubscriptions, subscriptionTemplates, unreadCount } from './service';

export function notificationRoutes(app: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/messages',
      operationId: 'listMessages',
      summary: '消息中心',
      tags: ['消息'],
      auth: 'signed-in',
      query: ZPageQuery.extend(ZMessageQuery.shape),
      response: pageOf(ZMessage),
      handler: async ({ actor, query }) => listMessages(actor!, query, query.unread),
    }),
    route({
      method: 'get',
      path: '/messages/unread-count',
      operationId: 'getUnreadMessageCount',
      summary: '未读消息数',
      tags: ['消息'],
      auth: 'signed-in',
      response: ZUnreadCount,
      handler: async ({ actor }) => ({ count: await unreadCount(actor!) }),
    }),
    route({
      method: 'post',
      path: '/messages/read-all',
      operationId: 'markAllMessagesRead',
      summary: '全部标为已读',
      tags: ['消息'],
      auth: 'signed-in',
      response: z.object({ updated: z.number().int() }),
      handler: async ({ actor }) => ({ updated: await markAllRead(actor!) }),
    }),
    route({
      method: 'post',
      path: '/messages/:id/read',
      operationId: 'markMessageRead',
      summary: '标为已读',
      tags: ['消息'],
      auth: 'signed-in',
      params: ZIdParam,
      handler: async ({ actor, params }) => markRead(actor!, params.id),
    }),
    route({
      method: 'get',
      path: '/wechat/templates',
      operationId: 'listSubscriptionTemplates',
      summary: '可订阅的消息模板及剩余次数',
      tags: ['消息'],
      auth: 'wechat',
      response: z.array(ZSubscriptionTemplate),
      handler: async ({ actor }) => subscriptionTemplates(app, actor!.id),
    }),
    route({
      method: 'post',
      path: '/wechat/subscriptions',
      operationId: 'reportSubscriptions',
      summary: '上报 requestSubscribeMessage 的结果',
      tags: ['消息'],
      auth: 'wechat',
      body: ZSubscriptionReport,
      response: z.object({ granted: z.record(z.string(), z.number().int()) }),
      handler: async ({ actor, body }) => ({ granted: await recordSubscriptions(app, actor!.id, body) }),
    }),
  ];
}
