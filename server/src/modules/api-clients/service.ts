import { BlockList, isIP } from 'node:net';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { WhereOptions } from 'sequelize';
import {
  API_CLIENT_MAX_LIFETIME_DAYS,
  API_CLIENT_ROLES,
  type PageResult,
  type TApiClient,
  type TApiClientCredentials,
  type TApiClientQuery,
  type TApiClientRole,
  type TCreateApiClient,
  type TPageQuery,
  type TRotateApiClient,
  type TUpdateApiClient,
  type TOrgType,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { leanSelect } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { AppError, NotFoundError, RateLimitedError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { RateLimiter } from '../../middleware/rate-limit';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { ApiClient } from './models';
import type { SignedCaller, SigningKey } from './signature';

export const API_CLIENT_KEY_PREFIX = 'ak_';

// ---- secrets at rest -------------------------------------------------------------------------------------------

/** AES-256-GCM under a key derived from API_CLIENT_SECRET_KEY; the key id is the associated data, so a
 * ciphertext copied onto another client's row does not decrypt. Stored as `v1.<base64 iv|tag|ciphertext>`. */
function encryptionKey(app: Pick<AppContext, 'config'>): Buffer {
  return createHash('sha256').update(app.config.apiClients.secretKey).digest();
}

export function encryptSecret(app: Pick<AppContext, 'config'>, keyId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(app), iv);
  cipher.setAAD(Buffer.from(keyId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}

export function decryptSecret(app: Pick<AppContext, 'config'>, keyId: string, stored: string): string {
  if (!stored.startsWith('v1.')) throw new Error('unknown secret encoding');
  const raw = Buffer.from(stored.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(app), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

const newKeyId = () => `${API_CLIENT_KEY_PREFIX}${randomBytes(12).toString('hex')}`;
const newSecret = () => `sk_${randomBytes(32).toString('base64url')}`;

// ---- addresses ---------------------------------------------------------------------------------------------------

/** `::ffff:10.1.2.3` (IPv4 on a dual-stack socket) is the IPv4 address for the allow-list. */
function normaliseAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

export function addressAllowed(allowList: readonly string[], ip: string | null): boolean {
  if (allowList.length === 0) return true;
  if (!ip) return false;
  const address = normaliseAddress(ip);
  const family = isIP(address);
  if (!family) return false;
  const list = new BlockList();
  for (const entry of allowList) {
    const [base, bits] = entry.split('/');
    const entryFamily = isIP(normaliseAddress(base!));
    if (!entryFamily) continue;
    const type = entryFamily === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(normaliseAddress(base!), type);
    else list.addSubnet(base!, Number(bits), type);
  }
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

// ---- management (an institution's fi_admin) --------------------------------------------------------------------

const INSTITUTION_TYPES: readonly TOrgType[] = ['bank', 'insurer', 'guarantor'];
const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const rolesOf = (stored: string): TApiClientRole[] =>
  stored.split(',').filter((r): r is TApiClientRole => (API_CLIENT_ROLES as readonly string[]).includes(r));

function toDto(row: ApiClient, orgType: TOrgType, now = clock.now()): TApiClient {
  const graceLive = row.previousValidUntil && new Date(row.previousValidUntil) > now;
  return {
    id: row.id,
    organisationId: row.organisationId,
    orgType,
    name: row.name,
    keyId: row.keyId,
    roles: rolesOf(row.roles),
    expiresAt: iso(row.expiresAt)!,
    ipAllowList: JSON.parse(row.ipAllowList) as string[],
    disabled: Boolean(row.disabled),
    disabledAt: iso(row.disabledAt ?? null),
    previousSecretValidUntil: graceLive ? iso(row.previousValidUntil ?? null) : null,
    rotatedAt: iso(row.rotatedAt ?? null),
    createdAt: iso(row.createdAt)!,
  };
}

function assertInstitutionAdmin(actor: AdminActor): void {
  // The route allows fi_admin only; the organisation type is checked too, so a misfiled account cannot mint clients.
  if (actor.role !== 'fi_admin' || !INSTITUTION_TYPES.includes(actor.orgType) || actor.client) {
    throw new AppError('FORBIDDEN', '只有金融机构的机构管理员可以管理接口客户端');
  }
}

function assertExpiry(expiresAt: string, now: Date): Date {
  const at = new Date(expiresAt);
  const field = 'expiresAt';
  if (at.getTime() <= now.getTime()) throw new ValidationError('expiresAt: 有效期必须晚于当前时间', [{ field, message: '有效期必须晚于当前时间' }]);
  if (at.getTime() > now.getTime() + API_CLIENT_MAX_LIFETIME_DAYS * 86_400_000) {
    throw new ValidationError(`expiresAt: 有效期不能超过 ${API_CLIENT_MAX_LIFETIME_DAYS} 天`, [{ field, message: `有效期不能超过 ${API_CLIENT_MAX_LIFETIME_DAYS} 天` }]);
  }
  return at;
}

/** Its own organisation's client, else 404: another institution's client does not exist for this caller. */
async function ownClient(actor: AdminActor, id: string): Promise<ApiClient> {
  const row = await ApiClient.findOne({ where: { id, organisationId: actor.organisationId } });
  if (!row) throw new NotFoundError('接口客户端不存在或无权访问');
  return row;
}

const auditDetail = (row: ApiClient, extra: Record<string, unknown> = {}) => ({ name: row.name, keyId: row.keyId, ...extra });

export async function listApiClients(actor: AdminActor, page: TPageQuery, query: TApiClientQuery): Promise<PageResult<TApiClient>> {
  assertInstitutionAdmin(actor);
  const where: WhereOptions<ApiClient> = { organisationId: actor.organisationId };
  if (query.disabled) Object.assign(where, { disabled: query.disabled === 'true' });
  const { rows, count } = await ApiClient.findAndCountAll({
    where,
    order: [['createdAt', 'DESC'], ['id', 'DESC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  return { list: rows.map((r) => toDto(r, actor.orgType)), total: count };
}

export async function createApiClient(app: AppContext, actor: AdminActor, input: TCreateApiClient, meta: RequestMeta): Promise<TApiClientCredentials> {
  assertInstitutionAdmin(actor);
  const now = clock.now();
  const expiresAt = assertExpiry(input.expiresAt, now);
  const keyId = newKeyId();
  const secret = newSecret();
  const row = await app.db.transaction(async (t) => {
    const created = await ApiClient.create(
      {
        id: newId(),
        organisationId: actor.organisationId,
        name: input.name,
        keyId,
        roles: input.roles.join(','),
        secretEnc: encryptSecret(app, keyId, secret),
        expiresAt,
        ipAllowList: JSON.stringify(input.ipAllowList),
        createdBy: actor.id,
      },
      { transaction: t },
    );
    await recordAudit(t, {
      actor,
      action: 'api_client.create',
      targetType: 'api_client',
      targetId: created.id,
      outcome: 'success',
      detail: auditDetail(created, { roles: input.roles, expiresAt: expiresAt.toISOString(), ipAllowList: input.ipAllowList }),
      meta,
    });
    return created;
  });
  return { client: toDto(row, actor.orgType), keyId, secret };
}

export async function updateApiClient(app: AppContext, actor: AdminActor, id: string, input: TUpdateApiClient, meta: RequestMeta): Promise<TApiClient> {
  assertInstitutionAdmin(actor);
  const expiresAt = input.expiresAt ? assertExpiry(input.expiresAt, clock.now()) : undefined;
  const row = await app.db.transaction(async (t) => {
    const client = await ownClient(actor, id);
    const changes: Partial<ApiClient> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.roles !== undefined) changes.roles = input.roles.join(',');
    if (expiresAt) changes.expiresAt = expiresAt;
    if (input.ipAllowList !== undefined) changes.ipAllowList = JSON.stringify(input.ipAllowList);
    await client.update(changes, { transaction: t });
    await recordAudit(t, {
      actor,
      action: 'api_client.update',
      targetType: 'api_client',
      targetId: client.id,
      outcome: 'success',
      detail: auditDetail(client, { changes: input }),
      meta,
    });
    return client;
  });
  return toDto(row, actor.orgType);
}

/** Disabling acts on the next request: every signed request reads the client's row. */
export async function disableApiClient(app: AppContext, actor: AdminActor, id: string, meta: RequestMeta): Promise<TApiClient> {
  assertInstitutionAdmin(actor);
  const row = await app.db.transaction(async (t) => {
    const client = await ownClient(actor, id);
    if (!client.disabled) await client.update({ disabled: true, disabledAt: clock.now() }, { transaction: t });
    await recordAudit(t, { actor, action: 'api_client.disable', targetType: 'api_client', targetId: client.id, outcome: 'success', detail: auditDetail(client), meta });
    return client;
  });
  return toDto(row, actor.orgType);
}

/**
 * A new secret; the current one keeps working for the grace period (then fails), so the institution can roll its
 * systems over without downtime. A secret still in grace from an earlier rotation ends now: two at most.
 */
export async function rotateApiClientSecret(
  app: AppContext,
  actor: AdminActor,
  id: string,
  input: TRotateApiClient,
  meta: RequestMeta,
): Promise<TApiClientCredentials> {
  assertInstitutionAdmin(actor);
  const secret = newSecret();
  const now = clock.now();
  const row = await app.db.transaction(async (t) => {
    const client = await ownClient(actor, id);
    if (client.disabled) throw new AppError('CONFLICT', '接口客户端已停用，不能轮换密钥');
    const graceUntil = input.graceHours > 0 ? new Date(now.getTime() + input.graceHours * 3600_000) : null;
    // Conditional on the secret read: of two rotations at once, the second sees a changed row and retries nothing.
    const [changed] = await ApiClient.update(
      {
        secretEnc: encryptSecret(app, client.keyId, secret),
        previousSecretEnc: graceUntil ? client.secretEnc : null,
        previousValidUntil: graceUntil,
        rotatedAt: now,
      },
      { where: { id: client.id, secretEnc: client.secretEnc }, transaction: t },
    );
    if (changed !== 1) throw new AppError('CONFLICT', '密钥正在被另一请求轮换，请刷新后重试');
    await recordAudit(t, {
      actor,
      action: 'api_client.rotate',
      targetType: 'api_client',
      targetId: client.id,
      outcome: 'success',
      detail: auditDetail(client, { graceHours: input.graceHours, previousValidUntil: graceUntil?.toISOString() ?? null }),
      meta,
    });
    return client.reload({ transaction: t });
  });
  return { client: toDto(row, actor.orgType, now), keyId: row.keyId, secret };
}

// ---- the signed caller ---------------------------------------------------------------------------------------

/** The stored secrets of a signing key: the current one and, during a rotation's grace period, the previous one. */
export interface StoredSecrets {
  keyId: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousValidUntil: Date | string | null;
}

/**
 * The secrets that verify a signature now. A secret that no longer decrypts (API_CLIENT_SECRET_KEY changed) verifies
 * nothing (401, never a 500) and is logged. Shared by every kind of signed caller (API clients, data sources).
 */
export function liveSecrets(app: Pick<AppContext, 'config' | 'logger'>, row: StoredSecrets, now: Date, holder: string): string[] {
  const readable = (stored: string): string[] => {
    try {
      return [decryptSecret(app, row.keyId, stored)];
    } catch (error) {
      app.logger.error({ err: error, keyId: row.keyId }, `${holder} secret does not decrypt under API_CLIENT_SECRET_KEY`);
      return [];
    }
  };
  const secrets = readable(row.secretEnc);
  if (row.previousSecretEnc && row.previousValidUntil && new Date(row.previousValidUntil) > now) secrets.push(...readable(row.previousSecretEnc));
  return secrets;
}

interface ClientKeyRow {
  id: string | number;
  organisationId: string | number;
  name: string;
  keyId: string;
  roles: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousValidUntil: Date | string | null;
  expiresAt: Date | string;
  ipAllowList: string;
  disabled: boolean | number;
  orgType: TOrgType;
  orgRegionCode: string | null;
  orgDisabled: boolean | number;
}

const refusal = (code: 'CLIENT_DISABLED' | 'CLIENT_EXPIRED' | 'IP_NOT_ALLOWED', message: string) => new AppError(code, message);

/**
 * Institutions' API clients as a kind of signed caller. The client and its organisation are read on every
 * request (one lean join, no cache), so disabling either acts at once. The actor is an officer of the
 * organisation marked as the client.
 */
export function apiClientCaller(app: AppContext): SignedCaller {
  const limiter = new RateLimiter(app.config.apiClients.ratePerMinute, 60_000);
  return {
    kind: 'api-client',
    keyPrefix: API_CLIENT_KEY_PREFIX,
    auditTargetType: 'api_client',
    hit(keyId) {
      try {
        limiter.hit(keyId);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          throw new RateLimitedError(`接口调用过于频繁：每个客户端每分钟最多 ${app.config.apiClients.ratePerMinute} 次 (rate limited)`);
        }
        throw error;
      }
    },
    async lookup(keyId, meta, now): Promise<SigningKey | null> {
      const [row] = await leanSelect<ClientKeyRow>(
        ApiClient.sequelize!,
        `SELECT c.id, c.organisation_id AS organisationId, c.name, c.key_id AS keyId, c.roles, c.secret_enc AS secretEnc,
           c.previous_secret_enc AS previousSecretEnc, c.previous_valid_until AS previousValidUntil, c.expires_at AS expiresAt,
           c.ip_allow_list AS ipAllowList, c.disabled, o.type AS orgType, o.region_code AS orgRegionCode, o.disabled AS orgDisabled
         FROM api_clients c JOIN organisations o ON o.id = c.organisation_id
         WHERE c.key_id = ?`,
        [keyId],
      );
      if (!row) return null;
      const secrets = liveSecrets(app, row, now, 'API client');
      const roles = rolesOf(row.roles);
      let refused: AppError | null = null;
      if (row.orgDisabled) refused = refusal('CLIENT_DISABLED', '客户端所属机构已停用 (organisation disabled)');
      else if (row.disabled) refused = refusal('CLIENT_DISABLED', '接口客户端已停用 (client disabled)');
      else if (new Date(row.expiresAt) <= now) refused = refusal('CLIENT_EXPIRED', '接口客户端已过有效期 (client expired)');
      else if (!addressAllowed(JSON.parse(row.ipAllowList) as string[], meta.ip)) {
        refused = refusal('IP_NOT_ALLOWED', `来源地址 ${meta.ip ?? ''} 不在客户端的 IP 白名单内 (address not allowed)`);
      } else if (roles.length === 0 || !INSTITUTION_TYPES.includes(row.orgType)) {
        refused = refusal('CLIENT_DISABLED', '接口客户端没有可用的角色 (no usable role)');
      }
      const id = String(row.id);
      return {
        secrets,
        holder: { id, name: row.name },
        refusal: refused,
        actor: {
          kind: 'admin',
          id,
          username: row.keyId,
          displayName: `${row.name}（接口客户端）`,
          // An officer at most (API_CLIENT_ROLES); the management API refuses anything else.
          role: roles[0] ?? 'fi_officer',
          organisationId: String(row.organisationId),
          orgType: row.orgType,
          regionCode: row.orgRegionCode,
          sessionId: '',
          mustEnrolTotp: false,
          client: { id, name: row.name, keyId: row.keyId },
        },
      };
    },
  };
}
