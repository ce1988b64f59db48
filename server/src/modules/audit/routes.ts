import { Op, type WhereOptions } from 'sequelize';
import { ZAuditLog, ZAuditQuery, ZAuditVerifyResult, ZPageQuery, pageOf } from '@xyd/shared';
import { route, type RouteSpec } from '../../http/route';
import { AuditLog } from './model';
import { toAuditDto, verifyAuditChain } from './service';

export function auditRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/audit-logs',
      summary: '审计日志',
      tags: ['审计'],
      auth: 'admin',
      roles: ['platform_admin'],
      query: ZPageQuery.extend(ZAuditQuery.shape),
      response: pageOf(ZAuditLog),
      handler: async ({ query }) => {
        const where: WhereOptions<AuditLog> = {};
        if (query.action) Object.assign(where, { action: { [Op.like]: `${query.action}%` } });
        if (query.actorId) Object.assign(where, { actorId: query.actorId });
        const { rows, count } = await AuditLog.findAndCountAll({
          where,
          order: [['seq', 'DESC']],
          offset: (query.current - 1) * query.pageSize,
          limit: query.pageSize,
        });
        return { list: rows.map(toAuditDto), total: count };
      },
    }),
    route({
      method: 'get',
      path: '/audit-logs/verify',
      summary: '校验审计日志哈希链',
      tags: ['审计'],
      auth: 'admin',
      roles: ['platform_admin'],
      response: ZAuditVerifyResult,
      handler: async () => verifyAuditChain(),
    }),
  ];
}
