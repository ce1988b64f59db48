import { daysBetween, shiftDate } from '../common/calendar';
import type { TCreditCategory } from '../credit-data/categories';
import { ENTERPRISE_SCALES, ENTERPRISE_STATUSES } from '../enterprise/schema';
import { TAX_CREDIT_LEVELS } from '../credit-data/enums';
import { industryByCode } from '../industry';
import type { TFeatureVector } from './scorecard';
import type { TFeatureInput, TFeatureRecord } from './types';

/**
 * The enterprise profile (企业画像) as numbers: a pure function of the firm's registry facts, its current credit
 * records and the as-of date, so that a score can be recomputed for any past date and benchmarked without a database.
 *
 * Time rules, read off the data's meaning (credit-data/normalise.ts):
 * - an event record counts from its `occurredOn` (decision, listing, grant, filing, validity start) on;
 * - a monthly record (tax, social security, utility) counts once its month has ended: only the whole months before
 *   the as-of date's month, so a partial current month never looks like a collapse;
 * - end dates are read from the payload and compared with the as-of date: a blacklist entry removed after it, a case
 *   closed after it, a penalty repaired (信用修复) after it were all still open on that date.
 * Dates are compared as ISO strings; months are turned into month numbers from their characters, never through Date.
 */

export interface TPlatformFeature {
  label: string;
  kind: 'number' | 'category' | 'flag';
  unit?: string;
  description: string;
  /** The closed list of a category's values, where the data has one. */
  values?: readonly string[];
}

/** The features the platform computes; a scorecard activated on the platform may read only these. */
export const PLATFORM_FEATURES: Record<string, TPlatformFeature> = {
  yearsEstablished: { label: '成立年限', kind: 'number', unit: '年', description: '成立日期至评价日的年数，保留 1 位小数' },
  registeredCapitalWan: { label: '注册资本', kind: 'number', unit: '万元', description: '登记的注册资本' },
  scale: { label: '企业规模', kind: 'category', description: '微型、小型或中型', values: ENTERPRISE_SCALES },
  industrySection: { label: '行业门类', kind: 'category', description: 'GB/T 4754-2017 行业门类字母（A–T）' },
  businessStatus: {
    label: '登记状态',
    kind: 'category',
    description: '存续、经营异常、吊销或注销；取企业登记与登记注册记录中较差的一个',
    values: ENTERPRISE_STATUSES,
  },
  taxPaid12mWan: { label: '近 12 个月纳税额', kind: 'number', unit: '万元', description: '评价日所在月之前 12 个完整月的实缴税额合计；从无纳税记录时为空' },
  taxTrend: {
    label: '纳税趋势',
    kind: 'number',
    description: '近 6 个月月均实缴税额与此前 6 个月月均之比；任一半年不足 3 个月记录或前半年为 0 时为空',
  },
  taxMonthsMissing12m: {
    label: '近 12 个月缺失纳税期数',
    kind: 'number',
    unit: '个月',
    description: '近 12 个完整月中没有纳税记录的月数（成立前的月份不计）；从无纳税记录时为空',
  },
  taxCreditLevel: { label: '纳税信用级别', kind: 'category', description: '最近一期纳税记录上的纳税信用级别（A、B、M、C、D）', values: TAX_CREDIT_LEVELS },
  taxArrears: { label: '欠税', kind: 'flag', description: '最近 3 个月的纳税记录中有欠税' },
  insuredHeadcount: { label: '参保人数', kind: 'number', unit: '人', description: '近 12 个月内最近一期的参保人数' },
  headcountTrend: { label: '参保人数同比', kind: 'number', description: '最近一期参保人数与上年同月之比' },
  socialArrears: { label: '社保欠费', kind: 'flag', description: '最近 3 个月的社保记录中有欠缴' },
  utilityTrend: {
    label: '用电量同比',
    kind: 'number',
    description: '最近 3 个月用电量与上年同期 3 个月之比（同比，季节性相互抵消）',
  },
  utilityStability: {
    label: '用电稳定性',
    kind: 'number',
    description: '近 12 个月逐月用电同比的变异系数，越小越稳定；不足 6 对月份时为空',
  },
  utilityArrears: { label: '水电气欠费', kind: 'flag', description: '最近 3 个月的水电气记录中有欠费' },
  penaltyWeight: {
    label: '行政处罚加权分',
    kind: 'number',
    description: '近 36 个月处罚按严重程度（轻微 1、一般 2、较重 4、严重 8）× 时间远近（12 个月内 1、24 个月内 0.6、36 个月内 0.3）× 已信用修复 0.3 加总；没有处罚为 0',
  },
  seriousPenalties24m: { label: '近 24 个月较重及以上处罚', kind: 'number', unit: '次', description: '近 24 个月较重或严重、且未信用修复的行政处罚次数' },
  blacklistActive: { label: '在黑名单中', kind: 'flag', description: '评价日在任一黑名单中（已列入且未移出）' },
  courtDefendantOpen: { label: '未结被诉案件', kind: 'number', unit: '件', description: '作为被告、评价日尚未结案的案件数' },
  enforcementActive: { label: '被执行', kind: 'flag', description: '作为被告的案件处于执行中或终结本次执行' },
  arrearsAny: { label: '有欠费欠税', kind: 'flag', description: '欠税、社保欠费或水电气欠费之一' },
  honoursValid: { label: '有效荣誉', kind: 'number', unit: '项', description: '评价日在有效期内的荣誉（红名单、A 级纳税人、高新、专精特新等）数' },
  licencesValid: { label: '有效行政许可', kind: 'number', unit: '项', description: '评价日在有效期内、未被撤销或注销的许可数' },
};

// ---------------------------------------------------------------------------------------------------------------
// Months as numbers

const ZERO = 48;

/** 'YYYY-MM' (or a date) → year × 12 + month − 1, read from its characters. */
export function periodNumber(period: string): number {
  const year = (period.charCodeAt(0) - ZERO) * 1000 + (period.charCodeAt(1) - ZERO) * 100 + (period.charCodeAt(2) - ZERO) * 10 + (period.charCodeAt(3) - ZERO);
  return year * 12 + (period.charCodeAt(5) - ZERO) * 10 + (period.charCodeAt(6) - ZERO) - 1;
}

/** The inverse of `periodNumber`: 24313 → '2026-02'. */
export function periodOfNumber(n: number): string {
  const year = Math.floor(n / 12);
  const month = n - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}`;
}

/**
 * One numeric payload field of a monthly category over the `months` whole months before the as-of date's month,
 * oldest first (the last element is the month before the as-of month), null where no record has a value. Records of
 * the same period are summed: two meters or two insurance accounts of one firm add up. Disputed records are left out
 * unless `excludeDisputed` is false.
 */
export function monthlySeries(
  records: readonly TFeatureRecord[],
  category: TCreditCategory,
  field: string,
  asOf: string,
  months: number,
  excludeDisputed = true,
): (number | null)[] {
  const series: (number | null)[] = new Array(months).fill(null);
  const first = periodNumber(asOf) - months;
  for (const record of records) {
    if (record.category !== category || record.period === null || (excludeDisputed && record.disputed)) continue;
    const i = periodNumber(record.period) - first;
    if (i < 0 || i >= months) continue;
    const value = record.payload[field];
    if (typeof value !== 'number') continue;
    series[i] = (series[i] ?? 0) + value;
  }
  return series;
}

// ---------------------------------------------------------------------------------------------------------------
// computeFeatures

/** How far back the monthly arrays reach (k = months before the as-of month): a 12-month window a year earlier, plus
 *  the anchor's slack of up to 12 months. */
const DEPTH = 36;
/** The latest monthly record used as "current" must lie within the last 12 whole months; older data is no profile. */
const RECENT = 12;

// Scratch arrays indexed by k (1 … DEPTH); NaN means no record. Reused across calls: computeFeatures never calls out
// while it holds them, so it stays a pure function without allocating per call.
const taxPaid = new Float64Array(DEPTH + 1);
const taxArrears = new Float64Array(DEPTH + 1);
const insured = new Float64Array(DEPTH + 1);
const socialArrears = new Float64Array(DEPTH + 1);
const electricity = new Float64Array(DEPTH + 1);
const utilityArrears = new Float64Array(DEPTH + 1);

const SEVERITY_WEIGHT: Readonly<Record<string, number>> = { minor: 1, general: 2, serious: 4, severe: 8 };
/** Worse statuses override better ones. */
const STATUS_RANK: Readonly<Record<string, number>> = { active: 0, abnormal: 1, revoked: 2, cancelled: 3 };

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

const add = (array: Float64Array, k: number, value: number): void => {
  array[k] = Number.isNaN(array[k]) ? value : array[k] + value;
};

const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);

/** The smallest k in 1 … RECENT with a record, or 0. */
function anchorOf(present: Float64Array): number {
  for (let k = 1; k <= RECENT; k++) if (!Number.isNaN(present[k])) return k;
  return 0;
}

/** Any arrears in the three months ending with the anchor. */
function arrearsNear(arrears: Float64Array, anchor: number): boolean {
  if (anchor === 0) return false;
  for (let k = anchor; k < anchor + 3; k++) if (arrears[k] > 0) return true;
  return false;
}

/** Σ recent / Σ a year earlier over the months where both are known (at least `minPairs`); null otherwise. */
function yearOnYear(series: Float64Array, from: number, count: number, minPairs: number): number | null {
  let now = 0;
  let before = 0;
  let pairs = 0;
  for (let k = from; k < from + count; k++) {
    const a = series[k];
    const b = series[k + 12];
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    now += a;
    before += b;
    pairs++;
  }
  return pairs >= minPairs && before > 0 ? now / before : null;
}

// A full recompute scores every firm as of the same day: the day's cut-offs are worked out once.
let cutoffsOf = '';
let cutoffs: readonly [string, string, string] = ['', '', ''];

/** The days 12, 24 and 36 months before the as-of date. */
function penaltyCutoffs(asOf: string): readonly [string, string, string] {
  if (asOf !== cutoffsOf) {
    cutoffs = [shiftDate(asOf, -12), shiftDate(asOf, -24), shiftDate(asOf, -36)];
    cutoffsOf = asOf;
  }
  return cutoffs;
}

/** The 门类 letter: read off a canonical code (`C3484`), else looked up (a code typed without its letter). */
function industrySection(code: string): string | null {
  const first = code.charCodeAt(0);
  if (code.length === 5 && first >= 65 && first <= 84) return code.charAt(0);
  return industryByCode(code)?.code.charAt(0) ?? null;
}

export function computeFeatures(input: TFeatureInput): TFeatureVector {
  const { enterprise, records, asOf, excludeDisputed } = input;
  const asOfMonth = periodNumber(asOf);
  const [within12, within24, within36] = penaltyCutoffs(asOf);

  taxPaid.fill(Number.NaN);
  taxArrears.fill(Number.NaN);
  insured.fill(Number.NaN);
  socialArrears.fill(Number.NaN);
  electricity.fill(Number.NaN);
  utilityArrears.fill(Number.NaN);

  let anyTax = false;
  let levelK = Number.POSITIVE_INFINITY;
  let taxCreditLevel: string | null = null;
  let statusRank = STATUS_RANK[enterprise.status] ?? 0;
  let businessStatus = enterprise.status;
  let penaltyWeight = 0;
  let seriousPenalties24m = 0;
  let blacklistActive = false;
  let courtDefendantOpen = 0;
  let enforcementActive = false;
  let honoursValid = 0;
  let licencesValid = 0;

  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (excludeDisputed && record.disputed) continue;
    const p = record.payload;
    const period = record.period;
    if (period !== null) {
      const k = asOfMonth - periodNumber(period);
      if (k < 1) continue;
      switch (record.category) {
        case 'tax': {
          anyTax = true;
          const level = p.creditLevel;
          if (typeof level === 'string' && k < levelK) {
            levelK = k;
            taxCreditLevel = level;
          }
          if (k > DEPTH) break;
          add(taxPaid, k, num(p.taxPaidFen));
          add(taxArrears, k, num(p.arrearsFen));
          break;
        }
        case 'social_security':
          if (k > DEPTH) break;
          add(insured, k, num(p.insuredHeadcount));
          add(socialArrears, k, num(p.arrearsFen));
          break;
        case 'utility':
          if (k > DEPTH) break;
          if (typeof p.electricityKwh === 'number') add(electricity, k, p.electricityKwh);
          add(utilityArrears, k, num(p.arrearsFen));
          break;
        default:
          break;
      }
      continue;
    }

    const on = record.occurredOn;
    if (on === null || on > asOf) continue;
    switch (record.category) {
      case 'registration': {
        const status = p.status as string;
        const rank = STATUS_RANK[status];
        if (rank !== undefined && rank > statusRank) {
          statusRank = rank;
          businessStatus = status;
        }
        break;
      }
      case 'penalty': {
        if (on < within36) break;
        const correctedOn = p.correctedOn as string | null | undefined;
        // Repaired only once the repair is done: a penalty repaired after the as-of date weighed in full on that date.
        const corrected = record.corrected && (correctedOn == null || correctedOn <= asOf);
        const recency = on >= within12 ? 1 : on >= within24 ? 0.6 : 0.3;
        const severity = p.severity as string;
        penaltyWeight += (SEVERITY_WEIGHT[severity] ?? 0) * recency * (corrected ? 0.3 : 1);
        if (!corrected && on >= within24 && (severity === 'serious' || severity === 'severe')) seriousPenalties24m++;
        break;
      }
      case 'blacklist': {
        const removedOn = p.removedOn as string | null | undefined;
        if (removedOn == null || removedOn > asOf) blacklistActive = true;
        break;
      }
      case 'court_case': {
        if (p.role !== 'defendant') break;
        const closedOn = p.closedOn as string | null | undefined;
        if (closedOn == null || closedOn > asOf) courtDefendantOpen++;
        // Enforcement has no date of its own: the source's current word on the case. 终结本次执行 means the debt
        // stayed unpaid for want of assets, so it counts as much as an enforcement under way.
        if (p.enforcement === 'enforcing' || p.enforcement === 'terminated') enforcementActive = true;
        break;
      }
      case 'honour': {
        const validTo = p.validTo as string | null | undefined;
        if (validTo == null || validTo >= asOf) honoursValid++;
        break;
      }
      case 'licence': {
        const validTo = p.validTo as string | null | undefined;
        // Revocation and cancellation carry no date; an expiry does, so a licence now expired was valid before.
        if ((validTo == null || validTo >= asOf) && p.status !== 'revoked' && p.status !== 'cancelled') licencesValid++;
        break;
      }
      default:
        break;
    }
  }

  // Tax over the last 12 whole months; months before the firm existed are not missing.
  let taxPaid12mWan: number | null = null;
  let taxMonthsMissing12m: number | null = null;
  let taxTrend: number | null = null;
  if (anyTax) {
    const establishedMonth = periodNumber(enterprise.establishedOn);
    let paid = 0;
    let missing = 0;
    let recentPaid = 0;
    let recentMonths = 0;
    let earlierPaid = 0;
    let earlierMonths = 0;
    for (let k = 1; k <= 12; k++) {
      if (Number.isNaN(taxArrears[k])) {
        if (asOfMonth - k > establishedMonth) missing++;
        continue;
      }
      const amount = Number.isNaN(taxPaid[k]) ? 0 : taxPaid[k];
      paid += amount;
      if (k <= 6) {
        recentPaid += amount;
        recentMonths++;
      } else {
        earlierPaid += amount;
        earlierMonths++;
      }
    }
    taxPaid12mWan = round(paid / 1_000_000, 2);
    taxMonthsMissing12m = missing;
    // Monthly means, so that one missing filing does not read as a fall in tax paid (that is the missing count's job).
    if (recentMonths >= 3 && earlierMonths >= 3 && earlierPaid > 0) {
      taxTrend = round(recentPaid / recentMonths / (earlierPaid / earlierMonths), 3);
    }
  }
  const taxArrearsFlag = arrearsNear(taxArrears, anchorOf(taxArrears));

  const socialAnchor = anchorOf(socialArrears);
  const insuredHeadcount = socialAnchor > 0 && !Number.isNaN(insured[socialAnchor]) ? insured[socialAnchor] : null;
  const yearEarlier = socialAnchor > 0 ? insured[socialAnchor + 12] : Number.NaN;
  const headcountTrend = insuredHeadcount !== null && yearEarlier > 0 ? round(insuredHeadcount / yearEarlier, 3) : null;
  const socialArrearsFlag = arrearsNear(socialArrears, socialAnchor);

  const utilityAnchor = anchorOf(utilityArrears);
  let utilityTrend: number | null = null;
  let utilityStability: number | null = null;
  if (utilityAnchor > 0) {
    const trend = yearOnYear(electricity, utilityAnchor, 3, 2);
    utilityTrend = trend === null ? null : round(trend, 3);
    // The spread of the monthly YoY ratios: the firm's own seasons cancel out, so only real swings remain.
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (let k = utilityAnchor; k < utilityAnchor + 12; k++) {
      const a = electricity[k];
      const b = electricity[k + 12];
      if (Number.isNaN(a) || !(b > 0)) continue;
      const ratio = a / b;
      n++;
      sum += ratio;
      squares += ratio * ratio;
    }
    if (n >= 6 && sum > 0) {
      const mean = sum / n;
      const variance = Math.max(0, squares / n - mean * mean);
      utilityStability = round(Math.sqrt(variance) / mean, 3);
    }
  }
  const utilityArrearsFlag = arrearsNear(utilityArrears, utilityAnchor);

  const capital = Number(enterprise.registeredCapitalFen);

  return {
    yearsEstablished: round(Math.max(0, daysBetween(enterprise.establishedOn, asOf) / 365.25), 1),
    registeredCapitalWan: Number.isFinite(capital) ? round(capital / 1_000_000, 2) : null,
    scale: enterprise.scale,
    industrySection: industrySection(enterprise.industryCode),
    businessStatus,
    taxPaid12mWan,
    taxTrend,
    taxMonthsMissing12m,
    taxCreditLevel,
    taxArrears: taxArrearsFlag,
    insuredHeadcount,
    headcountTrend,
    socialArrears: socialArrearsFlag,
    utilityTrend,
    utilityStability,
    utilityArrears: utilityArrearsFlag,
    penaltyWeight: round(penaltyWeight, 2),
    seriousPenalties24m,
    blacklistActive,
    courtDefendantOpen,
    enforcementActive,
    arrearsAny: taxArrearsFlag || socialArrearsFlag || utilityArrearsFlag,
    honoursValid,
    licencesValid,
  };
}
