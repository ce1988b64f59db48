import { z } from 'zod';
import { CREDIT_RATINGS, type TCreditRating } from './ratings';

/**
 * A scorecard version is data, not code: this document, validated by zod, is what the platform stores, shows,
 * compares and activates. The expert version 1 and every trained version (`npm run credit:train`) are documents of
 * this one shape.
 *
 * Arithmetic, frozen in the version:
 *   score = Σ points of the bin each characteristic falls in (the intercept is spread over the characteristics),
 *   score = offset + factor · ln(odds of good), factor = pdo / ln 2, offset = baseScore − factor · ln(baseOdds).
 * So a score of `baseScore` means good:bad odds of `baseOdds`, and every `pdo` points double the odds.
 */

export { CREDIT_RATINGS, ratingAtLeast, ratingNotches, type TCreditRating } from './ratings';
export const ZCreditRating = z.enum(CREDIT_RATINGS);

/** The five dimension scores every version reports (0–100 each). */
export const CREDIT_DIMENSIONS = ['basic', 'operations', 'tax', 'social', 'negative'] as const;
export const ZCreditDimension = z.enum(CREDIT_DIMENSIONS);
export type TCreditDimension = z.infer<typeof ZCreditDimension>;
export const CREDIT_DIMENSION_LABELS: Record<TCreditDimension, string> = {
  basic: '基本信息',
  operations: '经营状况',
  tax: '纳税信用',
  social: '社会责任',
  negative: '负面记录',
};

/** A feature's value: a number, a category (string), a flag, or missing (null). */
export type TFeatureValue = number | string | boolean | null;
export type TFeatureVector = Record<string, TFeatureValue>;

const finite = z.number().refine(Number.isFinite, { message: '必须是有限数值' });

/**
 * One bin of a characteristic. Exactly one way of matching:
 * - numeric: `min` ≤ value < `max` (either end may be absent, meaning unbounded);
 * - categorical: value (a string, or a flag written "true"/"false") is one of `values`;
 * - `missing: true`: the value is null.
 * The first bin that matches wins; a value no bin matches scores the characteristic's `fallbackPoints`.
 */
export const ZScorecardBin = z
  .object({
    label: z.string().min(1).max(100),
    min: finite.optional(),
    max: finite.optional(),
    values: z.array(z.string().min(1).max(100)).min(1).max(200).optional(),
    missing: z.literal(true).optional(),
    points: finite,
    /** Weight of evidence of the bin in training (ln(%good / %bad)); trained versions only. */
    woe: finite.optional(),
    /** Training counts of the bin; trained versions only. */
    goods: z.number().int().nonnegative().optional(),
    bads: z.number().int().nonnegative().optional(),
    /** A plain-Chinese explanation shown when this bin costs points, overriding the characteristic's. */
    reason: z.string().max(200).optional(),
    advice: z.string().max(200).optional(),
  })
  .superRefine((bin, ctx) => {
    const kinds = [bin.min !== undefined || bin.max !== undefined, bin.values !== undefined, bin.missing === true].filter(Boolean).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: `分箱“${bin.label}”必须且只能是数值区间、取值列表或缺失值之一` });
    if (bin.min !== undefined && bin.max !== undefined && !(bin.min < bin.max)) {
      ctx.addIssue({ code: 'custom', message: `分箱“${bin.label}”的下限必须小于上限` });
    }
  });
export type TScorecardBin = z.infer<typeof ZScorecardBin>;

export const ZScorecardCharacteristic = z.object({
  /** The feature it reads (a key of the feature vector). */
  feature: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, '特征名只能由字母、数字、下划线、点和连字符组成'),
  label: z.string().min(1).max(100),
  dimension: ZCreditDimension,
  /** Why the points run the way they do (expert versions) or how the characteristic was selected (trained). */
  comment: z.string().max(500),
  /** The default explanation and advice when this characteristic costs points. */
  reason: z.string().max(200),
  advice: z.string().max(200),
  bins: z.array(ZScorecardBin).min(1).max(50),
  fallbackPoints: finite,
  /** Information value in training; trained versions only. */
  iv: finite.optional(),
  /** Regression coefficient and its standard error; trained versions only. */
  coefficient: finite.optional(),
  standardError: finite.optional(),
});
export type TScorecardCharacteristic = z.infer<typeof ZScorecardCharacteristic>;

/** A condition on one feature, for hard rules. */
export const ZFeatureCondition = z
  .object({
    feature: z.string().min(1).max(64),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.string()).min(1).optional(),
    gte: finite.optional(),
    lte: finite.optional(),
  })
  .refine((c) => c.equals !== undefined || c.in !== undefined || c.gte !== undefined || c.lte !== undefined, {
    message: '条件至少要有 equals、in、gte、lte 之一',
  });
export type TFeatureCondition = z.infer<typeof ZFeatureCondition>;

/**
 * Hard rules, applied after the points: `cap` limits the rating to at most `maxRating`; `no_rating` withholds the
 * rating (the score is still computed and shown), with the reason.
 */
export const ZScorecardRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cap'), code: z.string().min(1).max(64), when: ZFeatureCondition, maxRating: ZCreditRating, reason: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('no_rating'), code: z.string().min(1).max(64), when: ZFeatureCondition, reason: z.string().min(1).max(200) }),
]);
export type TScorecardRule = z.infer<typeof ZScorecardRule>;

export const ZScorecardBand = z.object({ rating: ZCreditRating, minScore: finite });
export type TScorecardBand = z.infer<typeof ZScorecardBand>;

export const ZScorecardScaling = z.object({
  /** The score at `baseOdds` (good:bad), e.g. 600. */
  baseScore: finite,
  /** e.g. 50 for 50:1. */
  baseOdds: z.number().positive(),
  /** Points to double the odds, e.g. 20. */
  pdo: z.number().positive(),
});
export type TScorecardScaling = z.infer<typeof ZScorecardScaling>;

/** How a trained version was validated; the console shows it beside the version. */
export const ZScorecardTraining = z.object({
  data: z.string().max(300),
  label: z.string().max(100),
  goodValue: z.string().max(100).optional(),
  rows: z.number().int().nonnegative(),
  bads: z.number().int().nonnegative(),
  trainedAt: z.string(),
  holdout: z.object({ auc: finite, ks: finite, gini: finite, psi: finite }).optional(),
  crossValidation: z.object({ folds: z.number().int(), repeats: z.number().int(), auc: finite, aucSd: finite, ks: finite, gini: finite }).optional(),
  bandBadRates: z.array(z.object({ rating: ZCreditRating, count: z.number().int().nonnegative(), badRate: finite.nullable() })).optional(),
  bandsMonotone: z.boolean().optional(),
});
export type TScorecardTraining = z.infer<typeof ZScorecardTraining>;

export const ZScorecard = z
  .object({
    /** Schema of this document. */
    format: z.literal('xyd-scorecard/1'),
    name: z.string().min(1).max(100),
    description: z.string().max(2000),
    kind: z.enum(['expert', 'trained']),
    scaling: ZScorecardScaling,
    /** Rating bands, best first, each from its minimum score; the last band's minimum is the floor of the scale. */
    bands: z.array(ZScorecardBand).length(CREDIT_RATINGS.length),
    characteristics: z.array(ZScorecardCharacteristic).min(1).max(100),
    rules: z.array(ZScorecardRule).max(20),
    /** A record under an open dispute is left out of the features while the dispute is open. */
    excludeDisputed: z.boolean(),
    training: ZScorecardTraining.optional(),
  })
  .superRefine((card, ctx) => {
    card.bands.forEach((band, i) => {
      if (band.rating !== CREDIT_RATINGS[i]) ctx.addIssue({ code: 'custom', path: ['bands', i], message: `第 ${i + 1} 档必须是 ${CREDIT_RATINGS[i]}` });
      if (i > 0 && !(band.minScore < card.bands[i - 1].minScore)) {
        ctx.addIssue({ code: 'custom', path: ['bands', i], message: `评级 ${band.rating} 的分数下限必须低于 ${card.bands[i - 1].rating}` });
      }
    });
    const seen = new Set<string>();
    card.characteristics.forEach((c, i) => {
      if (seen.has(c.feature)) ctx.addIssue({ code: 'custom', path: ['characteristics', i], message: `特征 ${c.feature} 重复` });
      seen.add(c.feature);
    });
  });
export type TScorecard = z.infer<typeof ZScorecard>;

/** factor and offset of the scaling. */
export function scalingConstants(scaling: TScorecardScaling): { factor: number; offset: number } {
  const factor = scaling.pdo / Math.LN2;
  return { factor, offset: scaling.baseScore - factor * Math.log(scaling.baseOdds) };
}

/** The probability of bad a score stands for under the version's scaling. */
export function scoreToBadProbability(score: number, scaling: TScorecardScaling): number {
  const { factor, offset } = scalingConstants(scaling);
  const odds = Math.exp((score - offset) / factor);
  return 1 / (1 + odds);
}

/** The band a score falls in (before hard rules). */
export function bandOf(score: number, bands: readonly TScorecardBand[]): TCreditRating {
  for (const band of bands) if (score >= band.minScore) return band.rating;
  return bands[bands.length - 1].rating;
}
