import { hostname } from 'node:os';
import { Op, type Transaction } from 'sequelize';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { isFinalWechatError } from '../../wechat';
import { WechatUser } from '../identity/models';
import { Message, OutboxItem, SubscriptionGrant } from './models';

const WORKER = `${hostname()}:${process.pid}`;
/** How long a claim holds before another worker may take the row over (the holder presumably died). */
export const CLAIM_LEASE_MS = 60_000;
const BASE_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 3600_000;

export const backoffMs = (attempts: number): number => Math.min(BASE_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);

/**
 * Claims due rows so that any number of dispatchers can run: on MySQL with FOR UPDATE SKIP LOCKED, on SQLite
 * inside the single-writer transaction. A row claimed by a dispatcher that died is due again once its lease ends.
 */
export async function claimDue(app: AppContext, batchSize: number): Promise<OutboxItem[]> {
  return app.db.transaction(async (t: Transaction) => {
    const now = clock.now();
    const rows = await OutboxItem.findAll({
      where: {
        [Op.or]: [
          { status: 'pending', nextAttemptAt: { [Op.lte]: now } },
          { status: 'delivering', claimedUntil: { [Op.lt]: now } },
        ],
      },
      order: [['nextAttemptAt', 'ASC']],
      limit: batchSize,
      transaction: t,
      ...(app.db.dialect === 'mysql' ? { lock: t.LOCK.UPDATE, skipLocked: true } : {}),
    });
    if (rows.length === 0) return [];
    await OutboxItem.update(
      { status: 'delivering', claimedUntil: new Date(now.getTime() + CLAIM_LEASE_MS), claimedBy: WORKER },
      { where: { id: rows.map((r) => r.id) }, transaction: t },
    );
    return rows;
  });
}

/** The in-app copy is keyed by the outbox row, so a redelivery after a crash cannot duplicate it. */
async function deliverInApp(app: AppContext, item: OutboxItem): Promise<string> {
  if (item.messageId) return item.messageId;
  const existing = await Message.findOne({ where: { outboxId: item.id }, attributes: ['id'] });
  if (existing) return existing.id;
  const message = await Message.create({
    id: newId(),
    recipientKind: item.recipientKind,
    recipientId: item.recipientId,
    outboxId: item.id,
    title: item.title,
    body: item.body,
    link: item.link,
    createdAt: clock.now(),
  });
  return message.id;
}

type WechatOutcome = { state: 'none' | 'sent' | 'failed'; error?: string } | { state: 'retry'; error: string };

async function deliverWechat(app: AppContext, item: OutboxItem): Promise<WechatOutcome> {
  if (item.wechatState !== 'pending') return { state: item.wechatState === 'failed' ? 'failed' : item.wechatState === 'sent' ? 'sent' : 'none' };
  const template = app.config.wechat.templates.find((tpl) => tpl.key === item.templateKey);
  const client = app.wechatClient;
  if (!template || !client || !item.wechatData) return { state: 'none' };
  const user = await WechatUser.findByPk(item.recipientId, { attributes: ['id', 'openid'] });
  if (!user) return { state: 'failed', error: 'recipient no longer exists' };
  // A one-time grant is spent by the send; without one, WeChat would answer 43101.
  const [spent] = await SubscriptionGrant.update(
    { remaining: SubscriptionGrant.sequelize!.literal('remaining - 1') as unknown as number },
    { where: { wechatUserId: user.id, templateId: template.templateId, remaining: { [Op.gt]: 0 }, banned: false } },
  );
  if (spent === 0) return { state: 'none' };
  try {
    await client.sendSubscribeMessage({
      touser: user.openid,
      templateId: template.templateId,
      // WeChat wants a page path relative to the mini-program root (`pages/x/index?id=1`).
      page: item.link ? item.link.replace(/^\/+/, '') : undefined,
      data: JSON.parse(item.wechatData) as Record<string, { value: string }>,
      miniprogramState: app.config.wechat.miniprogramState,
    });
    return { state: 'sent' };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (isFinalWechatError(error)) return { state: 'failed', error: text };
    // The grant was not used: give it back for the retry.
    await SubscriptionGrant.increment('remaining', { where: { wechatUserId: user.id, templateId: template.templateId } });
    return { state: 'retry', error: text };
  }
}

async function deliver(app: AppContext, item: OutboxItem): Promise<void> {
  const attempts = item.attempts + 1;
  try {
    const messageId = await deliverInApp(app, item);
    const wechat = await deliverWechat(app, item);
    if (wechat.state === 'retry') {
      const final = attempts >= app.config.outbox.maxAttempts;
      await OutboxItem.update(
        {
          messageId,
          attempts,
          status: final ? 'failed' : 'pending',
          wechatState: final ? 'failed' : 'pending',
          nextAttemptAt: new Date(clock.nowMs() + backoffMs(attempts)),
          claimedUntil: null,
          lastError: wechat.error.slice(0, 500),
        },
        { where: { id: item.id } },
      );
      return;
    }
    await OutboxItem.update(
      {
        messageId,
        attempts,
        status: wechat.state === 'failed' ? 'failed' : 'done',
        wechatState: wechat.state,
        claimedUntil: null,
        lastError: wechat.error?.slice(0, 500) ?? null,
      },
      { where: { id: item.id } },
    );
  } catch (error) {
    const final = attempts >= app.config.outbox.maxAttempts;
    app.logger.warn({ outboxId: item.id, attempts, err: error }, 'notification delivery failed');
    await OutboxItem.update(
      {
        attempts,
        status: final ? 'failed' : 'pending',
        nextAttemptAt: new Date(clock.nowMs() + backoffMs(attempts)),
        claimedUntil: null,
        lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
      },
      { where: { id: item.id } },
    );
  }
}

/** One pass: claim a batch and deliver it. Returns how many rows were handled. */
export async function dispatchOnce(app: AppContext, batchSize = 50): Promise<number> {
  const batch = await claimDue(app, batchSize);
  for (const item of batch) await deliver(app, item);
  return batch.length;
}

export function startDispatcher(app: AppContext): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        while ((await dispatchOnce(app)) > 0 && !stopped);
      } catch (error) {
        app.logger.error({ err: error }, 'outbox dispatcher pass failed');
      }
    });
  }, app.config.outbox.intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
