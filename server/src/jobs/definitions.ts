import { Op } from 'sequelize';
import type { AppContext } from '../context';
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

/** A recurring cleanup: removes what is past its time and logs how much, when anything went. */
function defineCleanup(type: string, label: string, cleanup: (now: Date) => Promise<number>, logMessage: string): void {
  defineJob(
    type,
    async ({ app }) => {
      const removed = await cleanup(clock.now());
      if (removed) app.logger.info({ removed }, logMessage);
    },
    { label, maxAttempts: 1 },
  );
}

defineJob(
  'outbox.dispatch',
  async ({ app, signal }) => {
    await dispatchOutbox(app, { signal });
  },
  { label: '通知投递', maxAttempts: 1 },
);

defineCleanup('sessions.cleanup', '清理过期会话', cleanupExpiredSessions, 'expired sessions removed');

defineCleanup('idempotency.cleanup', '清理过期幂等键', cleanupIdempotencyKeys, 'expired idempotency keys removed');

defineCleanup('signin-failures.cleanup', '清理登录失败计数', cleanupSignInFailures, 'stale sign-in failure counters removed');

defineCleanup('signature-nonces.cleanup', '清理签名请求随机数', cleanupSignatureNonces, 'signed-request nonces past the skew window removed');

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

defineCleanup('audit-runs.cleanup', '清理审计校验记录', cleanupAuditVerifyRuns, 'old passing audit verification runs removed');

defineJob(
  'audit.seal',
  async ({ app }) => {
    await sealAuditLog(app);
  },
  { label: '审计日志封链', maxAttempts: 1 },
);

/** Logs a run that found broken rows; the result itself is stored by the run. */
async function verifyAuditChain(app: AppContext, full: boolean): Promise<void> {
  const result = await runAuditVerification(app, { full });
  if (!result.ok) app.logger.error({ broken: result.broken.length, first: result.broken[0] }, 'audit chain verification found broken rows');
}

/** Incremental from the last good checkpoint (every 10 minutes). */
defineJob('audit.verify', ({ app }) => verifyAuditChain(app, false), { label: '审计日志校验', maxAttempts: 2 });

/** The whole chain from the first row (daily, or on request from the console). */
defineJob('audit.verify-full', ({ app }) => verifyAuditChain(app, true), { label: '审计日志全量校验', maxAttempts: 2 });

defineJob(
  'audit.anchor',
  async ({ app }) => {
    await exportAuditAnchor(app);
  },
  { label: '审计链头导出（外部锚点）', maxAttempts: 2 },
);
