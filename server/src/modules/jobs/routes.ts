import { ZIdParam, ZJob, ZJobQuery, ZJobSummary, ZPageQuery, pageOf } from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import type { AdminActor } from '../identity/actor';
import { jobSummary, listJobs, retryJob } from './service';

const PLATFORM = ['platform_admin'] as const;

export function jobRoutes(app: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/jobs/summary',
      operationId: 'getJobSummary',
      summary: '后台任务队列概览（每类任务的各状态数量与计划）',
      tags: ['后台任务'],
      auth: 'admin',
      roles: PLATFORM,
      response: ZJobSummary,
      handler: async () => jobSummary(app),
    }),
    route({
      method: 'get',
      path: '/jobs',
      operationId: 'listJobs',
      summary: '后台任务列表',
      tags: ['后台任务'],
      auth: 'admin',
      roles: PLATFORM,
      query: ZPageQuery.extend(ZJobQuery.shape),
      response: pageOf(ZJob),
      handler: async ({ query }) => listJobs(query, query),
    }),
    route({
      method: 'post',
      path: '/jobs/:id/retry',
      operationId: 'retryJob',
      summary: '重试已失败的任务',
      tags: ['后台任务'],
      auth: 'admin',
      roles: PLATFORM,
      params: ZIdParam,
      response: ZJob,
      handler: async ({ actor, params, meta }) => retryJob(app, actor as AdminActor, params.id, meta),
    }),
  ];
}
