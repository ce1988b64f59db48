/**
 * Rating bands and their order, with no schema library: the matcher and the mini-program use them as they are.
 */

/** Rating bands from best to worst. */
export const CREDIT_RATINGS = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C'] as const;
export type TCreditRating = (typeof CREDIT_RATINGS)[number];

/** Steps between two ratings: positive when `to` is worse than `from`. */
export function ratingNotches(from: TCreditRating, to: TCreditRating): number {
  return CREDIT_RATINGS.indexOf(to) - CREDIT_RATINGS.indexOf(from);
}

/** The better (or equal) of two ratings is `a` when this is true. */
export function ratingAtLeast(rating: TCreditRating, minimum: TCreditRating): boolean {
  return CREDIT_RATINGS.indexOf(rating) <= CREDIT_RATINGS.indexOf(minimum);
}
