import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { Op, UniqueConstraintError } from 'sequelize';
import type { Database } from '../db';
import { clock } from '../lib/clock';
import { newId } from '../lib/ids';
import { ConflictError, ValidationError } from '../lib/errors';
import { IdempotencyKey } from '../modules/idempotency/model';

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** How long a key is remembered; a client retrying later than this makes a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface IdempotentResult {
  status: number;
  body: unknown;
}

/** JSON with object keys sorted: the same fields in another order are the same request. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * `Idempotency-Key` on creating POSTs. The key row is written in the same transaction as the change it guards
 * (services' transactions join the one opened here), so a crash either loses both or keeps both: a retry after a
 * crash before commit runs again, after commit it is replayed. The fingerprint is of the parsed body; the same key
 * with a different request is refused. A request that failed leaves no record, so the client can correct it and
 * try again with the same key. Keys expire after a day (cleaned up by a job).
 */
export async function withIdempotency(
  db: Database,
  ctx: Koa.Context,
  scope: string,
  fingerprint: unknown,
  run: () => Promise<IdempotentResult>,
): Promise<IdempotentResult> {
  const key = ctx.get('idempotency-key');
  if (!key) return run();
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError('Idempotency-Key: 只能包含字母、数字和 _ . : -，长度 1–128', [
      { field: 'Idempotency-Key', message: '只能包含字母、数字和 _ . : -，长度 1–128' },
    ]);
  }
  const requestHash = createHash('sha256').update(canonicalJson([ctx.method, ctx.path, fingerprint])).digest('hex');
  const replay = (row: IdempotencyKey): IdempotentResult => {
    if (row.requestHash !== requestHash) {
      throw new ConflictError('Idempotency-Key 已用于另一个不同的请求', 'IDEMPOTENCY_CONFLICT');
    }
    ctx.set('Idempotent-Replayed', 'true');
    return { status: row.statusCode ?? 200, body: JSON.parse(row.responseBody ?? 'null') as unknown };
  };
  const live = async () => {
    const row = await IdempotencyKey.findOne({ where: { scope, idemKey: key } });
    return row && (!row.expiresAt || new Date(row.expiresAt) > clock.now()) ? row : null;
  };
  const existing = await live();
  if (existing) return replay(existing);
  try {
    return await db.transaction(async (t) => {
      // An expired key of the same name is forgotten in this transaction.
      await IdempotencyKey.destroy({ where: { scope, idemKey: key, expiresAt: { [Op.lte]: clock.now() } }, transaction: t });
      const result = await run();
      const now = clock.now();
      await IdempotencyKey.create(
        {
          id: newId(),
          scope,
          idemKey: key,
          method: ctx.method,
          path: ctx.path.slice(0, 255),
          requestHash,
          statusCode: result.status,
          responseBody: JSON.stringify(result.body),
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        },
        { transaction: t },
      );
      return result;
    });
  } catch (error) {
    // A concurrent request with the same key committed first: its change stands, this one rolled back (having met
    // either the key's unique index or one of the change's own, which a service may report as a conflict).
    if (error instanceof UniqueConstraintError || error instanceof ConflictError) {
      const winner = await live();
      if (winner) return replay(winner);
    }
    throw error;
  }
}

/** Deletes keys past their expiry; run by the worker. */
export async function cleanupIdempotencyKeys(now: Date): Promise<number> {
  return IdempotencyKey.destroy({ where: { expiresAt: { [Op.lte]: now } } });
}
