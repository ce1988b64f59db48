import { industryByCode } from '../industry';
import { PLATFORM_FEATURES } from './features';
import {
  CREDIT_DIMENSIONS,
  CREDIT_DIMENSION_LABELS,
  bandOf,
  ratingAtLeast,
  scoreToBadProbability,
  type TCreditDimension,
  type TCreditRating,
  type TFeatureCondition,
  type TFeatureValue,
  type TFeatureVector,
  type TScorecard,
  type TScorecardBin,
} from './scorecard';
import type { TScorePoints, TScoreReason, TScoreResult } from './types';

/**
 * A scorecard applied to a feature vector. The arithmetic is the document's (scorecard.ts); what is kept per score is
 * each characteristic's bin and points, so that the reasons can be rebuilt from the stored score alone.
 */

interface CompiledCharacteristic {
  feature: string;
  bins: readonly TScorecardBin[];
  fallbackPoints: number;
  minPoints: number;
  maxPoints: number;
  dimension: number;
}

interface CompiledCard {
  characteristics: CompiledCharacteristic[];
  /** feature → index of its characteristic. */
  index: Map<string, number>;
}

// A card is immutable data once parsed; its derived figures are worked out once per document.
const compiledCards = new WeakMap<TScorecard, CompiledCard>();

function compiled(card: TScorecard): CompiledCard {
  let c = compiledCards.get(card);
  if (!c) {
    const characteristics = card.characteristics.map((ch): CompiledCharacteristic => {
      let minPoints = ch.fallbackPoints;
      let maxPoints = ch.fallbackPoints;
      for (const bin of ch.bins) {
        if (bin.points < minPoints) minPoints = bin.points;
        if (bin.points > maxPoints) maxPoints = bin.points;
      }
      return { feature: ch.feature, bins: ch.bins, fallbackPoints: ch.fallbackPoints, minPoints, maxPoints, dimension: CREDIT_DIMENSIONS.indexOf(ch.dimension) };
    });
    c = { characteristics, index: new Map(characteristics.map((ch, i) => [ch.feature, i])) };
    compiledCards.set(card, c);
  }
  return c;
}

/** A value as the categorical bins and conditions spell it: flags as "true"/"false". */
function asText(value: TFeatureValue): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value : String(value);
}

function binMatches(bin: TScorecardBin, value: TFeatureValue): boolean {
  if (bin.missing) return value === null;
  if (bin.values) {
    const text = asText(value);
    return text !== null && bin.values.includes(text);
  }
  if (typeof value !== 'number') return false;
  return (bin.min === undefined || value >= bin.min) && (bin.max === undefined || value < bin.max);
}

/** The index of the first bin the value falls in, or -1. */
function binOf(bins: readonly TScorecardBin[], value: TFeatureValue): number {
  for (let i = 0; i < bins.length; i++) if (binMatches(bins[i], value)) return i;
  return -1;
}

/** Whether a feature's value meets a rule's condition: every clause given must hold; a missing value meets none. */
export function conditionHolds(c: TFeatureCondition, v: TFeatureValue): boolean {
  if (v === null || v === undefined) return false;
  if (c.equals !== undefined && asText(v) !== String(c.equals)) return false;
  if (c.in !== undefined && !c.in.includes(asText(v) as string)) return false;
  if (c.gte !== undefined && !(typeof v === 'number' && v >= c.gte)) return false;
  if (c.lte !== undefined && !(typeof v === 'number' && v <= c.lte)) return false;
  return true;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

export function scoreFeatures(card: TScorecard, features: TFeatureVector): TScoreResult {
  const { characteristics } = compiled(card);
  const points: TScorePoints[] = new Array(characteristics.length);
  const dimPoints = [0, 0, 0, 0, 0];
  const dimMin = [0, 0, 0, 0, 0];
  const dimMax = [0, 0, 0, 0, 0];
  let total = 0;
  for (let i = 0; i < characteristics.length; i++) {
    const ch = characteristics[i];
    const value = features[ch.feature] ?? null;
    const bin = binOf(ch.bins, value);
    const got = bin >= 0 ? ch.bins[bin].points : ch.fallbackPoints;
    points[i] = { feature: ch.feature, bin, points: got, minPoints: ch.minPoints, maxPoints: ch.maxPoints };
    total += got;
    dimPoints[ch.dimension] += got;
    dimMin[ch.dimension] += ch.minPoints;
    dimMax[ch.dimension] += ch.maxPoints;
  }

  const score = Math.round(total);
  const bandRating = bandOf(score, card.bands);
  let rating: TCreditRating = bandRating;
  let noRatingReason: string | null = null;
  let cap: TScoreResult['cap'] = null;
  for (const rule of card.rules) {
    if (!conditionHolds(rule.when, features[rule.when.feature] ?? null)) continue;
    if (rule.kind === 'no_rating') {
      noRatingReason ??= rule.reason;
    } else if (!ratingAtLeast(rule.maxRating, rating)) {
      // A cap only ever lowers; the one that binds last is the one the firm is told about.
      rating = rule.maxRating;
      cap = { code: rule.code, reason: rule.reason, from: bandRating, to: rating };
    }
  }

  // A dimension the version has no characteristic in (a trained version may select few) is not assessed: null.
  const assessed = new Array<boolean>(CREDIT_DIMENSIONS.length).fill(false);
  for (const ch of characteristics) assessed[ch.dimension] = true;
  const dimensions = {} as Record<TCreditDimension, number | null>;
  CREDIT_DIMENSIONS.forEach((dimension, d) => {
    const span = dimMax[d] - dimMin[d];
    dimensions[dimension] = !assessed[d] ? null : span > 0 ? round1(((dimPoints[d] - dimMin[d]) / span) * 100) : 100;
  });

  return {
    score,
    rating: noRatingReason === null ? rating : null,
    bandRating,
    noRatingReason,
    cap: noRatingReason === null ? cap : null,
    badProbability: scoreToBadProbability(score, card.scaling),
    dimensions,
    points,
  };
}

/**
 * The factors that lowered a score, worst first: points lost against the characteristic's best bin (ties in the
 * card's order). Reads only the stored points and the version that produced them, so a bank sees the same reasons
 * years later.
 */
export function scoreReasons(card: TScorecard, points: TScorePoints[], limit = 5): TScoreReason[] {
  const { index } = compiled(card);
  const lost: Array<{ order: number; lost: number; entry: TScorePoints }> = [];
  for (const entry of points) {
    const order = index.get(entry.feature);
    const loss = entry.maxPoints - entry.points;
    if (order === undefined || !(loss > 0)) continue;
    lost.push({ order, lost: loss, entry });
  }
  lost.sort((a, b) => b.lost - a.lost || a.order - b.order);
  return lost.slice(0, Math.max(0, limit)).map(({ order, lost: loss, entry }) => {
    const ch = card.characteristics[order];
    const bin = entry.bin >= 0 ? ch.bins[entry.bin] : undefined;
    return {
      feature: ch.feature,
      label: ch.label,
      dimension: ch.dimension,
      lost: Math.round(loss * 100) / 100,
      binLabel: bin?.label ?? '其他情况',
      reason: bin?.reason ?? ch.reason,
      advice: bin?.advice ?? ch.advice,
    };
  });
}

function binKind(bin: TScorecardBin): 'number' | 'values' | 'missing' {
  if (bin.missing) return 'missing';
  return bin.values ? 'values' : 'number';
}

/** The problems (Chinese) that keep a card from being activated on the platform; empty when there are none. */
export function validatePlatformScorecard(card: TScorecard): string[] {
  const problems: string[] = [];
  const used = new Set<TCreditDimension>();
  for (const ch of card.characteristics) {
    used.add(ch.dimension);
    const feature = PLATFORM_FEATURES[ch.feature];
    if (!feature) {
      problems.push(`特征“${ch.feature}”（${ch.label}）不是平台计算的特征`);
      continue;
    }
    for (const bin of ch.bins) {
      const kind = binKind(bin);
      if (kind === 'missing') continue;
      const where = `特征“${ch.feature}”的分箱“${bin.label}”`;
      if (feature.kind === 'number') {
        if (kind !== 'number') problems.push(`${where}应为数值区间（${feature.label}是数值）`);
        continue;
      }
      if (kind !== 'values') {
        problems.push(`${where}应为取值列表（${feature.label}是${feature.kind === 'flag' ? '是/否' : '类别'}）`);
        continue;
      }
      const allowed = feature.kind === 'flag' ? ['true', 'false'] : feature.values;
      for (const value of bin.values ?? []) {
        const known = allowed ? allowed.includes(value) : ch.feature === 'industrySection' ? industryByCode(value)?.level === 'section' && value.length === 1 : true;
        if (!known) problems.push(`${where}的取值“${value}”不在“${feature.label}”的取值范围内`);
      }
    }
  }
  card.rules.forEach((rule, i) => {
    if (!PLATFORM_FEATURES[rule.when.feature]) problems.push(`第 ${i + 1} 条规则（${rule.code}）的特征“${rule.when.feature}”不是平台计算的特征`);
  });
  // An expert version answers for all five dimensions; a trained one may leave some unassessed (shown as such).
  if (card.kind === 'expert') {
    for (const dimension of CREDIT_DIMENSIONS) {
      if (!used.has(dimension)) problems.push(`维度“${CREDIT_DIMENSION_LABELS[dimension]}”没有任何评分项`);
    }
  }
  return problems;
}

/**
 * The stored form of a score's points: `[bin, points]` per characteristic, in the card's order. The feature names and
 * each characteristic's minimum and maximum follow from the version, which is stored beside every score, so a row
 * keeps only what the score itself decided (a tenth of the full form; a recompute writes hundreds of thousands).
 */
export type TStoredPoints = Array<[number, number]>;

export function compactPoints(points: readonly TScorePoints[]): TStoredPoints {
  return points.map((p) => [p.bin, p.points]);
}

/** The full points of a stored score under the version that produced it. */
export function expandPoints(card: TScorecard, stored: TStoredPoints): TScorePoints[] {
  const { characteristics } = compiled(card);
  return stored.map(([bin, points], i) => {
    const ch = characteristics[i];
    return { feature: ch?.feature ?? `#${i}`, bin, points, minPoints: ch?.minPoints ?? points, maxPoints: ch?.maxPoints ?? points };
  });
}
