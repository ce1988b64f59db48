import { fn, col, type WhereOptions } from 'sequelize';
import type { PageResult, TJob, TJobQuery, TJobQueueSummary, TJobSummary, TPageQuery } from '@xyd/shared';
import { ZJobStatus } from '@xyd/shared';
import type { AppContext } from '../../context';
import { toNumber } from '../../db';
import { clock } from '../../lib/clock';
import { ConflictError, NotFoundError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { jobDefinitions } from '../../jobs/registry';
import { describeSchedule, recurringJobs } from '../../jobs/schedule';
import '../../jobs/definitions';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { Job } from './models';

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

function payloadOf(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { text };
  }
}

export function toJobDto(job: Job): TJob {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    payload: payloadOf(job.payload),
    runAt: iso(job.runAt)!,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.lastError,
    leaseOwner: job.leaseOwner,
    leaseUntil: iso(job.leaseUntil),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    createdAt: iso(job.createdAt)!,
  };
}

export async function listJobs(page: TPageQuery, query: TJobQuery): Promise<PageResult<TJob>> {
  const where: WhereOptions<Job> = {};
  if (query.status) Object.assign(where, { status: query.status });
  if (query.type) Object.assign(where, { type: query.type });
  const { rows, count } = await Job.findAndCountAll({
    where,
    // Ids are time-ordered: newest first without an index on created_at.
    order: [['id', 'DESC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  return { list: rows.map(toJobDto), total: count };
}

/** One queue per known type: every defined or scheduled type, and any type still present in the table. */
export async function jobSummary(app: AppContext): Promise<TJobSummary> {
  const schedules = new Map(recurringJobs(app.config).map((r) => [r.type, describeSchedule(r)]));
  const queues = new Map<string, TJobQueueSummary>();
  const queue = (type: string): TJobQueueSummary => {
    let q = queues.get(type);
    if (!q) {
      q = { type, pending: 0, running: 0, done: 0, failed: 0, lastFinishedAt: null, schedule: schedules.get(type) ?? null };
      queues.set(type, q);
    }
    return q;
  };
  for (const d of jobDefinitions()) queue(d.type);
  for (const type of schedules.keys()) queue(type);
  const counts = (await Job.findAll({
    attributes: ['type', 'status', [fn('COUNT', col('id')), 'n']],
    group: ['type', 'status'],
    raw: true,
  })) as unknown as Array<{ type: string; status: string; n: unknown }>;
  for (const row of counts) {
    const status = ZJobStatus.safeParse(row.status);
    if (status.success) queue(row.type)[status.data] = toNumber(row.n);
  }
  const finished = (await Job.findAll({
    attributes: ['type', [fn('MAX', col('finished_at')), 'last']],
    where: { status: 'done' },
    group: ['type'],
    raw: true,
  })) as unknown as Array<{ type: string; last: Date | string | null }>;
  for (const row of finished) queue(row.type).lastFinishedAt = iso(row.last);
  return { queues: [...queues.values()].sort((a, b) => a.type.localeCompare(b.type)) };
}

/** A failed job runs again now, with a fresh set of attempts; its last error stays until the next outcome. */
export async function retryJob(app: AppContext, actor: AdminActor, id: string, meta: RequestMeta): Promise<TJob> {
  return app.db.transaction(async (t) => {
    const job = await Job.findByPk(id, { attributes: ['id', 'type', 'status'], transaction: t });
    if (!job) throw new NotFoundError('任务不存在');
    const now = clock.now();
    const [changed] = await Job.update(
      { status: 'pending', runAt: now, attempts: 0, leaseUntil: null, finishedAt: null, updatedAt: now },
      { where: { id, status: 'failed' }, transaction: t, silent: true },
    );
    if (changed !== 1) throw new ConflictError('只有已失败的任务可以重试');
    await recordAudit(t, {
      actor,
      action: 'job.retry',
      targetType: 'job',
      targetId: id,
      outcome: 'success',
      detail: { type: job.type },
      meta,
    });
    return toJobDto((await Job.findByPk(id, { transaction: t }))!);
  });
}
