import {
  EXPERT_SCORECARD_V1,
  PLATFORM_FEATURES,
  ZScorecard,
  type TCreditDimension,
  type TScorecard,
  type TScorecardBin,
  type TScorecardCharacteristic,
  type TScorecardScaling,
} from '@xyd/shared';
import { binColumn, MAX_LEVEL_LENGTH, woeColumn, type TFeatureBinning, type TWoeBin } from './binning';
import { prepareData, type TLabelOptions, type TPreparedColumn, type TPreparedData } from './columns';
import { TrainingInputError } from './errors';
import { fitLogistic, withoutCoefficient, type TLogisticFit } from './logistic';
import { auc, gini, ks, meanSd, psi } from './metrics';
import { DEFAULT_SCALING, badRatesMonotone, bandOutcomes, bandsFromScores, binPoints, scoreOfLogit, type TBandOutcome } from './scaling';
import { repeatedStratifiedKFold, stratifiedHoldout } from './split';
import type { TTable } from './table';

/**
 * The scorecard pipeline: prepare → WOE binning → IV selection → correlation filter → IRLS → wrong-sign
 * elimination → points. Validation refits the whole pipeline, binning included, on the training rows of each
 * split, so that no test row informs the bins it is scored with.
 *
 * The version written is the one fitted on the training part of the holdout split (all rows when holdout is 0):
 * its held-out AUC, KS, PSI and band bad rates describe that very document; cross-validation describes the
 * procedure on all rows.
 */

export interface TTrainOptions extends TLabelOptions {
  /** The version's name (up to 100 characters). */
  name: string;
  /** Where the data came from, stored in the version (e.g. the file name). */
  dataName: string;
  description?: string;
  seed?: number;
  folds?: number;
  /** 0 skips cross-validation. */
  repeats?: number;
  /** Share of rows held out (0.3); 0 fits on all rows and reports no holdout figures. */
  holdout?: number;
  /** Force WOE monotone in the value for numeric columns. */
  monotone?: boolean;
  /** Minimum share of training rows per bin (0.05). */
  minBin?: number;
  maxBins?: number;
  /** Minimum information value to enter the model (0.02). */
  minIv?: number;
  /** Quantile classes before merging (20). */
  fineClasses?: number;
  /** Of two WOE columns correlated beyond this, the one with less IV is dropped (0.8). */
  maxCorrelation?: number;
  /** Drop characteristics whose coefficient has the wrong sign, one at a time, refitting (true). */
  eliminateWrongSign?: boolean;
  scaling?: TScorecardScaling;
  /** ISO time stored as trainedAt (now). */
  trainedAt?: string;
}

export type TResolvedOptions = Required<Omit<TTrainOptions, 'good' | 'exclude' | 'description'>> & Pick<TTrainOptions, 'good' | 'exclude' | 'description'>;

export type TFeatureStatus = 'selected' | 'low_iv' | 'correlated' | 'wrong_sign';

export interface TFeatureReport {
  feature: string;
  column: string;
  kind: 'numeric' | 'categorical';
  bins: number;
  iv: number;
  status: TFeatureStatus;
  /** Why it was dropped, e.g. "与 duration 相关 0.83". */
  note?: string;
}

export interface TCoefficientReport {
  feature: string;
  coefficient: number;
  standardError: number;
  z: number;
}

export interface TTrainReport {
  data: {
    name: string;
    rows: number;
    bads: number;
    badRate: number;
    unlabelled: number;
    labelRule: string;
    /** Columns other than the label, and those that could be features. */
    columns: number;
    candidates: number;
    skipped: Array<{ column: string; reason: string }>;
  };
  options: TResolvedOptions;
  /** Every candidate of the written version's fit, by IV. */
  features: TFeatureReport[];
  model: {
    intercept: TCoefficientReport;
    coefficients: TCoefficientReport[];
    iterations: number;
    converged: boolean;
    ridge: number;
    trainRows: number;
  };
  holdout: { trainRows: number; testRows: number; auc: number; ks: number; gini: number; psi: number } | null;
  crossValidation: { folds: number; repeats: number; auc: number; aucSd: number; ks: number; ksSd: number; gini: number; runs: Array<{ auc: number; ks: number }> } | null;
  bands: {
    training: TBandOutcome[];
    holdout: TBandOutcome[] | null;
    /** On the held-out rows when there are any (the claim the version stores), else on the training rows. */
    monotone: boolean;
    trainingMonotone: boolean;
  };
  seconds: number;
}

/** One fit of the pipeline on some rows. */
export interface TFittedModel {
  /** The characteristics in the model, by IV. */
  selected: Array<{ column: TPreparedColumn; binning: TFeatureBinning }>;
  fit: TLogisticFit;
  features: TFeatureReport[];
  trainRows: number;
}

function resolveOptions(options: TTrainOptions): TResolvedOptions {
  const resolved: TResolvedOptions = {
    label: options.label,
    good: options.good,
    exclude: options.exclude,
    description: options.description,
    name: options.name,
    dataName: options.dataName,
    seed: options.seed ?? 2026,
    folds: options.folds ?? 5,
    repeats: options.repeats ?? 3,
    holdout: options.holdout ?? 0.3,
    monotone: options.monotone ?? false,
    minBin: options.minBin ?? 0.05,
    maxBins: options.maxBins ?? 10,
    minIv: options.minIv ?? 0.02,
    fineClasses: options.fineClasses ?? 20,
    maxCorrelation: options.maxCorrelation ?? 0.8,
    eliminateWrongSign: options.eliminateWrongSign ?? true,
    scaling: options.scaling ?? DEFAULT_SCALING,
    trainedAt: options.trainedAt ?? new Date().toISOString(),
  };
  const integer = (value: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) throw new TrainingInputError(`${name} 应为 ${min}–${max} 的整数，当前为 ${value}`);
  };
  const between = (value: number, name: string, min: number, max: number) => {
    if (!Number.isFinite(value) || value < min || value > max) throw new TrainingInputError(`${name} 应在 ${min} 到 ${max} 之间，当前为 ${value}`);
  };
  if (!resolved.name || resolved.name.length > 100) throw new TrainingInputError('版本名称不能为空，且不超过 100 个字符');
  integer(resolved.seed, 'seed', 0, 2 ** 32 - 1);
  integer(resolved.folds, 'folds', 2, 20);
  integer(resolved.repeats, 'repeats', 0, 20);
  between(resolved.holdout, 'holdout', 0, 0.9);
  between(resolved.minBin, 'min-bin', 0.001, 0.5);
  // A characteristic holds at most 50 bins: maxBins ranges plus the missing bin.
  integer(resolved.maxBins, 'max-bins', 2, 49);
  between(resolved.minIv, 'min-iv', 0, 10);
  integer(resolved.fineClasses, 'fine-classes', 2, 100);
  between(resolved.maxCorrelation, 'max-correlation', 0, 1);
  return resolved;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** The pipeline fitted on `rows` of the prepared data. */
export function fitModel(data: TPreparedData, rows: Uint32Array, options: TResolvedOptions): TFittedModel {
  const member = new Uint8Array(data.rows);
  for (const row of rows) member[row] = 1;
  const y = Uint8Array.from(rows, (row) => data.bad[row]!);
  const binningOptions = { fineClasses: options.fineClasses, minBinShare: options.minBin, maxBins: options.maxBins, monotone: options.monotone };
  const all = data.columns.map((column) => ({ column, binning: binColumn(column.data, data.bad, member, binningOptions) }));
  const features = new Map<string, TFeatureReport>();
  for (const { column, binning } of all) {
    const low = !(binning.iv >= options.minIv) || binning.bins.length < 2;
    features.set(column.feature, {
      feature: column.feature,
      column: column.column,
      kind: binning.kind,
      bins: binning.bins.length,
      iv: binning.iv,
      status: low ? 'low_iv' : 'selected',
      note: low ? `IV 低于 ${options.minIv}` : undefined,
    });
  }
  const candidates = all.filter(({ column }) => features.get(column.feature)!.status === 'selected').sort((a, b) => b.binning.iv - a.binning.iv);

  // Of two WOE columns that say nearly the same, keep the stronger: collinear pairs make coefficients unstable.
  const kept: Array<{ column: TPreparedColumn; binning: TFeatureBinning; woe: Float64Array }> = [];
  for (const candidate of candidates) {
    const woe = woeColumn(candidate.binning, candidate.column.data, rows);
    let clash: { feature: string; r: number } | null = null;
    for (const other of kept) {
      const r = pearson(woe, other.woe);
      if (Math.abs(r) > options.maxCorrelation) {
        clash = { feature: other.column.feature, r };
        break;
      }
    }
    if (clash) {
      const report = features.get(candidate.column.feature)!;
      report.status = 'correlated';
      report.note = `与 ${clash.feature} 相关 ${clash.r.toFixed(2)}`;
    } else kept.push({ ...candidate, woe });
  }

  let fit = fitLogistic(
    kept.map((k) => k.woe),
    y,
  );
  // WOE is ln(good/bad) and the model predicts bad, so every β should be negative; a positive one is a suppressor
  // effect of correlated inputs, which a scorecard cannot explain. Backward elimination: drop the positive
  // coefficient with the largest z, one at a time, stepping by the quadratic approximation (withoutCoefficient);
  // when none is left, refit exactly from there and look again. On 64 ratios this replaces some 30 refits by two.
  let current = { coefficients: fit.coefficients, covariance: fit.covariance, exact: true };
  while (options.eliminateWrongSign) {
    let worst = -1;
    let worstZ = 0;
    for (let j = 1; j < current.coefficients.length; j++) {
      const beta = current.coefficients[j]!;
      const z = beta / Math.sqrt(Math.max(current.covariance[j]![j]!, 1e-300));
      if (beta > 0 && (worst === -1 || z > worstZ)) {
        worst = j;
        worstZ = z;
      }
    }
    if (worst === -1) {
      if (current.exact) break;
      fit = fitLogistic(
        kept.map((k) => k.woe),
        y,
        { start: current.coefficients },
      );
      current = { coefficients: fit.coefficients, covariance: fit.covariance, exact: true };
      continue;
    }
    const report = features.get(kept[worst - 1]!.column.feature)!;
    report.status = 'wrong_sign';
    report.note = `系数为正（${current.coefficients[worst]!.toFixed(3)}），与 WOE 方向相反`;
    kept.splice(worst - 1, 1);
    current = { ...withoutCoefficient(current.coefficients, current.covariance, worst), exact: false };
  }
  return {
    selected: kept.map(({ column, binning }) => ({ column, binning })),
    fit,
    features: [...features.values()].sort((a, b) => b.iv - a.iv),
    trainRows: rows.length,
  };
}

/** The model's logit of bad for each of `rows` (higher = riskier). */
export function predictLogits(model: TFittedModel, data: TPreparedData, rows: Uint32Array): Float64Array {
  const logits = new Float64Array(rows.length).fill(model.fit.coefficients[0]!);
  model.selected.forEach(({ column, binning }, j) => {
    const woe = woeColumn(binning, column.data, rows);
    const beta = model.fit.coefficients[j + 1]!;
    for (let k = 0; k < rows.length; k++) logits[k] += beta * woe[k]!;
  });
  return logits;
}

const labelsOf = (data: TPreparedData, rows: Uint32Array) => Uint8Array.from(rows, (row) => data.bad[row]!);

function checkClassSizes(data: TPreparedData, options: TResolvedOptions): void {
  const goods = data.rows - data.bads;
  const needed = Math.max(options.repeats > 0 ? options.folds : 2, options.holdout > 0 ? Math.ceil(1 / Math.min(options.holdout, 1 - options.holdout)) : 2);
  if (data.bads < needed || goods < needed) {
    throw new TrainingInputError(`好样本 ${goods} 个、坏样本 ${data.bads} 个：按当前的留出比例和折数，每类至少需要 ${needed} 个`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The version document

const formatNumber = (value: number) => String(Number(value.toPrecision(6)));

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function binLabel(bin: TWoeBin, listed: string[]): string {
  const rule = bin.rule;
  if (rule.kind === 'missing') return '缺失';
  if (rule.kind === 'range') {
    if (rule.min === null && rule.max === null) return '全部';
    if (rule.min === null) return `< ${formatNumber(rule.max!)}`;
    if (rule.max === null) return `≥ ${formatNumber(rule.min)}`;
    return `[${formatNumber(rule.min)}, ${formatNumber(rule.max)})`;
  }
  const text = listed.join('、');
  return clip(rule.other ? (text ? `${text} 及其他取值` : '其他取值') : text, 100);
}

/**
 * For a feature the platform computes: its name, and the dimension, reason and advice the expert version gives it
 * (so that a version trained on the platform's outcomes explains itself in the same words). Anything else is
 * filed under operations with generic text.
 */
function platformFacts(feature: string): { label?: string; dimension: TCreditDimension; reason?: string; advice?: string } {
  const known = Object.prototype.hasOwnProperty.call(PLATFORM_FEATURES, feature) ? PLATFORM_FEATURES[feature] : undefined;
  const expert = EXPERT_SCORECARD_V1.characteristics.find((c) => c.feature === feature);
  return { label: known?.label ?? expert?.label, dimension: expert?.dimension ?? 'operations', reason: expert?.reason, advice: expert?.advice };
}

/** The document's characteristic for one fitted feature. */
function characteristicOf(
  model: TFittedModel,
  j: number,
  scaling: TScorecardScaling,
): TScorecardCharacteristic {
  const { column, binning } = model.selected[j]!;
  const intercept = model.fit.coefficients[0]!;
  const beta = model.fit.coefficients[j + 1]!;
  const n = model.selected.length;
  const points = (woe: number) => binPoints(beta, woe, intercept, n, scaling);
  const facts = platformFacts(column.feature);
  const label = clip(facts.label ?? column.column, 100);
  const bins: TScorecardBin[] = [];
  for (const bin of binning.bins) {
    const base = { points: points(bin.woe), woe: bin.woe, goods: bin.goods, bads: bin.bads };
    const rule = bin.rule;
    if (rule.kind === 'missing') bins.push({ label: '缺失', missing: true, ...base });
    else if (rule.kind === 'range') {
      bins.push({ label: binLabel(bin, []), ...(rule.min !== null ? { min: rule.min } : {}), ...(rule.max !== null ? { max: rule.max } : {}), ...base });
    } else {
      // A bin lists at most 200 values of at most 100 characters; the pooled rare levels beyond that still score
      // this bin's points, as the fallback (which unseen levels take too).
      const listed = rule.levels.filter((level) => level.length <= MAX_LEVEL_LENGTH).slice(0, 200);
      if (listed.length > 0) bins.push({ label: binLabel(bin, listed), values: listed, ...base });
    }
  }
  const iv = round(binning.iv, 4);
  return {
    feature: column.feature,
    label,
    dimension: facts.dimension,
    comment: clip(`训练所得：${label}（IV ${iv.toFixed(3)}，${binning.bins.length} 个分箱，系数 ${beta.toFixed(3)}）；分数随该项的证据权重（WOE）升高而升高`, 500),
    reason: clip(facts.reason ?? `${label} 所处的区间在训练数据中违约率较高`, 200),
    advice: clip(facts.advice ?? `改善 ${label} 可提高评分`, 200),
    bins,
    fallbackPoints: points(binning.fallbackWoe),
    iv,
    coefficient: beta,
    standardError: model.fit.standardErrors[j + 1]!,
  };
}

/** The lowest score the document can give: each characteristic's lowest points, the fallback included. */
function lowestScore(characteristics: readonly TScorecardCharacteristic[]): number {
  return characteristics.reduce((s, c) => s + Math.min(c.fallbackPoints, ...c.bins.map((b) => b.points)), 0);
}

const finiteOr = (value: number) => (Number.isFinite(value) ? value : 0);

/**
 * Trains a scorecard version on a table with a binary label: the document (validated by ZScorecard) and the
 * report of how it was built and how well it separates on data it has not seen.
 */
export function trainScorecard(table: TTable, trainOptions: TTrainOptions): { scorecard: TScorecard; report: TTrainReport } {
  const started = performance.now();
  const options = resolveOptions(trainOptions);
  const data = prepareData(table, options);
  checkClassSizes(data, options);
  const allRows = Uint32Array.from({ length: data.rows }, (_, i) => i);

  const split = options.holdout > 0 ? stratifiedHoldout(data.bad, options.holdout, options.seed) : null;
  const trainRows = split ? split.train : allRows;
  const model = fitModel(data, trainRows, options);
  if (model.selected.length === 0) {
    const best = model.features[0];
    throw new TrainingInputError(
      `没有特征可以入模：IV 最高的是 ${best ? `${best.column}（${best.iv.toFixed(4)}）` : '（无）'}，门槛 --min-iv ${options.minIv}`,
    );
  }
  const scaling = options.scaling;
  const trainScores = Float64Array.from(predictLogits(model, data, trainRows), (logit) => scoreOfLogit(logit, scaling));

  let holdout: TTrainReport['holdout'] = null;
  let testScores: Float64Array | null = null;
  if (split) {
    const logits = predictLogits(model, data, split.test);
    const labels = labelsOf(data, split.test);
    testScores = Float64Array.from(logits, (logit) => scoreOfLogit(logit, scaling));
    holdout = { trainRows: split.train.length, testRows: split.test.length, auc: auc(logits, labels), ks: ks(logits, labels), gini: gini(logits, labels), psi: psi(trainScores, testScores) };
  }

  let crossValidation: TTrainReport['crossValidation'] = null;
  if (options.repeats > 0) {
    const runs = repeatedStratifiedKFold(data.bad, options.folds, options.repeats, options.seed + 1).map(({ train, test }) => {
      const logits = predictLogits(fitModel(data, train, options), data, test);
      const labels = labelsOf(data, test);
      return { auc: auc(logits, labels), ks: ks(logits, labels) };
    });
    const a = meanSd(runs.map((r) => r.auc));
    const k = meanSd(runs.map((r) => r.ks));
    crossValidation = { folds: options.folds, repeats: options.repeats, auc: a.mean, aucSd: a.sd, ks: k.mean, ksSd: k.sd, gini: 2 * a.mean - 1, runs };
  }

  const characteristics = model.selected.map((_, j) => characteristicOf(model, j, scaling));
  const bands = bandsFromScores(trainScores, lowestScore(characteristics));
  const trainingBands = bandOutcomes(bands, trainScores, labelsOf(data, trainRows));
  const holdoutBands = split && testScores ? bandOutcomes(bands, testScores, labelsOf(data, split.test)) : null;
  // Monotone on unseen rows is the claim worth making; without a holdout, on the training rows.
  const judged = holdoutBands ?? trainingBands;
  const monotone = badRatesMonotone(judged);

  const report: TTrainReport = {
    data: {
      name: options.dataName,
      rows: data.rows,
      bads: data.bads,
      badRate: data.bads / data.rows,
      unlabelled: data.unlabelled,
      labelRule: data.labelRule,
      columns: table.columns.length - 1,
      candidates: data.columns.length,
      skipped: data.skipped,
    },
    options,
    features: model.features,
    model: {
      intercept: coefficientReport('(intercept)', model.fit, 0),
      coefficients: model.selected.map(({ column }, j) => coefficientReport(column.feature, model.fit, j + 1)),
      iterations: model.fit.iterations,
      converged: model.fit.converged,
      ridge: model.fit.ridge,
      trainRows: trainRows.length,
    },
    holdout,
    crossValidation,
    bands: { training: trainingBands, holdout: holdoutBands, monotone, trainingMonotone: badRatesMonotone(trainingBands) },
    seconds: 0,
  };

  const scorecard = ZScorecard.parse({
    format: 'xyd-scorecard/1',
    name: options.name,
    description: clip(
      options.description ??
        `由 ${options.dataName} 训练的评分卡：${data.rows} 行、坏样本 ${data.bads} 个（${data.labelRule}），` +
          `${characteristics.length} 个特征入模（WOE 分箱 + 逻辑回归），` +
          (crossValidation ? `${crossValidation.repeats} 次 ${crossValidation.folds} 折交叉验证 AUC ${crossValidation.auc.toFixed(3)}。` : '未做交叉验证。'),
      2000,
    ),
    kind: 'trained',
    scaling,
    bands,
    characteristics,
    rules: [],
    excludeDisputed: true,
    training: {
      data: clip(options.dataName, 300),
      label: clip(options.label, 100),
      ...(data.goodValue !== undefined ? { goodValue: clip(data.goodValue, 100) } : {}),
      rows: data.rows,
      bads: data.bads,
      trainedAt: options.trainedAt,
      ...(holdout ? { holdout: { auc: finiteOr(holdout.auc), ks: finiteOr(holdout.ks), gini: finiteOr(holdout.gini), psi: finiteOr(holdout.psi) } } : {}),
      ...(crossValidation
        ? { crossValidation: { folds: crossValidation.folds, repeats: crossValidation.repeats, auc: finiteOr(crossValidation.auc), aucSd: finiteOr(crossValidation.aucSd), ks: finiteOr(crossValidation.ks), gini: finiteOr(crossValidation.gini) } }
        : {}),
      bandBadRates: judged.map((b) => ({ rating: b.rating, count: b.count, badRate: b.badRate })),
      bandsMonotone: monotone,
    },
  });
  report.seconds = (performance.now() - started) / 1000;
  return { scorecard, report };
}

function coefficientReport(feature: string, fit: TLogisticFit, j: number): TCoefficientReport {
  const coefficient = fit.coefficients[j]!;
  const standardError = fit.standardErrors[j]!;
  return { feature, coefficient, standardError, z: standardError > 0 ? coefficient / standardError : Number.NaN };
}
