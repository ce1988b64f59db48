import type { TCreditCategory } from '../credit-data/categories';
import type { TCreditDimension, TCreditRating, TFeatureVector } from './scorecard';

/**
 * What features and warnings read of one credit record: the current version of each record (the pipeline's
 * `is_current` rows), with its typed payload parsed.
 */
export interface TFeatureRecord {
  id: string;
  /**
   * The record's identity across versions (its source and external id): a corrected version has a new id but the
   * same lineage, so a warning about it is not raised again. The id when absent.
   */
  lineage?: string;
  category: TCreditCategory;
  /** `YYYY-MM` for the monthly categories (tax, social security, utility). */
  period: string | null;
  /** `YYYY-MM-DD`: the decision, listing, filing or grant date. */
  occurredOn: string | null;
  endsOn: string | null;
  adverse: boolean;
  corrected: boolean;
  /** Under an open dispute. */
  disputed: boolean;
  /** The normalised payload of its category (money in fen, dates ISO). */
  payload: Record<string, unknown>;
}

/** The enterprise's registry facts (from the enterprise row, which registration records keep current). */
export interface TFeatureEnterprise {
  establishedOn: string;
  /** Fen; a decimal string from the database is accepted. */
  registeredCapitalFen: number | string;
  scale: string;
  industryCode: string;
  status: string;
}

export interface TFeatureInput {
  enterprise: TFeatureEnterprise;
  records: readonly TFeatureRecord[];
  /** `YYYY-MM-DD` (Asia/Shanghai) the features are computed as of: nothing after it counts. */
  asOf: string;
  /** Leave out records under an open dispute (the scorecard version says whether). */
  excludeDisputed: boolean;
}

export type { TFeatureVector };

/** One characteristic's outcome in a score: stored with the score so that its reasons can be reproduced. */
export interface TScorePoints {
  feature: string;
  /** Index of the bin that matched, or -1 for the fallback. */
  bin: number;
  points: number;
  minPoints: number;
  maxPoints: number;
}

export interface TScoreResult {
  /** Rounded to a whole point. */
  score: number;
  /** After the hard rules; null when a `no_rating` rule applies. */
  rating: TCreditRating | null;
  /** The band of the score before the hard rules. */
  bandRating: TCreditRating;
  noRatingReason: string | null;
  cap: { code: string; reason: string; from: TCreditRating; to: TCreditRating } | null;
  badProbability: number;
  /** 0–100 each: points obtained between the dimension's minimum and maximum; null where the version has no characteristic. */
  dimensions: Record<TCreditDimension, number | null>;
  points: TScorePoints[];
}

/** A factor that lowered the score: the points lost against the characteristic's best bin. */
export interface TScoreReason {
  feature: string;
  label: string;
  dimension: TCreditDimension;
  lost: number;
  /** The bin the firm is in, e.g. "近 24 个月有较重处罚". */
  binLabel: string;
  reason: string;
  advice: string;
}
