import { Cron } from 'croner';
import type { AppConfig } from '../config';

/** A job type that runs on a schedule: every worker inserts each tick's job, and the dedupe key keeps one. */
export interface RecurringJob {
  type: string;
  /** Cron expression (5 fields, or 6 with seconds), in Asia/Shanghai time. */
  cron?: string;
  /** Or a fixed interval, ticking at multiples of it since the epoch. */
  everyMs?: number;
  /** A missed tick is not worth retrying: the next one comes anyway. */
  maxAttempts?: number;
}

export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

/** The platform's recurring work. Add an entry here and a `defineJob` for its type in definitions.ts. */
export function recurringJobs(config: AppConfig): RecurringJob[] {
  return [
    { type: 'outbox.dispatch', everyMs: config.outbox.intervalMs },
    { type: 'sessions.cleanup', cron: '*/10 * * * *' },
    { type: 'idempotency.cleanup', cron: '7 * * * *' },
    { type: 'jobs.cleanup', cron: '30 * * * *' },
    { type: 'signin-failures.cleanup', cron: '45 3 * * *' },
    { type: 'signature-nonces.cleanup', cron: '*/5 * * * *' },
    { type: 'audit.seal', everyMs: 5_000 },
    { type: 'audit.verify', cron: '*/10 * * * *' },
    { type: 'audit.verify-full', cron: '20 2 * * *' },
    { type: 'audit.anchor', cron: '0 * * * *' },
    { type: 'audit-runs.cleanup', cron: '50 3 * * *' },
    { type: 'credit.quality', cron: '15 * * * *' },
    { type: 'credit.retention', cron: '30 1 * * *' },
    { type: 'credit.score-changes', everyMs: config.credit.scoreIntervalMs },
    { type: 'credit.recompute-daily', cron: '10 2 * * *', maxAttempts: 3 },
    { type: 'matching.need-clocks', cron: '*/5 * * * *' },
    { type: 'financing.sla-clocks', cron: '*/5 * * * *' },
    { type: 'financing.loan-figures', cron: '20 0 * * *' },
  ];
}

const crons = new Map<string, Cron>();

function cronOf(pattern: string): Cron {
  let cron = crons.get(pattern);
  if (!cron) {
    cron = new Cron(pattern, { paused: true, timezone: SCHEDULE_TIMEZONE });
    crons.set(pattern, cron);
  }
  return cron;
}

/** The first tick strictly after `now`; every worker computes the same one. */
export function nextTick(entry: RecurringJob, now: Date): Date {
  if (entry.everyMs) return new Date((Math.floor(now.getTime() / entry.everyMs) + 1) * entry.everyMs);
  if (!entry.cron) throw new Error(`recurring job ${entry.type} has neither cron nor everyMs`);
  const next = cronOf(entry.cron).nextRun(now);
  if (!next) throw new Error(`cron expression of ${entry.type} never fires: ${entry.cron}`);
  return next;
}

/** How the console shows a schedule. */
export function describeSchedule(entry: RecurringJob): string {
  if (entry.cron) return `cron ${entry.cron}（北京时间）`;
  const ms = entry.everyMs ?? 0;
  return ms % 1000 === 0 ? `每 ${ms / 1000} 秒` : `每 ${ms} 毫秒`;
}
