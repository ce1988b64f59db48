import { Op, type Transaction } from 'sequelize';
import type { TMessage, TSubscriptionReport, TSubscriptionTemplate, PageResult, TPageQuery } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { NotFoundError } from '../../lib/errors';
import type { Actor } from '../identity/actor';
import type { UserKind } from '../identity/models';
import { Message, OutboxItem, SubscriptionGrant } from './models';

export interface Notification {
  recipientKind: UserKind;
  recipientId: string;
  /** Key of a configured subscription template (config.wechat.templates). */
  templateKey: string;
  title: string;
  body: string;
  link?: string | null;
  /** Template fields for WeChat (`{ thing1: { value } }`); without them only the message centre is used. */
  wechatData?: Record<string, { value: string }> | null;
}

/** Written in the caller's transaction: the notification exists if and only if the change committed. */
export async function enqueueNotification(t: Transaction, n: Notification): Promise<string> {
  const id = newId();
  await OutboxItem.create(
    {
      id,
      recipientKind: n.recipientKind,
      recipientId: n.recipientId,
      templateKey: n.templateKey,
      title: n.title.slice(0, 100),
      body: n.body.slice(0, 500),
      link: n.link ?? null,
      wechatData: n.wechatData ? JSON.stringify(n.wechatData) : null,
      status: 'pending',
      nextAttemptAt: clock.now(),
      wechatState: n.recipientKind === 'wechat' && n.wechatData ? 'pending' : 'none',
    },
    { transaction: t },
  );
  return id;
}

const toMessageDto = (m: Message): TMessage => ({
  id: m.id,
  title: m.title,
  body: m.body,
  link: m.link,
  readAt: m.readAt ? new Date(m.readAt).toISOString() : null,
  createdAt: new Date(m.createdAt).toISOString(),
});

export async function listMessages(actor: Actor, page: TPageQuery, unread?: boolean): Promise<PageResult<TMessage>> {
  const where = {
    recipientKind: actor.kind,
    recipientId: actor.id,
    ...(unread === true ? { readAt: null } : unread === false ? { readAt: { [Op.ne]: null } } : {}),
  };
  const { rows, count } = await Message.findAndCountAll({
    where,
    order: [['createdAt', 'DESC'], ['id', 'DESC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  return { list: rows.map(toMessageDto), total: count };
}

export async function unreadCount(actor: Actor): Promise<number> {
  return Message.count({ where: { recipientKind: actor.kind, recipientId: actor.id, readAt: null } });
}

export async function markRead(actor: Actor, id: string): Promise<void> {
  const message = await Message.findOne({ where: { id, recipientKind: actor.kind, recipientId: actor.id } });
  if (!message) throw new NotFoundError('消息不存在');
  if (!message.readAt) await Message.update({ readAt: clock.now() }, { where: { id } });
}

export async function markAllRead(actor: Actor): Promise<number> {
  const [updated] = await Message.update(
    { readAt: clock.now() },
    { where: { recipientKind: actor.kind, recipientId: actor.id, readAt: null } },
  );
  return updated;
}

export async function subscriptionTemplates(app: AppContext, wechatUserId: string): Promise<TSubscriptionTemplate[]> {
  const grants = await SubscriptionGrant.findAll({ where: { wechatUserId } });
  const byTemplate = new Map(grants.map((g) => [g.templateId, g]));
  return app.config.wechat.templates.map((tpl) => ({
    key: tpl.key,
    templateId: tpl.templateId,
    title: tpl.title,
    granted: byTemplate.get(tpl.templateId)?.remaining ?? 0,
  }));
}

/**
 * Records what requestSubscribeMessage returned. Each `accept` of a one-time template allows one message;
 * `ban` (the user switched the template off) clears what was left.
 */
export async function recordSubscriptions(
  app: AppContext,
  wechatUserId: string,
  report: TSubscriptionReport,
): Promise<Record<string, number>> {
  const known = new Set(app.config.wechat.templates.map((t) => t.templateId));
  const unknown = Object.keys(report.results).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const { ValidationError } = await import('../../lib/errors');
    throw new ValidationError(`未知的订阅消息模板：${unknown.join('、')}`, [
      { field: 'results', message: `未知的订阅消息模板：${unknown.join('、')}` },
    ]);
  }
  return app.db.transaction(async (t) => {
    const granted: Record<string, number> = {};
    for (const [templateId, result] of Object.entries(report.results)) {
      let grant = await SubscriptionGrant.findOne({ where: { wechatUserId, templateId }, transaction: t, lock: t.LOCK.UPDATE });
      grant ??= await SubscriptionGrant.create({ id: newId(), wechatUserId, templateId }, { transaction: t });
      const remaining = result === 'accept' ? grant.remaining + 1 : result === 'ban' ? 0 : grant.remaining;
      await SubscriptionGrant.update(
        { remaining, banned: result === 'ban' ? true : result === 'accept' ? false : grant.banned },
        { where: { id: grant.id }, transaction: t },
      );
      granted[templateId] = remaining;
    }
    return granted;
  });
}
