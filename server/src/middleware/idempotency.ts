import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { UniqueConstraintError } from 'sequelize';
import { clock } from '../lib/clock';
import { newId } from '../lib/ids';
import { ConflictError, ValidationError } from '../lib/errors';
import { IdempotencyKey } from '../modules/idempotency/model';

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface IdempotentResult {
  status: number;
  body: unknown;
}

/**
 * `Idempotency-Key` on creating POSTs: the first completed response is stored and replayed for the same key
 * and the same request; the same key with a different request is refused. A request that failed leaves no
 * record, so the client can correct it and try again with the same key.
 */
export async function withIdempotency(
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
  const requestHash = createHash('sha256').update(JSON.stringify([ctx.method, ctx.path, fingerprint])).digest('hex');
  const replay = (row: IdempotencyKey): IdempotentResult => {
    if (row.requestHash !== requestHash) {
      throw new ConflictError('Idempotency-Key 已用于另一个不同的请求', 'IDEMPOTENCY_CONFLICT');
    }
    if (row.statusCode === null || row.responseBody === null) throw new ConflictError('相同的请求正在处理中，请稍后查看结果');
    ctx.set('Idempotent-Replayed', 'true');
    return { status: row.statusCode, body: JSON.parse(row.responseBody) as unknown };
  };
  const existing = await IdempotencyKey.findOne({ where: { scope, idemKey: key } });
  if (existing) return replay(existing);
  let placeholder: IdempotencyKey;
  try {
    placeholder = await IdempotencyKey.create({
      id: newId(),
      scope,
      idemKey: key,
      method: ctx.method,
      path: ctx.path.slice(0, 255),
      requestHash,
      statusCode: null,
      responseBody: null,
      createdAt: clock.now(),
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) {
      const raced = await IdempotencyKey.findOne({ where: { scope, idemKey: key } });
      if (raced) return replay(raced);
    }
    throw error;
  }
  try {
    const result = await run();
    await IdempotencyKey.update(
      { statusCode: result.status, responseBody: JSON.stringify(result.body) },
      { where: { id: placeholder.id } },
    );
    return result;
  } catch (error) {
    await IdempotencyKey.destroy({ where: { id: placeholder.id } });
    throw error;
  }
}
