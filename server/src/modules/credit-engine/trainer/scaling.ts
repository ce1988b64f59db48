import { CREDIT_RATINGS, scalingConstants, type TCreditRating, type TScorecardBand, type TScorecardScaling } from '@xyd/shared';

/**
 * From a logistic model on WOE columns to points. The model predicts bad: logit P(bad) = α + Σ βj·woe_j, and WOE is
 * ln(%good / %bad), so βj < 0 and ln(odds of good) = −(α + Σ βj·woe_j). With score = offset + factor · ln(odds good)
 * (scorecard.ts), spreading the intercept evenly over the n characteristics, each bin is worth
 *   points = −(βj · woe + α / n) · factor + offset / n,
 * and the points of a row's bins add up to exactly offset + factor · ln(odds good): the score means what the
 * scaling says (600 at 50:1, 20 more points to double the odds, by default).
 */

export const DEFAULT_SCALING: TScorecardScaling = { baseScore: 600, baseOdds: 50, pdo: 20 };

export function binPoints(coefficient: number, woe: number, intercept: number, characteristics: number, scaling: TScorecardScaling): number {
  const { factor, offset } = scalingConstants(scaling);
  return -(coefficient * woe + intercept / characteristics) * factor + offset / characteristics;
}

/** The score of a bad-logit α + Σ βj·woe_j: offset + factor · ln(odds good). */
export function scoreOfLogit(logit: number, scaling: TScorecardScaling): number {
  const { factor, offset } = scalingConstants(scaling);
  return offset - factor * logit;
}

/**
 * Shares of the training scores at or above each band's minimum, best band first (AAA … CC; C takes the rest):
 * a few firms in the top bands, most in the middle, as rating scales are read.
 */
export const BAND_CUMULATIVE_SHARES = [0.05, 0.15, 0.3, 0.5, 0.7, 0.82, 0.9, 0.95] as const;

/**
 * Band minimum scores (whole points, strictly decreasing) that spread the training scores by
 * BAND_CUMULATIVE_SHARES; the last band (C) starts at the floor of the scale (`lowestScore`, the sum of every
 * characteristic's lowest points), or one point below CC if that is lower.
 */
export function bandsFromScores(scores: ArrayLike<number>, lowestScore: number): TScorecardBand[] {
  const sorted = Float64Array.from(scores).sort();
  const minima: number[] = BAND_CUMULATIVE_SHARES.map((share) => {
    const at = Math.min(sorted.length - 1, Math.max(0, Math.floor((1 - share) * sorted.length)));
    return Math.round(sorted[at]!);
  });
  for (let i = 1; i < minima.length; i++) if (minima[i]! >= minima[i - 1]!) minima[i] = minima[i - 1]! - 1;
  minima.push(Math.min(Math.floor(lowestScore), minima[minima.length - 1]! - 1));
  return CREDIT_RATINGS.map((rating, i) => ({ rating, minScore: minima[i]! }));
}

export interface TBandOutcome {
  rating: TCreditRating;
  minScore: number;
  count: number;
  bads: number;
  /** null for an empty band. */
  badRate: number | null;
}

/** Rows and bad rate per band, the score rounded to a whole point as the platform shows it. */
export function bandOutcomes(bands: readonly TScorecardBand[], scores: ArrayLike<number>, bad: ArrayLike<number>): TBandOutcome[] {
  const count = new Array<number>(bands.length).fill(0);
  const bads = new Array<number>(bands.length).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const score = Math.round(scores[i]!);
    let band = bands.findIndex((b) => score >= b.minScore);
    if (band === -1) band = bands.length - 1;
    count[band]++;
    bads[band] += bad[i]!;
  }
  return bands.map((b, i) => ({ rating: b.rating, minScore: b.minScore, count: count[i]!, bads: bads[i]!, badRate: count[i]! > 0 ? bads[i]! / count[i]! : null }));
}

/** Whether the bad rate never falls from a better band to a worse one, over the bands that have rows. */
export function badRatesMonotone(outcomes: readonly TBandOutcome[]): boolean {
  const rates = outcomes.filter((o) => o.badRate !== null).map((o) => o.badRate!);
  return rates.every((rate, i) => i === 0 || rate >= rates[i - 1]!);
}
