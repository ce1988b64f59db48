import { createHash, randomBytes } from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { TSession } from '@xyd/shared';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { NotFoundError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { Session, type UserKind } from './models';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Opaque random token; only its hash is stored, so a database leak does not leak sessions. */
export async function openSession(
  t: Transaction,
  kind: UserKind,
  userId: string,
  limits: { idleMs: number; absoluteMs: number },
  meta: RequestMeta,
  scope: 'full' | 'enrol_totp' = 'full',
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  const session = await Session.create(
    {
      id: newId(),
      tokenHash: hashToken(token),
      userKind: kind,
      userId,
      idleMs: limits.idleMs,
      scope,
      expiresAt: new Date(now.getTime() + limits.absoluteMs),
      lastSeenAt: now,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 255) ?? null,
      createdAt: now,
    },
    { transaction: t },
  );
  return { token, session };
}

export interface LiveSession {
  id: string;
  userKind: UserKind;
  userId: string;
  scope: 'full' | 'enrol_totp';
  lastSeenAt: Date;
  expiresAtMs: number;
  idleMs: number;
}

/** Dates from raw rows: Date objects from mysql2, strings from SQLite. */
const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

type SessionRow = Omit<LiveSession, 'id' | 'userId' | 'lastSeenAt' | 'expiresAtMs'> & {
  id: string | number;
  userId: string | number;
  idleMs: number;
  expiresAt: Date | string;
  lastSeenAt: Date | string;
  revokedAt?: unknown;
};

/** The session if it is within its absolute and idle limits (revocation is checked by the caller). */
export function liveSessionOf(row: SessionRow): LiveSession | null {
  const session: LiveSession = {
    id: String(row.id),
    userKind: row.userKind,
    userId: String(row.userId),
    scope: row.scope,
    lastSeenAt: toDate(row.lastSeenAt),
    expiresAtMs: toDate(row.expiresAt).getTime(),
    idleMs: row.idleMs,
  };
  return withinLimits(session) ? session : null;
}

/** Whether a live session is still within its absolute and idle limits now. */
export function withinLimits(session: LiveSession, nowMs = clock.nowMs()): boolean {
  return nowMs < session.expiresAtMs && nowMs - session.lastSeenAt.getTime() < session.idleMs;
}

/**
 * Sliding idle window; written at most once a minute per session to keep reads cheap. Answers the time written,
 * or null when none was due. The write leaves cached sessions alone (`hooks: false`): it changes no one's rights.
 */
export async function touchSession(session: { id: string; lastSeenAt: Date }): Promise<Date | null> {
  const now = clock.now();
  if (now.getTime() - new Date(session.lastSeenAt).getTime() < 60_000) return null;
  await Session.update({ lastSeenAt: now }, { where: { id: session.id }, hooks: false });
  return now;
}

export async function revokeSession(t: Transaction, sessionId: string, reason: string): Promise<void> {
  await Session.update({ revokedAt: clock.now(), revokeReason: reason }, { where: { id: sessionId, revokedAt: null }, transaction: t });
}

export async function revokeAllSessions(t: Transaction, kind: UserKind, userId: string, reason: string): Promise<number> {
  const [count] = await Session.update(
    { revokedAt: clock.now(), revokeReason: reason },
    { where: { userKind: kind, userId, revokedAt: null }, transaction: t },
  );
  return count;
}

/** Ends every live session of the user but the one given (password change, TOTP enrolment). */
export async function revokeOtherSessions(t: Transaction, kind: UserKind, userId: string, keepId: string, reason: string): Promise<number> {
  const [count] = await Session.update(
    { revokedAt: clock.now(), revokeReason: reason },
    { where: { userKind: kind, userId, revokedAt: null, id: { [Op.ne]: keepId } }, transaction: t },
  );
  return count;
}

/** How long revoked sessions stay listed for the audit trail's sake before cleanup drops them. */
export const REVOKED_SESSION_RETENTION_MS = 7 * 24 * 3600_000;
const CLEANUP_BATCH = 1000;

/**
 * Deletes sessions past their absolute expiry or revoked more than seven days ago; for the job runner. In batches,
 * so that a large backlog does not hold locks on the sessions table for long.
 */
export async function cleanupExpiredSessions(now: Date): Promise<number> {
  const revokedBefore = new Date(now.getTime() - REVOKED_SESSION_RETENTION_MS);
  let deleted = 0;
  for (const where of [{ expiresAt: { [Op.lte]: now } }, { revokedAt: { [Op.lt]: revokedBefore } }]) {
    for (;;) {
      const rows = (await Session.findAll({ where, attributes: ['id'], limit: CLEANUP_BATCH, raw: true })) as unknown as Array<{ id: string | number }>;
      if (rows.length === 0) break;
      deleted += await Session.destroy({ where: { id: rows.map((r) => String(r.id)) } });
      if (rows.length < CLEANUP_BATCH) break;
    }
  }
  return deleted;
}

export async function listLiveSessions(kind: UserKind, userId: string, currentId: string): Promise<TSession[]> {
  const now = clock.now();
  const rows = await Session.findAll({
    where: { userKind: kind, userId, revokedAt: null, expiresAt: { [Op.gt]: now } },
    order: [['createdAt', 'DESC']],
  });
  return rows
    .filter((s) => now.getTime() - new Date(s.lastSeenAt).getTime() < s.idleMs)
    .map((s) => ({
      id: s.id,
      createdAt: new Date(s.createdAt).toISOString(),
      lastSeenAt: new Date(s.lastSeenAt).toISOString(),
      expiresAt: new Date(Math.min(new Date(s.expiresAt).getTime(), new Date(s.lastSeenAt).getTime() + s.idleMs)).toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === currentId,
    }));
}

export async function findOwnSession(kind: UserKind, userId: string, sessionId: string): Promise<Session> {
  const session = await Session.findOne({ where: { id: sessionId, userKind: kind, userId } });
  if (!session) throw new NotFoundError('会话不存在');
  return session;
}
