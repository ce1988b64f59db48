import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import {
  APPLICATION_ACTION_LABELS,
  APPLICATION_MOVES,
  APPLICATION_STATUS_LABELS,
  GUARANTEE_METHODS,
  REJECTION_REASON_LABELS,
  TERMINAL_APPLICATION_STATUSES,
  addWorkingDays,
  availableApplicationMoves,
  checkApplicationMove,
  formatFen,
  formatRateBp,
  matchNeed,
  shanghaiDate,
  workingDaysBetween,
  type PageResult,
  type TAgencyAssignment,
  type TApplication,
  type TApplicationAction,
  type TApplicationActor,
  type TApplicationCreate,
  type TApplicationDetail,
  type TApplicationEvent,
  type TApplicationMoveInput,
  type TApplicationQuery,
  type TApplicationStatus,
  type TGuaranteeMethod,
  type TSlaClock,
  type TWorkCalendar,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { recordAudit } from '../audit/service';
import { loadWorkCalendar } from '../calendar/service';
import { enterpriseIdsMatchingSql, enterpriseLabels, scopedEnterpriseIdsSql } from '../enterprises/repository';
import { notifyMembers } from '../enterprises/notify';
import type { AdminActor, WechatActor } from '../identity/actor';
import { regionResponders } from '../identity/advisors';
import { matchProfiles } from '../matching/profiles';
import { institutionRecords } from './figures';
import { institutionNames, productForApplication, productNames, publishedCatalogue } from '../matching/products';
import { FinancingNeed } from '../matching/models';
import { enqueueNotifications, type Notification } from '../notifications/service';
import { assignmentsOf } from './agencies';
import { checkGrantRequest, grantsOfApplications, insertGrant, revokeApplicationGrant, scopeSentence } from './grants';
import { createLoan, loanOfApplication, loanSettlementProblem } from './loans';
import { institutionUsers, ownApplication, recordEvent, selectApplications, type ApplicationRow } from './store';
import { visitsOf } from './visits';

/**
 * Financing applications (融资申请): the firm applies to a product with a grant on the same screen; the institution
 * moves the application through the state machine declared in shared (states.ts), each move a row on the timeline,
 * guarded by a version column so that two people cannot both move it; the accept and decide clocks count working days.
 */

const DUE_SOON_WORKING_DAYS = 1;

// ---- service-level clocks -------------------------------------------------------------------------------------

function clockOf(stage: 'accept' | 'decide', workingDays: number, dueOn: string, confirmed: boolean, metAt: Date | null, calendar: TWorkCalendar, today: string): TSlaClock {
  if (metAt) {
    const metOn = shanghaiDate(metAt);
    return { stage, workingDays, dueOn, confirmed, state: metOn <= dueOn ? 'met' : 'met_late', workingDaysLeft: null, metAt: metAt.toISOString() };
  }
  const left = dueOn >= today ? workingDaysBetween(calendar, today, dueOn).days : 0 - workingDaysBetween(calendar, dueOn, today).days || 0;
  const state = today > dueOn ? 'breached' : left <= DUE_SOON_WORKING_DAYS ? 'due_soon' : 'on_time';
  return { stage, workingDays, dueOn, confirmed, state, workingDaysLeft: left, metAt: null };
}

/** The accept clock, and the decide clock once accepted. A clock stops at the move that answers it or ends the application. */
export function slaClocks(row: ApplicationRow, calendar: TWorkCalendar, today: string): TSlaClock[] {
  const ended = TERMINAL_APPLICATION_STATUSES.includes(row.status) ? row.updatedAt : null;
  const acceptStop = row.acceptedAt ?? row.decidedAt ?? ended;
  const clocks = [clockOf('accept', row.acceptDays, row.acceptDueOn, row.acceptDueConfirmed, acceptStop, calendar, today)];
  if (row.acceptedAt && row.decideDueOn) {
    clocks.push(clockOf('decide', row.decideDays, row.decideDueOn, row.decideDueConfirmed, row.decidedAt ?? ended, calendar, today));
  }
  return clocks;
}

// ---- reading ---------------------------------------------------------------------------------------------------

interface Names {
  enterprises: Map<string, { name: string; regionCode: string }>;
  products: Map<string, string>;
  institutions: Map<string, string>;
  liveGrants: Set<string>;
}

async function namesFor(app: AppContext, rows: readonly ApplicationRow[]): Promise<Names> {
  const ids = rows.map((r) => r.id);
  const today = shanghaiDate(clock.now());
  const [enterprises, products, institutions, live] = await Promise.all([
    enterpriseLabels(rows.map((r) => r.enterpriseId)),
    productNames(rows.map((r) => r.productId)),
    institutionNames(rows.map((r) => r.institutionId)),
    ids.length === 0
      ? Promise.resolve([])
      : app.db.sequelize.query<{ applicationId: unknown; organisationId: unknown }>(
          `SELECT DISTINCT g.application_id AS applicationId, g.organisation_id AS organisationId FROM data_grants g
           WHERE g.application_id IN (:ids) AND g.revoked_at IS NULL AND g.expires_on >= :today`,
          { replacements: { ids, today }, type: QueryTypes.SELECT },
        ),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const liveGrants = new Set(live.filter((g) => byId.get(String(g.applicationId))?.institutionId === String(g.organisationId)).map((g) => String(g.applicationId)));
  return { enterprises, products, institutions, liveGrants };
}

function toDto(row: ApplicationRow, names: Names, calendar: TWorkCalendar, today: string): TApplication {
  const clocks = slaClocks(row, calendar, today);
  const running = clocks.find((c) => c.metAt === null);
  return {
    id: row.id,
    enterpriseId: row.enterpriseId,
    enterpriseName: names.enterprises.get(row.enterpriseId)?.name ?? '',
    regionCode: row.regionCode,
    productId: row.productId,
    productName: names.products.get(row.productId) ?? '',
    institutionId: row.institutionId,
    institutionName: names.institutions.get(row.institutionId) ?? '',
    needId: row.needId,
    status: row.status,
    version: row.version,
    amountFen: row.amountFen,
    termMonths: row.termMonths,
    purpose: row.purpose,
    offer: row.offer,
    offerAccepted: row.offerAccepted,
    rejection: row.rejectionCode ? { code: row.rejectionCode, text: row.rejectionText ?? '', label: REJECTION_REASON_LABELS[row.rejectionCode] } : null,
    sla: running ?? clocks[clocks.length - 1],
    grantActive: names.liveGrants.has(row.id),
    submittedAt: row.submittedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function toDtos(app: AppContext, rows: readonly ApplicationRow[]): Promise<TApplication[]> {
  const [names, calendar] = await Promise.all([namesFor(app, rows), loadWorkCalendar()]);
  const today = shanghaiDate(clock.now());
  return rows.map((r) => toDto(r, names, calendar, today));
}

const EVENT_LABELS: Record<string, string> = {
  submit: '提交申请并授权',
  grant_revoked: '撤销数据授权',
  agency_commissioned: '委托信用服务机构',
  agency_reported: '信用服务机构提交报告',
  referral: '同意推荐给其他产品',
  accept_breached: '受理超时',
  decide_breached: '办结超时',
  repayment: '报送还款',
  return_visit: '回访',
};

async function eventsOf(app: AppContext, applicationId: string): Promise<TApplicationEvent[]> {
  const rows = await app.db.sequelize.query<{
    id: unknown;
    kind: string;
    fromStatus: TApplicationStatus | null;
    toStatus: TApplicationStatus | null;
    actorKind: TApplicationEvent['actorKind'];
    actorName: string;
    note: string;
    at: Date | string;
  }>(
    `SELECT id, kind, from_status AS fromStatus, to_status AS toStatus, actor_kind AS actorKind, actor_name AS actorName, note, at
     FROM application_events WHERE application_id = :id ORDER BY at ASC, id ASC`,
    { replacements: { id: applicationId }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    label: (APPLICATION_ACTION_LABELS as Record<string, string>)[r.kind] ?? EVENT_LABELS[r.kind] ?? r.kind,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    actorKind: r.actorKind,
    actorName: r.actorName,
    note: r.note,
    at: new Date(r.at).toISOString(),
  }));
}

type Viewer = { kind: 'enterprise' } | { kind: 'admin'; actor: AdminActor };

async function detailOf(app: AppContext, row: ApplicationRow, viewer: Viewer): Promise<TApplicationDetail> {
  const calendar = await loadWorkCalendar();
  const today = shanghaiDate(clock.now());
  const [names, events, grants, loan, agencies, visits] = await Promise.all([
    namesFor(app, [row]),
    eventsOf(app, row.id),
    grantsOfApplications(app, [row.id]),
    loanOfApplication(app, row.id),
    assignmentsOf(app, [row.id]),
    visitsOf(app, row.id),
  ]);
  const facts = { status: row.status, offerAccepted: row.offerAccepted };
  let moves: TApplicationAction[] = [];
  if (viewer.kind === 'enterprise') moves = availableApplicationMoves(facts, 'enterprise');
  else if (viewer.actor.role === 'fi_admin' || viewer.actor.role === 'fi_officer') moves = availableApplicationMoves(facts, 'institution');
  // An agency sees only its own assignment on an application; the firm and the institution see them all.
  const shownAgencies = viewer.kind === 'admin' && viewer.actor.role === 'agency' ? agencies.filter((a: TAgencyAssignment) => a.agencyId === viewer.actor.organisationId) : agencies;
  return {
    ...toDto(row, names, calendar, today),
    events,
    grants: grants.get(row.id) ?? [],
    clocks: slaClocks(row, calendar, today),
    moves,
    loan,
    agencies: shownAgencies,
    visits,
    referral: { consentedAt: row.referralConsentedAt?.toISOString() ?? null, products: row.referralProducts },
  };
}

/** The condition over `loan_applications a` that admits what a console user may see. */
function consoleScope(actor: AdminActor): { where: string; replacements: Record<string, unknown> } {
  switch (actor.role) {
    case 'fi_admin':
    case 'fi_officer':
      return { where: 'a.institution_id = :org', replacements: { org: actor.organisationId } };
    case 'agency':
      return { where: 'a.id IN (SELECT s.application_id FROM agency_assignments s WHERE s.agency_id = :org)', replacements: { org: actor.organisationId } };
    case 'platform_admin':
    case 'advisor':
    case 'gov':
      return { where: `a.enterprise_id IN ${scopedEnterpriseIdsSql(actor, 'registration')}`, replacements: {} };
    default:
      return { where: '1=0', replacements: {} };
  }
}

export async function consoleApplication(app: AppContext, actor: AdminActor, id: string, t?: Transaction): Promise<ApplicationRow> {
  const scope = consoleScope(actor);
  const [row] = await selectApplications(app.db.sequelize, `a.id = :id AND ${scope.where}`, { ...scope.replacements, id }, t);
  if (!row) throw new NotFoundError('申请不存在或无权访问');
  return row;
}

export async function listApplications(app: AppContext, actor: AdminActor, query: TApplicationQuery): Promise<PageResult<TApplication>> {
  const scope = consoleScope(actor);
  const conditions = [scope.where];
  const replacements: Record<string, unknown> = { ...scope.replacements };
  if (query.status) (conditions.push('a.status = :status'), (replacements.status = query.status));
  if (query.enterpriseId) (conditions.push('a.enterprise_id = :enterpriseId'), (replacements.enterpriseId = query.enterpriseId));
  if (query.keyword) conditions.push(`a.enterprise_id IN ${enterpriseIdsMatchingSql(query.keyword)}`);
  if (query.sla) {
    const today = shanghaiDate(clock.now());
    replacements.today = today;
    const acceptRunning = "(a.status = 'submitted' AND a.accepted_at IS NULL)";
    const decideRunning = "(a.status IN ('accepted', 'investigating') AND a.decided_at IS NULL)";
    if (query.sla === 'running') conditions.push(`(${acceptRunning} OR ${decideRunning})`);
    else if (query.sla === 'breached') conditions.push(`((${acceptRunning} AND a.accept_due_on < :today) OR (${decideRunning} AND a.decide_due_on < :today))`);
    else {
      // Due soon: the due day is today or the next working day.
      replacements.soon = addWorkingDays(await loadWorkCalendar(), today, DUE_SOON_WORKING_DAYS).date;
      conditions.push(
        `((${acceptRunning} AND a.accept_due_on >= :today AND a.accept_due_on <= :soon) OR (${decideRunning} AND a.decide_due_on >= :today AND a.decide_due_on <= :soon))`,
      );
    }
  }
  const where = conditions.join(' AND ');
  const [counted, rows] = await Promise.all([
    app.db.sequelize.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM loan_applications a WHERE ${where}`, { replacements, type: QueryTypes.SELECT }),
    selectApplications(app.db.sequelize, where, { ...replacements, limit: query.pageSize, offset: (query.current - 1) * query.pageSize }, undefined, 'ORDER BY a.submitted_at DESC, a.id DESC LIMIT :limit OFFSET :offset'),
  ]);
  return { list: await toDtos(app, rows), total: Number(counted[0]?.n ?? 0) };
}

export async function applicationDetail(app: AppContext, actor: AdminActor, id: string): Promise<TApplicationDetail> {
  return detailOf(app, await consoleApplication(app, actor, id), { kind: 'admin', actor });
}

export async function myApplications(app: AppContext, actor: WechatActor, enterpriseId: string): Promise<TApplication[]> {
  const { enterprise } = await ownApplication(actor, enterpriseId, null);
  const rows = await selectApplications(app.db.sequelize, 'a.enterprise_id = :id', { id: enterprise.id }, undefined, 'ORDER BY a.submitted_at DESC, a.id DESC');
  return toDtos(app, rows);
}

export async function myApplication(app: AppContext, actor: WechatActor, enterpriseId: string, applicationId: string): Promise<TApplicationDetail> {
  const { application } = await ownApplication(actor, enterpriseId, applicationId);
  return detailOf(app, application!, { kind: 'enterprise' });
}

// ---- applying -----------------------------------------------------------------------------------------------------


export async function submitApplication(app: AppContext, actor: WechatActor, enterpriseId: string, input: TApplicationCreate, meta: RequestMeta): Promise<TApplicationDetail> {
  const { enterprise } = await ownApplication(actor, enterpriseId, null);
  if (enterprise.status === 'revoked' || enterprise.status === 'cancelled') throw ValidationError.of('enterpriseId', '企业登记状态为吊销或注销，不能申请融资');
  const product = await productForApplication(input.productId);
  if (!product || product.status !== 'published') throw new NotFoundError('产品不存在或已下架');
  const terms = product.terms;
  if (input.amountFen < terms.amountMinFen || input.amountFen > terms.amountMaxFen) {
    throw ValidationError.of('amountFen', `申请金额应在 ${formatFen(terms.amountMinFen)} 至 ${formatFen(terms.amountMaxFen)} 之间`);
  }
  if (input.termMonths < terms.termMinMonths || input.termMonths > terms.termMaxMonths) {
    throw ValidationError.of('termMonths', `申请期限应在 ${terms.termMinMonths} 至 ${terms.termMaxMonths} 个月之间`);
  }
  if (input.needId) {
    const need = await FinancingNeed.findOne({ where: { id: input.needId, enterpriseId: enterprise.id }, attributes: ['id'] });
    if (!need) throw ValidationError.of('needId', '融资需求不存在或不属于本企业');
  }
  checkGrantRequest(input.grant);
  const now = clock.now();
  const today = shanghaiDate(now);
  const acceptDue = addWorkingDays(await loadWorkCalendar(), today, terms.acceptDays);
  const id = newId();
  const purpose = `申请“${terms.name}”（${formatFen(input.amountFen)}，${input.termMonths} 个月）的审批与贷后管理`;
  try {
    await app.db.transaction(async (t) => {
      await app.db.sequelize.query(
        `INSERT INTO loan_applications (id, enterprise_id, region_code, product_id, product_revision_id, institution_id, need_id, status, open_key,
           version, amount_fen, term_months, purpose, offer_accepted, accept_days, decide_days, accept_due_on, accept_due_confirmed,
           decide_due_confirmed, submitted_by, submitted_at, updated_at)
         VALUES (:id, :enterpriseId, :regionCode, :productId, :revisionId, :institutionId, :needId, 'submitted', :openKey,
           1, :amountFen, :termMonths, :purpose, :no, :acceptDays, :decideDays, :acceptDueOn, :acceptDueConfirmed, :no, :submittedBy, :now, :now)`,
        {
          replacements: {
            id,
            enterpriseId: enterprise.id,
            regionCode: enterprise.regionCode,
            productId: product.id,
            revisionId: product.revisionId,
            institutionId: product.institutionId,
            needId: input.needId ?? null,
            openKey: `${enterprise.id}:${product.id}`,
            amountFen: input.amountFen,
            termMonths: input.termMonths,
            purpose: input.purpose,
            no: false,
            acceptDays: terms.acceptDays,
            decideDays: terms.turnaroundDays,
            acceptDueOn: acceptDue.date,
            acceptDueConfirmed: acceptDue.confirmed,
            submittedBy: actor.id,
            now,
          },
          type: QueryTypes.INSERT,
          transaction: t,
        },
      );
      await insertGrant(app, t, {
        applicationId: id,
        enterpriseId: enterprise.id,
        organisationId: product.institutionId,
        scopes: input.grant.scopes,
        purpose,
        expiresOn: input.grant.expiresOn,
        grantedBy: actor.id,
        grantedByName: actor.displayName,
      });
      await recordEvent(t, id, {
        kind: 'submit',
        toStatus: 'submitted',
        actorKind: 'enterprise',
        actorId: actor.id,
        actorName: actor.displayName,
        note: `授权 ${product.institutionName} 查看${scopeSentence(input.grant.scopes)}，至 ${input.grant.expiresOn}`,
      });
      const detail = { enterpriseId: enterprise.id, productId: product.id, amountFen: input.amountFen, termMonths: input.termMonths };
      await recordAudit(t, { actor, action: 'application.submit', targetType: 'loan_application', targetId: id, outcome: 'success', detail, meta });
      await recordAudit(t, {
        actor,
        action: 'grant.create',
        targetType: 'loan_application',
        targetId: id,
        outcome: 'success',
        detail: { enterpriseId: enterprise.id, organisationId: product.institutionId, scopes: input.grant.scopes, expiresOn: input.grant.expiresOn },
        meta,
      });
      const summary = `${enterprise.name} 申请“${terms.name}”${formatFen(input.amountFen)} ${input.termMonths} 个月`;
      await enqueueNotifications(
        t,
        (await institutionUsers(t, [product.institutionId])).map((userId) => ({
          recipientKind: 'admin' as const,
          recipientId: userId,
          templateKey: 'application_progress',
          title: `新的融资申请：${enterprise.name}`,
          body: `${summary}，请在 ${acceptDue.date} 前受理。`,
          link: `/finance/applications/${id}`,
        })),
      );
      await notifyMembers(t, enterprise.id, {
        templateKey: 'application_progress',
        title: '融资申请已提交',
        body: `您已申请 ${product.institutionName}“${terms.name}”，机构应在 ${acceptDue.date} 前受理。`,
        link: applicationLink(id),
      });
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new ConflictError('本企业已有该产品进行中的申请，请在“我的融资申请”中查看');
    throw error;
  }
  return myApplication(app, actor, enterprise.id, id);
}

const applicationLink = (id: string) => `/subpackages/finance/application/index?id=${id}`;

// ---- moves ------------------------------------------------------------------------------------------------------

interface Mover {
  kind: TApplicationActor;
  id: string | null;
  name: string;
  audit: AdminActor | WechatActor | null;
}

/** The status the move leads to; a move by the wrong role is a 403, one the status does not allow a 409. */
function moveTarget(row: ApplicationRow, action: TApplicationAction, by: TApplicationActor): TApplicationStatus {
  const check = checkApplicationMove({ status: row.status, offerAccepted: row.offerAccepted }, action, by);
  if (check.ok) return check.to;
  const move = APPLICATION_MOVES.find((m) => m.action === action);
  throw move && !move.by.includes(by) ? new ForbiddenError(check.message) : new ConflictError(check.message);
}

/** What a move must carry, checked before anything is written. */
function checkPayload(row: ApplicationRow, input: TApplicationMoveInput, today: string): void {
  if (input.action === 'approve' && !input.offer) throw ValidationError.of('offer', '批准须填写批复：金额、利率、期限、还款与担保方式');
  if (input.action === 'reject' && !input.rejection) throw ValidationError.of('rejection', '拒绝须选择原因并写明说明');
  if (input.action === 'disburse') {
    if (!input.loan) throw ValidationError.of('loan', '登记放款须填写贷款信息');
    if (row.offer && input.loan.amountFen > row.offer.amountFen) throw ValidationError.of('loan.amountFen', `放款金额不能超过批准金额 ${formatFen(row.offer.amountFen)}`);
    if (input.loan.disbursedOn > today) throw ValidationError.of('loan.disbursedOn', '放款日期不能晚于今天');
    if (input.loan.disbursedOn < shanghaiDate(row.submittedAt)) throw ValidationError.of('loan.disbursedOn', '放款日期不能早于申请日期');
  }
}

function moveNote(input: TApplicationMoveInput): string {
  const parts: string[] = [];
  if (input.action === 'approve' && input.offer) {
    parts.push(`批复 ${formatFen(input.offer.amountFen)}，年利率 ${formatRateBp(input.offer.rateBp)}，${input.offer.termMonths} 个月`);
  }
  if (input.action === 'reject' && input.rejection) parts.push(`${REJECTION_REASON_LABELS[input.rejection.code]}：${input.rejection.text}`);
  if (input.action === 'disburse' && input.loan) parts.push(`放款 ${formatFen(input.loan.amountFen)}（${input.loan.disbursedOn}）`);
  if (input.note) parts.push(input.note);
  return parts.join('；');
}

/**
 * One move: re-read in the transaction, compare the version, check the state machine, then a conditional UPDATE on
 * (id, version) so that of two concurrent moves exactly one applies and the other answers 409.
 */
export async function applyMove(app: AppContext, applicationId: string, input: TApplicationMoveInput, mover: Mover, meta: RequestMeta | null): Promise<void> {
  const now = clock.now();
  const today = shanghaiDate(now);
  const calendar = await loadWorkCalendar();
  await app.db.transaction(async (t) => {
    const [row] = await selectApplications(app.db.sequelize, 'a.id = :id', { id: applicationId }, t);
    if (!row) throw new NotFoundError('申请不存在或无权访问');
    if (row.version !== input.version) throw new ConflictError('申请已被他人更新，请刷新后重试');
    const to = moveTarget(row, input.action, mover.kind);
    checkPayload(row, input, today);
    if (input.action === 'settle' || input.action === 'cure') {
      const problem = await loanSettlementProblem(app, row.id, input.action, t);
      if (problem) throw new ConflictError(problem);
    }
    const sets = ['status = :to', 'version = version + 1', 'updated_at = :now'];
    const replacements: Record<string, unknown> = { id: row.id, version: row.version, to, now };
    if (input.action === 'accept') {
      const due = addWorkingDays(calendar, today, row.decideDays);
      sets.push('accepted_at = :now', 'decide_due_on = :decideDue', 'decide_due_confirmed = :decideConfirmed');
      Object.assign(replacements, { decideDue: due.date, decideConfirmed: due.confirmed });
    }
    // A late answer counts as a breach even when the clock job had not run yet.
    if (row.status === 'submitted' && !row.acceptBreachedAt && today > row.acceptDueOn) sets.push('accept_breached_at = :now');
    if ((input.action === 'approve' || input.action === 'reject') && row.decideDueOn && !row.decideBreachedAt && today > row.decideDueOn) sets.push('decide_breached_at = :now');
    if (input.action === 'approve') (sets.push('offer = :offer', 'decided_at = :now'), (replacements.offer = JSON.stringify(input.offer)));
    if (input.action === 'reject') {
      sets.push('rejection_code = :code', 'rejection_text = :text', 'decided_at = :now');
      Object.assign(replacements, { code: input.rejection!.code, text: input.rejection!.text });
    }
    if (input.action === 'accept_offer') sets.push('offer_accepted = :yes'), (replacements.yes = true);
    if (TERMINAL_APPLICATION_STATUSES.includes(to)) sets.push('open_key = NULL');
    const [, affected] = (await app.db.sequelize.query(`UPDATE loan_applications SET ${sets.join(', ')} WHERE id = :id AND version = :version`, {
      replacements,
      type: QueryTypes.UPDATE,
      transaction: t,
    })) as unknown as [unknown, number];
    if (Number(affected) !== 1) throw new ConflictError('申请已被他人更新，请刷新后重试');
    const note = moveNote(input);
    await recordEvent(t, row.id, { kind: input.action, fromStatus: row.status, toStatus: to, actorKind: mover.kind, actorId: mover.id, actorName: mover.name, note });
    if (input.action === 'disburse') await createLoan(app, t, row, input.loan!);
    if (mover.audit) {
      await recordAudit(t, {
        actor: mover.audit,
        action: `application.${input.action}`,
        targetType: 'loan_application',
        targetId: row.id,
        outcome: 'success',
        detail: { from: row.status, to, version: row.version },
        meta: meta ?? undefined,
      });
    } else {
      await recordAudit(t, { actor: null, action: `application.${input.action}`, targetType: 'loan_application', targetId: row.id, outcome: 'success', detail: { from: row.status, to }, meta: undefined });
    }
    await tellOfMove(t, row, input, to, mover, note);
  });
}

async function tellOfMove(t: Transaction, row: ApplicationRow, input: TApplicationMoveInput, to: TApplicationStatus, mover: Mover, note: string): Promise<void> {
  const [names, enterprise] = await Promise.all([productNames([row.productId]), enterpriseLabels([row.enterpriseId])]);
  const product = names.get(row.productId) ?? '';
  const firm = enterprise.get(row.enterpriseId)?.name ?? '';
  const label = APPLICATION_ACTION_LABELS[input.action];
  if (mover.kind !== 'enterprise') {
    const body: Record<string, string> = {
      accept: '机构已受理您的申请，将开始调查审批。',
      investigate: '机构正在调查审批您的申请。',
      approve: `机构已批准：${note}。请在小程序中确认是否接受批复。`,
      reject: `很遗憾，申请未通过：${note}。您可以同意平台把您推荐给其他符合条件的产品。`,
      disburse: `机构已登记放款：${note}。`,
      mark_overdue: '您的贷款已逾期，请尽快还款，以免影响信用。',
      cure: '逾期款项已还清。',
      settle: '您的贷款已结清。',
    };
    await notifyMembers(t, row.enterpriseId, {
      templateKey: 'application_progress',
      title: `融资申请${label}：${product}`,
      body: body[input.action] ?? `申请状态：${APPLICATION_STATUS_LABELS[to]}`,
      link: applicationLink(row.id),
    });
  } else {
    const users = await institutionUsers(t, [row.institutionId]);
    await enqueueNotifications(
      t,
      users.map((id) => ({
        recipientKind: 'admin' as const,
        recipientId: id,
        templateKey: 'application_progress',
        title: `${firm}${label}：${product}`,
        body: `申请状态：${APPLICATION_STATUS_LABELS[to]}${note ? `（${note}）` : ''}`,
        link: `/finance/applications/${row.id}`,
      })),
    );
  }
  // The advisor follows every decision and disbursement (and does the return visit).
  if (['approve', 'reject', 'disburse', 'mark_overdue'].includes(input.action)) {
    await enqueueNotifications(t, await advisorNotices(t, row, `${firm}：${product} ${label}`, note || APPLICATION_STATUS_LABELS[to]));
  }
}

/** The advisors of the firm's region, or the platform admins where none covers it. */
export async function advisorNotices(t: Transaction, row: Pick<ApplicationRow, 'id' | 'regionCode'>, title: string, body: string): Promise<Notification[]> {
  const ids = await regionResponders(t, row.regionCode);
  return ids.map((id) => ({ recipientKind: 'admin' as const, recipientId: id, templateKey: 'application_progress', title, body, link: `/finance/applications/${row.id}` }));
}

export async function moveApplication(app: AppContext, actor: AdminActor, id: string, input: TApplicationMoveInput, meta: RequestMeta): Promise<TApplicationDetail> {
  const row = await consoleApplication(app, actor, id);
  await applyMove(app, row.id, input, { kind: 'institution', id: actor.id, name: actor.displayName, audit: actor }, meta);
  return applicationDetail(app, actor, id);
}

export async function moveMyApplication(
  app: AppContext,
  actor: WechatActor,
  enterpriseId: string,
  applicationId: string,
  input: TApplicationMoveInput,
  meta: RequestMeta,
): Promise<TApplicationDetail> {
  const { application } = await ownApplication(actor, enterpriseId, applicationId);
  await applyMove(app, application!.id, input, { kind: 'enterprise', id: actor.id, name: actor.displayName, audit: actor }, meta);
  return myApplication(app, actor, enterpriseId, applicationId);
}

export async function revokeMyGrant(app: AppContext, actor: WechatActor, enterpriseId: string, applicationId: string, meta: RequestMeta): Promise<TApplicationDetail> {
  await revokeApplicationGrant(app, actor, enterpriseId, applicationId, meta);
  return myApplication(app, actor, enterpriseId, applicationId);
}

// ---- referral after a rejection ---------------------------------------------------------------------------------------

const REFERRAL_MAX = 5;

/**
 * After a rejection, with the firm's consent, the platform refers it to other products that fit it (matched now,
 * the rejecting institution left out), lists them for the firm and tells the region's advisor to follow up.
 */
export async function consentToReferral(app: AppContext, actor: WechatActor, enterpriseId: string, applicationId: string, meta: RequestMeta): Promise<TApplicationDetail> {
  const { enterprise, application } = await ownApplication(actor, enterpriseId, applicationId);
  const row = application!;
  if (row.status !== 'rejected') throw new ConflictError('只有未通过的申请可以同意推荐');
  if (row.referralConsentedAt) return myApplication(app, actor, enterpriseId, applicationId);
  const asOf = shanghaiDate(clock.now());
  const [profiles, catalogue] = await Promise.all([matchProfiles(app, [enterprise.id], asOf), publishedCatalogue()]);
  const profile = profiles.get(enterprise.id);
  const others = catalogue.filter((p) => p.institutionId !== row.institutionId);
  // What the firm would accept: its need's guarantee methods and rate ceiling, else those of the product it applied to.
  const need = row.needId ? await FinancingNeed.findByPk(row.needId) : null;
  const applied = await productForApplication(row.productId);
  const wanted = {
    amountFen: row.amountFen,
    termMonths: row.termMonths,
    guaranteeMethods: need ? (need.guaranteeMethods.split(',') as TGuaranteeMethod[]) : (applied?.terms.guaranteeMethods ?? [...GUARANTEE_METHODS]),
    maxRateBp: need?.maxRateBp ?? null,
  };
  const fits = profile ? matchNeed(profile, wanted, others, { asOf, institutionRecords: await institutionRecords(app), maxMatches: REFERRAL_MAX, maxNearMisses: 0 }).matches : [];
  const byId = new Map(others.map((p) => [p.productId, p]));
  const institutions = await institutionNames(fits.map((f) => byId.get(f.productId)!.institutionId));
  const products = fits.map((f) => {
    const product = byId.get(f.productId)!;
    return { id: product.productId, name: product.terms.name, institutionName: institutions.get(product.institutionId) ?? '' };
  });
  await app.db.transaction(async (t) => {
    const [, affected] = (await app.db.sequelize.query(
      'UPDATE loan_applications SET referral_consented_at = :now, referral_products = :products WHERE id = :id AND referral_consented_at IS NULL',
      { replacements: { now: clock.now(), products: JSON.stringify(products), id: row.id }, type: QueryTypes.UPDATE, transaction: t },
    )) as unknown as [unknown, number];
    if (Number(affected) !== 1) return;
    await recordEvent(t, row.id, {
      kind: 'referral',
      actorKind: 'enterprise',
      actorId: actor.id,
      actorName: actor.displayName,
      note: products.length ? `推荐：${products.map((p) => `${p.institutionName}“${p.name}”`).join('、')}` : '暂无其他符合条件的产品，融资顾问将跟进',
    });
    await recordAudit(t, { actor, action: 'application.referral', targetType: 'loan_application', targetId: row.id, outcome: 'success', detail: { products: products.map((p) => p.id) }, meta });
    await enqueueNotifications(
      t,
      await advisorNotices(t, row, `转介推荐：${enterprise.name}`, `企业申请未通过后同意推荐，${products.length ? `系统推荐 ${products.length} 个产品` : '暂无符合条件的其他产品'}，请跟进。`),
    );
  });
  return myApplication(app, actor, enterpriseId, applicationId);
}
