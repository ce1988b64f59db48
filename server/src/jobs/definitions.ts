import { Op } from 'sequelize';
import { clock } from '../lib/clock';
import { cleanupIdempotencyKeys } from '../middleware/idempotency';
import { cleanupExpiredSessions } from '../modules/identity/sessions';
import { cleanupSignInFailures } from '../modules/identity/lockout';
import { Job } from '../modules/jobs/models';
import { dispatchOutbox } from '../modules/notifications/dispatcher';
import { cleanupAuditVerifyRuns, exportAuditAnchor, runAuditVerification, sealAuditLog } from '../modules/audit/jobs';
import { cleanupSignatureNonces } from '../modules/api-clients/signature';
import { defineJob } from './registry';

/**
 * Finished jobs stay a day for the console, then go (the outbox alone ticks tens of thousands of times a day);
 * failed ones stay until retried.
 */
export const DONE_JOB_RETENTION_MS = 24 * 3600_000;

defineJob(
  'outbox.dispatch',
  async ({ app, signal }) => {
    await dispatchOutbox(app, { signal });
  },
  { label: '通知投递', maxAttempts: 1 },
);

defineJob(
  'sessions.cleanup',
  async ({ app }) => {
    const removed = await cleanupExpiredSessions(clock.now());
    if (removed) app.logger.info({ removed }, 'expired sessions removed');
  },
  { label: '清理过期会话', maxAttempts: 1 },
);

defineJob(
  'idempotency.cleanup',
  async ({ app }) => {
    const removed = await cleanupIdempotencyKeys(clock.now());
    if (removed) app.logger.info({ removed }, 'expired idempotency keys removed');
  },
  { label: '清理过期幂等键', maxAttempts: 1 },
);

defineJob(
  'signin-failures.cleanup',
  async ({ app }) => {
    const removed = await cleanupSignInFailures(clock.now());
    if (removed) app.logger.info({ removed }, 'stale sign-in failure counters removed');
  },
  { label: '清理登录失败计数', maxAttempts: 1 },
);

defineJob(
  'signature-nonces.cleanup',
  async ({ app }) => {
    const removed = await cleanupSignatureNonces(clock.now());
    if (removed) app.logger.info({ removed }, 'signed-request nonces past the skew window removed');
  },
  { label: '清理签名请求随机数', maxAttempts: 1 },
);

/** Deletes finished jobs in small batches, so no long lock is held on the queue. */
export async function cleanupFinishedJobs(now: Date, signal?: AbortSignal): Promise<number> {
  const before = new Date(now.getTime() - DONE_JOB_RETENTION_MS);
  let removed = 0;
  while (!signal?.aborted) {
    const rows = await Job.findAll({
      attributes: ['id'],
      where: { status: 'done', finishedAt: { [Op.lt]: before } },
      limit: 500,
      raw: true,
    });
    if (rows.length === 0) break;
    removed += await Job.destroy({ where: { id: rows.map((r) => r.id), status: 'done' } });
  }
  return removed;
}

defineJob(
  'jobs.cleanup',
  async ({ signal }) => {
    await cleanupFinishedJobs(clock.now(), signal);
  },
  { label: '清理已完成任务', maxAttempts: 1 },
);

defineJob(
  'audit-runs.cleanup',
  async ({ app }) => {
    const removed = await cleanupAuditVerifyRuns(clock.now());
    if (removed) app.logger.info({ removed }, 'old passing audit verification runs removed');
  },
  { label: '清理审计校验记录', maxAttempts: 1 },
);

defineJob(
  'audit.seal',
  async ({ app }) => {
    await sealAuditLog(app);
  },
  { label: '审计日志封链', maxAttempts: 1 },
);

/** Incremental from the last good checkpoint; `{ full: true }` walks the whole chain (daily, or on request). */
defineJob<{ full?: boolean }>(
  'audit.verify',
  async ({ app, payload }) => {
    const result = await runAuditVerification(app, { full: Boolean(payload?.full) });
    if (!result.ok) app.logger.error({ broken: result.broken.length, first: result.broken[0] }, 'audit chain verification found broken rows');
  },
  { label: '审计日志校验', maxAttempts: 2 },
);

defineJob(
  'audit.verify-full',
  async ({ app }) => {
    const result = await runAuditVerification(app, { full: true });
    if (!result.ok) app.logger.error({ broken: result.broken.length, first: result.broken[0] }, 'audit chain verification found broken rows');
  },
  { label: '审计日志全量校验', maxAttempts: 2 },
);

defineJob(
  'audit.anchor',
  async ({ app }) => {
    await exportAuditAnchor(app);
  },
  { label: '审计链头导出（外部锚点）', maxAttempts: 2 },
);
