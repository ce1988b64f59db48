import { randomBytes } from 'node:crypto';
import type { WhereOptions } from 'sequelize';
import {
  INGEST_CATEGORIES,
  LENDER_ORG_TYPES,
  INGEST_MAX_BYTES,
  type PageResult,
  type TCreateDataSource,
  type TIngestCategory,
  type TDataSource,
  type TDataSourceWithSecret,
  type TPageQuery,
  type TRotateDataSourceKey,
  type TUpdateDataSource,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { leanSelect } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { AppError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../lib/errors';
import { regionContains } from '../../lib/scope';
import type { RequestMeta } from '../../http/route';
import { RateLimiter } from '../../middleware/rate-limit';
import { recordAudit } from '../audit/service';
import { encryptSecret, liveSecrets } from '../api-clients/service';
import type { SignedCaller, SigningKey } from '../api-clients/signature';
import type { AdminActor, SourceActor } from '../identity/actor';
import { Organisation } from '../identity/models';
import { findRegion } from '../regions/service';
import { DataSource } from './models';

/** Key ids of data sources start with it; API clients' with `ak_` (one X-Key-Id header serves both). */
export const DATA_SOURCE_KEY_PREFIX = 'ds_';

const newKeyId = () => `${DATA_SOURCE_KEY_PREFIX}${randomBytes(12).toString('hex')}`;
const newSecret = () => `dsk_${randomBytes(32).toString('base64url')}`;
const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);

export const categoriesOf = (stored: string): TIngestCategory[] =>
  stored.split(',').filter((c): c is TIngestCategory => (INGEST_CATEGORIES as readonly string[]).includes(c));
export const regionsOf = (stored: string): string[] => stored.split(',').filter(Boolean);

/** Whether a source covers a region: one of its regions contains it (a province covers its cities and districts). */
export function sourceCoversRegion(regionCodes: readonly string[], regionCode: string): boolean {
  return regionCodes.some((outer) => regionContains(outer, regionCode));
}

function toDto(row: DataSource, organisationName: string, now = clock.now()): TDataSource {
  const graceLive = row.previousValidUntil && new Date(row.previousValidUntil) > now;
  return {
    id: row.id,
    organisationId: row.organisationId,
    organisationName,
    name: row.name,
    keyId: row.keyId,
    categories: categoriesOf(row.categories),
    regionCodes: regionsOf(row.regionCodes),
    unknownUscc: row.unknownUscc,
    enabled: Boolean(row.enabled),
    previousKeyValidUntil: graceLive ? iso(row.previousValidUntil) : null,
    rotatedAt: iso(row.rotatedAt),
    lastReceivedAt: iso(row.lastReceivedAt),
    createdAt: iso(row.createdAt)!,
  };
}

async function organisationNames(ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await Organisation.findAll({ where: { id: [...new Set(ids)] }, attributes: ['id', 'name'], raw: true });
  return new Map(rows.map((r) => [String(r.id), r.name]));
}

function assertRegions(codes: readonly string[]): void {
  const unknown = codes.filter((code) => !findRegion(code));
  if (unknown.length > 0) {
    throw new ValidationError(`regionCodes: 行政区划代码不存在：${unknown.join('、')}`, [{ field: 'regionCodes', message: `行政区划代码不存在：${unknown.join('、')}` }]);
  }
}

function assertPlatformAdmin(actor: AdminActor): void {
  if (actor.role !== 'platform_admin' || actor.client) throw new ForbiddenError('只有平台管理员可以管理数据源');
}

/** Platform admins see every source; anyone else only their own organisation's (to import its files). */
export function visibleSources(actor: AdminActor): WhereOptions<DataSource> {
  return actor.role === 'platform_admin' ? {} : { organisationId: actor.organisationId };
}

export async function findVisibleSource(actor: AdminActor, id: string): Promise<DataSource> {
  if (!/^\d{1,20}$/.test(id)) throw new NotFoundError('数据源不存在或无权访问');
  const row = await DataSource.findOne({ where: { id, ...visibleSources(actor) } as WhereOptions<DataSource> });
  if (!row) throw new NotFoundError('数据源不存在或无权访问');
  return row;
}

export async function listDataSources(actor: AdminActor, page: TPageQuery): Promise<PageResult<TDataSource>> {
  const { rows, count } = await DataSource.findAndCountAll({
    where: visibleSources(actor),
    order: [['createdAt', 'DESC'], ['id', 'DESC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  const names = await organisationNames(rows.map((r) => r.organisationId));
  return { list: rows.map((r) => toDto(r, names.get(r.organisationId) ?? '')), total: count };
}

export async function getDataSource(actor: AdminActor, id: string): Promise<TDataSource> {
  const row = await findVisibleSource(actor, id);
  const names = await organisationNames([row.organisationId]);
  return toDto(row, names.get(row.organisationId) ?? '');
}

const auditDetail = (row: DataSource, extra: Record<string, unknown> = {}) => ({ name: row.name, keyId: row.keyId, ...extra });

/** Loan repayments are booked on the source organisation's own loans: only a lending institution may send them. */
function assertRepaymentSender(organisationType: string, categories: readonly string[]): void {
  if (categories.includes('loan_repayment') && !(LENDER_ORG_TYPES as readonly string[]).includes(organisationType)) {
    throw ValidationError.of('categories', '只有银行、保险、担保等放款机构的数据源可以报送「贷款还款」');
  }
}

export async function createDataSource(app: AppContext, actor: AdminActor, input: TCreateDataSource, meta: RequestMeta): Promise<TDataSourceWithSecret> {
  assertPlatformAdmin(actor);
  assertRegions(input.regionCodes);
  const organisation = await Organisation.findByPk(input.organisationId);
  if (!organisation) throw new ValidationError('organisationId: 所属机构不存在', [{ field: 'organisationId', message: '所属机构不存在' }]);
  assertRepaymentSender(organisation.type, input.categories);
  const keyId = newKeyId();
  const secret = newSecret();
  const row = await app.db.transaction(async (t) => {
    const created = await DataSource.create(
      {
        id: newId(),
        organisationId: organisation.id,
        name: input.name,
        keyId,
        secretEnc: encryptSecret(app, keyId, secret),
        categories: input.categories.join(','),
        regionCodes: input.regionCodes.join(','),
        unknownUscc: input.unknownUscc,
        createdBy: actor.id,
      },
      { transaction: t },
    );
    await recordAudit(t, {
      actor,
      action: 'data_source.create',
      targetType: 'data_source',
      targetId: created.id,
      outcome: 'success',
      detail: auditDetail(created, { organisationId: organisation.id, categories: input.categories, regionCodes: input.regionCodes, unknownUscc: input.unknownUscc }),
      meta,
    });
    return created;
  });
  return { source: toDto(row, organisation.name), secret };
}

export async function updateDataSource(app: AppContext, actor: AdminActor, id: string, input: TUpdateDataSource, meta: RequestMeta): Promise<TDataSource> {
  assertPlatformAdmin(actor);
  if (input.regionCodes) assertRegions(input.regionCodes);
  const row = await app.db.transaction(async (t) => {
    const source = await findVisibleSource(actor, id);
    if (input.categories) {
      const organisation = await Organisation.findByPk(source.organisationId, { attributes: ['type'], transaction: t });
      assertRepaymentSender(organisation?.type ?? '', input.categories);
    }
    const changes: Partial<DataSource> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.categories !== undefined) changes.categories = input.categories.join(',');
    if (input.regionCodes !== undefined) changes.regionCodes = input.regionCodes.join(',');
    if (input.unknownUscc !== undefined) changes.unknownUscc = input.unknownUscc;
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    await source.update(changes, { transaction: t });
    await recordAudit(t, {
      actor,
      action: input.enabled === false ? 'data_source.disable' : 'data_source.update',
      targetType: 'data_source',
      targetId: source.id,
      outcome: 'success',
      detail: auditDetail(source, { changes: input }),
      meta,
    });
    return source;
  });
  return getDataSource(actor, row.id);
}

/** A new key; the current one keeps verifying for the grace period, so the source's system can roll over. */
export async function rotateDataSourceKey(
  app: AppContext,
  actor: AdminActor,
  id: string,
  input: TRotateDataSourceKey,
  meta: RequestMeta,
): Promise<TDataSourceWithSecret> {
  assertPlatformAdmin(actor);
  const secret = newSecret();
  const now = clock.now();
  await app.db.transaction(async (t) => {
    const source = await findVisibleSource(actor, id);
    const graceUntil = input.graceHours > 0 ? new Date(now.getTime() + input.graceHours * 3600_000) : null;
    const [changed] = await DataSource.update(
      {
        secretEnc: encryptSecret(app, source.keyId, secret),
        previousSecretEnc: graceUntil ? source.secretEnc : null,
        previousValidUntil: graceUntil,
        rotatedAt: now,
      },
      { where: { id: source.id, secretEnc: source.secretEnc }, transaction: t },
    );
    if (changed !== 1) throw new AppError('CONFLICT', '密钥正在被另一请求轮换，请刷新后重试');
    await recordAudit(t, {
      actor,
      action: 'data_source.rotate',
      targetType: 'data_source',
      targetId: source.id,
      outcome: 'success',
      detail: auditDetail(source, { graceHours: input.graceHours, previousValidUntil: graceUntil?.toISOString() ?? null }),
      meta,
    });
  });
  return { source: await getDataSource(actor, id), secret };
}

// ---- the signed caller ---------------------------------------------------------------------------------------

interface SourceKeyRow {
  id: string | number;
  organisationId: string | number;
  name: string;
  keyId: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousValidUntil: Date | string | null;
  enabled: boolean | number;
  orgDisabled: boolean | number;
}

/**
 * Data sources as a kind of signed caller: read on every request (no cache), so disabling acts at once. They send
 * JSON arrays or JSON lines, up to INGEST_MAX_BYTES, to the ingest routes only.
 */
export function dataSourceCaller(app: AppContext): SignedCaller {
  const limiter = new RateLimiter(app.config.apiClients.ratePerMinute, 60_000);
  return {
    kind: 'data-source',
    keyPrefix: DATA_SOURCE_KEY_PREFIX,
    auditTargetType: 'data_source',
    bodyLimit: INGEST_MAX_BYTES,
    mediaTypes: ['application/json', 'application/x-ndjson', 'application/jsonl', 'application/json-seq'],
    hit(keyId) {
      try {
        limiter.hit(keyId);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          throw new RateLimitedError(`推送过于频繁：每个数据源每分钟最多 ${app.config.apiClients.ratePerMinute} 次 (rate limited)`);
        }
        throw error;
      }
    },
    async lookup(keyId, _meta, now): Promise<SigningKey | null> {
      const [row] = await leanSelect<SourceKeyRow>(
        DataSource.sequelize!,
        `SELECT s.id, s.organisation_id AS organisationId, s.name, s.key_id AS keyId, s.secret_enc AS secretEnc,
           s.previous_secret_enc AS previousSecretEnc, s.previous_valid_until AS previousValidUntil, s.enabled,
           o.disabled AS orgDisabled
         FROM data_sources s JOIN organisations o ON o.id = s.organisation_id
         WHERE s.key_id = ?`,
        [keyId],
      );
      if (!row) return null;
      const secrets = liveSecrets(app, row, now, 'data source');
      let refusal: AppError | null = null;
      if (!row.enabled) refusal = new AppError('SOURCE_DISABLED', '数据源已停用 (source disabled)');
      else if (row.orgDisabled) refusal = new AppError('SOURCE_DISABLED', '数据源所属机构已停用 (organisation disabled)');
      const id = String(row.id);
      const actor: SourceActor = { kind: 'source', id, displayName: `${row.name}（数据源）`, organisationId: String(row.organisationId), keyId: row.keyId };
      return { secrets, holder: { id, name: row.name }, refusal, actor };
    },
  };
}
