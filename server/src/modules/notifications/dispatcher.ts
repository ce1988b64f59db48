import { hostname } from 'node:os';
import { Op, type InferAttributes, type WhereOptions } from 'sequelize';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { isFinalWechatError } from '../../wechat';
import { WechatUser } from '../identity/models';
import { Message, OutboxItem, SubscriptionGrant } from './models';

const DEFAULT_OWNER = `${hostname()}:${process.pid}`.slice(0, 64);
/**
 * How long a claim holds before another dispatcher may take the row over (the holder presumably died). It
 * covers one item's delivery, which the WeChat client bounds well below it (timeouts of a few seconds), and it
 * is renewed right before the send.
 */
export const CLAIM_LEASE_MS = 60_000;
const BASE_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 3600_000;

export const backoffMs = (attempts: number): number => Math.min(BASE_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);

export interface DispatchOptions {
  batchSize?: number;
  /** Written as `claimed_by`; fencing itself rests on the claim token. */
  owner?: string;
  leaseMs?: number;
  /** Stops between items (the job running the dispatcher lost its lease or is stopping). */
  signal?: AbortSignal;
}

/** One outbox row this dispatcher holds: every write about it matches `owner` and `token`. */
export interface OutboxClaim {
  item: OutboxItem;
  owner: string;
  token: number;
  leaseMs: number;
}

const dueOrExpired = (now: Date): WhereOptions<OutboxItem> => ({
  [Op.or]: [
    { status: 'pending', nextAttemptAt: { [Op.lte]: now } },
    { status: 'delivering', claimedUntil: { [Op.lt]: now } },
  ],
});

/** Rows that may be claimed now: due, or held under a lease that has run out. */
export async function findDueOutbox(limit: number): Promise<Array<{ id: string; claimToken: number }>> {
  const rows = (await OutboxItem.findAll({
    attributes: ['id', 'claimToken'],
    where: dueOrExpired(clock.now()),
    order: [['nextAttemptAt', 'ASC']],
    limit,
    raw: true,
  })) as unknown as Array<{ id: string | number; claimToken: number | string }>;
  return rows.map((r) => ({ id: String(r.id), claimToken: Number(r.claimToken) }));
}

/**
 * Claims one row with a conditional UPDATE on its token (no SELECT … FOR UPDATE SKIP LOCKED, which TiDB ignores):
 * of any number of dispatchers racing for it, one wins. Rows are claimed one at a time, right before their
 * delivery, so the lease covers exactly the work it guards.
 */
export async function claimOutboxItem(
  candidate: { id: string; claimToken: number },
  options: { owner?: string; leaseMs?: number } = {},
): Promise<OutboxClaim | null> {
  const owner = options.owner ?? DEFAULT_OWNER;
  const leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
  const now = clock.now();
  const [won] = await OutboxItem.update(
    {
      status: 'delivering',
      claimedBy: owner,
      claimedUntil: new Date(now.getTime() + leaseMs),
      claimToken: OutboxItem.sequelize!.literal('claim_token + 1') as never,
    },
    { where: { id: candidate.id, claimToken: candidate.claimToken, ...dueOrExpired(now) } as WhereOptions<OutboxItem> },
  );
  if (won !== 1) return null;
  const token = candidate.claimToken + 1;
  const item = await OutboxItem.findOne({ where: { id: candidate.id, claimedBy: owner, claimToken: token } });
  return item ? { item, owner, token, leaseMs } : null;
}

const held = (claim: OutboxClaim): WhereOptions<OutboxItem> => ({
  id: claim.item.id,
  claimedBy: claim.owner,
  claimToken: claim.token,
  status: 'delivering',
});

/** Extends the claim; false when another dispatcher has taken the row over. */
async function renewClaim(claim: OutboxClaim): Promise<boolean> {
  const [kept] = await OutboxItem.update({ claimedUntil: new Date(clock.nowMs() + claim.leaseMs) }, { where: held(claim) });
  return kept === 1;
}

/** Writes the outcome only while the claim still holds: a dispatcher whose lease ran out changes nothing. */
async function settleClaim(claim: OutboxClaim, values: Partial<InferAttributes<OutboxItem>>): Promise<boolean> {
  const [kept] = await OutboxItem.update({ ...values, claimedUntil: null }, { where: held(claim) });
  return kept === 1;
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

async function deliverWechat(app: AppContext, claim: OutboxClaim): Promise<WechatOutcome | 'lost'> {
  const item = claim.item;
  if (item.wechatState !== 'pending') return { state: item.wechatState === 'failed' ? 'failed' : item.wechatState === 'sent' ? 'sent' : 'none' };
  const template = app.config.wechat.templates.find((tpl) => tpl.key === item.templateKey);
  const client = app.wechatClient;
  if (!template || !client || !item.wechatData) return { state: 'none' };
  const user = await WechatUser.findByPk(item.recipientId, { attributes: ['id', 'openid'] });
  if (!user) return { state: 'failed', error: 'recipient no longer exists' };
  // Renewed right before the send, so the send finishes inside the lease and nobody else sends this row.
  if (!(await renewClaim(claim))) return 'lost';
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

/**
 * Delivers a claimed row and writes the outcome fenced by the claim token. Returns false when the claim was lost:
 * found before the send, nothing is sent; found at the end, the outcome is left to the new holder.
 */
export async function deliverClaimed(app: AppContext, claim: OutboxClaim): Promise<boolean> {
  const item = claim.item;
  const attempts = item.attempts + 1;
  let written: boolean;
  try {
    if (!(await renewClaim(claim))) return false;
    const messageId = await deliverInApp(app, item);
    const wechat = await deliverWechat(app, claim);
    if (wechat === 'lost') return false;
    if (wechat.state === 'retry') {
      const final = attempts >= app.config.outbox.maxAttempts;
      written = await settleClaim(claim, {
        messageId,
        attempts,
        status: final ? 'failed' : 'pending',
        wechatState: final ? 'failed' : 'pending',
        nextAttemptAt: new Date(clock.nowMs() + backoffMs(attempts)),
        lastError: wechat.error.slice(0, 500),
      });
    } else {
      written = await settleClaim(claim, {
        messageId,
        attempts,
        status: wechat.state === 'failed' ? 'failed' : 'done',
        wechatState: wechat.state,
        lastError: wechat.error?.slice(0, 500) ?? null,
      });
    }
  } catch (error) {
    const final = attempts >= app.config.outbox.maxAttempts;
    app.logger.warn({ outboxId: item.id, attempts, err: error }, 'notification delivery failed');
    written = await settleClaim(claim, {
      attempts,
      status: final ? 'failed' : 'pending',
      nextAttemptAt: new Date(clock.nowMs() + backoffMs(attempts)),
      lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
    });
  }
  if (!written) app.logger.warn({ outboxId: item.id, token: claim.token }, 'outbox outcome refused: claim taken over');
  return written;
}

/** One pass: claim due rows one by one and deliver each. Returns how many rows this dispatcher delivered. */
export async function dispatchOnce(app: AppContext, options: DispatchOptions = {}): Promise<number> {
  const candidates = await findDueOutbox(options.batchSize ?? 50);
  let delivered = 0;
  for (const candidate of candidates) {
    if (options.signal?.aborted) break;
    const claim = await claimOutboxItem(candidate, options);
    if (!claim) continue;
    if (await deliverClaimed(app, claim)) delivered += 1;
  }
  return delivered;
}

/** The `outbox.dispatch` job: drains what is due, a batch at a time, until nothing is left or it must stop. */
export async function dispatchOutbox(app: AppContext, options: DispatchOptions = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const delivered = await dispatchOnce(app, options);
    total += delivered;
    if (delivered === 0 || options.signal?.aborted) return total;
  }
}
