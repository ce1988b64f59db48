import { QueryTypes, type Transaction } from 'sequelize';
import {
  DATA_SCOPES,
  DATA_SCOPE_LABELS,
  GRANT_MAX_DAYS,
  addDays,
  isCalendarDate,
  shanghaiDate,
  type PageResult,
  type TAccessAction,
  type TAccessLogEntry,
  type TAccessLogQuery,
  type TDataScope,
  type TGrant,
  type TGrantRequest,
  type TGrantStatus,
  type TPageQuery,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows } from '../../db';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { recordAudit } from '../audit/service';
import type { Actor, AdminActor, WechatActor } from '../identity/actor';
import { enterpriseLabels } from '../enterprises/repository';
import { enqueueNotifications } from '../notifications/service';
import { ownApplication, recordEvent, institutionUsers } from './store';

/**
 * Authorisation (授权): the grants an enterprise makes when it applies (one row per application, organisation and
 * data scope, which the enterprise repository's institution branch joins on), their revocation, and the log of
 * every read made under them. The audit chain records grants and revocations; reads go to `data_access_log`, a
 * high-volume table of its own.
 */

const INSTITUTION_ROLES = new Set(['fi_admin', 'fi_officer', 'agency']);

/** Whether the actor reads enterprise data only under grants (institutions and agencies). */
export function readsUnderGrant(actor: Actor): actor is AdminActor {
  return actor.kind === 'admin' && INSTITUTION_ROLES.has(actor.role);
}

/** The grant's last day must be a real date from today up to GRANT_MAX_DAYS ahead. */
export function checkGrantRequest(grant: TGrantRequest): void {
  const today = shanghaiDate(clock.now());
  const problem = !isCalendarDate(grant.expiresOn)
    ? '授权截止日期不是有效日期'
    : grant.expiresOn < today
      ? '授权截止日期不能早于今天'
      : grant.expiresOn > addDays(today, GRANT_MAX_DAYS)
        ? `授权期限最长 ${GRANT_MAX_DAYS} 天`
        : null;
  if (problem) throw new ValidationError(problem, [{ field: 'grant.expiresOn', message: problem }]);
}

export interface GrantRows {
  applicationId: string;
  enterpriseId: string;
  organisationId: string;
  scopes: readonly TDataScope[];
  purpose: string;
  expiresOn: string;
  grantedBy: string;
  grantedByName: string;
  agencyAssignmentId?: string | null;
}

export async function insertGrant(app: AppContext, t: Transaction, grant: GrantRows): Promise<void> {
  const now = clock.now();
  const scopes = DATA_SCOPES.filter((s) => grant.scopes.includes(s));
  await insertRows(
    app.db.sequelize,
    'data_grants',
    ['id', 'application_id', 'enterprise_id', 'organisation_id', 'scope', 'purpose', 'expires_on', 'agency_assignment_id', 'granted_by', 'granted_by_name', 'granted_at'],
    scopes.map((scope) => [
      newId(),
      grant.applicationId,
      grant.enterpriseId,
      grant.organisationId,
      scope,
      grant.purpose.slice(0, 200),
      grant.expiresOn,
      grant.agencyAssignmentId ?? null,
      grant.grantedBy,
      grant.grantedByName.slice(0, 64),
      now,
    ]),
    t,
  );
}

interface GrantRow {
  id: unknown;
  applicationId: unknown;
  enterpriseId: unknown;
  enterpriseName?: string;
  organisationId: unknown;
  organisationName: string;
  organisationType: string;
  scope: TDataScope;
  purpose: string;
  expiresOn: string;
  grantedAt: Date | string;
  grantedByName: string;
  revokedAt: Date | string | null;
  revokedByName: string | null;
}

const GRANT_SELECT = `SELECT g.id, g.application_id AS applicationId, g.enterprise_id AS enterpriseId,
    g.organisation_id AS organisationId, o.name AS organisationName, o.type AS organisationType, g.scope, g.purpose,
    g.expires_on AS expiresOn, g.granted_at AS grantedAt, g.granted_by_name AS grantedByName, g.revoked_at AS revokedAt,
    g.revoked_by_name AS revokedByName
  FROM data_grants g JOIN organisations o ON o.id = g.organisation_id`;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** Grant rows with the firm's name, read through the enterprise repository. */
async function selectGrants(app: AppContext, where: string, replacements: Record<string, unknown>, t?: Transaction): Promise<GrantRow[]> {
  const rows = await app.db.sequelize.query<GrantRow>(`${GRANT_SELECT} WHERE ${where}`, { replacements, type: QueryTypes.SELECT, transaction: t });
  const names = await enterpriseLabels(rows.map((r) => String(r.enterpriseId)));
  for (const row of rows) row.enterpriseName = names.get(String(row.enterpriseId))?.name ?? '';
  return rows;
}

/** Rows of one application and organisation make one grant as the firm sees it. */
function groupGrants(rows: GrantRow[]): TGrant[] {
  const today = shanghaiDate(clock.now());
  const groups = new Map<string, GrantRow[]>();
  for (const row of rows) {
    const key = `${row.applicationId}:${row.organisationId}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const first = group.reduce((a, b) => (BigInt(String(a.id)) < BigInt(String(b.id)) ? a : b));
    const revokedAt = group.find((r) => r.revokedAt)?.revokedAt ?? null;
    const status: TGrantStatus = revokedAt ? 'revoked' : first.expiresOn < today ? 'expired' : 'active';
    return {
      id: String(first.id),
      applicationId: String(first.applicationId),
      enterpriseId: String(first.enterpriseId),
      enterpriseName: first.enterpriseName ?? '',
      organisationId: String(first.organisationId),
      organisationName: first.organisationName,
      organisationType: first.organisationType,
      purpose: first.purpose,
      scopes: DATA_SCOPES.filter((s) => group.some((r) => r.scope === s)),
      expiresOn: first.expiresOn,
      status,
      grantedAt: iso(first.grantedAt)!,
      grantedByName: first.grantedByName,
      revokedAt: iso(revokedAt),
      revokedByName: group.find((r) => r.revokedByName)?.revokedByName ?? null,
    };
  });
}

export async function grantsOfApplications(app: AppContext, applicationIds: readonly string[], t?: Transaction): Promise<Map<string, TGrant[]>> {
  const out = new Map<string, TGrant[]>();
  if (applicationIds.length === 0) return out;
  const rows = await selectGrants(app, 'g.application_id IN (:ids) ORDER BY g.granted_at, g.id', { ids: [...applicationIds] }, t);
  for (const grant of groupGrants(rows)) out.set(grant.applicationId, [...(out.get(grant.applicationId) ?? []), grant]);
  return out;
}

/** The scopes of the organisation's live grants for this application now, in DATA_SCOPES order. */
export async function liveGrantScopes(app: AppContext, applicationId: string, organisationId: string, t?: Transaction): Promise<TDataScope[]> {
  const rows = await app.db.sequelize.query<{ scope: string }>(
    `SELECT DISTINCT g.scope FROM data_grants g WHERE g.application_id = :applicationId AND g.organisation_id = :organisationId
       AND g.revoked_at IS NULL AND g.expires_on >= :today`,
    { replacements: { applicationId, organisationId, today: shanghaiDate(clock.now()) }, type: QueryTypes.SELECT, transaction: t },
  );
  return DATA_SCOPES.filter((s) => rows.some((r) => r.scope === s));
}

export async function myGrants(app: AppContext, actor: WechatActor, enterpriseId: string): Promise<TGrant[]> {
  const { enterprise } = await ownApplication(actor, enterpriseId, null);
  const rows = await selectGrants(app, 'g.enterprise_id = :id ORDER BY g.granted_at DESC, g.id DESC', { id: enterprise.id });
  return groupGrants(rows);
}

/**
 * Revokes every live grant of the application, the institution's and those of the agencies it commissioned: the
 * next read under them finds nothing. Revoking twice is harmless (the second changes nothing).
 */
export async function revokeApplicationGrant(
  app: AppContext,
  actor: WechatActor,
  enterpriseId: string,
  applicationId: string,
  meta: RequestMeta,
): Promise<void> {
  const { enterprise, application } = await ownApplication(actor, enterpriseId, applicationId);
  await app.db.transaction(async (t) => {
    const now = clock.now();
    const [, affected] = (await app.db.sequelize.query(
      'UPDATE data_grants SET revoked_at = :now, revoked_by_name = :name WHERE application_id = :id AND revoked_at IS NULL',
      { replacements: { now, name: actor.displayName.slice(0, 64), id: application!.id }, type: QueryTypes.UPDATE, transaction: t },
    )) as unknown as [unknown, number];
    if (!affected) return;
    await recordEvent(t, application!.id, { kind: 'grant_revoked', actorKind: 'enterprise', actorId: actor.id, actorName: actor.displayName, note: '企业撤销了本申请的数据授权' });
    await recordAudit(t, { actor, action: 'grant.revoke', targetType: 'loan_application', targetId: application!.id, outcome: 'success', detail: { enterpriseId: enterprise.id }, meta });
    const users = await institutionUsers(t, [application!.institutionId]);
    await enqueueNotifications(
      t,
      users.map((id) => ({
        recipientKind: 'admin' as const,
        recipientId: id,
        templateKey: 'application_progress',
        title: `${enterprise.name} 撤销了数据授权`,
        body: '该企业已撤销本申请的数据授权，此后不能再查看其信用报告与信用数据。',
        link: `/finance/applications/${application!.id}`,
      })),
    );
  });
}

// ---- the access log -----------------------------------------------------------------------------------------

export interface GrantedRead {
  enterpriseId: string;
  scope: TDataScope;
  action: TAccessAction;
  /** The application the read serves, when the caller knows it. */
  applicationId?: string | null;
}

/**
 * Logs reads an institution or agency made under grants: one row per enterprise and scope, naming the live grant
 * (the one of `applicationId` when given). Called after the scoped read found the data and before it is returned,
 * so a read that cannot be logged is not answered.
 */
export async function logGrantedReads(app: AppContext, actor: AdminActor, reads: readonly GrantedRead[], meta: RequestMeta | undefined): Promise<void> {
  if (!readsUnderGrant(actor) || reads.length === 0) return;
  const sequelize = app.db.sequelize;
  const rows = await sequelize.query<{ id: unknown; applicationId: unknown; enterpriseId: unknown; scope: TDataScope }>(
    `SELECT g.id, g.application_id AS applicationId, g.enterprise_id AS enterpriseId, g.scope FROM data_grants g
     WHERE g.organisation_id = :org AND g.enterprise_id IN (:ids) AND g.revoked_at IS NULL AND g.expires_on >= :today`,
    { replacements: { org: actor.organisationId, ids: [...new Set(reads.map((r) => r.enterpriseId))], today: shanghaiDate(clock.now()) }, type: QueryTypes.SELECT },
  );
  const now = clock.now();
  const channel = actor.client ? 'api' : 'console';
  const page = (meta?.page ?? '').slice(0, 200);
  const values = reads.map((read) => {
    const candidates = rows.filter((g) => String(g.enterpriseId) === read.enterpriseId && g.scope === read.scope);
    const grant = candidates.find((g) => String(g.applicationId) === read.applicationId) ?? candidates[0] ?? null;
    return [
      newId(),
      now,
      read.enterpriseId,
      actor.organisationId,
      actor.id,
      actor.displayName.slice(0, 64),
      read.scope,
      read.action,
      read.applicationId ?? (grant ? String(grant.applicationId) : null),
      grant ? String(grant.id) : null,
      channel,
      page,
    ];
  });
  await insertRows(sequelize, 'data_access_log', ['id', 'at', 'enterprise_id', 'organisation_id', 'user_id', 'user_name', 'scope', 'action', 'application_id', 'grant_id', 'channel', 'page'], values);
}

interface AccessRow {
  id: unknown;
  at: Date | string;
  enterpriseId: unknown;
  organisationId: unknown;
  organisationName: string;
  userName: string;
  scope: TDataScope;
  action: TAccessAction;
  applicationId: unknown;
  grantId: unknown;
  channel: 'console' | 'api';
  page: string;
}

async function accessPage(app: AppContext, where: string[], replacements: Record<string, unknown>, page: TPageQuery): Promise<PageResult<TAccessLogEntry>> {
  const sequelize = app.db.sequelize;
  const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [counted, rows] = await Promise.all([
    sequelize.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM data_access_log l ${condition}`, { replacements, type: QueryTypes.SELECT }),
    sequelize.query<AccessRow>(
      `SELECT l.id, l.at, l.enterprise_id AS enterpriseId, l.organisation_id AS organisationId,
         o.name AS organisationName, l.user_name AS userName, l.scope, l.action, l.application_id AS applicationId,
         l.grant_id AS grantId, l.channel, l.page
       FROM data_access_log l JOIN organisations o ON o.id = l.organisation_id
       ${condition} ORDER BY l.at DESC, l.id DESC LIMIT :limit OFFSET :offset`,
      { replacements: { ...replacements, limit: page.pageSize, offset: (page.current - 1) * page.pageSize }, type: QueryTypes.SELECT },
    ),
  ]);
  const names = await enterpriseLabels(rows.map((r) => String(r.enterpriseId)));
  return {
    total: Number(counted[0]?.n ?? 0),
    list: rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at).toISOString(),
      enterpriseId: String(r.enterpriseId),
      enterpriseName: names.get(String(r.enterpriseId))?.name ?? '',
      organisationId: String(r.organisationId),
      organisationName: r.organisationName,
      userName: r.userName,
      scope: r.scope,
      action: r.action,
      applicationId: r.applicationId === null ? null : String(r.applicationId),
      grantId: r.grantId === null ? null : String(r.grantId),
      channel: r.channel,
      page: r.page,
    })),
  };
}

/** 谁查看了我的数据: the enterprise's own log, newest first. */
export async function myAccessLog(app: AppContext, actor: WechatActor, enterpriseId: string, page: TPageQuery): Promise<PageResult<TAccessLogEntry>> {
  const { enterprise } = await ownApplication(actor, enterpriseId, null);
  return accessPage(app, ['l.enterprise_id = :id'], { id: enterprise.id }, page);
}

/** The platform admin's query over every enterprise's log. */
export async function accessLogOf(app: AppContext, query: TAccessLogQuery): Promise<PageResult<TAccessLogEntry>> {
  const where: string[] = [];
  const replacements: Record<string, unknown> = {};
  if (query.enterpriseId) (where.push('l.enterprise_id = :enterpriseId'), (replacements.enterpriseId = query.enterpriseId));
  if (query.organisationId) (where.push('l.organisation_id = :organisationId'), (replacements.organisationId = query.organisationId));
  if (query.applicationId) (where.push('l.application_id = :applicationId'), (replacements.applicationId = query.applicationId));
  // Days are Asia/Shanghai: [from 00:00, to + 1 day 00:00) at UTC+8.
  if (query.from) (where.push('l.at >= :from'), (replacements.from = new Date(`${query.from}T00:00:00+08:00`)));
  if (query.to) (where.push('l.at < :to'), (replacements.to = new Date(`${addDays(query.to, 1)}T00:00:00+08:00`)));
  return accessPage(app, where, replacements, query);
}

/** The scopes in words, in DATA_SCOPES order whatever order they were ticked in. */
export function scopeSentence(scopes: readonly TDataScope[]): string {
  return DATA_SCOPES.filter((s) => scopes.includes(s))
    .map((s) => DATA_SCOPE_LABELS[s])
    .join('、');
}

/**
 * Runs a read of enterprise data and, when the caller reads under grants, logs it before the answer leaves: the
 * read itself already went through the enterprise repository's institution branch (a miss is a 404 and logs
 * nothing). `reads` names what was read, from the answer.
 */
export async function loggedRead<T>(app: AppContext, actor: Actor | null, meta: RequestMeta | undefined, read: Promise<T>, reads: (answer: T) => GrantedRead[]): Promise<T> {
  const answer = await read;
  if (actor && readsUnderGrant(actor)) await logGrantedReads(app, actor, reads(answer), meta);
  return answer;
}
