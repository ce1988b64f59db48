import { Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import { clock } from '../lib/clock';
import { newId } from '../lib/ids';
import { Job } from '../modules/jobs/models';
import { DEFAULT_MAX_ATTEMPTS, jobDefinition } from './registry';

export interface EnqueueOptions {
  /** Not before this time (scheduled jobs); now by default. */
  runAt?: Date;
  /** At most one job ever carries this key: a second enqueue returns the first job. */
  dedupeKey?: string;
  maxAttempts?: number;
}

export interface EnqueuedJob {
  id: string;
  /** False when a job with the same dedupe key already existed. */
  created: boolean;
}

const ERROR_LIMIT = 1000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return text.slice(0, ERROR_LIMIT);
}

/**
 * Adds a job, inside the caller's transaction when one is given, so the job exists if and only if the change
 * that asks for it commits. With a dedupe key: insert, and on the unique violation return the existing job.
 */
export async function enqueueJob(
  t: Transaction | undefined,
  type: string,
  payload: Record<string, unknown> | null = null,
  options: EnqueueOptions = {},
): Promise<EnqueuedJob> {
  const definition = jobDefinition(type);
  if (!definition) throw new Error(`unknown job type: ${type}`);
  const now = clock.now();
  const id = newId();
  try {
    await Job.create(
      {
        id,
        type,
        payload: payload === null ? null : JSON.stringify(payload),
        status: 'pending',
        runAt: options.runAt ?? now,
        maxAttempts: options.maxAttempts ?? definition.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        dedupeKey: options.dedupeKey ?? null,
        createdAt: now,
        updatedAt: now,
      },
      { transaction: t },
    );
    return { id, created: true };
  } catch (error) {
    if (!(error instanceof UniqueConstraintError) || !options.dedupeKey) throw error;
    const existing = await Job.findOne({ where: { dedupeKey: options.dedupeKey }, attributes: ['id'], transaction: t });
    if (!existing) throw error;
    return { id: existing.id, created: false };
  }
}

/** A job this worker holds: every write about it matches `owner` and `token`. */
export interface ClaimedJob {
  id: string;
  type: string;
  payload: string | null;
  attempts: number;
  maxAttempts: number;
  owner: string;
  token: number;
  leaseMs: number;
}

const dueOrExpired = (now: Date): WhereOptions<Job> => ({
  [Op.or]: [
    { status: 'pending', runAt: { [Op.lte]: now } },
    { status: 'running', leaseUntil: { [Op.lt]: now } },
  ],
});

export interface ClaimCandidate {
  id: string;
  type: string;
  token: number;
}

/** Jobs that may be claimed now: due, or running under a lease that has run out. */
export async function findClaimable(types: string[], limit: number): Promise<ClaimCandidate[]> {
  if (types.length === 0 || limit <= 0) return [];
  const now = clock.now();
  const rows = (await Job.findAll({
    attributes: ['id', 'type', 'token'],
    where: { type: types, ...dueOrExpired(now) } as WhereOptions<Job>,
    order: [['runAt', 'ASC']],
    limit,
    raw: true,
  })) as unknown as Array<{ id: string | number; type: string; token: number | string }>;
  return rows.map((r) => ({ id: String(r.id), type: r.type, token: Number(r.token) }));
}

/**
 * Claims one job with a single conditional UPDATE: it matches only while the job is still claimable and its
 * token is the one just read, so of any number of workers racing for it exactly one changes the row. Then it
 * reads back what it owns. No SELECT … FOR UPDATE: TiDB would silently take no lock.
 */
export async function claimJob(candidate: ClaimCandidate, owner: string, leaseMs: number): Promise<ClaimedJob | null> {
  const now = clock.now();
  const [won] = await Job.update(
    {
      status: 'running',
      leaseOwner: owner,
      token: Job.sequelize!.literal('token + 1') as never,
      attempts: Job.sequelize!.literal('attempts + 1') as never,
      leaseUntil: new Date(now.getTime() + leaseMs),
      startedAt: now,
      updatedAt: now,
    },
    { where: { id: candidate.id, token: candidate.token, ...dueOrExpired(now) } as WhereOptions<Job>, silent: true },
  );
  if (won !== 1) return null;
  const token = candidate.token + 1;
  const row = await Job.findOne({
    where: { id: candidate.id, leaseOwner: owner, token },
    attributes: ['id', 'type', 'payload', 'attempts', 'maxAttempts'],
  });
  if (!row) return null;
  return { id: row.id, type: row.type, payload: row.payload, attempts: row.attempts, maxAttempts: row.maxAttempts, owner, token, leaseMs };
}

const mine = (job: ClaimedJob): WhereOptions<Job> => ({ id: job.id, leaseOwner: job.owner, token: job.token, status: 'running' });

/** Renews the lease; false when the job has been taken over (or is no longer running). */
export async function renewLease(job: ClaimedJob): Promise<boolean> {
  const now = clock.now();
  const [kept] = await Job.update({ leaseUntil: new Date(now.getTime() + job.leaseMs), updatedAt: now }, { where: mine(job), silent: true });
  return kept === 1;
}

export async function writeCheckpoint(job: ClaimedJob, payload: unknown): Promise<boolean> {
  const now = clock.now();
  const [kept] = await Job.update(
    { payload: JSON.stringify(payload), leaseUntil: new Date(now.getTime() + job.leaseMs), updatedAt: now },
    { where: mine(job), silent: true },
  );
  return kept === 1;
}

/** The writes below return false when refused: a worker whose lease ran out never overwrites the new holder. */
export async function completeJob(job: ClaimedJob): Promise<boolean> {
  const now = clock.now();
  const [done] = await Job.update(
    { status: 'done', leaseUntil: null, finishedAt: now, lastError: null, updatedAt: now },
    { where: mine(job), silent: true },
  );
  return done === 1;
}

export async function retryJobLater(job: ClaimedJob, error: string, runAt: Date): Promise<boolean> {
  const now = clock.now();
  const [kept] = await Job.update(
    { status: 'pending', leaseUntil: null, runAt, lastError: error.slice(0, ERROR_LIMIT), updatedAt: now },
    { where: mine(job), silent: true },
  );
  return kept === 1;
}

export async function failJob(job: ClaimedJob, error: string): Promise<boolean> {
  const now = clock.now();
  const [kept] = await Job.update(
    { status: 'failed', leaseUntil: null, finishedAt: now, lastError: error.slice(0, ERROR_LIMIT), updatedAt: now },
    { where: mine(job), silent: true },
  );
  return kept === 1;
}

/**
 * Inserts the job of one recurring tick. Every worker computes the same tick and key, and the unique key lets
 * exactly one insert win; the others' unique violations are the expected outcome.
 */
export async function scheduleTick(type: string, tick: Date, maxAttempts: number): Promise<boolean> {
  const now = clock.now();
  try {
    await Job.create({
      id: newId(),
      type,
      payload: null,
      status: 'pending',
      runAt: tick,
      maxAttempts,
      dedupeKey: `${type}@${tick.toISOString()}`,
      createdAt: now,
      updatedAt: now,
    });
    return true;
  } catch (error) {
    if (error instanceof UniqueConstraintError) return false;
    throw error;
  }
}
