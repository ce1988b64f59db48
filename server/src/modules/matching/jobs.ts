import { z } from 'zod';
import { defineJob } from '../../jobs/registry';
import { runNeedClocks } from './clocks';
import { matchNeedNow, rematchProductBatch } from './run';

/**
 * Matching's jobs: one need against the catalogue (on submission, on change, when the firm's rating moves), one
 * product against the open needs (on publish, edit and take-down; resumable from its cursor after a crash), and the
 * release clocks.
 */

const ZMatchNeedPayload = z.object({ needId: z.string().regex(/^\d{1,19}$/) });

defineJob<z.infer<typeof ZMatchNeedPayload>>(
  'matching.match-need',
  async ({ app, payload }) => {
    await matchNeedNow(app, payload.needId);
  },
  { label: '需求匹配', payload: ZMatchNeedPayload, maxAttempts: 5 },
);

const ZRematchProductPayload = z.object({
  productId: z.string().regex(/^\d{1,19}$/),
  revisionId: z.string().regex(/^\d{1,19}$/).optional(),
  afterId: z.string().nullable().optional(),
  needs: z.number().int().optional(),
  newFits: z.number().int().optional(),
});
type RematchProductPayload = z.infer<typeof ZRematchProductPayload>;

defineJob<RematchProductPayload>(
  'matching.rematch-product',
  async ({ app, payload, signal, checkpoint }) => {
    let cursor = payload.afterId ?? null;
    let needs = payload.needs ?? 0;
    let newFits = payload.newFits ?? 0;
    while (!signal.aborted) {
      const batch = await rematchProductBatch(app, payload.productId, cursor);
      if (batch.lastId === null) break;
      cursor = batch.lastId;
      needs += batch.needs;
      newFits += batch.newFits;
      await checkpoint({ ...payload, afterId: cursor, needs, newFits });
    }
    if (needs > 0) app.logger.info({ productId: payload.productId, needs, newFits }, 'product re-matched against open needs');
  },
  { label: '产品变更重新匹配', payload: ZRematchProductPayload, leaseMs: 60_000 },
);

defineJob(
  'matching.need-clocks',
  async ({ app }) => {
    const run = await runNeedClocks(app);
    if (run.reminded + run.escalated + run.recomputed > 0) app.logger.info(run, 'need release clocks run');
  },
  { label: '融资需求复核时限', maxAttempts: 1 },
);
