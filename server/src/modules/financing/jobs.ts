import { z } from 'zod';
import { defineJob } from '../../jobs/registry';
import { runSlaClocks } from './clocks';
import { followLoanStatus, refreshLoanFigures } from './loans';

/** Financing's recurring jobs: the service-level clocks of applications, and the daily figures of live loans. */

defineJob(
  'financing.sla-clocks',
  async ({ app }) => {
    const run = await runSlaClocks(app);
    if (run.recomputed + run.acceptBreaches + run.decideBreaches > 0) app.logger.info(run, 'application service-level clocks run');
  },
  { label: '融资申请受理与办结时限', maxAttempts: 1 },
);

defineJob(
  'financing.loan-figures',
  async ({ app }) => {
    const run = await refreshLoanFigures(app);
    if (run.refreshed > 0) app.logger.info(run, 'loan figures refreshed');
  },
  { label: '贷款余额、逾期与五级分类', maxAttempts: 3 },
);

const ZFollowLoans = z.object({ applicationIds: z.array(z.string().regex(/^\d{1,20}$/)).max(5_000) });

/**
 * Repayments booked by the ingestion pipeline (push or file) move applications to overdue and back after their
 * chunk commits: queued in that chunk's transaction, so a crash between the two loses nothing.
 */
defineJob(
  'financing.follow-loans',
  async ({ app, payload }) => {
    for (const applicationId of payload.applicationIds) await followLoanStatus(app, applicationId);
  },
  { label: '还款后更新申请的逾期状态', maxAttempts: 5, payload: ZFollowLoans },
);
