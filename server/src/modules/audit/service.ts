import { createHmac } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { TAuditLog } from '@xyd/shared';
import type { AppContext } from '../../context';
import type { Database } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import type { Actor } from '../identity/actor';
import type { RequestMeta } from '../../http/route';
import { AUDIT_LIMITS, AuditLog } from './model';

export const GENESIS_HASH = '0'.repeat(64);

/** Used when AUDIT_HMAC_KEY is not configured; config.ts refuses that in production. */
export const DEV_AUDIT_HMAC_KEY = 'xyd-development-only-audit-hmac-key';

/**
 * The key of the audit chain. Without it, rewriting a row and recomputing every later hash is detected.
 * Read through the validated config (`auditHmacKey`) once it carries one, else the development key.
 */
export function auditHmacKey(app: Pick<AppContext, 'config'>): string {
  const configured = (app.config as { auditHmacKey?: string }).auditHmacKey;
  return configured || DEV_AUDIT_HMAC_KEY;
}

export interface AuditEntry {
  actor: Actor | null;
  /** For sign-in failures, where there is no actor yet: the name that was tried. */
  actorName?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  detail?: Record<string, unknown> | null;
  meta?: Partial<RequestMeta> | null;
}

/** The stored fields a row's hash covers, as the database returns them. */
export interface SealedFields {
  id: string;
  seq: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  detail: string | null;
  ip: string | null;
  requestId: string | null;
}

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * HMAC-SHA256 over the previous hash and every stored field of the row. The sealer and the verifier both
 * compute it from rows read back from the database, so it covers exactly what is stored, whatever the
 * database did to the text on the way in.
 */
export function auditRowHash(key: string, prevHash: string, row: SealedFields): string {
  const canonical = JSON.stringify([
    str(row.id),
    str(row.seq),
    new Date(row.at).toISOString(),
    row.actorType,
    str(row.actorId),
    str(row.actorName),
    row.action,
    str(row.targetType),
    str(row.targetId),
    row.outcome,
    str(row.detail),
    str(row.ip),
    str(row.requestId),
  ]);
  return createHmac('sha256', key).update(prevHash).update('\n').update(canonical).digest('hex');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Well-formed text that fits its column: lone surrogates become U+FFFD (as MySQL and SQLite would store them)
 * and over-long values are cut by code points (MySQL counts characters), so an odd attempted user name is
 * still audited instead of failing the write.
 */
export function auditText(value: string | null | undefined, maxLength?: number): string | null {
  if (value === null || value === undefined) return null;
  const wellFormed = value.replace(LONE_SURROGATE, '\ufffd');
  if (maxLength === undefined) return wellFormed;
  const chars = Array.from(wellFormed);
  return chars.length > maxLength ? chars.slice(0, maxLength).join('') : wellFormed;
}

/**
 * Appends one unchained row inside the caller's transaction, so a state change and its audit row commit
 * together. No shared row is touched: concurrent writers never wait for each other here; the sealer
 * (jobs.ts) chains the row after it commits.
 */
export async function recordAudit(t: Transaction, entry: AuditEntry): Promise<void> {
  await AuditLog.create(
    {
      id: newId(),
      seq: null,
      at: clock.now(),
      actorType: entry.actor?.kind ?? (entry.actorName ? 'anonymous' : 'system'),
      actorId: entry.actor?.id ?? null,
      actorName: auditText(entry.actor?.displayName ?? entry.actorName ?? null, AUDIT_LIMITS.actorName),
      action: auditText(entry.action, AUDIT_LIMITS.action) as string,
      targetType: auditText(entry.targetType, AUDIT_LIMITS.targetType),
      targetId: auditText(entry.targetId, AUDIT_LIMITS.targetId),
      outcome: entry.outcome,
      // JSON.stringify escapes lone surrogates, so the detail is always well-formed.
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      ip: auditText(entry.meta?.ip, AUDIT_LIMITS.ip),
      requestId: auditText(entry.meta?.requestId, AUDIT_LIMITS.requestId),
      prevHash: null,
      hash: null,
    },
    { transaction: t },
  );
}

/** For events with no state change of their own (a denied read, a failed sign-in). */
export async function recordAuditAlone(db: Database, entry: AuditEntry): Promise<void> {
  await db.transaction((t) => recordAudit(t, entry));
}

export function toAuditDto(row: AuditLog): TAuditLog {
  return {
    id: row.id,
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    ip: row.ip,
    hash: row.hash,
  };
}
