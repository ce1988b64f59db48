import { QueryTypes } from 'sequelize';
import { LOAN_CLASSES, NON_PERFORMING_CLASSES, SATISFIED_MIN, type TInstitutionFigures, type TInstitutionRecord, type TLoanClass } from '@xyd/shared';
import type { AppContext } from '../../context';
import { toNumber } from '../../db';
import { clock } from '../../lib/clock';
import type { AdminActor } from '../identity/actor';
import { institutionNames } from '../matching/products';
import { scopedEnterpriseIdsSql } from '../enterprises/repository';

/**
 * Figures per institution over the applications the caller may see (an institution sees its own; government and
 * advisors their region; the platform everything): service-level breaches, decisions, loans, balance, the balance-
 * weighted rate, NPL (次级 + 可疑 + 损失), first-loan firms, the credit-loan share and return-visit satisfaction.
 * Loan balances and classes are as of the loans' last refresh (every report, and daily on the worker).
 */

function scopeOf(actor: AdminActor): { where: string; replacements: Record<string, unknown> } {
  if (actor.role === 'fi_admin' || actor.role === 'fi_officer') return { where: 'a.institution_id = :org', replacements: { org: actor.organisationId } };
  if (actor.role === 'platform_admin' || actor.role === 'advisor' || actor.role === 'gov') {
    return { where: `a.enterprise_id IN ${scopedEnterpriseIdsSql(actor, 'registration')}`, replacements: {} };
  }
  return { where: '1=0', replacements: {} };
}

export async function financingFigures(app: AppContext, actor: AdminActor): Promise<TInstitutionFigures[]> {
  const { where, replacements } = scopeOf(actor);
  const q = <T extends object>(sql: string) => app.db.sequelize.query<T>(sql, { replacements: { ...replacements, npl: [...NON_PERFORMING_CLASSES], satisfied: SATISFIED_MIN }, type: QueryTypes.SELECT });
  const [applications, loans, classes, visits] = await Promise.all([
    q<Record<string, unknown>>(
      `SELECT a.institution_id AS institutionId, COUNT(*) AS n,
         SUM(CASE WHEN a.status IN ('submitted', 'accepted', 'investigating', 'approved') THEN 1 ELSE 0 END) AS open,
         SUM(CASE WHEN a.accept_breached_at IS NOT NULL THEN 1 ELSE 0 END) AS acceptBreaches,
         SUM(CASE WHEN a.decide_breached_at IS NOT NULL THEN 1 ELSE 0 END) AS decideBreaches,
         SUM(CASE WHEN a.offer IS NOT NULL THEN 1 ELSE 0 END) AS approved,
         SUM(CASE WHEN a.status = 'rejected' THEN 1 ELSE 0 END) AS rejected
       FROM loan_applications a WHERE ${where} GROUP BY a.institution_id`,
    ),
    q<Record<string, unknown>>(
      `SELECT l.institution_id AS institutionId, COUNT(*) AS n, SUM(l.amount_fen) AS disbursed,
         SUM(CASE WHEN l.status <> 'settled' THEN l.balance_fen ELSE 0 END) AS balance,
         SUM(CASE WHEN l.status <> 'settled' THEN l.balance_fen * l.rate_bp ELSE 0 END) AS rateWeight,
         SUM(CASE WHEN l.status <> 'settled' AND l.loan_class IN (:npl) THEN l.balance_fen ELSE 0 END) AS npl,
         COUNT(DISTINCT CASE WHEN l.first_loan = 1 THEN l.enterprise_id END) AS firstLoanFirms,
         SUM(CASE WHEN l.credit_loan = 1 THEN l.amount_fen ELSE 0 END) AS creditAmount
       FROM loans l JOIN loan_applications a ON a.id = l.application_id WHERE ${where} GROUP BY l.institution_id`,
    ),
    q<{ institutionId: unknown; loanClass: TLoanClass; n: unknown }>(
      `SELECT l.institution_id AS institutionId, l.loan_class AS loanClass, COUNT(*) AS n
       FROM loans l JOIN loan_applications a ON a.id = l.application_id WHERE ${where} AND l.status <> 'settled'
       GROUP BY l.institution_id, l.loan_class`,
    ),
    q<Record<string, unknown>>(
      `SELECT a.institution_id AS institutionId, COUNT(*) AS n, SUM(CASE WHEN v.satisfaction >= :satisfied THEN 1 ELSE 0 END) AS satisfied
       FROM return_visits v JOIN loan_applications a ON a.id = v.application_id WHERE ${where} GROUP BY a.institution_id`,
    ),
  ]);
  const ids = [...new Set(applications.map((r) => String(r.institutionId)))];
  const names = await institutionNames(ids);
  const byId = <T extends { institutionId?: unknown }>(rows: T[]) => new Map(rows.map((r) => [String(r.institutionId), r]));
  const loanOf = byId(loans);
  const visitOf = byId(visits);
  return ids
    .map((id) => {
      const a = applications.find((r) => String(r.institutionId) === id)!;
      const l = loanOf.get(id);
      const v = visitOf.get(id);
      const balance = toNumber(l?.balance);
      const disbursed = toNumber(l?.disbursed);
      const byClass = Object.fromEntries(LOAN_CLASSES.map((c) => [c, 0])) as Record<TLoanClass, number>;
      for (const row of classes.filter((r) => String(r.institutionId) === id)) byClass[row.loanClass] = toNumber(row.n);
      return {
        institutionId: id,
        institutionName: names.get(id) ?? '',
        applications: toNumber(a.n),
        open: toNumber(a.open),
        acceptBreaches: toNumber(a.acceptBreaches),
        decideBreaches: toNumber(a.decideBreaches),
        approved: toNumber(a.approved),
        rejected: toNumber(a.rejected),
        loans: toNumber(l?.n),
        disbursedFen: disbursed,
        balanceFen: balance,
        weightedRateBp: balance > 0 ? Math.round(toNumber(l?.rateWeight) / balance) : null,
        nplBalanceFen: toNumber(l?.npl),
        firstLoanFirms: toNumber(l?.firstLoanFirms),
        creditLoanShare: disbursed > 0 ? toNumber(l?.creditAmount) / disbursed : null,
        byClass,
        visits: toNumber(v?.n),
        satisfiedShare: toNumber(v?.n) > 0 ? toNumber(v?.satisfied) / toNumber(v?.n) : null,
      };
    })
    .sort((x, y) => y.applications - x.applications || x.institutionName.localeCompare(y.institutionName, 'zh-CN'));
}

/** Decisions an institution needs on the platform before its record counts in matching (else neutral). */
export const RECORD_MIN_DECISIONS = 5;
/** The record looks back this many days. */
const RECORD_DAYS = 365;

/**
 * Each institution's record for the matcher's soft score (shared `TInstitutionRecord`), from its decisions of the
 * last year: `approval` the share of decisions that were approvals, `turnaround` the share made within the decide
 * clock. An institution with fewer than RECORD_MIN_DECISIONS decisions has no record and scores neutral.
 */
export async function institutionRecords(app: AppContext): Promise<Map<string, TInstitutionRecord>> {
  const since = new Date(clock.nowMs() - RECORD_DAYS * 86_400_000);
  const rows = await app.db.sequelize.query<Record<string, unknown>>(
    `SELECT a.institution_id AS institutionId, COUNT(*) AS decided,
       SUM(CASE WHEN a.offer IS NOT NULL THEN 1 ELSE 0 END) AS approved,
       SUM(CASE WHEN a.decide_breached_at IS NULL THEN 1 ELSE 0 END) AS onTime
     FROM loan_applications a WHERE a.decided_at IS NOT NULL AND a.decided_at >= :since GROUP BY a.institution_id`,
    { replacements: { since }, type: QueryTypes.SELECT },
  );
  const records = new Map<string, TInstitutionRecord>();
  for (const r of rows) {
    const decided = toNumber(r.decided);
    if (decided < RECORD_MIN_DECISIONS) continue;
    records.set(String(r.institutionId), { approval: toNumber(r.approved) / decided, turnaround: toNumber(r.onTime) / decided });
  }
  return records;
}
