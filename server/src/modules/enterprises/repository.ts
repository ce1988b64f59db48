import { Op, QueryTypes, type Sequelize, type Transaction, type Utils, type WhereOptions } from 'sequelize';
import { CATEGORY_SCOPE, DATA_SCOPES, RECORD_SCOPES, normaliseUscc, shanghaiDate, type TDataScope, type TMemberRole } from '@xyd/shared';
import { clock } from '../../lib/clock';
import { leanSelect } from '../../db';
import { regionPattern, regionReach } from '../../lib/scope';
import type { Actor } from '../identity/actor';
import { Enterprise, EnterpriseMember } from './models';

/**
 * The enterprise repository: the only code that reads enterprise rows for a caller (DESIGN §4, §5). Every read
 * is filtered by the caller's scope, which fails closed: an actor this module cannot place sees nothing.
 *
 * Child tables (credit records, scores, applications) join the scope as `enterprise_id IN (<scopedEnterpriseIds>)`
 * instead of loading id lists into memory.
 */

/**
 * What an institution reads about an enterprise: the data scopes an authorisation grant names (DATA_SCOPES in
 * shared: registration, the credit report, the records of each group of categories).
 */
export type EnterpriseDataCategory = TDataScope;
/** A read admitted under any one of several scopes (a list of records spanning categories). */
export type EnterpriseDataScopes = EnterpriseDataCategory | readonly EnterpriseDataCategory[];

const NOTHING = '1=0';

function db(): Sequelize {
  return Enterprise.sequelize!;
}

/** Ids are decimal strings; anything else would be an injection, never a real id. */
function idLiteral(id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw new TypeError(`not an id: ${id}`);
  return id;
}

/** `'a','b'` for `IN (…)`: only names from DATA_SCOPES reach the SQL text; null when the list is empty. */
function scopeList(scopes: EnterpriseDataScopes): string | null {
  const list = typeof scopes === 'string' ? [scopes] : [...new Set(scopes)];
  for (const scope of list) if (!(DATA_SCOPES as readonly string[]).includes(scope)) throw new TypeError(`not a data scope: ${scope}`);
  return list.length === 0 ? null : list.map((scope) => `'${scope}'`).join(',');
}

/** The organisation an actor reads for under grants (institutions and credit agencies); null for everyone else. */
function grantReader(actor: Actor): string | null {
  if (actor.kind !== 'admin') return null;
  return actor.role === 'fi_admin' || actor.role === 'fi_officer' || actor.role === 'agency' ? actor.organisationId : null;
}

/**
 * The live grants of an organisation (over `data_grants` aliased `g`): live until the end of the last day
 * (Asia/Shanghai) unless revoked; revocation and expiry take effect on the next read, as nothing is cached.
 */
function liveGrantCondition(organisationId: string): string {
  return `g.organisation_id = ${idLiteral(organisationId)} AND g.revoked_at IS NULL AND g.expires_on >= '${shanghaiDate(clock.now())}'`;
}

/**
 * The institution branch: enterprises whose data in any of `scopes` an institution (or a credit agency) may read
 * now, those with a live grant naming the organisation and one of the scopes.
 */
export function institutionGrantedEnterpriseIdsSql(organisationId: string, scopes: EnterpriseDataScopes): string {
  const list = scopeList(scopes);
  return `SELECT g.enterprise_id FROM data_grants g WHERE ${list === null ? NOTHING : `g.scope IN (${list})`} AND ${liveGrantCondition(organisationId)}`;
}

/** A boolean SQL condition over `enterprises` aliased `e` that admits exactly the rows the actor may see. */
function scopeCondition(actor: Actor, scopes: EnterpriseDataScopes): string {
  if (actor.kind === 'wechat') {
    return `e.id IN (SELECT m.enterprise_id FROM enterprise_members m WHERE m.wechat_user_id = ${idLiteral(actor.id)})`;
  }
  // A data source sends data; it reads no enterprise.
  if (actor.kind === 'source') return NOTHING;
  switch (actor.role) {
    case 'platform_admin':
    case 'advisor':
    case 'gov': {
      const reach = regionReach(actor);
      if (reach.kind === 'all') return '1=1';
      if (reach.kind === 'region') return `e.region_code LIKE ${db().escape(regionPattern(reach.regionCode))}`;
      return NOTHING;
    }
    case 'fi_admin':
    case 'fi_officer':
    case 'agency':
      return `e.id IN (${institutionGrantedEnterpriseIdsSql(actor.organisationId, scopes)})`;
    default:
      return NOTHING;
  }
}

/** `CASE <category> WHEN 'tax' THEN 'tax' … END`: the scope that admits a record of each category (NULL for none). */
function categoryScopeSql(column: string): string {
  const arms = Object.entries(CATEGORY_SCOPE).map(([category, scope]) => `WHEN '${category}' THEN '${scope}'`);
  return `CASE ${column} ${arms.join(' ')} END`;
}

/**
 * A boolean SQL condition over a table of records aliased `alias` (`credit_records r`, or `credit_disputes`, which
 * carries its record's enterprise and category) admitting exactly the records the actor may read: everyone but an
 * institution reads every category of the enterprises in scope; an institution or agency reads a record only while
 * it holds a live grant for that enterprise of the scope of the record's category (CATEGORY_SCOPE). A category no
 * scope admits maps to NULL and matches no grant: fails closed like the rest.
 */
export function grantedRecordsSql(actor: Actor, alias = 'r'): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(alias)) throw new TypeError(`not an alias: ${alias}`);
  const organisationId = grantReader(actor);
  if (organisationId === null) return `${alias}.enterprise_id IN ${scopedEnterpriseIdsSql(actor, RECORD_SCOPES)}`;
  return `EXISTS (SELECT 1 FROM data_grants g WHERE g.enterprise_id = ${alias}.enterprise_id AND g.scope = ${categoryScopeSql(`${alias}.category`)}
    AND ${liveGrantCondition(organisationId)})`;
}

/**
 * Which of `scopes` the actor may read of one enterprise now: for an institution the scopes of its live grants,
 * for everyone else all of them while the enterprise is in scope; empty when none (the caller answers 404).
 */
export async function readableScopes(actor: Actor, enterpriseId: string, scopes: readonly EnterpriseDataCategory[], t?: Transaction): Promise<EnterpriseDataCategory[]> {
  const list = scopeList(scopes);
  if (list === null) return [];
  const organisationId = grantReader(actor);
  if (organisationId === null) {
    const [row] = await select<{ id: unknown }>(`SELECT e.id FROM enterprises e WHERE e.id = :id AND ${scopeCondition(actor, scopes)}`, { id: enterpriseId }, t);
    return row ? [...new Set(scopes)] : [];
  }
  const rows = await select<{ scope: string }>(
    `SELECT DISTINCT g.scope FROM data_grants g WHERE g.enterprise_id = :id AND g.scope IN (${list}) AND ${liveGrantCondition(organisationId)}
       AND EXISTS (SELECT 1 FROM enterprises e WHERE e.id = g.enterprise_id)`,
    { id: enterpriseId },
    t,
  );
  const granted = new Set(rows.map((r) => r.scope));
  return [...new Set(scopes)].filter((scope) => granted.has(scope));
}

/** SQL text `(SELECT e.id FROM enterprises e WHERE …)`: the ids of the enterprises in the actor's scope. */
export function scopedEnterpriseIdsSql(actor: Actor, scopes: EnterpriseDataScopes = 'registration'): string {
  return `(SELECT e.id FROM enterprises e WHERE ${scopeCondition(actor, scopes)})`;
}

/** The same subquery as a Sequelize literal, for `{ enterpriseId: { [Op.in]: scopedEnterpriseIds(actor) } }`. */
export function scopedEnterpriseIds(actor: Actor, scopes: EnterpriseDataScopes = 'registration'): Utils.Literal {
  return db().literal(scopedEnterpriseIdsSql(actor, scopes));
}

export interface EnterpriseSummaryRow {
  id: string;
  uscc: string;
  name: string;
  legalRepName: string;
  registeredCapitalFen: string;
  establishedOn: string;
  industryCode: string;
  industryName: string;
  regionCode: string;
  scale: Enterprise['scale'];
  status: Enterprise['status'];
}

export interface EnterpriseDetailRow extends EnterpriseSummaryRow {
  legalRepIdMasked: string;
  address: string | null;
  businessScope: string | null;
}

const SUMMARY_COLUMNS = `e.id, e.uscc, e.name, e.legal_rep_name AS legalRepName, e.registered_capital_fen AS registeredCapitalFen,
  e.established_on AS establishedOn, e.industry_code AS industryCode, e.industry_name AS industryName,
  e.region_code AS regionCode, e.scale, e.status`;
const DETAIL_COLUMNS = `${SUMMARY_COLUMNS}, e.legal_rep_id_masked AS legalRepIdMasked, e.address, e.business_scope AS businessScope`;

/** mysql2 answers BIGINT as strings, SQLite as numbers; DATEONLY may come back as a Date. */
function normalise<T extends EnterpriseSummaryRow>(row: T): T {
  row.id = String(row.id);
  row.registeredCapitalFen = String(row.registeredCapitalFen);
  const established = row.establishedOn as unknown;
  row.establishedOn = established instanceof Date ? established.toISOString().slice(0, 10) : String(established);
  return row;
}

async function select<T extends object>(sql: string, replacements: Record<string, unknown>, t?: Transaction): Promise<T[]> {
  return db().query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: t });
}

/** LIKE with `!` as the escape character: the same on SQLite and MySQL. */
function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export interface EnterpriseFilter {
  keyword?: string;
  regionCode?: string;
}

export async function listScopedEnterprises(
  actor: Actor,
  page: { current: number; pageSize: number },
  filter: EnterpriseFilter,
): Promise<{ rows: EnterpriseSummaryRow[]; total: number }> {
  const conditions = [scopeCondition(actor, 'registration')];
  const replacements: Record<string, unknown> = {};
  if (filter.keyword) {
    conditions.push(`(e.name LIKE :keyword ESCAPE '!' OR e.uscc = :uscc)`);
    replacements.keyword = containsPattern(filter.keyword);
    replacements.uscc = normaliseUscc(filter.keyword);
  }
  if (filter.regionCode) {
    conditions.push('e.region_code LIKE :region');
    replacements.region = regionPattern(filter.regionCode);
  }
  const where = conditions.join(' AND ');
  const [counted, rows] = await Promise.all([
    select<{ n: number | string }>(`SELECT COUNT(*) AS n FROM enterprises e WHERE ${where}`, replacements),
    select<EnterpriseSummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM enterprises e WHERE ${where} ORDER BY e.name ASC, e.id ASC LIMIT :limit OFFSET :offset`,
      { ...replacements, limit: page.pageSize, offset: (page.current - 1) * page.pageSize },
    ),
  ]);
  return { rows: rows.map(normalise), total: Number(counted[0]?.n ?? 0) };
}

/** How many enterprises the actor sees; `bound` counts only those bound to at least one WeChat user. */
export async function countScopedEnterprises(actor: Actor, options: { bound?: boolean } = {}): Promise<number> {
  const bound = options.bound ? ' AND e.id IN (SELECT m.enterprise_id FROM enterprise_members m)' : '';
  const [row] = await select<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM enterprises e WHERE ${scopeCondition(actor, 'registration')}${bound}`,
    {},
  );
  return Number(row?.n ?? 0);
}

/**
 * One enterprise if the actor may see it, with its members, in a single query: the hot detail read (members are
 * joined only once the row passed the scope condition).
 */
export async function findScopedEnterpriseWithMembers(
  actor: Actor,
  id: string,
): Promise<{ enterprise: EnterpriseDetailRow; members: MemberRow[] } | null> {
  const rows = await leanSelect<EnterpriseDetailRow & { mId: unknown; mWechatUserId: unknown; mRole: TMemberRole; mName: string; mCreatedAt: Date | string }>(
    db(),
    `SELECT ${DETAIL_COLUMNS}, m.id AS mId, m.wechat_user_id AS mWechatUserId, m.role AS mRole, m.display_name AS mName,
       m.created_at AS mCreatedAt
     FROM enterprises e LEFT JOIN enterprise_members m ON m.enterprise_id = e.id
     WHERE e.id = ? AND ${scopeCondition(actor, 'registration')}
     ORDER BY m.created_at ASC, m.id ASC`,
    [id],
  );
  if (rows.length === 0) return null;
  const members = rows
    .filter((r) => r.mId !== null && r.mId !== undefined)
    .map((r) => ({
      id: String(r.mId),
      enterpriseId: String(r.id),
      wechatUserId: String(r.mWechatUserId),
      role: r.mRole,
      displayName: r.mName,
      createdAt: new Date(r.mCreatedAt).toISOString(),
    }));
  const { mId: _i, mWechatUserId: _w, mRole: _r, mName: _n, mCreatedAt: _c, ...enterprise } = rows[0];
  return { enterprise: normalise(enterprise as EnterpriseDetailRow), members };
}

/** Whether the id names an enterprise at all: only to tell a denial (audited) from a miss. */
export async function enterpriseExists(id: string): Promise<boolean> {
  const [row] = await select<{ id: unknown }>('SELECT e.id FROM enterprises e WHERE e.id = :id', { id });
  return Boolean(row);
}

export interface MemberRow {
  id: string;
  enterpriseId: string;
  wechatUserId: string;
  role: TMemberRole;
  displayName: string;
  createdAt: string;
}

/** Members of enterprises the caller already holds in scope, oldest first. */
export async function membersOf(enterpriseIds: string[], t?: Transaction): Promise<MemberRow[]> {
  if (enterpriseIds.length === 0) return [];
  const rows = await select<MemberRow>(
    `SELECT m.id, m.enterprise_id AS enterpriseId, m.wechat_user_id AS wechatUserId, m.role, m.display_name AS displayName,
       m.created_at AS createdAt
     FROM enterprise_members m WHERE m.enterprise_id IN (:ids) ORDER BY m.created_at ASC, m.id ASC`,
    { ids: enterpriseIds },
    t,
  );
  return rows.map((r) => ({
    ...r,
    id: String(r.id),
    enterpriseId: String(r.enterpriseId),
    wechatUserId: String(r.wechatUserId),
    createdAt: new Date(r.createdAt).toISOString(),
  }));
}

export async function memberCounts(enterpriseIds: string[]): Promise<Map<string, number>> {
  if (enterpriseIds.length === 0) return new Map();
  const rows = await select<{ enterpriseId: string | number; n: string | number }>(
    'SELECT m.enterprise_id AS enterpriseId, COUNT(*) AS n FROM enterprise_members m WHERE m.enterprise_id IN (:ids) GROUP BY m.enterprise_id',
    { ids: enterpriseIds },
  );
  return new Map(rows.map((r) => [String(r.enterpriseId), Number(r.n)]));
}

/** The enterprises a WeChat user is bound to, with their own member role, in the order they were bound. */
export async function memberEnterprisesOf(
  wechatUserId: string,
  t?: Transaction,
): Promise<Array<{ id: string; name: string; uscc: string; memberRole: TMemberRole }>> {
  const rows = await select<{ id: string | number; name: string; uscc: string; memberRole: TMemberRole }>(
    `SELECT e.id, e.name, e.uscc, m.role AS memberRole FROM enterprise_members m JOIN enterprises e ON e.id = m.enterprise_id
     WHERE m.wechat_user_id = :user ORDER BY m.created_at ASC, m.id ASC`,
    { user: wechatUserId },
    t,
  );
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

export interface RegistryEntry {
  id: string;
  uscc: string;
  name: string;
  legalRepName: string;
  legalRepIdMasked: string;
  legalRepIdHmac: string;
  regionCode: string;
  status: Enterprise['status'];
}

const REGISTRY_COLUMNS = `e.id, e.uscc, e.name, e.legal_rep_name AS legalRepName, e.legal_rep_id_masked AS legalRepIdMasked,
  e.legal_rep_id_hmac AS legalRepIdHmac, e.region_code AS regionCode, e.status`;

/**
 * The registry row of a USCC, whoever asks. For routing a verification request (which region reviews it,
 * whether the applicant is already bound) and never shown to the caller.
 */
export async function registryEntryForRouting(uscc: string, t?: Transaction): Promise<RegistryEntry | null> {
  const [row] = await select<RegistryEntry>(`SELECT ${REGISTRY_COLUMNS} FROM enterprises e WHERE e.uscc = :uscc`, { uscc }, t);
  return row ? { ...row, id: String(row.id) } : null;
}

/** The registry row of a USCC if the actor may see that enterprise now (its current region, not a frozen one). */
export async function registryEntryInScope(actor: Actor, uscc: string, t?: Transaction): Promise<RegistryEntry | null> {
  const [row] = await select<RegistryEntry>(
    `SELECT ${REGISTRY_COLUMNS} FROM enterprises e WHERE e.uscc = :uscc AND ${scopeCondition(actor, 'registration')}`,
    { uscc },
    t,
  );
  return row ? { ...row, id: String(row.id) } : null;
}

/**
 * Scope of rows that name an enterprise by USCC before it may be bound (verification requests): a registered
 * enterprise counts by its current scope; an unregistered one by the row's own region column (from the USCC, or
 * set by a platform admin). Fails closed like the rest.
 */
export function usccScopeWhere(actor: Actor, columns = { uscc: 'uscc', regionCode: 'regionCode' }): WhereOptions {
  const reach = regionReach(actor);
  if (actor.kind !== 'admin' || reach.kind === 'none') return { [columns.uscc]: null };
  if (reach.kind === 'all') return {};
  return {
    [Op.or]: [
      { [columns.uscc]: { [Op.in]: db().literal(`(SELECT e.uscc FROM enterprises e WHERE ${scopeCondition(actor, 'registration')})`) } },
      {
        [Op.and]: [
          { [columns.uscc]: { [Op.notIn]: db().literal('(SELECT e.uscc FROM enterprises e)') } },
          { [columns.regionCode]: { [Op.like]: regionPattern(reach.regionCode) } },
        ],
      },
    ],
  };
}

/** Binds a WeChat user to an enterprise (an approved verification); a second binding of the same pair is a no-op. */
export async function bindMember(
  t: Transaction,
  member: { id: string; enterpriseId: string; wechatUserId: string; role: TMemberRole; displayName: string; verificationId: string },
): Promise<void> {
  const already = await EnterpriseMember.count({ where: { enterpriseId: member.enterpriseId, wechatUserId: member.wechatUserId }, transaction: t });
  if (already === 0) await EnterpriseMember.create(member, { transaction: t });
}

// ---- the credit-data pipeline (a system writer, not a caller: no scope) ------------------------------------------

export interface RegisteredEnterprise {
  id: string;
  regionCode: string;
}

/** Enterprises by USCC, for the import pipeline to attach records to: id and region only. */
export async function registeredEnterprisesByUscc(usccs: readonly string[]): Promise<Map<string, RegisteredEnterprise>> {
  const found = new Map<string, RegisteredEnterprise>();
  if (usccs.length === 0) return found;
  const rows = await select<{ id: unknown; uscc: string; regionCode: string }>(
    'SELECT e.id, e.uscc, e.region_code AS regionCode FROM enterprises e WHERE e.uscc IN (:usccs)',
    { usccs: [...new Set(usccs)] },
  );
  for (const row of rows) found.set(row.uscc, { id: String(row.id), regionCode: row.regionCode });
  return found;
}

/** Master data from a registration record (数据源 登记注册). */
export interface RegistrationUpsert {
  id: string;
  uscc: string;
  name: string;
  legalRepName: string;
  registeredCapitalFen: number;
  establishedOn: string;
  industryCode: string;
  industryName: string;
  regionCode: string;
  scale: Enterprise['scale'];
  status: Enterprise['status'];
  address: string | null;
  businessScope: string | null;
}

/** The columns a registration record sets. */
function masterData(r: RegistrationUpsert) {
  return {
    name: r.name,
    legalRepName: r.legalRepName,
    registeredCapitalFen: String(r.registeredCapitalFen),
    establishedOn: r.establishedOn,
    industryCode: r.industryCode,
    industryName: r.industryName,
    regionCode: r.regionCode,
    scale: r.scale,
    status: r.status,
    address: r.address,
    businessScope: r.businessScope,
  };
}

/**
 * Inserts the enterprises a registration chunk names for the first time and updates the master data of the
 * known ones, inside the caller's transaction. Two chunks registering one new firm at once meet the unique index
 * on `uscc`: the loser's transaction fails and is retried by the pipeline, then finds the row.
 * The legal representative's ID number is not part of registration data; a firm created here has none until a
 * member verifies it.
 */
export async function upsertRegisteredEnterprises(
  rows: readonly RegistrationUpsert[],
  known: Map<string, RegisteredEnterprise>,
  t?: Transaction,
): Promise<void> {
  const fresh = rows.filter((r) => !known.has(r.uscc));
  const now = new Date();
  if (fresh.length > 0) {
    await Enterprise.bulkCreate(
      fresh.map((r) => ({ id: r.id, uscc: r.uscc, ...masterData(r), legalRepIdHmac: '', legalRepIdMasked: '', createdAt: now, updatedAt: now })),
      { transaction: t },
    );
    for (const r of fresh) known.set(r.uscc, { id: r.id, regionCode: r.regionCode });
  }
  const created = new Set(fresh);
  for (const r of rows) {
    if (created.has(r)) continue;
    await Enterprise.update(masterData(r), { where: { uscc: r.uscc }, transaction: t });
    known.set(r.uscc, { id: known.get(r.uscc)!.id, regionCode: r.regionCode });
  }
}

/**
 * `<column> IN (ids of the enterprises registered in any of these regions)`, each region with everything under it
 * (a province covers its cities and districts; overlapping regions count a firm once). For figures kept per data
 * source rather than per caller (data quality's coverage). Codes that are not 6 digits cover nothing.
 */
export function enterpriseRegionConditionSql(regionCodes: readonly string[], column = 'enterprise_id'): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i.test(column)) throw new TypeError(`not a column: ${column}`);
  const patterns = [...new Set(regionCodes.filter((code) => /^\d{6}$/.test(code)).map(regionPattern))];
  const condition = patterns.length === 0 ? NOTHING : patterns.map((p) => `e.region_code LIKE ${db().escape(p)}`).join(' OR ');
  return `${column} IN (SELECT e.id FROM enterprises e WHERE ${condition})`;
}

/** Registered enterprises in any of these regions (each with everything under it), counted once each. */
export async function countEnterprisesInRegions(regionCodes: readonly string[]): Promise<number> {
  const rows = await select<{ n: unknown }>(`SELECT COUNT(*) AS n FROM enterprises r WHERE ${enterpriseRegionConditionSql(regionCodes, 'r.id')}`, {});
  return Number(rows[0]?.n ?? 0);
}

/** One enterprise (summary columns) if the actor may see its data in any of `scopes`; null otherwise. */
export async function findScopedEnterprise(actor: Actor, id: string, scopes: EnterpriseDataScopes, t?: Transaction): Promise<EnterpriseSummaryRow | null> {
  const [row] = await select<EnterpriseSummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM enterprises e WHERE e.id = :id AND ${scopeCondition(actor, scopes)}`, { id }, t);
  return row ? normalise(row) : null;
}

// ---- the credit engine (a system reader on the worker, not a caller: no scope) -----------------------------------

/** What scoring reads of each enterprise. */
export async function enterprisesForScoring(ids: readonly string[]): Promise<EnterpriseSummaryRow[]> {
  if (ids.length === 0) return [];
  const rows = await select<EnterpriseSummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM enterprises e WHERE e.id IN (:ids)`, { ids: [...ids] });
  return rows.map(normalise);
}

/** A page of enterprise ids after `afterId` (a cursor over the primary key, for a full recompute). */
export async function enterpriseIdsAfter(afterId: string | null, limit: number): Promise<string[]> {
  const rows = await select<{ id: unknown }>(
    afterId === null ? 'SELECT e.id FROM enterprises e ORDER BY e.id LIMIT :limit' : 'SELECT e.id FROM enterprises e WHERE e.id > :after ORDER BY e.id LIMIT :limit',
    { after: afterId, limit },
  );
  return rows.map((r) => String(r.id));
}

/** Names and regions by id, for lists of warnings and disputes whose rows were already scoped. */
export async function enterpriseLabels(ids: readonly string[]): Promise<Map<string, { name: string; uscc: string; regionCode: string }>> {
  const found = new Map<string, { name: string; uscc: string; regionCode: string }>();
  if (ids.length === 0) return found;
  const rows = await select<{ id: unknown; name: string; uscc: string; regionCode: string }>(
    'SELECT e.id, e.name, e.uscc, e.region_code AS regionCode FROM enterprises e WHERE e.id IN (:ids)',
    { ids: [...new Set(ids)] },
  );
  for (const r of rows) found.set(String(r.id), { name: r.name, uscc: r.uscc, regionCode: r.regionCode });
  return found;
}

/**
 * `(SELECT e.id FROM enterprises e WHERE …)`: the firms whose name contains the keyword or whose USCC it is, for child
 * lists (warnings, disputes) that filter by firm; always combined with the caller's scoped subquery.
 */
export function enterpriseIdsMatchingSql(keyword: string): string {
  return `(SELECT e.id FROM enterprises e WHERE e.name LIKE ${db().escape(containsPattern(keyword))} ESCAPE '!' OR e.uscc = ${db().escape(normaliseUscc(keyword))})`;
}
