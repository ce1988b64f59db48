/**
 * Discrimination and stability measures, shared by the trainer and the platform's shadow scoring.
 *
 * Convention for auc, ks and gini: `labels[i]` is 1 for the event (bad, defaulted) and 0 otherwise; `scores[i]`
 * is higher where the event is more likely (a probability of bad, a logit). For a credit score, where higher is
 * better, pass its negation. All three answer NaN when one class is absent.
 */

type Numbers = ArrayLike<number>;

/** Row indices ordered by score, ascending. */
function orderByScore(scores: Numbers): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[a]! - scores[b]!);
}

function checkLengths(scores: Numbers, labels: Numbers): void {
  if (scores.length !== labels.length) throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
}

/**
 * Area under the ROC curve by ranks (Mann–Whitney): the chance that a random event scores above a random
 * non-event, ties counting one half (tied scores share their average rank).
 */
export function auc(scores: Numbers, labels: Numbers): number {
  checkLengths(scores, labels);
  const order = orderByScore(scores);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]!]) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Gini (accuracy ratio) = 2 · AUC − 1. */
export function gini(scores: Numbers, labels: Numbers): number {
  return 2 * auc(scores, labels) - 1;
}

/**
 * Kolmogorov–Smirnov statistic: the largest distance between the cumulative score distributions of events and
 * non-events, taken only between distinct scores (a tie is never split).
 */
export function ks(scores: Numbers, labels: Numbers): number {
  checkLengths(scores, labels);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) positives++;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const order = orderByScore(scores);
  let seenPositives = 0;
  let seenNegatives = 0;
  let best = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      if (labels[order[end]!]) seenPositives++;
      else seenNegatives++;
      end++;
    }
    best = Math.max(best, Math.abs(seenPositives / positives - seenNegatives / negatives));
    start = end;
  }
  return best;
}

/** Shares below which a PSI bin counts as this, so that an empty bin gives a large finite term, not infinity. */
export const PSI_EPSILON = 1e-4;

/** Quantile edges of a sorted sample: the values at k/bins for k = 1 … bins−1, without repeats. */
export function quantileEdges(sorted: Numbers, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const value = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))]!;
    if (value > sorted[0]! && (edges.length === 0 || value > edges[edges.length - 1]!)) edges.push(value);
  }
  return edges;
}

/** The bin of a value among ascending edges: the number of edges at or below it. */
export function binIndex(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Population stability index of `actual` against `expected`: Σ (a − e) · ln(a / e) over `bins` bins cut at the
 * quantiles of `expected` (fewer when its values repeat), shares floored at PSI_EPSILON. Under 0.1 is usually read
 * as stable, over 0.25 as a shift.
 */
export function psi(expected: Numbers, actual: Numbers, bins = 10): number {
  if (expected.length === 0 || actual.length === 0) return Number.NaN;
  const sorted = Float64Array.from(expected).sort();
  const edges = quantileEdges(sorted, bins);
  const e = new Float64Array(edges.length + 1);
  const a = new Float64Array(edges.length + 1);
  for (let i = 0; i < expected.length; i++) e[binIndex(edges, expected[i]!)] += 1;
  for (let i = 0; i < actual.length; i++) a[binIndex(edges, actual[i]!)] += 1;
  let total = 0;
  for (let k = 0; k < e.length; k++) {
    const pe = Math.max(e[k]! / expected.length, PSI_EPSILON);
    const pa = Math.max(a[k]! / actual.length, PSI_EPSILON);
    total += (pa - pe) * Math.log(pa / pe);
  }
  return total;
}

/** Mean and sample standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}
