import type { Transaction } from 'sequelize';
import { enqueueNotifications, type Notification } from '../notifications/service';
import { membersOf } from './repository';

/** Tells every WeChat member of an enterprise, in the caller's transaction (through the outbox). */
export async function notifyMembers(t: Transaction, enterpriseId: string, notice: Omit<Notification, 'recipientKind' | 'recipientId'>): Promise<void> {
  const members = await membersOf([enterpriseId], t);
  await enqueueNotifications(t, members.map((m) => ({ ...notice, recipientKind: 'wechat' as const, recipientId: m.wechatUserId })));
}
