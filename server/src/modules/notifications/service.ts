import { Op, UniqueConstraintError, literal, type Transaction } from 'sequelize';
import type { TMessage, TSubscriptionReport, TSubscriptionTemplate, PageResult, TPageQuery } from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { NotFoundError, ValidationError } from '../../lib/errors';
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

function outboxRow(n: Notification) {
  return {
    id: newId(),
    recipientKind: n.recipientKind,
    recipientId: n.recipientId,
    templateKey: n.templateKey,
    title: n.title.slice(0, 100),
    body: n.body.slice(0, 500),
    link: n.link ?? null,
    wechatData: n.wechatData ? JSON.stringify(n.wechatData) : null,
    status: 'pending' as const,
    nextAttemptAt: clock.now(),
    wechatState: n.recipientKind === 'wechat' && n.wechatData ? ('pending' as const) : ('none' as const),
  };
}

/** Written in the caller's transaction: the notification exists if and only if the change committed. */
export async function enqueueNotification(t: Transaction, n: Notification): Promise<string> {
  const row = outboxRow(n);
  await OutboxItem.create(row, { transaction: t });
  return row.id;
}

const OUTBOX_COLUMNS = [
  'id', 'recipient_kind', 'recipient_id', 'template_key', 'title', 'body', 'link', 'wechat_data', 'status', 'attempts',
  'next_attempt_at', 'claim_token', 'wechat_state', 'created_at', 'updated_at',
] as const;

/**
 * Many at once (a batch of warnings), in the caller's transaction: multi-row INSERTs of the same rows as
 * enqueueNotification's, without building a model instance per row (thousands come from one scoring batch).
 */
export async function enqueueNotifications(t: Transaction, list: readonly Notification[]): Promise<number> {
  const now = clock.now();
  const rows = list.map(outboxRow).map((r) => [r.id, r.recipientKind, r.recipientId, r.templateKey, r.title, r.body, r.link, r.wechatData, r.status, 0, r.nextAttemptAt, 0, r.wechatState, now, now]);
  await insertRows(OutboxItem.sequelize!, 'notification_outbox', OUTBOX_COLUMNS, rows, t, 500);
  return list.length;
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
 * The grant row of a user and template, created on first report. Insert-then-catch-unique outside any
 * transaction: concurrent first reports race on the unique index instead of deadlocking on gap locks.
 */
async function ensureGrant(wechatUserId: string, templateId: string): Promise<void> {
  if (await SubscriptionGrant.findOne({ where: { wechatUserId, templateId }, attributes: ['id'], raw: true })) return;
  try {
    await SubscriptionGrant.create({ id: newId(), wechatUserId, templateId });
  } catch (error) {
    if (!(error instanceof UniqueConstraintError)) throw error;
  }
}

/**
 * Records what requestSubscribeMessage returned. Each `accept` of a one-time template allows one message;
 * `ban` (the user switched the template off) clears what was left. Counts change by atomic UPDATEs on the row,
 * so concurrent reports add up.
 */
export async function recordSubscriptions(
  app: AppContext,
  wechatUserId: string,
  report: TSubscriptionReport,
): Promise<Record<string, number>> {
  const known = new Set(app.config.wechat.templates.map((t) => t.templateId));
  const unknown = Object.keys(report.results).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError(`未知的订阅消息模板：${unknown.join('、')}`, [
      { field: 'results', message: `未知的订阅消息模板：${unknown.join('、')}` },
    ]);
  }
  const templateIds = Object.keys(report.results).sort();
  for (const templateId of templateIds) await ensureGrant(wechatUserId, templateId);
  return app.db.transaction(async (t) => {
    const granted: Record<string, number> = {};
    // A fixed order, so that two reports naming several templates lock their rows in the same order.
    for (const templateId of templateIds) {
      const result = report.results[templateId];
      const where = { wechatUserId, templateId };
      if (result === 'accept') {
        await SubscriptionGrant.update({ remaining: literal('remaining + 1'), banned: false }, { where, transaction: t });
      } else if (result === 'ban') {
        await SubscriptionGrant.update({ remaining: 0, banned: true }, { where, transaction: t });
      }
      const grant = await SubscriptionGrant.findOne({ where, attributes: ['remaining'], transaction: t, raw: true });
      if (!grant) throw new Error('subscription grant row missing after insert');
      granted[templateId] = Number(grant.remaining);
    }
    return granted;
  });
}
