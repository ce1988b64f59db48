import { Op, UniqueConstraintError, literal, type ModelStatic, type Model, type Transaction, type WhereOptions } from 'sequelize';
import { AdminUser, SignInFailure } from './models';

/** Failures older than this no longer count toward a lock (and unknown-username rows may then be dropped). */
export const FAILURE_WINDOW_MS = 24 * 3600_000;

export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

/** Where failures are counted: an account's own row, or the row of a username that has no account. */
export type FailureCounter = { model: typeof AdminUser; key: { id: string } } | { model: typeof SignInFailure; key: { username: string } };

export interface FailureOutcome {
  attempts: number;
  /** Set when this failure (or a concurrent one) locked the username. */
  lockedUntil: Date | null;
}

const toDate = (value: Date | string | null | undefined): Date | null => (value ? new Date(value) : null);

export function lockedAt(lockedUntil: Date | string | null | undefined, now: Date): Date | null {
  const until = toDate(lockedUntil);
  return until && until > now ? until : null;
}

export const notLockedAt = (now: Date): WhereOptions => ({ [Op.or]: [{ lockedUntil: null }, { lockedUntil: { [Op.lte]: now } }] });

/** Failures counting for unknown usernames share one key space however the name was typed. */
export const unknownUsernameKey = (username: string): string => username.trim().toLowerCase().slice(0, 64);

/**
 * Counts one failure and locks at the limit, atomically: the increment is a conditional UPDATE on the row
 * (which serialises concurrent failures on MySQL), the count is read back from the row, and a row that is already
 * locked is never touched, so a later failure cannot clear or shorten a lock.
 */
export async function countFailure(t: Transaction, counter: FailureCounter, policy: LockoutPolicy, now: Date): Promise<FailureOutcome> {
  const model = counter.model as unknown as ModelStatic<Model>;
  const key = counter.key as WhereOptions;
  const windowStart = new Date(now.getTime() - FAILURE_WINDOW_MS);
  await model.update(
    { failedAttempts: 0 },
    {
      where: { [Op.and]: [key, notLockedAt(now), { [Op.or]: [{ lastFailedAt: null }, { lastFailedAt: { [Op.lt]: windowStart } }] }] },
      transaction: t,
    },
  );
  const [counted] = await model.update(
    { failedAttempts: literal('failed_attempts + 1'), lastFailedAt: now },
    { where: { [Op.and]: [key, notLockedAt(now)] }, transaction: t },
  );
  const row = (await model.findOne({ where: key, attributes: ['failedAttempts', 'lockedUntil'], transaction: t, lock: t.LOCK.UPDATE, raw: true })) as unknown as
    | { failedAttempts: number; lockedUntil: Date | string | null }
    | null;
  if (!row) throw new Error('sign-in failure counter row missing');
  if (counted === 0) return { attempts: Number(row.failedAttempts), lockedUntil: lockedAt(row.lockedUntil, now) };
  const attempts = Number(row.failedAttempts);
  if (attempts < policy.maxFailures) return { attempts, lockedUntil: null };
  const lockedUntil = new Date(now.getTime() + policy.lockMs);
  await model.update(
    { failedAttempts: 0, lockedUntil },
    { where: { [Op.and]: [key, { failedAttempts: { [Op.gte]: policy.maxFailures } }] }, transaction: t },
  );
  return { attempts, lockedUntil };
}

/** The counter row of an unknown username; insert-then-catch-unique, outside any transaction, so that it cannot deadlock. */
export async function ensureUnknownUsernameRow(username: string): Promise<void> {
  if (await SignInFailure.findByPk(username, { attributes: ['username'], raw: true })) return;
  try {
    await SignInFailure.create({ username });
  } catch (error) {
    if (!(error instanceof UniqueConstraintError)) throw error;
  }
}

/** Drops unknown-username counters that neither lock nor count any more. */
export async function cleanupSignInFailures(now: Date): Promise<number> {
  return SignInFailure.destroy({
    where: {
      [Op.and]: [notLockedAt(now), { [Op.or]: [{ lastFailedAt: null }, { lastFailedAt: { [Op.lt]: new Date(now.getTime() - FAILURE_WINDOW_MS) } }] }],
    },
  });
}
