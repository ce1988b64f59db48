import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { Op, UniqueConstraintError } from 'sequelize';
import { SIGNATURE_MAX_SKEW_SECONDS, SIGNATURE_NONCE_PATTERN, type TErrorCode } from '@xyd/shared';
import type { Database } from '../../db';
import { clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { recordAuditAlone } from '../audit/service';
import type { Actor } from '../identity/actor';
import { ApiClientNonce } from './models';

/**
 * Signed requests (docs/integration.md), verified the same way for every kind of system that holds a key:
 * institutions' API clients now, data sources next. A caller kind supplies only the key lookup and the actor.
 *
 *   X-Key-Id, X-Timestamp (epoch seconds), X-Nonce (16–64 of [A-Za-z0-9_-]),
 *   X-Signature = hex HMAC-SHA256(secret, METHOD \n PATH?QUERY \n TIMESTAMP \n NONCE \n hex SHA-256(body))
 */

export const SIGNED_BODY_LIMIT = 1024 * 1024;

/** What a caller kind knows about one key id, looked up afresh on every request (no cache: disabling acts at once). */
export interface SigningKey {
  /** Secrets that verify now: the current one and, during a rotation's grace period, the previous one. */
  secrets: string[];
  /** Who holds the key, for the audit of denials. */
  holder: { id: string; name: string };
  /** Why the holder may not call now (disabled, expired, address), told only to a request with a good signature. */
  refusal: AppError | null;
  actor: Actor;
}

export interface SignedCaller {
  /** The caller kind routes name in `callers` (route.ts). */
  kind: 'api-client' | 'data-source';
  /** Largest signed body it may send (default SIGNED_BODY_LIMIT) and the media types it may send (default JSON). */
  bodyLimit?: number;
  mediaTypes?: readonly string[];
  /** Key ids of this kind start with it (`ak_`), so one header serves every kind. */
  keyPrefix: string;
  /** Audit target type of its denials. */
  auditTargetType: string;
  lookup(keyId: string, meta: RequestMeta, now: Date): Promise<SigningKey | null>;
  /** Per-key rate limit; throws RATE_LIMITED. */
  hit(keyId: string): void;
}

/** The string that is signed. `target` is the request target exactly as sent: path, and `?query` when there is one. */
export function canonicalRequest(method: string, target: string, timestamp: string, nonce: string, body: Buffer | string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${target}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

export function signRequest(secret: string, method: string, target: string, timestamp: string, nonce: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(canonicalRequest(method, target, timestamp, nonce, body)).digest('hex');
}

/** Refusals are 401 with a code of their own; the message is Chinese with the code's English meaning beside it. */
function refuse(code: TErrorCode, message: string): AppError {
  return new AppError(code, message);
}

export const signatureErrors = {
  missing: () => refuse('SIGNATURE_REQUIRED', '签名请求缺少 X-Key-Id、X-Timestamp、X-Nonce 或 X-Signature 请求头 (signature headers missing)'),
  malformed: (what: string) => refuse('INVALID_SIGNATURE', `签名请求头格式不正确：${what} (malformed signature header)`),
  skewed: () => refuse('TIMESTAMP_SKEWED', `X-Timestamp 与服务器时间相差超过 ${SIGNATURE_MAX_SKEW_SECONDS / 60} 分钟 (clock skew too large)`),
  unknownKey: () => refuse('UNKNOWN_KEY', '密钥编号不存在 (unknown key id)'),
  badSignature: () => refuse('INVALID_SIGNATURE', '签名不正确：请核对密钥、签名串与请求体 (signature mismatch)'),
  replayed: () => refuse('NONCE_REPLAYED', 'X-Nonce 已使用过，请为每个请求生成新的随机数 (nonce replayed)'),
};

const KEY_ID_PATTERN = /^[A-Za-z0-9_]{8,40}$/;
const HEX_64 = /^[0-9a-f]{64}$/;

function safeEqualHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the raw body (the bytes the signature covers), refusing more than the caller kind's limit. */
async function readRawBody(ctx: Koa.Context, limit: number): Promise<Buffer> {
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `请求内容过大（签名请求体不能超过 ${Math.round(limit / 1024 / 1024)} MB）`);
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function hasBody(ctx: Koa.Context): boolean {
  const length = ctx.get('content-length');
  if (length) return Number(length) > 0;
  return Boolean(ctx.get('transfer-encoding'));
}

export function isSignedRequest(ctx: Koa.Context): boolean {
  return Boolean(ctx.get('x-key-id') || ctx.get('x-signature'));
}

/**
 * Verifies a signed request and answers its actor and raw body. Order matters: cheap header checks and the
 * clock first, then the key, then the body and the signature; the holder's state (disabled, expired, address)
 * only for a good signature, so that a request without the secret learns nothing about the client; the nonce
 * last, so that only a genuine request uses one up. Every refusal is audited as a denial.
 */
export async function verifySignedRequest(
  db: Database,
  ctx: Koa.Context,
  callers: readonly SignedCaller[],
  meta: RequestMeta,
  route: string,
): Promise<{ actor: Actor; body: Buffer; caller: SignedCaller; keyId: string }> {
  const keyId = ctx.get('x-key-id');
  let key: SigningKey | null = null;
  const caller = callers.find((c) => keyId.startsWith(c.keyPrefix)) ?? null;
  try {
    const timestamp = ctx.get('x-timestamp');
    const nonce = ctx.get('x-nonce');
    const signature = ctx.get('x-signature').toLowerCase();
    if (!keyId || !timestamp || !nonce || !signature) throw signatureErrors.missing();
    if (!KEY_ID_PATTERN.test(keyId)) throw signatureErrors.malformed('X-Key-Id');
    if (!/^\d{1,12}$/.test(timestamp)) throw signatureErrors.malformed('X-Timestamp 应为 Unix 秒数');
    if (!SIGNATURE_NONCE_PATTERN.test(nonce)) throw signatureErrors.malformed('X-Nonce 应为 16–64 位字母、数字、_ 或 -');
    if (!HEX_64.test(signature)) throw signatureErrors.malformed('X-Signature 应为 64 位十六进制');
    const now = clock.now();
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_MAX_SKEW_SECONDS) throw signatureErrors.skewed();
    key = caller ? await caller.lookup(keyId, meta, now) : null;
    if (!caller || !key) throw signatureErrors.unknownKey();
    // Only JSON (or JSON lines, where the caller kind takes them) is signed; multipart uploads never are.
    const mediaTypes = caller.mediaTypes ?? ['application/json', 'application/*+json'];
    if (hasBody(ctx)) {
      const encoding = (ctx.get('content-encoding') || 'identity').toLowerCase().trim();
      if (encoding !== 'identity') throw new AppError('UNSUPPORTED_MEDIA_TYPE', '签名请求不支持 Content-Encoding，请发送未压缩的 JSON');
      if (!ctx.is(...mediaTypes)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `签名请求只接受 ${mediaTypes.join('、')} 请求体`);
    }
    const body = hasBody(ctx) ? await readRawBody(ctx, caller.bodyLimit ?? SIGNED_BODY_LIMIT) : Buffer.alloc(0);
    const expected = (secret: string) => signRequest(secret, ctx.method, ctx.originalUrl, timestamp, nonce, body);
    if (!key.secrets.some((secret) => safeEqualHex(expected(secret), signature))) throw signatureErrors.badSignature();
    if (key.refusal) throw key.refusal;
    caller.hit(keyId);
    try {
      await ApiClientNonce.create({ keyId, nonce, seenAt: now });
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw signatureErrors.replayed();
      throw error;
    }
    return { actor: key.actor, body, caller, keyId };
  } catch (error) {
    // A client over its rate is not audited per refused call: that would turn the limit into a write amplifier.
    if (error instanceof AppError && error.code !== 'RATE_LIMITED') {
      await recordAuditAlone(db, {
        actor: null,
        actorName: key ? key.holder.name : keyId.slice(0, 40) || '(no key id)',
        action: 'auth.signed_request',
        targetType: caller?.auditTargetType ?? 'signing_key',
        targetId: key ? key.holder.id : null,
        outcome: 'denied',
        detail: { reason: error.code, keyId: keyId.slice(0, 40), route },
        meta,
      });
    }
    throw error;
  }
}

/** Nonces older than the skew window (twice, for clocks at both ends of it) can no longer pass; they go. */
export async function cleanupSignatureNonces(now: Date): Promise<number> {
  const before = new Date(now.getTime() - 2 * SIGNATURE_MAX_SKEW_SECONDS * 1000);
  return ApiClientNonce.destroy({ where: { seenAt: { [Op.lt]: before } } });
}
