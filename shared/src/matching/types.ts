import { z } from 'zod';
import type { ENTERPRISE_SCALES, ENTERPRISE_STATUSES } from '../enterprise/schema';
import type { TPenaltySeverity } from '../credit-data/enums';
import type { TCreditRating } from '../credit-engine/scorecard';
import type { TGuaranteeMethod } from './labels';
import type { TProductTerms } from './products';
import { MATCH_CRITERIA } from './labels';

/**
 * The matcher's inputs and outputs. The matcher itself (`match.ts`) is a pure function of (profile, need, products):
 * no database, no clock but `asOf`, so that it runs in tests, in the bench and in the mini-program alike.
 */



export const ZCriterionCheck = z.object({
  criterion: z.enum(MATCH_CRITERIA),
  ok: z.boolean(),
  /** One line a person reads, e.g. "评级 A ≥ 要求 BBB ✓", "成立 2 年 < 要求 3 年 ✗". */
  text: z.string(),
  /** Whether the firm can change it (a rating, an arrear, the amount asked); region, industry and scale it cannot. */
  remediable: z.boolean(),
});
export type TCriterionCheck = z.infer<typeof ZCriterionCheck>;

export const ZMatchAdvice = z.object({
  criterion: z.enum(MATCH_CRITERIA),
  /** What would change it, e.g. "成立满 3 年后（2027-05）可申请", "结清社保欠费后评级预计可达 A". */
  text: z.string(),
  /** The month (YYYY-MM) from which this criterion is met by time alone; null when it takes an action. */
  availableFrom: z.string().nullable(),
});
export type TMatchAdvice = z.infer<typeof ZMatchAdvice>;

export const ZScoreParts = z.object({
  rate: z.number(),
  amount: z.number(),
  turnaround: z.number(),
  approval: z.number(),
  policy: z.number(),
});
export type TScoreParts = z.infer<typeof ZScoreParts>;

export const ZMatchOutcome = z.object({
  productId: z.string(),
  revisionId: z.string(),
  /** Passes every hard criterion. */
  fits: z.boolean(),
  /** The soft score, 0–100 (higher is a better fit). */
  score: z.number().int(),
  /** Each part 0–1 before weighting. */
  scoreParts: ZScoreParts,
  /** Every criterion the product sets, in MATCH_CRITERIA order. */
  checks: z.array(ZCriterionCheck),
  /** The criteria failed, in MATCH_CRITERIA order (empty when it fits). */
  failed: z.array(z.enum(MATCH_CRITERIA)),
  /** For a near miss: one piece of advice per failed criterion, in the same order. */
  advice: z.array(ZMatchAdvice),
});
export type TMatchOutcome = z.infer<typeof ZMatchOutcome>;


export interface TMatchPenalty {
  severity: TPenaltySeverity;
  /** The decision date, YYYY-MM-DD. */
  decidedOn: string;
  /** Credit-repaired (信用修复): no longer counts against admission. */
  repaired: boolean;
}

/** What the matcher knows of a firm: registration, its current rating and its negative records. */
export interface TMatchProfile {
  enterpriseId: string;
  regionCode: string;
  /** GB/T 4754-2017 小类, canonical (C3484). */
  industryCode: string;
  scale: (typeof ENTERPRISE_SCALES)[number];
  establishedOn: string;
  status: (typeof ENTERPRISE_STATUSES)[number];
  /** Rating under the active scorecard; null when not rated. */
  rating: TCreditRating | null;
  score: number | null;
  blacklisted: boolean;
  penalties: readonly TMatchPenalty[];
  taxArrears: boolean;
  socialArrears: boolean;
  enforcementActive: boolean;
  /**
   * The rating the firm would reach after one action, rescored with the active scorecard by the server, e.g.
   * { action: '结清社保欠费', rating: 'A' }. Used for rating near misses.
   */
  projections: ReadonlyArray<{ action: string; rating: TCreditRating }>;
}

export interface TMatchNeed {
  amountFen: number;
  termMonths: number;
  guaranteeMethods: readonly TGuaranteeMethod[];
  /** null: no ceiling. */
  maxRateBp: number | null;
}

export interface TMatchProduct {
  productId: string;
  revisionId: string;
  institutionId: string;
  terms: TProductTerms;
}

/** An institution's record, each 0–1 (1 best); absent: neutral 0.5. */
export interface TInstitutionRecord {
  /** Decisions within the promised turnaround. */
  turnaround?: number;
  /** Approvals for firms like this one. */
  approval?: number;
}

export interface TMatchOptions {
  /** The day matched on (YYYY-MM-DD, Asia/Shanghai): years established and penalty windows count to it. */
  asOf: string;
  institutionRecords?: ReadonlyMap<string, TInstitutionRecord>;
  /** How many fits to return, best first (default 50). */
  maxMatches?: number;
  /** How many near misses to return (default 20). */
  maxNearMisses?: number;
}

export interface TMatchResult {
  /** Products passing every hard criterion, best score first (ties: lower minimum rate, then product id). */
  matches: TMatchOutcome[];
  /** Products failing 1–2 remediable criteria: fewest failures first, then best score. */
  nearMisses: TMatchOutcome[];
  /** How many products were looked at. */
  evaluated: number;
  /** How many fit in all (matches may be cut to maxMatches). */
  fitCount: number;
}


/** explainOutcome's summary: a headline ("符合全部 9 项条件" / "差 1 项：成立年限") and the lines under it. */
export interface TMatchExplanation {
  headline: string;
  /** The checks' texts, then the advice's. */
  lines: string[];
}
