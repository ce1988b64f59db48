import { Op, literal, type WhereOptions } from 'sequelize';
import { ZAuditAnchor, ZAuditLog, ZAuditQuery, ZAuditVerifyResult, ZPageQuery, pageOf } from '@xyd/shared';
import { route, type RouteSpec } from '../../http/route';
import { ConflictError } from '../../lib/errors';
import { AuditAnchor, AuditLog } from './model';
import { toAuditDto } from './service';
import { auditVerificationRequester, latestAuditVerification, toAnchorDto } from './jobs';

const PLATFORM = ['platform_admin'] as const;

export function auditRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/audit-logs',
      operationId: 'listAuditLogs',
      summary: '审计日志',
      tags: ['审计'],
      auth: 'admin',
      roles: PLATFORM,
      query: ZPageQuery.extend(ZAuditQuery.shape),
      response: pageOf(ZAuditLog),
      handler: async ({ query }) => {
        const where: WhereOptions<AuditLog> = {};
        if (query.action) Object.assign(where, { action: { [Op.like]: `${query.action}%` } });
        if (query.actorId) Object.assign(where, { actorId: query.actorId });
        const { rows, count } = await AuditLog.findAndCountAll({
          where,
          // Newest first: rows not yet sealed (seq null) are the newest, so they lead.
          order: [[literal('seq IS NULL'), 'DESC'], ['seq', 'DESC'], ['id', 'DESC']],
          offset: (query.current - 1) * query.pageSize,
          limit: query.pageSize,
        });
        return { list: rows.map(toAuditDto), total: count };
      },
    }),
    route({
      method: 'get',
      path: '/audit-logs/verify',
      operationId: 'getAuditVerification',
      summary: '审计日志哈希链最近一次校验结果',
      tags: ['审计'],
      auth: 'admin',
      roles: PLATFORM,
      response: ZAuditVerifyResult,
      handler: async () => latestAuditVerification(),
    }),
    route({
      method: 'post',
      path: '/audit-logs/verify',
      operationId: 'requestAuditVerification',
      summary: '发起一次完整的审计日志哈希链校验（后台任务）',
      tags: ['审计'],
      auth: 'admin',
      roles: PLATFORM,
      status: 202,
      response: ZAuditVerifyResult,
      handler: async () => {
        const request = auditVerificationRequester();
        if (!request) throw new ConflictError('后台任务未运行，暂时无法发起校验，请稍后重试');
        await request({ full: true });
        return latestAuditVerification();
      },
    }),
    route({
      method: 'get',
      path: '/audit-logs/anchors',
      operationId: 'listAuditAnchors',
      summary: '审计日志链锚点（定期导出的链头哈希）',
      tags: ['审计'],
      auth: 'admin',
      roles: PLATFORM,
      query: ZPageQuery,
      response: pageOf(ZAuditAnchor),
      handler: async ({ query }) => {
        const { rows, count } = await AuditAnchor.findAndCountAll({
          order: [['seq', 'DESC'], ['at', 'DESC']],
          offset: (query.current - 1) * query.pageSize,
          limit: query.pageSize,
        });
        return { list: rows.map(toAnchorDto), total: count };
      },
    }),
  ];
}
