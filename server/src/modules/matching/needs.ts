import { Op, QueryTypes, type Transaction, type WhereOptions } from 'sequelize';
import {
  NEED_PURPOSE_LABELS,
  NEED_STATUS_LABELS,
  NEED_TRANSITIONS,
  ZMatchOutcome,
  addWorkingDays,
  formatFen,
  shanghaiDate,
  unconfirmedYears,
  workingDaysBetween,
  type PageResult,
  type TMatchAdd,
  type TMatchOrder,
  type TMatchReview,
  type TMyNeed,
  type TNeed,
  type TNeedAssign,
  type TNeedClock,
  type TNeedDetail,
  type TNeedInput,
  type TNeedMatch,
  type TNeedNote,
  type TNeedNoteInput,
  type TNeedPrefill,
  type TNeedQuery,
  type TNeedRelease,
  type TWorkCalendar,
  evaluateProduct,
  industryByCode,
  isNearMiss,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { enqueueJob } from '../../jobs/queue';
import { recordAudit } from '../audit/service';
import { enterpriseLabels, findScopedEnterprise, membersOf, scopedEnterpriseIds } from '../enterprises/repository';
import type { Actor, AdminActor, WechatActor } from '../identity/actor';
import { activeAdvisors, activePlatformAdmins, advisorsCovering } from '../identity/advisors';
import { AdminUser } from '../identity/models';
import { regionName } from '../regions/service';
import { enqueueNotification, enqueueNotifications, type Notification } from '../notifications/service';
import { creditProfile } from '../credit-engine/profile';
import { CreditWarning } from '../credit-engine/models';
import { loadWorkCalendar } from '../calendar/service';
import { FinancingNeed, NeedMatch, NeedNote, Product, ProductRevision } from './models';
import { institutionNames, matchProductsByRevision, publishedCatalogue } from './products';
import { institutionRecords } from '../financing/figures';
import { matchProfiles } from './profiles';
import { matchNeedOf } from './run';
import { notifyMembers } from '../enterprises/notify';

/**
 * Financing needs (融资需求): the firm asks in one tap; an advisor of its region (the one with the fewest open needs)
 * reviews the system's matches and releases a recommendation, within a number of working days; where no advisor
 * covers the region the need sits in the platform admins' queue, so none is stranded. Needs are enterprise data:
 * every read goes through the enterprise repository's scope.
 */

const NEAR_MISSES_SHOWN = 20;

function yearsSince(date: string, today: string): number {
  const [y1, m1, d1] = date.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = today.split('-').map(Number) as [number, number, number];
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
  return Math.max(0, Math.round((months / 12) * 10) / 10);
}

export function needClock(need: FinancingNeed, calendar: TWorkCalendar, today: string): TNeedClock | null {
  if (need.status !== 'reviewing') return null;
  const left = today <= need.dueOn ? workingDaysBetween(calendar, today, need.dueOn).days : -workingDaysBetween(calendar, need.dueOn, today).days;
  const years = unconfirmedYears(calendar, need.clockFrom, need.dueOn);
  return {
    dueOn: need.dueOn,
    workingDaysLeft: left,
    confirmed: years.length === 0,
    unconfirmedYears: years,
    remindedAt: need.remindedAt ? new Date(need.remindedAt).toISOString() : null,
    escalatedAt: need.escalatedAt ? new Date(need.escalatedAt).toISOString() : null,
  };
}

async function advisorNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const list = [...new Set(ids.filter((id): id is string => !!id))];
  if (list.length === 0) return new Map();
  const rows = await AdminUser.findAll({ where: { id: list }, attributes: ['id', 'displayName'], raw: true });
  return new Map(rows.map((r) => [String(r.id), r.displayName]));
}

async function toDtos(needs: FinancingNeed[]): Promise<TNeed[]> {
  const [labels, names, calendar] = await Promise.all([
    enterpriseLabels(needs.map((n) => n.enterpriseId)),
    advisorNames(needs.map((n) => n.advisorId)),
    loadWorkCalendar(),
  ]);
  const today = shanghaiDate(clock.now());
  return needs.map((n) => ({
    id: n.id,
    enterpriseId: n.enterpriseId,
    enterpriseName: labels.get(n.enterpriseId)?.name ?? '',
    regionCode: n.regionCode,
    amountFen: n.amountFen,
    termMonths: n.termMonths,
    purpose: n.purpose,
    guaranteeMethods: matchNeedOf(n).guaranteeMethods.slice(),
    maxRateBp: n.maxRateBp,
    urgency: n.urgency,
    note: n.note,
    status: n.status,
    advisorId: n.advisorId,
    advisorName: n.advisorId ? (names.get(n.advisorId) ?? null) : null,
    submittedAt: new Date(n.submittedAt).toISOString(),
    updatedAt: new Date(n.updatedAt).toISOString(),
    releasedAt: n.releasedAt ? new Date(n.releasedAt).toISOString() : null,
    releaseMessage: n.releaseMessage ?? null,
    matchedAt: n.matchedAt ? new Date(n.matchedAt).toISOString() : null,
    fitCount: n.fitCount,
    clock: needClock(n, calendar, today),
    version: n.version,
  }));
}

/** The advisor with the fewest needs under review among those covering the region; null when none covers it. */
async function pickAdvisor(t: Transaction, regionCode: string): Promise<string | null> {
  const covering = advisorsCovering(await activeAdvisors(t), regionCode);
  if (covering.length === 0) return null;
  const rows = await FinancingNeed.sequelize!.query<{ advisorId: unknown; n: unknown }>(
    `SELECT advisor_id AS advisorId, COUNT(*) AS n FROM financing_needs WHERE status = 'reviewing' AND advisor_id IN (:ids) GROUP BY advisor_id`,
    { replacements: { ids: covering.map((a) => a.id) }, type: QueryTypes.SELECT, transaction: t },
  );
  const open = new Map(rows.map((r) => [String(r.advisorId), Number(r.n)]));
  return [...covering].sort((a, b) => (open.get(a.id) ?? 0) - (open.get(b.id) ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0].id;
}

/** The assigned advisor, or every platform admin while the need is in the platform queue. */
async function reviewersOf(t: Transaction, need: FinancingNeed): Promise<string[]> {
  return need.advisorId ? [need.advisorId] : activePlatformAdmins(t);
}

function summaryOf(need: { amountFen: number; termMonths: number; purpose: keyof typeof NEED_PURPOSE_LABELS }, name: string): string {
  return `${name} ${formatFen(need.amountFen)} ${need.termMonths} 个月（${NEED_PURPOSE_LABELS[need.purpose]}）`;
}

async function dueFrom(app: AppContext, from: string): Promise<{ dueOn: string; confirmed: boolean }> {
  const answer = addWorkingDays(await loadWorkCalendar(), from, app.config.matching.releaseWorkingDays);
  return { dueOn: answer.date, confirmed: answer.confirmed };
}

async function ownEnterprise(actor: WechatActor, enterpriseId: string) {
  const enterprise = await findScopedEnterprise(actor, enterpriseId, 'registration');
  if (!enterprise) throw new NotFoundError('企业不存在或无权访问');
  return enterprise;
}

function needFields(input: TNeedInput) {
  return {
    amountFen: input.amountFen,
    termMonths: input.termMonths,
    purpose: input.purpose,
    guaranteeMethods: [...new Set(input.guaranteeMethods)].join(','),
    maxRateBp: input.maxRateBp,
    urgency: input.urgency,
    note: input.note,
  };
}

export async function submitNeed(app: AppContext, actor: WechatActor, enterpriseId: string, input: TNeedInput, meta: RequestMeta): Promise<TMyNeed> {
  const enterprise = await ownEnterprise(actor, enterpriseId);
  if (enterprise.status === 'revoked' || enterprise.status === 'cancelled') {
    throw new ValidationError('企业登记状态为吊销或注销，不能发布融资需求', [{ field: 'enterpriseId', message: '企业登记状态为吊销或注销，不能发布融资需求' }]);
  }
  const now = clock.now();
  const today = shanghaiDate(now);
  const due = await dueFrom(app, today);
  const need = await app.db.transaction(async (t) => {
    const advisorId = await pickAdvisor(t, enterprise.regionCode);
    const created = await FinancingNeed.create(
      {
        id: newId(),
        enterpriseId: enterprise.id,
        regionCode: enterprise.regionCode,
        submittedBy: actor.id,
        ...needFields(input),
        status: 'reviewing',
        advisorId,
        assignedAt: advisorId ? now : null,
        submittedAt: now,
        updatedAt: now,
        clockFrom: today,
        dueOn: due.dueOn,
        dueConfirmed: due.confirmed,
        version: 1,
      },
      { transaction: t },
    );
    await enqueueJob(t, 'matching.match-need', { needId: created.id });
    await recordAudit(t, {
      actor,
      action: 'need.submit',
      targetType: 'financing_need',
      targetId: created.id,
      outcome: 'success',
      detail: { enterpriseId: enterprise.id, amountFen: input.amountFen, termMonths: input.termMonths, advisorId },
      meta,
    });
    const summary = summaryOf(input, enterprise.name);
    await enqueueNotifications(
      t,
      (await reviewersOf(t, created)).map((id) => ({
        recipientKind: 'admin' as const,
        recipientId: id,
        templateKey: 'need_review',
        title: advisorId ? `新的融资需求待复核：${enterprise.name}` : `无顾问覆盖的融资需求：${enterprise.name}`,
        body: advisorId
          ? `${summary}，请在 ${due.dueOn} 前完成复核并推荐产品。`
          : `${summary}。企业所在区域没有融资顾问，需求已进入平台队列，请指派顾问或直接复核（${due.dueOn} 前）。`,
        link: `/finance/needs/${created.id}`,
      })),
    );
    await notifyMembers(t, enterprise.id, {
      templateKey: 'need_recommendation',
      title: '融资需求已提交',
      body: `${summary} 已提交，融资顾问将在 ${due.dueOn} 前为您复核推荐产品。`,
      link: `/subpackages/finance/need/index?id=${created.id}`,
    });
    return created;
  });
  return myNeedDto(need);
}

async function findOwnNeed(actor: WechatActor, enterpriseId: string, needId: string, t?: Transaction): Promise<FinancingNeed> {
  const enterprise = await ownEnterprise(actor, enterpriseId);
  const need = await FinancingNeed.findOne({ where: { id: needId, enterpriseId: enterprise.id }, transaction: t });
  if (!need) throw new NotFoundError('需求不存在或无权访问');
  return need;
}

/** The firm changes its need: it goes back to the advisor with a fresh clock and is matched again. */
export async function updateNeed(app: AppContext, actor: WechatActor, enterpriseId: string, needId: string, input: TNeedInput, meta: RequestMeta): Promise<TMyNeed> {
  await findOwnNeed(actor, enterpriseId, needId);
  const now = clock.now();
  const today = shanghaiDate(now);
  const due = await dueFrom(app, today);
  const updated = await app.db.transaction(async (t) => {
    const need = await findOwnNeed(actor, enterpriseId, needId, t);
    if (need.status === 'closed') throw new ConflictError('需求已关闭，不能修改；请发布新的需求');
    const [moved] = await FinancingNeed.update(
      {
        ...needFields(input),
        status: 'reviewing',
        updatedAt: now,
        clockFrom: today,
        dueOn: due.dueOn,
        dueConfirmed: due.confirmed,
        remindedAt: null,
        escalatedAt: null,
        version: need.version + 1,
      },
      { where: { id: need.id, version: need.version }, transaction: t },
    );
    if (moved !== 1) throw new ConflictError('需求刚被修改过，请刷新后重试');
    await enqueueJob(t, 'matching.match-need', { needId: need.id });
    await recordAudit(t, { actor, action: 'need.update', targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { amountFen: input.amountFen, termMonths: input.termMonths }, meta });
    for (const id of await reviewersOf(t, need)) {
      await enqueueNotification(t, {
        recipientKind: 'admin',
        recipientId: id,
        templateKey: 'need_review',
        title: '企业修改了融资需求',
        body: `企业修改了融资需求（${formatFen(input.amountFen)}，${input.termMonths} 个月），请在 ${due.dueOn} 前重新复核。`,
        link: `/finance/needs/${need.id}`,
      });
    }
    return (await FinancingNeed.findByPk(need.id, { transaction: t }))!;
  });
  return myNeedDto(updated);
}

export async function closeNeed(app: AppContext, actor: WechatActor, enterpriseId: string, needId: string, meta: RequestMeta): Promise<TMyNeed> {
  const closed = await app.db.transaction(async (t) => {
    const need = await findOwnNeed(actor, enterpriseId, needId, t);
    if (!NEED_TRANSITIONS[need.status].includes('closed')) throw new ConflictError(`需求${NEED_STATUS_LABELS[need.status]}，不能关闭`);
    const [moved] = await FinancingNeed.update({ status: 'closed', updatedAt: clock.now(), version: need.version + 1 }, { where: { id: need.id, version: need.version }, transaction: t });
    if (moved !== 1) throw new ConflictError('需求刚被修改过，请刷新后重试');
    await recordAudit(t, { actor, action: 'need.close', targetType: 'financing_need', targetId: need.id, outcome: 'success', meta });
    return (await FinancingNeed.findByPk(need.id, { transaction: t }))!;
  });
  return myNeedDto(closed);
}

// ---- matches as the API shows them ----------------------------------------------------------------------------------

async function matchDtos(rows: NeedMatch[]): Promise<TNeedMatch[]> {
  const revisions = await matchProductsByRevision(rows.map((r) => r.revisionId));
  const products = await Product.findAll({ where: { id: [...new Set(rows.map((r) => r.productId))] }, raw: true });
  const productById = new Map(products.map((p) => [String(p.id), p]));
  const names = await institutionNames(products.map((p) => String(p.institutionId)));
  // Fits ranked by the matcher's score: the same order matchNeed gives (score, then lower minimum rate, then id).
  const fitsRanked = rows
    .filter((r) => r.fits)
    .map((r) => ({ r, rate: revisions.get(r.revisionId)?.terms.rateMinBp ?? 0 }))
    .sort((a, b) => b.r.score - a.r.score || a.rate - b.rate || (a.r.productId < b.r.productId ? -1 : 1));
  const rankOf = new Map(fitsRanked.map((x, i) => [x.r.id, i + 1]));
  const out: TNeedMatch[] = [];
  for (const r of rows) {
    const revision = revisions.get(r.revisionId);
    const product = productById.get(r.productId);
    if (!revision || !product) continue;
    out.push({
      productId: r.productId,
      revisionId: r.revisionId,
      revision: 0,
      product: {
        ...revision.terms,
        id: r.productId,
        revisionId: r.revisionId,
        institutionId: String(product.institutionId),
        institutionName: names.get(String(product.institutionId)) ?? '',
        publishedAt: product.publishedAt ? new Date(product.publishedAt).toISOString() : null,
      },
      outcome: ZMatchOutcome.parse(JSON.parse(r.outcome)),
      systemRank: rankOf.get(r.id) ?? null,
      advisorRank: r.advisorRank ?? null,
      review: r.review,
      reviewReason: r.reviewReason ?? null,
      addedByAdvisor: Boolean(r.addedByAdvisor),
      isNew: Boolean(r.isNew),
      matchedAt: new Date(r.matchedAt).toISOString(),
    });
  }
  const revisionNumbers = await revisionNumbersOf(out.map((m) => m.revisionId));
  for (const m of out) m.revision = revisionNumbers.get(m.revisionId) ?? 0;
  return out;
}

async function revisionNumbersOf(ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await ProductRevision.findAll({ where: { id: [...new Set(ids)] }, attributes: ['id', 'revision'], raw: true });
  return new Map(rows.map((r) => [String(r.id), r.revision]));
}

/** The advisor's order first (ranked ones by rank), then the system's. */
function recommendedOrder(a: TNeedMatch, b: TNeedMatch): number {
  const ra = a.advisorRank ?? Number.MAX_SAFE_INTEGER;
  const rb = b.advisorRank ?? Number.MAX_SAFE_INTEGER;
  if (ra !== rb) return ra - rb;
  const sa = a.systemRank ?? Number.MAX_SAFE_INTEGER;
  const sb = b.systemRank ?? Number.MAX_SAFE_INTEGER;
  return sa - sb || b.outcome.score - a.outcome.score;
}

function nearMissOrder(a: TNeedMatch, b: TNeedMatch): number {
  return a.outcome.failed.length - b.outcome.failed.length || b.outcome.score - a.outcome.score || (a.productId < b.productId ? -1 : 1);
}

async function splitMatches(needId: string) {
  const rows = await NeedMatch.findAll({ where: { needId } });
  const all = await matchDtos(rows);
  return {
    all,
    matches: all.filter((m) => m.outcome.fits || m.addedByAdvisor).sort(recommendedOrder),
    nearMisses: all.filter((m) => !m.outcome.fits && !m.addedByAdvisor && isNearMiss(m.outcome)).sort(nearMissOrder).slice(0, NEAR_MISSES_SHOWN),
  };
}

async function myNeedDto(need: FinancingNeed): Promise<TMyNeed> {
  const [dto] = await toDtos([need]);
  const { clock: _clock, advisorId: _advisorId, ...rest } = dto;
  void _clock;
  void _advisorId;
  if (need.status !== 'released') return { ...rest, recommendations: [], nearMisses: [] };
  const { matches, nearMisses } = await splitMatches(need.id);
  return {
    ...rest,
    // Released: what the advisor confirmed or added, and fits found since (marked new); never what was removed.
    recommendations: matches.filter((m) => m.review === 'confirmed' || (m.review === 'pending' && m.isNew)),
    nearMisses: nearMisses.filter((m) => m.review !== 'removed'),
  };
}

export async function myNeeds(actor: WechatActor, enterpriseId: string): Promise<TNeed[]> {
  const enterprise = await ownEnterprise(actor, enterpriseId);
  const rows = await FinancingNeed.findAll({ where: { enterpriseId: enterprise.id }, order: [['submittedAt', 'DESC'], ['id', 'DESC']], limit: 100 });
  return (await toDtos(rows)).map((n) => ({ ...n, advisorId: null, clock: null }));
}

export async function myNeed(actor: WechatActor, enterpriseId: string, needId: string): Promise<TMyNeed> {
  return myNeedDto(await findOwnNeed(actor, enterpriseId, needId));
}

export async function needPrefill(app: AppContext, actor: WechatActor, enterpriseId: string): Promise<TNeedPrefill> {
  const enterprise = await ownEnterprise(actor, enterpriseId);
  const today = shanghaiDate(clock.now());
  const [profiles, last, open] = await Promise.all([
    matchProfiles(app, [enterprise.id], today),
    FinancingNeed.findOne({ where: { enterpriseId: enterprise.id }, order: [['submittedAt', 'DESC'], ['id', 'DESC']] }),
    FinancingNeed.findOne({ where: { enterpriseId: enterprise.id, status: { [Op.ne]: 'closed' } }, order: [['submittedAt', 'DESC'], ['id', 'DESC']], attributes: ['id'] }),
  ]);
  const profile = profiles.get(enterprise.id);
  // Without an earlier need: working capital for a year, unsecured, sized to a tenth of the registered capital
  // within 10–300 万元 (the band most micro and small firms' credit loans fall in).
  const capital = Number(enterprise.registeredCapitalFen) || 0;
  const suggestedAmount = Math.min(300_000_000, Math.max(10_000_000, Math.round(capital / 10 / 1_000_000) * 1_000_000));
  const suggestion: TNeedInput = last
    ? {
        amountFen: last.amountFen,
        termMonths: last.termMonths,
        purpose: last.purpose,
        guaranteeMethods: matchNeedOf(last).guaranteeMethods.slice(),
        maxRateBp: last.maxRateBp,
        urgency: last.urgency,
        note: '',
      }
    : { amountFen: suggestedAmount, termMonths: 12, purpose: 'working_capital', guaranteeMethods: ['credit'], maxRateBp: null, urgency: 'month', note: '' };
  return {
    enterpriseName: enterprise.name,
    regionName: regionName(enterprise.regionCode) ?? enterprise.regionCode,
    industryName: enterprise.industryName || industryByCode(enterprise.industryCode)?.name || enterprise.industryCode,
    scale: enterprise.scale,
    yearsEstablished: yearsSince(enterprise.establishedOn, today),
    rating: profile?.rating ?? null,
    score: profile?.score ?? null,
    suggestion,
    openNeedId: open?.id ?? null,
  };
}

// ---- the console: queue, review, release ------------------------------------------------------------------------------

function needScope(actor: Actor): WhereOptions<FinancingNeed> {
  return { enterpriseId: { [Op.in]: scopedEnterpriseIds(actor, 'credit_score') } };
}

export async function listNeeds(actor: AdminActor, query: TNeedQuery): Promise<PageResult<TNeed>> {
  const where: WhereOptions<FinancingNeed>[] = [needScope(actor)];
  if (query.status) where.push({ status: query.status });
  if (query.queue === 'mine') where.push({ advisorId: actor.id });
  if (query.queue === 'unassigned') where.push({ advisorId: null });
  if (query.escalated === 'true') where.push({ escalatedAt: { [Op.ne]: null } });
  if (query.escalated === 'false') where.push({ escalatedAt: null });
  if (query.enterpriseId) where.push({ enterpriseId: query.enterpriseId });
  const { rows, count } = await FinancingNeed.findAndCountAll({
    where: { [Op.and]: where },
    // Under review first, the most urgent (earliest due) first; then the rest, newest first.
    order: [
      [FinancingNeed.sequelize!.literal(`CASE WHEN status = 'reviewing' THEN 0 ELSE 1 END`), 'ASC'],
      ['dueOn', 'ASC'],
      ['submittedAt', 'DESC'],
      ['id', 'DESC'],
    ],
    offset: (query.current - 1) * query.pageSize,
    limit: query.pageSize,
  });
  return { list: await toDtos(rows), total: count };
}

async function findScopedNeed(actor: AdminActor, id: string, t?: Transaction): Promise<FinancingNeed> {
  const need = await FinancingNeed.findOne({ where: { [Op.and]: [{ id }, needScope(actor)] }, transaction: t });
  if (!need) throw new NotFoundError('需求不存在或无权访问');
  return need;
}

export async function needDetail(app: AppContext, actor: AdminActor, id: string): Promise<TNeedDetail> {
  const need = await findScopedNeed(actor, id);
  const [[dto], profile, warnings, split, notes, enterprise] = await Promise.all([
    toDtos([need]),
    creditProfile(app, actor, need.enterpriseId),
    CreditWarning.findAll({ where: { enterpriseId: need.enterpriseId, status: { [Op.ne]: 'closed' } }, order: [['raisedAt', 'DESC']], limit: 10 }),
    splitMatches(need.id),
    NeedNote.findAll({ where: { needId: need.id }, order: [['contactedAt', 'DESC'], ['id', 'DESC']], limit: 200 }),
    findScopedEnterprise(actor, need.enterpriseId, 'credit_score'),
  ]);
  if (!enterprise) throw new NotFoundError('需求不存在或无权访问');
  return {
    ...dto,
    profile: {
      score: profile.score?.score ?? null,
      rating: profile.score?.rating ?? null,
      reasons: (profile.score?.reasons ?? []).map((r) => ({ label: r.label, reason: r.reason, advice: r.advice })),
      openWarnings: warnings.map((w) => ({ id: w.id, title: w.title, severity: w.severity, raisedAt: new Date(w.raisedAt).toISOString() })),
      industryName: enterprise.industryName || industryByCode(enterprise.industryCode)?.name || enterprise.industryCode,
      scale: enterprise.scale,
      yearsEstablished: yearsSince(enterprise.establishedOn, shanghaiDate(clock.now())),
    },
    matches: split.matches,
    nearMisses: split.nearMisses,
    notes: notes.map(noteDto),
  };
}

function noteDto(n: NeedNote): TNeedNote {
  return {
    id: n.id,
    channel: n.channel,
    contactedAt: new Date(n.contactedAt).toISOString(),
    outcome: n.outcome,
    note: n.note,
    authorName: n.authorName,
    createdAt: new Date(n.createdAt).toISOString(),
  };
}

/** The assigned advisor or a platform admin may work on a need; government users only read. */
function assertReviewer(actor: AdminActor, need: FinancingNeed): void {
  if (actor.role === 'platform_admin') return;
  if (actor.role === 'advisor' && need.advisorId === actor.id) return;
  throw new ForbiddenError(actor.role === 'advisor' ? '该需求由其他融资顾问负责' : '当前角色不能复核融资需求');
}

/** Runs one review step: in scope, by a reviewer, on an open need; bumps the version so a release names what it saw. */
async function reviewStep<T>(app: AppContext, actor: AdminActor, id: string, step: (t: Transaction, need: FinancingNeed) => Promise<T>): Promise<T> {
  return app.db.transaction(async (t) => {
    const need = await findScopedNeed(actor, id, t);
    assertReviewer(actor, need);
    if (need.status === 'closed') throw new ConflictError('需求已关闭');
    const result = await step(t, need);
    const [moved] = await FinancingNeed.update({ version: need.version + 1, updatedAt: clock.now() }, { where: { id: need.id, version: need.version }, transaction: t });
    if (moved !== 1) throw new ConflictError('需求刚被他人修改，请刷新后重试');
    return result;
  });
}

async function findMatch(t: Transaction, needId: string, productId: string): Promise<NeedMatch> {
  const row = await NeedMatch.findOne({ where: { needId, productId }, transaction: t });
  if (!row) throw new NotFoundError('该需求没有这个匹配产品');
  return row;
}

export async function reviewMatch(app: AppContext, actor: AdminActor, id: string, productId: string, input: TMatchReview, meta: RequestMeta): Promise<TNeedDetail> {
  await reviewStep(app, actor, id, async (t, need) => {
    const row = await findMatch(t, need.id, productId);
    const review = input.action === 'confirm' ? 'confirmed' : input.action === 'remove' ? 'removed' : 'pending';
    await NeedMatch.update({ review, reviewReason: input.reason ?? null, isNew: false }, { where: { id: row.id }, transaction: t });
    await recordAudit(t, { actor, action: `need.match.${input.action}`, targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { productId, reason: input.reason ?? null }, meta });
  });
  return needDetail(app, actor, id);
}

export async function addMatch(app: AppContext, actor: AdminActor, id: string, input: TMatchAdd, meta: RequestMeta): Promise<TNeedDetail> {
  const product = (await publishedCatalogue()).find((p) => p.productId === input.productId);
  if (!product) throw new ValidationError('productId: 产品不存在或未上架', [{ field: 'productId', message: '产品不存在或未上架' }]);
  const records = await institutionRecords(app);
  await reviewStep(app, actor, id, async (t, need) => {
    const asOf = shanghaiDate(clock.now());
    const profile = (await matchProfiles(app, [need.enterpriseId], asOf)).get(need.enterpriseId);
    if (!profile) throw new NotFoundError('需求不存在或无权访问');
    const outcome = evaluateProduct(profile, matchNeedOf(need), product, { asOf, institutionRecords: records });
    const fields = {
      revisionId: product.revisionId,
      fits: outcome.fits,
      nearMiss: isNearMiss(outcome),
      score: outcome.score,
      outcome: JSON.stringify(outcome),
      review: 'confirmed' as const,
      reviewReason: input.reason,
      addedByAdvisor: true,
      matchedAt: clock.now(),
    };
    const existing = await NeedMatch.findOne({ where: { needId: need.id, productId: product.productId }, transaction: t });
    if (existing) await NeedMatch.update(fields, { where: { id: existing.id }, transaction: t });
    else await NeedMatch.create({ id: newId(), needId: need.id, productId: product.productId, ...fields }, { transaction: t });
    await recordAudit(t, { actor, action: 'need.match.add', targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { productId: product.productId, fits: outcome.fits, reason: input.reason }, meta });
  });
  return needDetail(app, actor, id);
}

export async function orderMatches(app: AppContext, actor: AdminActor, id: string, input: TMatchOrder, meta: RequestMeta): Promise<TNeedDetail> {
  if (new Set(input.productIds).size !== input.productIds.length) throw new ValidationError('productIds: 排序中有重复的产品', [{ field: 'productIds', message: '排序中有重复的产品' }]);
  await reviewStep(app, actor, id, async (t, need) => {
    const rows = await NeedMatch.findAll({ where: { needId: need.id }, attributes: ['id', 'productId'], transaction: t });
    const byProduct = new Map(rows.map((r) => [r.productId, r.id]));
    const unknown = input.productIds.filter((p) => !byProduct.has(p));
    if (unknown.length > 0) throw new ValidationError(`productIds: 产品 ${unknown.join('、')} 不在该需求的匹配结果中`, [{ field: 'productIds', message: `产品 ${unknown.join('、')} 不在该需求的匹配结果中` }]);
    await NeedMatch.update({ advisorRank: null }, { where: { needId: need.id }, transaction: t });
    for (const [index, productId] of input.productIds.entries()) {
      await NeedMatch.update({ advisorRank: index + 1 }, { where: { id: byProduct.get(productId)! }, transaction: t });
    }
    await recordAudit(t, { actor, action: 'need.match.order', targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { productIds: input.productIds }, meta });
  });
  return needDetail(app, actor, id);
}

/** A contact may be logged up to five minutes ahead of the server's clock (clock skew), never later. */
const NOTE_SKEW_MS = 5 * 60_000;

export async function addNote(app: AppContext, actor: AdminActor, id: string, input: TNeedNoteInput, meta: RequestMeta): Promise<TNeedNote> {
  const contactedAt = new Date(input.contactedAt);
  if (contactedAt.getTime() > clock.nowMs() + NOTE_SKEW_MS) {
    throw new ValidationError('contactedAt: 联系时间不能晚于现在', [{ field: 'contactedAt', message: '联系时间不能晚于现在' }]);
  }
  const note = await reviewStep(app, actor, id, async (t, need) => {
    const created = await NeedNote.create(
      { id: newId(), needId: need.id, authorId: actor.id, authorName: actor.displayName, channel: input.channel, contactedAt, outcome: input.outcome, note: input.note, createdAt: clock.now() },
      { transaction: t },
    );
    await recordAudit(t, { actor, action: 'need.note', targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { channel: input.channel }, meta });
    return created;
  });
  return noteDto(note);
}

export async function releaseNeed(app: AppContext, actor: AdminActor, id: string, input: TNeedRelease, meta: RequestMeta): Promise<TNeedDetail> {
  await app.db.transaction(async (t) => {
    const need = await findScopedNeed(actor, id, t);
    assertReviewer(actor, need);
    if (!NEED_TRANSITIONS[need.status].includes('released')) throw new ConflictError(`需求${NEED_STATUS_LABELS[need.status]}，不能推荐`);
    if (!need.matchedAt) throw new ConflictError('系统匹配尚未完成，请稍后再推荐');
    if (need.version !== input.version) throw new ConflictError('需求在您复核后有了变化，请刷新后确认再推荐');
    const now = clock.now();
    const [moved] = await FinancingNeed.update(
      { status: 'released', releasedAt: now, releasedBy: actor.id, releaseMessage: input.message || null, updatedAt: now, version: need.version + 1 },
      { where: { id: need.id, version: need.version }, transaction: t },
    );
    if (moved !== 1) throw new ConflictError('需求刚被他人修改，请刷新后重试');
    // What the advisor did not remove is recommended: the fits still pending become confirmed.
    await NeedMatch.update({ review: 'confirmed' }, { where: { needId: need.id, review: 'pending', fits: true }, transaction: t });
    await NeedMatch.update({ isNew: false }, { where: { needId: need.id }, transaction: t });
    const recommended = await NeedMatch.count({ where: { needId: need.id, review: 'confirmed' }, transaction: t });
    const labels = await enterpriseLabels([need.enterpriseId]);
    const name = labels.get(need.enterpriseId)?.name ?? '';
    await recordAudit(t, { actor, action: 'need.release', targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { recommended }, meta });
    await notifyMembers(t, need.enterpriseId, {
      templateKey: 'need_recommendation',
      title: recommended > 0 ? `融资顾问为您推荐了 ${recommended} 款产品` : '融资顾问已完成需求复核',
      body:
        (recommended > 0
          ? `您的融资需求（${formatFen(need.amountFen)}，${need.termMonths} 个月）已完成复核，推荐 ${recommended} 款产品，点击查看产品及匹配理由。`
          : `您的融资需求（${formatFen(need.amountFen)}，${need.termMonths} 个月）暂无完全符合条件的产品，点击查看差一点符合的产品及改进建议。`) +
        (input.message ? `顾问留言：${input.message}` : ''),
      link: `/subpackages/finance/need/index?id=${need.id}`,
      wechatData: {
        thing1: { value: `${name}融资需求`.slice(0, 20) },
        phrase2: { value: '已推荐' },
        thing3: { value: (recommended > 0 ? `推荐${recommended}款产品` : '查看改进建议').slice(0, 20) },
      },
    });
  });
  return needDetail(app, actor, id);
}

export async function assignNeed(app: AppContext, actor: AdminActor, id: string, input: TNeedAssign, meta: RequestMeta): Promise<TNeedDetail> {
  if (actor.role !== 'platform_admin') throw new ForbiddenError('只有平台管理员可以指派融资顾问');
  await app.db.transaction(async (t) => {
    const need = await findScopedNeed(actor, id, t);
    if (need.status === 'closed') throw new ConflictError('需求已关闭');
    const advisor = advisorsCovering(await activeAdvisors(t), need.regionCode).find((a) => a.id === input.advisorId);
    if (!advisor) throw new ValidationError('advisorId: 该顾问不存在、已停用或不负责企业所在区域', [{ field: 'advisorId', message: '该顾问不存在、已停用或不负责企业所在区域' }]);
    const now = clock.now();
    const [moved] = await FinancingNeed.update(
      { advisorId: advisor.id, assignedAt: now, updatedAt: now, version: need.version + 1 },
      { where: { id: need.id, version: need.version }, transaction: t },
    );
    if (moved !== 1) throw new ConflictError('需求刚被他人修改，请刷新后重试');
    await recordAudit(t, { actor, action: 'need.assign', targetType: 'financing_need', targetId: need.id, outcome: 'success', detail: { advisorId: advisor.id, from: need.advisorId }, meta });
    await enqueueNotification(t, {
      recipientKind: 'admin',
      recipientId: advisor.id,
      templateKey: 'need_review',
      title: '平台为您指派了融资需求',
      body: `请在 ${need.dueOn} 前完成复核并推荐产品。`,
      link: `/finance/needs/${need.id}`,
    });
  });
  return needDetail(app, actor, id);
}
