import { Op, QueryTypes, type Transaction, type WhereOptions } from 'sequelize';
import {
  WARNING_RULE_LABELS,
  WARNING_SEVERITY_LABELS,
  describeCreditPayload,
  type PageResult,
  type TCreditCategory,
  type TCreditWarning,
  type TCreditWarningQuery,
  type TWarningCause,
  type TWarningRuleCode,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ConflictError, NotFoundError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { recordAudit } from '../audit/service';
import { enterpriseIdsMatchingSql, enterpriseLabels, scopedEnterpriseIds, type EnterpriseSummaryRow } from '../enterprises/repository';
import type { AdminActor } from '../identity/actor';
import { activeAdvisors, activePlatformAdmins, regionResponders, type RegionAdvisor } from '../identity/advisors';
import { enqueueNotifications, type Notification } from '../notifications/service';
import { institutionExposures, type ExposureRecipient } from '../financing/exposure';
import { CreditWarning } from './models';

/**
 * Risk warnings (风险预警): raised by scoring, once per cause (the unique (enterprise, cause key) index), with the
 * records that caused them as evidence, and delivered through the outbox in the transaction that raised them.
 */

export interface WarningRecipient {
  kind: 'admin';
  id: string;
  /** Where the notice leads: an institution's user goes to its application, others to the warning. */
  applicationId?: string;
}

/**
 * Who is told of a warning: the advisors of the firm's region now, or the platform admins where no advisor covers
 * it, and the users of every institution with an open application or a live loan for the firm (`exposures`, read
 * once per batch by financing's institutionExposures).
 */
export async function warningRecipients(
  enterprise: { id: string; regionCode: string },
  advisors: readonly RegionAdvisor[],
  t: Transaction,
  platformAdmins?: { ids?: Promise<string[]> },
  exposures?: ReadonlyMap<string, ExposureRecipient[]>,
): Promise<WarningRecipient[]> {
  // The platform admins are read once per batch, not once per warning.
  const cache = platformAdmins ?? {};
  const ids = await regionResponders(t, enterprise.regionCode, { advisors, admins: () => (cache.ids ??= activePlatformAdmins(t)) });
  const platform = ids.map((id) => ({ kind: 'admin' as const, id }));
  const institutions = (exposures?.get(enterprise.id) ?? []).map((r) => ({ kind: 'admin' as const, id: r.userId, applicationId: r.applicationId }));
  return [...platform, ...institutions];
}

/** Inserts the causes not raised before and notifies; returns how many were new. */
export async function raiseWarnings(
  app: AppContext,
  enterprises: readonly EnterpriseSummaryRow[],
  causes: Map<string, TWarningCause[]>,
  rulesVersion: number,
  t: Transaction,
): Promise<number> {
  const withCauses = enterprises.filter((e) => (causes.get(e.id)?.length ?? 0) > 0);
  if (withCauses.length === 0) return 0;
  const existing = await app.db.sequelize.query<{ enterpriseId: unknown; causeKey: string }>(
    'SELECT enterprise_id AS enterpriseId, cause_key AS causeKey FROM credit_warnings WHERE enterprise_id IN (:ids)',
    { replacements: { ids: withCauses.map((e) => e.id) }, type: QueryTypes.SELECT, transaction: t },
  );
  const seen = new Set(existing.map((r) => `${r.enterpriseId}:${r.causeKey}`));
  const now = clock.now();
  const fresh: Array<{ enterprise: EnterpriseSummaryRow; cause: TWarningCause; id: string }> = [];
  for (const enterprise of withCauses) {
    for (const cause of causes.get(enterprise.id) ?? []) {
      const key = `${enterprise.id}:${cause.causeKey}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push({ enterprise, cause, id: newId() });
    }
  }
  if (fresh.length === 0) return 0;
  // Multi-row INSERTs: a batch of a few hundred firms can raise thousands of warnings.
  await insertRows(
    app.db.sequelize,
    'credit_warnings',
    ['id', 'enterprise_id', 'region_code', 'rule', 'severity', 'cause_key', 'title', 'detail', 'evidence', 'rules_version', 'status', 'raised_at'],
    fresh.map(({ enterprise, cause, id }) => [
      id,
      enterprise.id,
      enterprise.regionCode,
      cause.rule,
      cause.severity,
      cause.causeKey.slice(0, 191),
      cause.title.slice(0, 100),
      cause.detail.slice(0, 1000),
      JSON.stringify(cause.evidence.slice(0, 50)),
      rulesVersion,
      'open',
      now,
    ]),
    t,
  );
  const advisors = await activeAdvisors(t);
  const exposures = await institutionExposures([...new Set(fresh.map((f) => f.enterprise.id))], t);
  const notices: Notification[] = [];
  const admins: { ids?: Promise<string[]> } = {};
  for (const { enterprise, cause, id } of fresh) {
    for (const recipient of await warningRecipients(enterprise, advisors, t, admins, exposures)) {
      notices.push({
        recipientKind: recipient.kind,
        recipientId: recipient.id,
        templateKey: 'credit_warning',
        title: `风险预警（${WARNING_SEVERITY_LABELS[cause.severity]}）：${enterprise.name}`,
        body: `${cause.title}。${cause.detail}`,
        link: recipient.applicationId ? `/finance/applications/${recipient.applicationId}` : `/credit/warnings?id=${id}`,
      });
    }
  }
  await enqueueNotifications(t, notices);
  return fresh.length;
}

// ---- the console ----------------------------------------------------------------------------------------------

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

async function evidenceOf(app: AppContext, warnings: CreditWarning[]): Promise<Map<string, { category: TCreditCategory; summary: string }>> {
  const ids = [...new Set(warnings.flatMap((w) => JSON.parse(w.evidence) as string[]))];
  const found = new Map<string, { category: TCreditCategory; summary: string }>();
  if (ids.length === 0) return found;
  const rows = await app.db.sequelize.query<{ id: unknown; category: TCreditCategory; payload: string }>(
    'SELECT id, category, payload FROM credit_records WHERE id IN (:ids)',
    { replacements: { ids }, type: QueryTypes.SELECT },
  );
  for (const row of rows) {
    const fields = describeCreditPayload(row.category, JSON.parse(row.payload) as Record<string, unknown>);
    found.set(String(row.id), { category: row.category, summary: fields.slice(0, 4).map((f) => `${f.label}：${f.value}`).join('；') });
  }
  return found;
}

async function toDtos(app: AppContext, warnings: CreditWarning[]): Promise<TCreditWarning[]> {
  const [labels, evidence] = await Promise.all([enterpriseLabels(warnings.map((w) => w.enterpriseId)), evidenceOf(app, warnings)]);
  return warnings.map((w) => {
    const label = labels.get(w.enterpriseId);
    return {
      id: w.id,
      enterpriseId: w.enterpriseId,
      enterpriseName: label?.name ?? '',
      uscc: label?.uscc ?? '',
      regionCode: w.regionCode,
      rule: w.rule,
      ruleLabel: WARNING_RULE_LABELS[w.rule as TWarningRuleCode] ?? w.rule,
      severity: w.severity,
      title: w.title,
      detail: w.detail,
      evidence: (JSON.parse(w.evidence) as string[]).map((recordId) => ({
        recordId,
        category: evidence.get(recordId)?.category ?? null,
        summary: evidence.get(recordId)?.summary ?? '（记录已撤回或已过期）',
      })),
      status: w.status,
      raisedAt: iso(w.raisedAt)!,
      acknowledgedAt: iso(w.acknowledgedAt),
      closedAt: iso(w.closedAt),
      closeNote: w.closeNote,
    };
  });
}

/** Warnings of the enterprises in the caller's scope (the repository's subquery), newest first. */
export async function listWarnings(app: AppContext, actor: AdminActor, query: TCreditWarningQuery): Promise<PageResult<TCreditWarning>> {
  const where: WhereOptions<CreditWarning> = {};
  if (query.status) Object.assign(where, { status: query.status });
  if (query.rule) Object.assign(where, { rule: query.rule });
  if (query.severity) Object.assign(where, { severity: query.severity });
  if (query.enterpriseId) Object.assign(where, { enterpriseId: query.enterpriseId });
  const scoped: unknown[] = [{ enterpriseId: { [Op.in]: scopedEnterpriseIds(actor, 'credit_score') } }];
  // By name (contains) or USCC (exact), within the same scope.
  if (query.keyword) scoped.push({ enterpriseId: { [Op.in]: app.db.sequelize.literal(enterpriseIdsMatchingSql(query.keyword)) } });
  Object.assign(where, { [Op.and]: scoped });
  const { rows, count } = await CreditWarning.findAndCountAll({
    where,
    order: [['raisedAt', 'DESC'], ['id', 'DESC']],
    offset: (query.current - 1) * query.pageSize,
    limit: query.pageSize,
  });
  return { list: await toDtos(app, rows), total: count };
}

async function findScopedWarning(actor: AdminActor, id: string, t: Transaction): Promise<CreditWarning> {
  const warning = await CreditWarning.findOne({
    where: { id, enterpriseId: { [Op.in]: scopedEnterpriseIds(actor, 'credit_score') } },
    transaction: t,
    lock: t.LOCK.UPDATE,
  });
  if (!warning) throw new NotFoundError('预警不存在或无权访问');
  return warning;
}

/** open → acknowledged → closed; closing needs a note. Each move is audited, and a second identical move is a 409. */
export async function moveWarning(
  app: AppContext,
  actor: AdminActor,
  id: string,
  to: 'acknowledged' | 'closed',
  note: string | null,
  meta: RequestMeta,
): Promise<TCreditWarning> {
  const warning = await app.db.transaction(async (t) => {
    const w = await findScopedWarning(actor, id, t);
    if (w.status === 'closed') throw new ConflictError('预警已关闭');
    if (to === 'acknowledged' && w.status !== 'open') throw new ConflictError('预警已确认');
    const now = clock.now();
    const changes =
      to === 'acknowledged'
        ? { status: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: actor.id }
        : { status: 'closed' as const, closedAt: now, closedBy: actor.id, closeNote: note, ...(w.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedBy: actor.id }) };
    const [moved] = await CreditWarning.update(changes, { where: { id: w.id, status: w.status }, transaction: t });
    if (moved !== 1) throw new ConflictError('预警已被他人处理，请刷新');
    await recordAudit(t, {
      actor,
      action: to === 'acknowledged' ? 'credit.warning.acknowledge' : 'credit.warning.close',
      targetType: 'credit_warning',
      targetId: w.id,
      outcome: 'success',
      detail: { enterpriseId: w.enterpriseId, rule: w.rule, ...(note ? { note } : {}) },
      meta,
    });
    return (await CreditWarning.findByPk(w.id, { transaction: t }))!;
  });
  return (await toDtos(app, [warning]))[0];
}
