import { defineJob } from '../../jobs/registry';
import { runSlaClocks } from './clocks';
import { refreshLoanFigures } from './loans';

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
