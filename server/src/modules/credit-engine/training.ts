import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import { PLATFORM_FEATURES, shanghaiDate, validatePlatformScorecard, type TFeatureVector } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { ConflictError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { enqueueJob } from '../../jobs/queue';
import { defineJob } from '../../jobs/registry';
import { recordAudit } from '../audit/service';
import { Job } from '../jobs/models';
import type { AdminActor } from '../identity/actor';
import { storeCandidate } from './scorecards';
import { TrainingInputError, trainScorecard, type TTable } from './trainer';

/**
 * A candidate trained on the platform's own outcomes: each enterprise's current features (under the active version)
 * beside whether it defaulted (credit_outcomes: the demo world's simulated outcomes until loans land). The trainer is
 * the same as `npm run credit:train`'s; the candidate is then scored in shadow and compared in the console.
 */

/** Fewer labelled firms, or fewer defaults, than this train nothing worth comparing. */
export const MIN_OUTCOMES = 200;
export const MIN_DEFAULTS = 20;

export async function outcomeTable(app: AppContext): Promise<TTable> {
  const rows = await app.db.sequelize.query<{ features: string; defaulted: unknown }>(
    `SELECT s.features, o.defaulted FROM credit_outcomes o
     JOIN credit_scores s ON s.enterprise_id = o.enterprise_id AND s.role = 'active' AND s.is_latest = 1`,
    { type: QueryTypes.SELECT },
  );
  const columns = [...Object.keys(PLATFORM_FEATURES), 'defaulted'];
  return {
    columns,
    rows: rows.map((r) => {
      const features = JSON.parse(r.features) as TFeatureVector;
      const row: TTable['rows'][number] = { defaulted: Number(r.defaulted) === 1 || r.defaulted === true };
      for (const name of Object.keys(PLATFORM_FEATURES)) row[name] = features[name] ?? null;
      return row;
    }),
  };
}

const ZTrainPayload = z.object({ requestedBy: z.string(), requestedByName: z.string().optional() });

defineJob(
  'credit.train-candidate',
  async ({ app, payload }) => {
    const table = await outcomeTable(app);
    const bads = table.rows.filter((r) => r.defaulted === true).length;
    if (table.rows.length < MIN_OUTCOMES || bads < MIN_DEFAULTS) {
      const error = new Error(`可用于训练的实际结果不足：${table.rows.length} 家企业、${bads} 家违约（至少需要 ${MIN_OUTCOMES} 家、${MIN_DEFAULTS} 家违约）`);
      (error as Error & { retryable: boolean }).retryable = false;
      throw error;
    }
    const today = shanghaiDate(clock.now());
    try {
      const { scorecard, report } = trainScorecard(table, {
        label: 'defaulted',
        name: `平台实际结果训练 ${today}`,
        dataName: `平台实际结果（${table.rows.length} 家企业，${bads} 家违约）`,
        description: `由平台 ${table.rows.length} 家企业的当前特征与其实际结果（违约与否）训练所得，候选版本，需在对比后由平台管理员启用。`,
        monotone: true,
      });
      const problems = validatePlatformScorecard(scorecard);
      if (problems.length > 0) throw new TrainingInputError(`训练所得评分卡不能在平台上使用：${problems.join('；')}`);
      const stored = await storeCandidate(app, { id: payload.requestedBy, name: payload.requestedByName ?? null }, scorecard, null);
      app.logger.info({ version: stored.version, auc: report.crossValidation?.auc ?? null }, 'candidate scorecard trained on platform outcomes');
    } catch (error) {
      // The same data would fail the same way: no retry.
      if (error instanceof TrainingInputError) Object.assign(error, { retryable: false });
      throw error;
    }
  },
  { label: '按实际结果训练候选评分卡', payload: ZTrainPayload, maxAttempts: 2, leaseMs: 120_000 },
);

/** Asks the worker to train a candidate; one waiting at a time (two racing requests train two candidates, which is harmless). */
export async function requestCandidateTraining(app: AppContext, actor: AdminActor, meta: RequestMeta): Promise<{ jobId: string }> {
  return app.db.transaction(async (t) => {
    const waiting = await Job.count({ where: { type: 'credit.train-candidate', status: ['pending', 'running'] }, transaction: t });
    if (waiting > 0) throw new ConflictError('已有一个训练任务在排队或运行，请稍后查看');
    const job = await enqueueJob(t, 'credit.train-candidate', { requestedBy: actor.id, requestedByName: actor.displayName });
    await recordAudit(t, { actor, action: 'credit.scorecard.train', targetType: 'job', targetId: job.id, outcome: 'success', detail: null, meta });
    return { jobId: job.id };
  });
}
