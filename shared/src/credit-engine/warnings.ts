import { z } from 'zod';
import type { TCreditCategory } from '../credit-data/categories';
import {
  BLACKLIST_TYPE_LABELS,
  ENFORCEMENT_STATUS_LABELS,
  PENALTY_SEVERITIES,
  PENALTY_SEVERITY_LABELS,
  type TBlacklistType,
  type TEnforcementStatus,
  type TPenaltySeverity,
} from '../credit-data/enums';
import { formatFenAsYuan } from '../credit-data/money';
import { ENTERPRISE_STATUS_LABELS } from '../enterprise/schema';
import { addDays } from '../common/calendar';
import { monthlySeries, periodNumber, periodOfNumber } from './features';
import { ratingNotches, type TCreditRating } from './scorecard';
import type { TFeatureRecord } from './types';

/**
 * Risk warnings (风险预警): rules over a firm's current records and over its score changes. The thresholds are a
 * versioned document like the scorecard. Each cause of a warning has a key that is the same every time the rules
 * run over the same data, so the database's unique key raises each warning once however often the rules run.
 */

export const WARNING_RULE_CODES = [
  'penalty',
  'blacklist',
  'court_defendant',
  'enforcement',
  'tax_arrears',
  'tax_level_d',
  'social_arrears',
  'utility_drop',
  'headcount_drop',
  'rating_down',
  'business_status',
] as const;
export type TWarningRuleCode = (typeof WARNING_RULE_CODES)[number];
export const ZWarningRuleCode = z.enum(WARNING_RULE_CODES);
export const WARNING_RULE_LABELS: Record<TWarningRuleCode, string> = {
  penalty: '新增行政处罚',
  blacklist: '列入黑名单',
  court_defendant: '新增被诉案件',
  enforcement: '被强制执行',
  tax_arrears: '欠税',
  tax_level_d: '纳税信用 D 级',
  social_arrears: '社保欠缴',
  utility_drop: '用电量骤降',
  headcount_drop: '参保人数骤降',
  rating_down: '信用评级下调',
  business_status: '经营状态异常',
};

export const WARNING_SEVERITIES = ['low', 'medium', 'high'] as const;
export type TWarningSeverity = (typeof WARNING_SEVERITIES)[number];
export const ZWarningSeverity = z.enum(WARNING_SEVERITIES);
export const WARNING_SEVERITY_LABELS: Record<TWarningSeverity, string> = { low: '低', medium: '中', high: '高' };

const ratio = (label: string, fallback: number) =>
  z.number({ error: `${label}应为数字` }).gt(0, `${label}应大于 0`).lt(1, `${label}应小于 1`).default(fallback);

export const ZWarningRules = z.object({
  format: z.literal('xyd-warning-rules/1'),
  name: z.string().min(1).max(100),
  description: z.string().max(2000),
  /** Records older than this (by their occurrence date or period) raise nothing: old news is in the score already. */
  lookbackDays: z.number().int().min(1, '回溯天数至少 1 天').max(3650, '回溯天数不能超过 3650 天').default(90),
  /** The least severe penalty that raises a warning. */
  penaltyMinSeverity: z.enum(PENALTY_SEVERITIES).default('general'),
  /** The warning's severity for each penalty severity. */
  penaltySeverity: z
    .object({
      minor: ZWarningSeverity.default('low'),
      general: ZWarningSeverity.default('medium'),
      serious: ZWarningSeverity.default('high'),
      severe: ZWarningSeverity.default('high'),
    })
    .prefault({}),
  /**
   * Electricity falls sharply when the latest month / the same month a year earlier is below this AND the last three
   * months / the same three a year earlier is below it plus 0.1: comparing with the firm's own year cancels its
   * seasons, and the three-month test keeps a one-month blip from firing.
   */
  utilityDropRatio: ratio('用电量下降阈值', 0.6),
  /** The same two tests for the insured headcount. */
  headcountDropRatio: ratio('参保人数下降阈值', 0.7),
  /** A rating that falls this many notches or more between two scores raises a warning. */
  ratingDownNotches: z.number().int().min(1, '评级下调档数至少为 1').max(8, '评级下调档数不能超过 8').default(2),
  enabled: z
    .object(Object.fromEntries(WARNING_RULE_CODES.map((code) => [code, z.boolean().default(true)])) as Record<TWarningRuleCode, z.ZodDefault<z.ZodBoolean>>)
    .prefault({}),
});
export type TWarningRules = z.infer<typeof ZWarningRules>;
export type TWarningRulesInput = z.input<typeof ZWarningRules>;

export const WARNING_RULES_V1: TWarningRules = ZWarningRules.parse({
  format: 'xyd-warning-rules/1',
  name: '预警规则 V1',
  description:
    '平台首版风险预警规则：新增一般及以上行政处罚、列入黑名单、新增被诉案件或被强制执行、欠税、纳税信用 D 级、社保欠缴、' +
    '用电量或参保人数相对上年同期骤降、信用评级下调两档及以上、经营异常或吊销注销。只看近 90 天的记录。',
});

export interface TWarningCause {
  rule: TWarningRuleCode;
  /** ≤ 191 characters, the same for the same cause every time: 'penalty:' + record id, 'utility_drop:2026-10', … */
  causeKey: string;
  severity: TWarningSeverity;
  /** Chinese, e.g. '新增较重行政处罚'. */
  title: string;
  /** Chinese, with the facts: date, amount, authority. */
  detail: string;
  /** Ids of the records that show it. */
  evidence: string[];
}

const MAX_KEY = 191;
const keyOf = (rule: TWarningRuleCode, suffix: string): string => `${rule}:${suffix}`.slice(0, MAX_KEY);

const percent = (value: number): string => `${Math.round(value * 100)}%`;
const text = (value: unknown): string => (typeof value === 'string' && value.length > 0 ? value : '（未填写）');

/** The calendar day `days` before an ISO date. */
interface Context {
  rules: TWarningRules;
  records: readonly TFeatureRecord[];
  asOf: string;
  /** Event records dated on or after this count. */
  since: string;
  /** Monthly records of this month or later count. */
  sinceMonth: string;
}

function penaltyCause(ctx: Context, record: TFeatureRecord): TWarningCause | null {
  const p = record.payload;
  const severity = p.severity as TPenaltySeverity;
  const rank = PENALTY_SEVERITIES.indexOf(severity);
  if (rank < 0 || rank < PENALTY_SEVERITIES.indexOf(ctx.rules.penaltyMinSeverity)) return null;
  const label = PENALTY_SEVERITY_LABELS[severity];
  const amount = typeof p.amountFen === 'number' && p.amountFen > 0 ? `，罚没金额 ${formatFenAsYuan(p.amountFen)}` : '';
  const repaired = record.corrected ? `；已于 ${text(p.correctedOn)} 完成信用修复` : '';
  return {
    rule: 'penalty',
    causeKey: keyOf('penalty', record.lineage ?? record.id),
    severity: ctx.rules.penaltySeverity[severity],
    title: `新增${label}行政处罚`,
    detail: `${record.occurredOn} ${text(p.decidedBy)}作出${label}行政处罚（${text(p.decisionNo)}），事由：${text(p.cause)}${amount}${repaired}`,
    evidence: [record.id],
  };
}

function blacklistCause(ctx: Context, record: TFeatureRecord): TWarningCause | null {
  const p = record.payload;
  const removedOn = p.removedOn as string | null | undefined;
  if (removedOn != null && removedOn <= ctx.asOf) return null;
  const list = BLACKLIST_TYPE_LABELS[p.listType as TBlacklistType] ?? text(p.listType);
  return {
    rule: 'blacklist',
    causeKey: keyOf('blacklist', record.lineage ?? record.id),
    severity: 'high',
    title: `列入${list}名单`,
    detail: `${record.occurredOn} 被${text(p.listedBy)}列入${list}名单，原因：${text(p.reason)}`,
    evidence: [record.id],
  };
}

function caseLine(record: TFeatureRecord): string {
  const p = record.payload;
  const amount = typeof p.amountFen === 'number' ? `，涉案金额 ${formatFenAsYuan(p.amountFen)}` : '';
  return `案号 ${text(p.caseNo)}，${text(p.court)}，案由：${text(p.cause)}${amount}`;
}

function courtCauses(ctx: Context, record: TFeatureRecord, out: TWarningCause[]): void {
  const p = record.payload;
  if (p.role !== 'defendant') return;
  const on = record.occurredOn as string;
  if (ctx.rules.enabled.court_defendant && on >= ctx.since) {
    out.push({
      rule: 'court_defendant',
      causeKey: keyOf('court_defendant', record.lineage ?? record.id),
      severity: 'medium',
      title: '新增被诉案件',
      detail: `${on} 作为被告被立案：${caseLine(record)}`,
      evidence: [record.id],
    });
  }
  const enforcement = p.enforcement as TEnforcementStatus;
  // Enforcement has no date of its own; the case's latest date (its closing, else its filing) stands for it.
  const latest = typeof p.closedOn === 'string' && p.closedOn > on ? p.closedOn : on;
  if (ctx.rules.enabled.enforcement && (enforcement === 'enforcing' || enforcement === 'terminated') && latest >= ctx.since) {
    out.push({
      rule: 'enforcement',
      causeKey: keyOf('enforcement', record.lineage ?? record.id),
      severity: 'high',
      title: enforcement === 'enforcing' ? '成为被执行人' : '被执行案件终结本次执行',
      detail: `作为被执行人，执行情况：${ENFORCEMENT_STATUS_LABELS[enforcement]}；${caseLine(record)}`,
      evidence: [record.id],
    });
  }
}

/** The latest period of a monthly category with arrears, within the lookback: one warning per period in arrears. */
function arrearsCause(ctx: Context, category: TCreditCategory, rule: 'tax_arrears' | 'social_arrears'): TWarningCause | null {
  let period: string | null = null;
  let owed = 0;
  let evidence: string[] = [];
  for (const record of ctx.records) {
    if (record.category !== category || record.disputed || record.period === null || record.period < ctx.sinceMonth) continue;
    const arrears = record.payload.arrearsFen;
    if (typeof arrears !== 'number' || arrears <= 0) continue;
    if (period === null || record.period > period) {
      period = record.period;
      owed = arrears;
      evidence = [record.id];
    } else if (record.period === period) {
      owed += arrears;
      evidence.push(record.id);
    }
  }
  if (period === null) return null;
  const tax = rule === 'tax_arrears';
  return {
    rule,
    causeKey: keyOf(rule, period),
    severity: 'medium',
    title: tax ? '出现欠税' : '社保欠缴',
    detail: `${period} ${tax ? '欠税' : '社会保险欠缴'} ${formatFenAsYuan(owed)}`,
    evidence,
  };
}

/**
 * Tax credit level D: keyed on the first period of the current run of D levels, so a firm that stays at D is warned
 * once, when it gets there.
 */
function taxLevelCause(ctx: Context): TWarningCause | null {
  const rated = ctx.records.filter((r) => r.category === 'tax' && !r.disputed && r.period !== null && typeof r.payload.creditLevel === 'string');
  if (rated.length === 0) return null;
  rated.sort((a, b) => ((a.period as string) < (b.period as string) ? 1 : (a.period as string) > (b.period as string) ? -1 : 0));
  if (rated[0].payload.creditLevel !== 'D') return null;
  let first = rated[0];
  for (const record of rated) {
    if (record.payload.creditLevel !== 'D') break;
    first = record;
  }
  const start = first.period as string;
  if (start < ctx.sinceMonth) return null;
  return {
    rule: 'tax_level_d',
    causeKey: keyOf('tax_level_d', start),
    severity: 'high',
    title: '纳税信用评为 D 级',
    detail: `自 ${start} 起纳税记录显示纳税信用级别为 D 级`,
    evidence: first === rated[0] ? [first.id] : [rated[0].id, first.id],
  };
}

const DROP_FIELDS = {
  utility_drop: { category: 'utility', field: 'electricityKwh', what: '用电量', unit: '千瓦时', title: '用电量大幅下降' },
  headcount_drop: { category: 'social_security', field: 'insuredHeadcount', what: '参保人数', unit: '人', title: '参保人数大幅下降' },
} as const;

/**
 * A fall against the firm's own year: the latest whole month in the lookback against the same month a year earlier
 * below the ratio, and the last three months against the same three a year earlier below the ratio + 0.1.
 */
function dropCause(ctx: Context, rule: 'utility_drop' | 'headcount_drop', threshold: number): TWarningCause | null {
  const { category, field, what, unit, title } = DROP_FIELDS[rule];
  const asOfMonth = periodNumber(ctx.asOf);
  const months = asOfMonth - periodNumber(ctx.sinceMonth) + 15;
  const series = monthlySeries(ctx.records, category, field, ctx.asOf, months);
  const first = asOfMonth - months;
  let latest = months - 1;
  while (latest >= 0 && series[latest] === null) latest--;
  // Within the lookback the latest month has a year and three months of series before it (see `months`).
  if (latest < 0 || first + latest < periodNumber(ctx.sinceMonth)) return null;
  const now = series[latest] as number;
  const before = series[latest - 12];
  if (before === null || !(before > 0) || !(now / before < threshold)) return null;
  let recent = 0;
  let earlier = 0;
  let pairs = 0;
  const periods: number[] = [];
  for (let i = latest; i > latest - 3; i--) {
    const a = series[i];
    const b = series[i - 12];
    if (a === null || b === null) continue;
    recent += a;
    earlier += b;
    pairs++;
    periods.push(first + i, first + i - 12);
  }
  if (pairs < 2 || !(earlier > 0) || !(recent / earlier < threshold + 0.1)) return null;
  const wanted = new Set(periods.map(periodOfNumber));
  const evidence = ctx.records
    .filter((r) => r.category === category && !r.disputed && r.period !== null && wanted.has(r.period) && typeof r.payload[field] === 'number')
    .sort((a, b) => ((a.period as string) < (b.period as string) ? 1 : (a.period as string) > (b.period as string) ? -1 : 0))
    .map((r) => r.id);
  const period = periodOfNumber(first + latest);
  return {
    rule,
    causeKey: keyOf(rule, period),
    severity: 'medium',
    title,
    detail: `${period} ${what} ${now} ${unit}，为上年同月（${before} ${unit}）的 ${percent(now / before)}；近 3 个月同比为 ${percent(recent / earlier)}`,
    evidence,
  };
}

const STATUS_SEVERITY: Record<string, TWarningSeverity> = { abnormal: 'medium', revoked: 'high', cancelled: 'high' };

function businessStatusCause(ctx: Context, status: string): TWarningCause | null {
  const severity = STATUS_SEVERITY[status];
  if (!severity) return null;
  const label = ENTERPRISE_STATUS_LABELS[status as keyof typeof ENTERPRISE_STATUS_LABELS];
  return {
    rule: 'business_status',
    causeKey: keyOf('business_status', status),
    severity,
    title: status === 'abnormal' ? '列入经营异常' : `企业已${label}`,
    detail: `企业登记状态为「${label}」`,
    evidence: ctx.records.filter((r) => r.category === 'registration' && !r.disputed && r.payload.status === status).map((r) => r.id),
  };
}

/**
 * The warnings a firm's current records give, as of a date (today, for the live rules). Pass every current record of
 * the firm, not only a batch's: the drop rules compare with a year earlier. Disputed records raise nothing;
 * `businessStatus` is the firm's status as the features read it.
 */
export function detectRecordWarnings(
  rules: TWarningRules,
  input: { records: readonly TFeatureRecord[]; asOf: string; businessStatus: string },
): TWarningCause[] {
  const since = addDays(input.asOf, -rules.lookbackDays);
  const ctx: Context = { rules, records: input.records, asOf: input.asOf, since, sinceMonth: since.slice(0, 7) };
  const { enabled } = rules;
  const causes: TWarningCause[] = [];
  const push = (cause: TWarningCause | null) => {
    if (cause) causes.push(cause);
  };

  for (const record of input.records) {
    if (record.disputed || record.occurredOn === null) continue;
    // A case is looked at by its latest date too (for enforcement), so it checks its dates itself.
    if (record.category === 'court_case') courtCauses(ctx, record, causes);
    else if (record.occurredOn < since) continue;
    else if (record.category === 'penalty' && enabled.penalty) push(penaltyCause(ctx, record));
    else if (record.category === 'blacklist' && enabled.blacklist) push(blacklistCause(ctx, record));
  }
  if (enabled.tax_arrears) push(arrearsCause(ctx, 'tax', 'tax_arrears'));
  if (enabled.social_arrears) push(arrearsCause(ctx, 'social_security', 'social_arrears'));
  if (enabled.tax_level_d) push(taxLevelCause(ctx));
  if (enabled.utility_drop) push(dropCause(ctx, 'utility_drop', rules.utilityDropRatio));
  if (enabled.headcount_drop) push(dropCause(ctx, 'headcount_drop', rules.headcountDropRatio));
  if (enabled.business_status) push(businessStatusCause(ctx, input.businessStatus));
  return causes;
}

type TScoreRef = { rating: TCreditRating | null; score: number; scoreId: string };

/** A rating down by `ratingDownNotches` or more from the previous score; a withheld rating is business_status's. */
export function detectScoreWarnings(rules: TWarningRules, previous: TScoreRef | null, current: TScoreRef): TWarningCause[] {
  if (!rules.enabled.rating_down || !previous || previous.rating === null || current.rating === null) return [];
  const notches = ratingNotches(previous.rating, current.rating);
  if (notches < rules.ratingDownNotches) return [];
  return [
    {
      rule: 'rating_down',
      causeKey: keyOf('rating_down', current.scoreId),
      severity: notches > rules.ratingDownNotches ? 'high' : 'medium',
      title: `信用评级下调 ${notches} 档`,
      detail: `信用评级由 ${previous.rating}（${previous.score} 分）下调至 ${current.rating}（${current.score} 分）`,
      evidence: [],
    },
  ];
}
