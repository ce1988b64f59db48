import { Op } from 'sequelize';
import { z } from 'zod';
import { Job } from '../jobs/models';
import { defineJob } from '../../jobs/registry';
import { enterpriseIdsAfter } from '../enterprises/repository';
import type { AppContext } from '../../context';
import { backfillHistory, scoreChangedEnterprises, scorePipelined, scoringContext, type BatchOutcome } from './recompute';
import { addDays, shanghaiDate } from '@xyd/shared';
import { clock } from '../../lib/clock';
import './training';

/**
 * The credit engine's jobs, defined at load so the API process and the workers agree on them:
 * - `credit.score-changes` (every few seconds): the enterprises the change feed names;
 * - `credit.recompute-all`: every enterprise, when a version is activated (and daily, so that time-dependent
 *   features such as years established and penalty recency move), resumable from its checkpoint after a crash.
 */

export const RECOMPUTE_BATCH = 500;

defineJob(
  'credit.score-changes',
  async ({ app, id, signal }) => {
    // One run at a time: a tick that starts while an earlier one still drains the feed leaves it to that one (the
    // work would be correct twice over, through the unique indexes, but done twice).
    const earlier = await Job.count({ where: { type: 'credit.score-changes', status: 'running', id: { [Op.lt]: id }, leaseUntil: { [Op.gt]: clock.now() } } });
    if (earlier > 0) return;
    const outcome = await scoreChangedEnterprises(app, { signal });
    if (outcome.scored > 0) app.logger.info(outcome, 'changed enterprises scored');
  },
  { label: '增量评分（数据变更的企业）', maxAttempts: 1 },
);

const ZRecomputePayload = z.object({
  reason: z.string().max(200).optional(),
  /** The cursor: the last enterprise id a committed batch covered. */
  afterId: z.string().nullable().optional(),
  scored: z.number().int().optional(),
  written: z.number().int().optional(),
});
type RecomputePayload = z.infer<typeof ZRecomputePayload>;

export async function recomputeAll(
  app: AppContext,
  payload: RecomputePayload,
  options: { signal?: AbortSignal; checkpoint?: (p: RecomputePayload) => Promise<void> } = {},
): Promise<BatchOutcome> {
  const context = await scoringContext();
  const afterId = payload.afterId ?? null;
  const total: BatchOutcome = { scored: payload.scored ?? 0, written: payload.written ?? 0, warnings: 0 };
  let cursor = afterId;
  const nextBatch = async (): Promise<string[] | null> => {
    const ids = await enterpriseIdsAfter(cursor, RECOMPUTE_BATCH);
    if (ids.length > 0) cursor = ids[ids.length - 1]!;
    return ids.length > 0 ? ids : null;
  };
  await scorePipelined(app, nextBatch, context, options.signal, async (ids, outcome) => {
    total.scored += outcome.scored;
    total.written += outcome.written;
    total.warnings += outcome.warnings;
    await options.checkpoint?.({ ...payload, afterId: ids[ids.length - 1]!, scored: total.scored, written: total.written });
  });
  return total;
}

async function runRecompute({ app, payload, signal, checkpoint }: { app: AppContext; payload: RecomputePayload; signal: AbortSignal; checkpoint: (p: RecomputePayload) => Promise<void> }) {
  const outcome = await recomputeAll(app, payload ?? {}, { signal, checkpoint });
  app.logger.info({ ...outcome, reason: payload?.reason }, 'full credit recompute finished');
}

defineJob<RecomputePayload>('credit.recompute-all', runRecompute, { label: '全量重新评分', payload: ZRecomputePayload, leaseMs: 60_000 });

defineJob<RecomputePayload>('credit.recompute-daily', runRecompute, { label: '每日重新评分', payload: ZRecomputePayload, leaseMs: 60_000, maxAttempts: 3 });

const ZBackfillPayload = z.object({
  /** Month ends back from last month's (12 = a year of history). */
  months: z.number().int().min(1).max(60),
  afterId: z.string().nullable().optional(),
  written: z.number().int().optional(),
});
type BackfillPayload = z.infer<typeof ZBackfillPayload>;

/** The last days of the `months` whole months before today (Asia/Shanghai), oldest first. */
export function pastMonthEnds(today: string, months: number): string[] {
  const firstOfMonth = `${today.slice(0, 7)}-01`;
  const ends: string[] = [];
  let end = addDays(firstOfMonth, -1);
  for (let i = 0; i < months; i++) {
    ends.unshift(end);
    end = addDays(`${end.slice(0, 7)}-01`, -1);
  }
  return ends;
}

defineJob<BackfillPayload>(
  'credit.backfill-history',
  async ({ app, payload, signal, checkpoint }) => {
    const context = await scoringContext();
    const dates = pastMonthEnds(shanghaiDate(clock.now()), payload.months);
    let afterId = payload.afterId ?? null;
    let written = payload.written ?? 0;
    while (!signal.aborted) {
      const ids = await enterpriseIdsAfter(afterId, RECOMPUTE_BATCH);
      if (ids.length === 0) break;
      written += await backfillHistory(app, ids, context, dates);
      afterId = ids[ids.length - 1];
      await checkpoint({ ...payload, afterId, written });
    }
    app.logger.info({ written, months: payload.months }, 'credit history backfilled');
  },
  { label: '回溯计算历史评分', payload: ZBackfillPayload, leaseMs: 60_000 },
);
