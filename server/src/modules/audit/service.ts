import { createHash } from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { TAuditLog, TAuditVerifyResult } from '@xyd/shared';
import type { Database } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import type { Actor } from '../identity/actor';
import type { RequestMeta } from '../../http/route';
import { AuditHead, AuditLog } from './model';

export const GENESIS_HASH = '0'.repeat(64);

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

interface HashedFields {
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

/** The hash covers every stored field of the row and the previous row's hash. */
export function auditRowHash(prevHash: string, row: HashedFields): string {
  const canonical = JSON.stringify([
    String(row.seq),
    new Date(row.at).toISOString(),
    row.actorType,
    row.actorId === null || row.actorId === undefined ? null : String(row.actorId),
    row.actorName ?? null,
    row.action,
    row.targetType ?? null,
    row.targetId ?? null,
    row.outcome,
    row.detail ?? null,
    row.ip ?? null,
    row.requestId ?? null,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/**
 * Appends one row inside the caller's transaction, so a state change and its audit row commit together.
 * The head row is locked (FOR UPDATE on MySQL; SQLite transactions are already serialised) so that the
 * chain stays linear with any number of processes.
 */
export async function recordAudit(t: Transaction, entry: AuditEntry): Promise<void> {
  const head = await AuditHead.findByPk(1, { transaction: t, lock: t.LOCK.UPDATE });
  if (!head) throw new Error('audit_head row missing: migrations not applied');
  const seq = String(BigInt(head.seq) + 1n);
  const fields: HashedFields = {
    seq,
    at: clock.now(),
    actorType: entry.actor?.kind ?? (entry.actorName ? 'anonymous' : 'system'),
    actorId: entry.actor?.id ?? null,
    actorName: entry.actor?.displayName ?? entry.actorName ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    outcome: entry.outcome,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
    ip: entry.meta?.ip ?? null,
    requestId: entry.meta?.requestId ?? null,
  };
  const hash = auditRowHash(head.hash, fields);
  await AuditLog.create(
    { id: newId(), ...fields, actorType: fields.actorType as AuditLog['actorType'], outcome: entry.outcome, prevHash: head.hash, hash },
    { transaction: t },
  );
  await AuditHead.update({ seq, hash }, { where: { id: 1 }, transaction: t });
}

/** For events with no state change of their own (a denied read, a failed sign-in). */
export async function recordAuditAlone(db: Database, entry: AuditEntry): Promise<void> {
  await db.transaction((t) => recordAudit(t, entry));
}

/** Walks the chain in order and names the first row whose link or content does not hold. */
export async function verifyAuditChain(): Promise<TAuditVerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let checked = 0;
  let lastId: string | null = null;
  const pageSize = 1000;
  for (;;) {
    const rows = await AuditLog.findAll({
      where: { seq: { [Op.gte]: expectedSeq.toString() } },
      order: [['seq', 'ASC']],
      limit: pageSize,
    });
    for (const row of rows) {
      const broken = (reason: string): TAuditVerifyResult => ({ ok: false, checked, firstBrokenId: row.id, reason });
      if (BigInt(row.seq) !== expectedSeq) return broken(`序号不连续：应为 ${expectedSeq}，实际为 ${row.seq}（有记录被删除）`);
      if (row.prevHash !== prevHash) return broken('前一条记录的哈希与本条记录保存的不一致');
      if (auditRowHash(prevHash, row) !== row.hash) return broken('记录内容与其哈希不符（记录被篡改）');
      prevHash = row.hash;
      expectedSeq += 1n;
      checked += 1;
      lastId = row.id;
    }
    if (rows.length < pageSize) break;
  }
  const head = await AuditHead.findByPk(1);
  if (head && (BigInt(head.seq) !== expectedSeq - 1n || head.hash !== prevHash)) {
    return { ok: false, checked, firstBrokenId: lastId, reason: `链尾缺失：应有 ${head.seq} 条记录，实际 ${checked} 条` };
  }
  return { ok: true, checked, firstBrokenId: null, reason: null };
}

export function toAuditDto(row: AuditLog): TAuditLog {
  return {
    id: row.id,
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
