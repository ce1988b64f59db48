import { Op } from 'sequelize';
import { ZWorkbench, type TWorkbench } from '@xyd/shared';
import { route, type RouteSpec } from '../../http/route';
import type { AdminActor } from '../identity/actor';
import { AdminUser, Organisation } from '../identity/models';
import { VerificationRequest } from '../enterprises/models';
import { countScopedEnterprises, usccScopeWhere } from '../enterprises/repository';
import { Message } from '../notifications/models';
import { AuditLog } from '../audit/model';

type Card = TWorkbench['cards'][number];

async function cardsFor(actor: AdminActor): Promise<Card[]> {
  const unread = await Message.count({ where: { recipientKind: 'admin', recipientId: actor.id, readAt: null } });
  const unreadCard: Card = { key: 'unread', title: '未读消息', value: unread, link: '/messages' };
  const enterprises = await countScopedEnterprises(actor);
  const verified = () => countScopedEnterprises(actor, { bound: true });
  const pending = () => VerificationRequest.count({ where: { [Op.and]: [usccScopeWhere(actor), { status: 'pending' }] } });
  switch (actor.role) {
    case 'platform_admin':
      return [
        { key: 'organisations', title: '入驻机构', value: await Organisation.count(), link: '/platform/organisations' },
        { key: 'users', title: '后台用户', value: await AdminUser.count(), link: '/platform/users' },
        { key: 'enterprises', title: '企业总数', value: enterprises, link: '/enterprises' },
        { key: 'pendingVerifications', title: '待审核认证', value: await pending(), link: '/verifications' },
        { key: 'auditRows', title: '审计记录', value: await AuditLog.count(), link: '/platform/audit-logs' },
        unreadCard,
      ];
    case 'advisor':
      return [
        { key: 'pendingVerifications', title: '待审核认证', value: await pending(), link: '/verifications' },
        { key: 'enterprises', title: '辖区企业', value: enterprises, link: '/enterprises' },
        { key: 'verifiedEnterprises', title: '已认证企业', value: await verified(), link: '/enterprises' },
        unreadCard,
      ];
    case 'gov':
      return [
        { key: 'enterprises', title: '辖区企业', value: enterprises, link: '/enterprises' },
        { key: 'verifiedEnterprises', title: '已认证企业', value: await verified(), link: '/enterprises' },
        unreadCard,
      ];
    default:
      return [{ key: 'authorisedEnterprises', title: '已获授权企业', value: enterprises, link: '/enterprises' }, unreadCard];
  }
}

export function workbenchRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/workbench',
      operationId: 'getWorkbench',
      summary: '工作台统计（按角色）',
      tags: ['工作台'],
      auth: 'admin',
      response: ZWorkbench,
      handler: async ({ actor }) => ({ cards: await cardsFor(actor as AdminActor) }),
    }),
  ];
}
