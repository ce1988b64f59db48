import type { TCreditRating, TGuaranteeMethod, TPenaltySeverity, TProductCriteria, TProductTerms, TProductType, TRepaymentMethod } from '@xyd/shared';
import { DEFAULT_ACCEPT_WORKING_DAYS } from '@xyd/shared';

/** 1 万元 = 10,000 元 = 1,000,000 分. */
export const FEN_PER_WAN = 1_000_000;

/**
 * 万元 as typed → integer fen. A number with at most six decimals (1 分) times 10⁶ lands within 10⁻⁴ of the exact
 * integer even at 100 亿元, so rounding gives the exact amount (1.000001 × 10⁶ is 1000000.9999999999 before it).
 */
export function wanToFen(wan: number): number {
  return Math.round(wan * FEN_PER_WAN);
}

export function fenToWan(fen: number): number {
  return fen / FEN_PER_WAN;
}

/** 元 as typed → integer fen: 1234.56 → 123456 (rounded: 1.1 × 100 is 110.00000000000001). */
export function yuanToFen(yuan: number): number {
  return Math.round(yuan * 100);
}

export function fenToYuan(fen: number): number {
  return fen / 100;
}

/** Whether a 元 amount is whole 分 (at most two decimals); finer input would be rounded away silently. */
export function isWholeFenYuan(yuan: number): boolean {
  return Math.abs(yuan * 100 - yuanToFen(yuan)) < 1e-3;
}

/** A rate typed in percent → basis points: 3.85 → 385 (rounded: 4.35 × 100 is 434.99999999999994). */
export function percentToBp(percent: number): number {
  return Math.round(percent * 100);
}

export function bpToPercent(bp: number): number {
  return bp / 100;
}

/** Whether a 万元 amount is whole 分 (at most six decimals); finer input would be rounded away silently. */
export function isWholeFen(wan: number): boolean {
  return Math.abs(wan * FEN_PER_WAN - wanToFen(wan)) < 1e-3;
}

const trim = (n: number) => String(Math.round(n * 1e6) / 1e6);

/** "50–300 万元", one figure when both ends agree. */
export function formatWanRange(minFen: number, maxFen: number): string {
  const lo = trim(fenToWan(minFen));
  const hi = trim(fenToWan(maxFen));
  return lo === hi ? `${lo} 万元` : `${lo}–${hi} 万元`;
}

export function formatTermRange(minMonths: number, maxMonths: number): string {
  return minMonths === maxMonths ? `${minMonths} 个月` : `${minMonths}–${maxMonths} 个月`;
}

export function formatRateRange(minBp: number, maxBp: number): string {
  const lo = trim(bpToPercent(minBp));
  const hi = trim(bpToPercent(maxBp));
  return lo === hi ? `${lo}%` : `${lo}%–${hi}%`;
}

type TScale = TProductCriteria['scales'][number];

/** What the editor holds: amounts in 万元, rates in %, the criteria flattened, the penalty limit split in three. */
export interface ProductFormValues {
  name: string;
  type: TProductType;
  summary?: string;
  amountMinWan: number;
  amountMaxWan: number;
  termMinMonths: number;
  termMaxMonths: number;
  ratePercentMin: number;
  ratePercentMax: number;
  guaranteeMethods: TGuaranteeMethod[];
  repaymentMethods: TRepaymentMethod[];
  regionCodes: (string | undefined)[];
  industriesIncluded: string[];
  industriesExcluded: string[];
  scales: TScale[];
  minYearsEstablished?: number | null;
  minRating?: TCreditRating | null;
  penaltyLimited: boolean;
  penaltyMaxSeverity?: TPenaltySeverity;
  penaltyMonths?: number;
  excludeBlacklisted: boolean;
  noTaxArrears: boolean;
  noSocialArrears: boolean;
  noEnforcement: boolean;
  requiredDocuments: string[];
  acceptDays: number;
  turnaroundDays: number;
  policySupport: boolean;
}

/** Codes typed as free tags: trimmed, upper-cased (the standard prints C3484), blanks and repeats dropped. */
function cleanCodes(codes: readonly string[] | undefined, upper: boolean): string[] {
  const out: string[] = [];
  for (const raw of codes ?? []) {
    const code = upper ? raw.trim().toUpperCase() : raw.trim();
    if (code && !out.includes(code)) out.push(code);
  }
  return out;
}

export function termsFromForm(v: ProductFormValues): TProductTerms {
  return {
    name: v.name.trim(),
    type: v.type,
    summary: (v.summary ?? '').trim(),
    amountMinFen: wanToFen(v.amountMinWan),
    amountMaxFen: wanToFen(v.amountMaxWan),
    termMinMonths: v.termMinMonths,
    termMaxMonths: v.termMaxMonths,
    rateMinBp: percentToBp(v.ratePercentMin),
    rateMaxBp: percentToBp(v.ratePercentMax),
    guaranteeMethods: v.guaranteeMethods ?? [],
    repaymentMethods: v.repaymentMethods ?? [],
    criteria: {
      regionCodes: cleanCodes(v.regionCodes?.filter((c): c is string => Boolean(c)), false),
      industriesIncluded: cleanCodes(v.industriesIncluded, true),
      industriesExcluded: cleanCodes(v.industriesExcluded, true),
      scales: v.scales ?? [],
      minYearsEstablished: v.minYearsEstablished ?? null,
      minRating: v.minRating ?? null,
      penaltyLimit:
        v.penaltyLimited && v.penaltyMaxSeverity && v.penaltyMonths ? { maxSeverity: v.penaltyMaxSeverity, months: v.penaltyMonths } : null,
      excludeBlacklisted: Boolean(v.excludeBlacklisted),
      noTaxArrears: Boolean(v.noTaxArrears),
      noSocialArrears: Boolean(v.noSocialArrears),
      noEnforcement: Boolean(v.noEnforcement),
    },
    requiredDocuments: cleanCodes(v.requiredDocuments, false),
    acceptDays: v.acceptDays,
    turnaroundDays: v.turnaroundDays,
    policySupport: Boolean(v.policySupport),
  };
}

export function formFromTerms(t: TProductTerms): ProductFormValues {
  const c = t.criteria;
  return {
    name: t.name,
    type: t.type,
    summary: t.summary,
    amountMinWan: fenToWan(t.amountMinFen),
    amountMaxWan: fenToWan(t.amountMaxFen),
    termMinMonths: t.termMinMonths,
    termMaxMonths: t.termMaxMonths,
    ratePercentMin: bpToPercent(t.rateMinBp),
    ratePercentMax: bpToPercent(t.rateMaxBp),
    guaranteeMethods: [...t.guaranteeMethods],
    repaymentMethods: [...t.repaymentMethods],
    regionCodes: [...c.regionCodes],
    industriesIncluded: [...c.industriesIncluded],
    industriesExcluded: [...c.industriesExcluded],
    scales: [...c.scales],
    minYearsEstablished: c.minYearsEstablished,
    minRating: c.minRating,
    penaltyLimited: c.penaltyLimit !== null,
    penaltyMaxSeverity: c.penaltyLimit?.maxSeverity,
    penaltyMonths: c.penaltyLimit?.months,
    excludeBlacklisted: c.excludeBlacklisted,
    noTaxArrears: c.noTaxArrears,
    noSocialArrears: c.noSocialArrears,
    noEnforcement: c.noEnforcement,
    requiredDocuments: [...t.requiredDocuments],
    acceptDays: t.acceptDays,
    turnaroundDays: t.turnaroundDays,
    policySupport: t.policySupport,
  };
}

/** A new product starts as a draft of the most common kind: an unsecured credit loan open to blacklist-free firms. */
export const NEW_PRODUCT_DEFAULTS: Partial<ProductFormValues> = {
  type: 'credit',
  guaranteeMethods: ['credit'],
  repaymentMethods: [],
  regionCodes: [],
  industriesIncluded: [],
  industriesExcluded: [],
  scales: [],
  penaltyLimited: false,
  excludeBlacklisted: true,
  noTaxArrears: false,
  noSocialArrears: false,
  noEnforcement: false,
  requiredDocuments: [],
  acceptDays: DEFAULT_ACCEPT_WORKING_DAYS,
  policySupport: false,
};

/** The server's names for the fen / basis-point fields and the penalty limit, in the editor's terms. */
const FIELD_RENAMES: Record<string, string> = {
  amountMinFen: 'amountMinWan',
  amountMaxFen: 'amountMaxWan',
  rateMinBp: 'ratePercentMin',
  rateMaxBp: 'ratePercentMax',
  penaltyLimit: 'penaltyLimited',
  'penaltyLimit.maxSeverity': 'penaltyMaxSeverity',
  'penaltyLimit.months': 'penaltyMonths',
};

/** Fields whose items are plain tags: an error on item 3 is shown on the whole field. */
const TAG_FIELDS = new Set(['industriesIncluded', 'industriesExcluded', 'requiredDocuments', 'scales', 'guaranteeMethods', 'repaymentMethods']);

/** Fields the editor names as the API does. */
const SAME_NAME_FIELDS = new Set([
  'name',
  'type',
  'summary',
  'termMinMonths',
  'termMaxMonths',
  'minYearsEstablished',
  'minRating',
  'excludeBlacklisted',
  'noTaxArrears',
  'noSocialArrears',
  'noEnforcement',
  'acceptDays',
  'turnaroundDays',
  'policySupport',
]);

/**
 * Where a server field error belongs in the editor: zod answers `terms.criteria.minRating`, publishing problems
 * `criteria.regionCodes`; both lose their prefixes. A region item keeps its index (each region has its own picker).
 * null: nowhere on the form (shown above it instead).
 */
export function formFieldOf(serverField: string): (string | number)[] | null {
  const path = serverField.replace(/^terms\./, '').replace(/^criteria\./, '');
  if (FIELD_RENAMES[path]) return [FIELD_RENAMES[path]];
  const [head, index] = path.split('.');
  if (head === 'regionCodes') return index !== undefined && /^\d+$/.test(index) ? ['regionCodes', Number(index)] : ['regionCodes'];
  if (TAG_FIELDS.has(head)) return [head];
  return index === undefined && SAME_NAME_FIELDS.has(head) ? [head] : null;
}
