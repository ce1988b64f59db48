import { binIndex } from './metrics';

/**
 * WOE binning (fine and coarse classing). A numeric column is cut at quantiles into fine classes, then adjacent
 * classes are merged until each holds at least the minimum share of rows, the trend of WOE is monotone (when
 * asked) and there are at most maxBins; a categorical column starts from one bin per level, rare levels pooled.
 * Missing values always keep a bin of their own. WOE = ln(%good / %bad), so a positive WOE means better than average.
 *
 * Every function takes the rows to learn from as a mask, so that cross-validation refits the binning inside each
 * fold on the fold's training rows only, while the columns are prepared (and numeric ones sorted) once.
 */

export interface TNumericColumn {
  kind: 'numeric';
  name: string;
  /** NaN where missing. */
  values: Float64Array;
  /** Rows with a value, ascending by value: sorted once, filtered by the mask in each fit. */
  order: Uint32Array;
}

export interface TCategoricalColumn {
  kind: 'categorical';
  name: string;
  /** Index into `levels`, −1 where missing. */
  codes: Int32Array;
  levels: string[];
}

export type TColumn = TNumericColumn | TCategoricalColumn;

export type TBinRule =
  /** min ≤ value < max; null is unbounded. */
  | { kind: 'range'; min: number | null; max: number | null }
  /** One of the levels; `other` marks the bin of the pooled rare levels, which unseen levels score as too. */
  | { kind: 'levels'; levels: string[]; other: boolean }
  | { kind: 'missing' };

export interface TWoeBin {
  rule: TBinRule;
  goods: number;
  bads: number;
  woe: number;
  /** This bin's term of the information value. */
  iv: number;
}

export interface TFeatureBinning {
  feature: string;
  kind: 'numeric' | 'categorical';
  bins: TWoeBin[];
  iv: number;
  /** For numeric columns: whether WOE rises or falls with the value (from the rank correlation with bad). */
  trend: 'rising' | 'falling' | null;
  /** The WOE of a value no bin takes: the pooled rare levels' bin when there is one, else 0 (the average). */
  fallbackWoe: number;
}

export interface TBinningOptions {
  /** Quantile classes before merging (20). */
  fineClasses: number;
  /** Minimum share of the training rows in each bin (0.05). */
  minBinShare: number;
  maxBins: number;
  monotone: boolean;
}

/** Counts of 0 become 0.5 (in the WOE and the IV term), so that an empty cell gives a large finite WOE. */
const SMOOTHING = 0.5;

/** ln(%good / %bad) of a bin with the class totals of the data. */
export function weightOfEvidence(goods: number, bads: number, totalGoods: number, totalBads: number): number {
  return Math.log((goods || SMOOTHING) / totalGoods / ((bads || SMOOTHING) / totalBads));
}

/** A bin's term of the information value: (%good − %bad) · WOE. */
export function informationValueTerm(goods: number, bads: number, totalGoods: number, totalBads: number): number {
  const pg = (goods || SMOOTHING) / totalGoods;
  const pb = (bads || SMOOTHING) / totalBads;
  return (pg - pb) * Math.log(pg / pb);
}

/** A run of adjacent classes being merged: its counts and what it is made of (fine class indices, or levels). */
interface Segment<T> {
  goods: number;
  bads: number;
  items: T[];
}

class Merger<T> {
  constructor(
    readonly segments: Segment<T>[],
    private readonly totalGoods: number,
    private readonly totalBads: number,
  ) {}

  woe(s: Segment<T>): number {
    return weightOfEvidence(s.goods, s.bads, this.totalGoods, this.totalBads);
  }

  /** Information value lost by merging segments i and i+1 (never negative: IV is convex in the counts). */
  loss(i: number): number {
    const a = this.segments[i]!;
    const b = this.segments[i + 1]!;
    const t = (s: { goods: number; bads: number }) => informationValueTerm(s.goods, s.bads, this.totalGoods, this.totalBads);
    return t(a) + t(b) - t({ goods: a.goods + b.goods, bads: a.bads + b.bads });
  }

  merge(i: number): void {
    const a = this.segments[i]!;
    const b = this.segments[i + 1]!;
    this.segments.splice(i, 2, { goods: a.goods + b.goods, bads: a.bads + b.bads, items: [...a.items, ...b.items] });
  }

  /** Merges the smallest segment below minCount into the neighbour closer in WOE, until none is below. */
  minimumSize(minCount: number): void {
    const size = (s: Segment<T>) => s.goods + s.bads;
    while (this.segments.length > 1) {
      let smallest = 0;
      this.segments.forEach((s, i) => {
        if (size(s) < size(this.segments[smallest]!)) smallest = i;
      });
      if (size(this.segments[smallest]!) >= minCount) return;
      if (smallest === 0) this.merge(0);
      else if (smallest === this.segments.length - 1) this.merge(smallest - 1);
      else {
        const w = this.woe(this.segments[smallest]!);
        const left = Math.abs(w - this.woe(this.segments[smallest - 1]!));
        const right = Math.abs(w - this.woe(this.segments[smallest + 1]!));
        this.merge(left <= right ? smallest - 1 : smallest);
      }
    }
  }

  /** Merges, among the adjacent pairs against the trend, the one that costs least IV, until the trend holds. */
  monotone(trend: 'rising' | 'falling'): void {
    for (;;) {
      let best = -1;
      let bestLoss = Infinity;
      for (let i = 0; i + 1 < this.segments.length; i++) {
        const step = this.woe(this.segments[i + 1]!) - this.woe(this.segments[i]!);
        const against = trend === 'rising' ? step < 0 : step > 0;
        if (against && this.loss(i) < bestLoss) {
          best = i;
          bestLoss = this.loss(i);
        }
      }
      if (best === -1) return;
      this.merge(best);
    }
  }

  /** Merges the adjacent pair that costs least IV until at most maxBins remain. */
  maximumCount(maxBins: number): void {
    while (this.segments.length > Math.max(1, maxBins)) {
      let best = 0;
      for (let i = 1; i + 1 < this.segments.length; i++) if (this.loss(i) < this.loss(best)) best = i;
      this.merge(best);
    }
  }
}

interface Totals {
  goods: number;
  bads: number;
  rows: number;
}

function totalsOf(member: Uint8Array, bad: Uint8Array): Totals {
  let rows = 0;
  let bads = 0;
  for (let i = 0; i < member.length; i++) {
    if (!member[i]) continue;
    rows++;
    bads += bad[i]!;
  }
  return { rows, bads, goods: rows - bads };
}

function finish(feature: string, kind: TFeatureBinning['kind'], rules: Array<{ rule: TBinRule; goods: number; bads: number }>, totals: Totals, trend: TFeatureBinning['trend']): TFeatureBinning {
  const bins = rules.map(({ rule, goods, bads }) => ({
    rule,
    goods,
    bads,
    woe: weightOfEvidence(goods, bads, totals.goods, totals.bads),
    iv: informationValueTerm(goods, bads, totals.goods, totals.bads),
  }));
  const other = bins.find((b) => b.rule.kind === 'levels' && b.rule.other);
  return { feature, kind, bins, iv: bins.reduce((s, b) => s + b.iv, 0), trend, fallbackWoe: other ? other.woe : 0 };
}

/** The minimum rows per bin for a share of the training rows (at least one row). */
const minimumCount = (share: number, rows: number) => Math.max(1, Math.ceil(share * rows - 1e-9));

/** Coarse classes of a numeric column, learnt from the rows in `member`. */
export function binNumeric(column: TNumericColumn, bad: Uint8Array, member: Uint8Array, options: TBinningOptions): TFeatureBinning {
  const totals = totalsOf(member, bad);
  // The member rows with a value, in value order.
  const sorted = new Float64Array(column.order.length);
  const sortedBad = new Uint8Array(column.order.length);
  let m = 0;
  for (let k = 0; k < column.order.length; k++) {
    const row = column.order[k]!;
    if (!member[row]) continue;
    sorted[m] = column.values[row]!;
    sortedBad[m] = bad[row]!;
    m++;
  }
  // Fine classes at quantiles; a cut c sends values ≥ c up, so ties never straddle a cut.
  const cuts: number[] = [];
  for (let k = 1; k < options.fineClasses && m > 0; k++) {
    const value = sorted[Math.floor((k * m) / options.fineClasses)]!;
    if (value > sorted[0]! && (cuts.length === 0 || value > cuts[cuts.length - 1]!)) cuts.push(value);
  }
  const fine: Segment<number>[] = Array.from({ length: cuts.length + 1 }, (_, i) => ({ goods: 0, bads: 0, items: [i] }));
  let current = 0;
  for (let k = 0; k < m; k++) {
    while (current < cuts.length && sorted[k]! >= cuts[current]!) current++;
    if (sortedBad[k]) fine[current]!.bads++;
    else fine[current]!.goods++;
  }
  const merger = new Merger(m > 0 ? fine : [], totals.goods, totals.bads);
  merger.minimumSize(minimumCount(options.minBinShare, totals.rows));
  const trend = m > 0 ? rankTrend(merger.segments) : null;
  if (options.monotone && trend) merger.monotone(trend);
  merger.maximumCount(options.maxBins);

  const rules: Array<{ rule: TBinRule; goods: number; bads: number }> = merger.segments.map((s, i, all) => ({
    rule: {
      kind: 'range',
      min: i === 0 ? null : cuts[s.items[0]! - 1]!,
      max: i === all.length - 1 ? null : cuts[s.items[s.items.length - 1]!]!,
    },
    goods: s.goods,
    bads: s.bads,
  }));
  const missingBads = totals.bads - merger.segments.reduce((s, seg) => s + seg.bads, 0);
  const missingRows = totals.rows - m;
  if (missingRows > 0) rules.push({ rule: { kind: 'missing' }, goods: missingRows - missingBads, bads: missingBads });
  return finish(column.name, 'numeric', rules, totals, trend);
}

/**
 * Whether WOE should rise or fall with the value: the sign of the covariance between the class rank and bad
 * (a rank, not the raw value, so that the outliers of financial ratios do not decide it).
 */
function rankTrend(segments: Segment<number>[]): 'rising' | 'falling' {
  let rows = 0;
  let bads = 0;
  let rankRows = 0;
  let rankBads = 0;
  segments.forEach((s, i) => {
    rows += s.goods + s.bads;
    bads += s.bads;
    rankRows += i * (s.goods + s.bads);
    rankBads += i * s.bads;
  });
  const covariance = rankBads / rows - (rankRows / rows) * (bads / rows);
  return covariance > 0 ? 'falling' : 'rising';
}

/** The longest level a scorecard bin can list. */
export const MAX_LEVEL_LENGTH = 100;

/**
 * Coarse classes of a categorical column: a bin per level with at least the minimum share, the rarer levels (and
 * levels too long to list) pooled into one "other" bin; then bins ordered by WOE and merged with their nearest
 * neighbour in WOE while below the minimum share or more than maxBins.
 */
export function binCategorical(column: TCategoricalColumn, bad: Uint8Array, member: Uint8Array, options: TBinningOptions): TFeatureBinning {
  const totals = totalsOf(member, bad);
  const goods = new Float64Array(column.levels.length);
  const bads = new Float64Array(column.levels.length);
  let missingGoods = 0;
  let missingBads = 0;
  for (let i = 0; i < column.codes.length; i++) {
    if (!member[i]) continue;
    const code = column.codes[i]!;
    if (code < 0) {
      if (bad[i]) missingBads++;
      else missingGoods++;
    } else if (bad[i]) bads[code]++;
    else goods[code]++;
  }
  const minCount = minimumCount(options.minBinShare, totals.rows);
  type Item = { level: string; rare: boolean };
  const segments: Segment<Item>[] = [];
  const rare: Segment<Item> = { goods: 0, bads: 0, items: [] };
  column.levels.forEach((level, code) => {
    const count = goods[code]! + bads[code]!;
    if (count === 0) return;
    if (count >= minCount && level.length <= MAX_LEVEL_LENGTH) segments.push({ goods: goods[code]!, bads: bads[code]!, items: [{ level, rare: false }] });
    else {
      rare.goods += goods[code]!;
      rare.bads += bads[code]!;
      rare.items.push({ level, rare: true });
    }
  });
  if (rare.items.length > 0) segments.push(rare);
  const merger = new Merger(segments, totals.goods, totals.bads);
  merger.segments.sort((a, b) => merger.woe(a) - merger.woe(b));
  merger.minimumSize(minCount);
  merger.maximumCount(options.maxBins);
  const rules: Array<{ rule: TBinRule; goods: number; bads: number }> = merger.segments.map((s) => ({
    rule: { kind: 'levels', levels: s.items.map((item) => item.level), other: s.items.some((item) => item.rare) },
    goods: s.goods,
    bads: s.bads,
  }));
  if (missingGoods + missingBads > 0) rules.push({ rule: { kind: 'missing' }, goods: missingGoods, bads: missingBads });
  return finish(column.name, 'categorical', rules, totals, null);
}

export function binColumn(column: TColumn, bad: Uint8Array, member: Uint8Array, options: TBinningOptions): TFeatureBinning {
  return column.kind === 'numeric' ? binNumeric(column, bad, member, options) : binCategorical(column, bad, member, options);
}

/** The WOE of each of `rows` under a binning (learnt on any rows): the column the regression reads. */
export function woeColumn(binning: TFeatureBinning, column: TColumn, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  const missing = binning.bins.find((b) => b.rule.kind === 'missing');
  const missingWoe = missing ? missing.woe : binning.fallbackWoe;
  if (column.kind === 'numeric') {
    const ranges = binning.bins.filter((b) => b.rule.kind === 'range');
    const cuts = ranges.slice(1).map((b) => (b.rule as { min: number }).min);
    rows.forEach((row, k) => {
      const value = column.values[row]!;
      out[k] = Number.isNaN(value) ? missingWoe : ranges.length > 0 ? ranges[binIndex(cuts, value)]!.woe : binning.fallbackWoe;
    });
  } else {
    const byLevel = new Map<string, number>();
    for (const bin of binning.bins) if (bin.rule.kind === 'levels') for (const level of bin.rule.levels) byLevel.set(level, bin.woe);
    const byCode = Float64Array.from(column.levels, (level) => byLevel.get(level) ?? binning.fallbackWoe);
    rows.forEach((row, k) => {
      const code = column.codes[row]!;
      out[k] = code < 0 ? missingWoe : byCode[code]!;
    });
  }
  return out;
}
