import type { TBandOutcome } from './scaling';
import type { TFeatureStatus, TTrainReport } from './train';

/**
 * The trainer's report as text for the terminal. Metric names stay in English (AUC, KS, Gini, PSI, IV, WOE), as
 * risk teams write them; one line starts with "CV AUC" so that scripts can read the cross-validated figure.
 */

const STATUS: Record<TFeatureStatus, string> = { selected: '入模', low_iv: 'IV 不足', correlated: '高相关', wrong_sign: '符号不符' };

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

const padEnd = (text: string, size: number) => text + ' '.repeat(Math.max(0, size - width(text)));
const padStart = (text: string, size: number) => ' '.repeat(Math.max(0, size - width(text))) + text;

function table(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c]!))));
  const line = (cells: string[]) => `  ${cells.map((cell, c) => (rightAligned[c] ? padStart(cell, widths[c]!) : padEnd(cell, widths[c]!))).join('  ').trimEnd()}`;
  return [line(header), ...rows.map(line)];
}

const fixed = (value: number, digits = 4) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const clip = (text: string, max: number) => (width(text) <= max ? text : `${[...text].slice(0, max - 1).join('')}…`);

function bandRows(training: TBandOutcome[], holdout: TBandOutcome[] | null): string[][] {
  return training.map((band, i) => {
    const cells = [band.rating, String(band.minScore), String(band.count), percent(band.badRate)];
    if (holdout) cells.push(String(holdout[i]!.count), percent(holdout[i]!.badRate));
    return cells;
  });
}

export function formatTrainReport(report: TTrainReport): string {
  const { data, options } = report;
  const out: string[] = [];
  out.push(`评分卡训练：${data.name}`);
  out.push(
    `数据：${data.rows} 行，坏样本 ${data.bads} 个（${percent(data.badRate)}）；标签：${data.labelRule}` +
      (data.unlabelled > 0 ? `；${data.unlabelled} 行标签为空，未使用` : ''),
  );
  out.push(`特征：${data.columns} 列中 ${data.candidates} 列可用` + (data.skipped.length > 0 ? `（跳过 ${data.skipped.map((s) => `${s.column}：${s.reason}`).join('；')}）` : ''));
  out.push(
    `选项：种子 ${options.seed} · 留出 ${Math.round(options.holdout * 100)}% · ${options.folds} 折 × ${options.repeats} 次 · 细分 ${options.fineClasses} 箱 · ` +
      `每箱至少 ${Number((options.minBin * 100).toPrecision(6))}% · 最多 ${options.maxBins} 箱 · WOE 单调 ${options.monotone ? '是' : '否'} · IV ≥ ${options.minIv} · |r| ≤ ${options.maxCorrelation}`,
  );

  out.push('', `信息值（IV，在 ${report.model.trainRows} 行训练数据上分箱）`);
  out.push(
    ...table(
      ['特征', '类型', '分箱', 'IV', '结果'],
      report.features.map((f) => [clip(f.column, 48), f.kind === 'numeric' ? '数值' : '分类', String(f.bins), fixed(f.iv), f.note ? `${STATUS[f.status]}（${f.note}）` : STATUS[f.status]]),
      [false, false, true, true, false],
    ),
  );

  const m = report.model;
  out.push('', `逻辑回归（IRLS，${m.iterations} 次迭代，${m.converged ? '已收敛' : '未收敛'}${m.ridge > 0 ? `，加了岭 ${m.ridge.toExponential(1)}` : ''}；预测坏的 logit）`);
  out.push(
    ...table(
      ['特征', '系数', '标准误', 'z'],
      [m.intercept, ...m.coefficients].map((c) => [c.feature === '(intercept)' ? '(截距)' : clip(c.feature, 48), fixed(c.coefficient), fixed(c.standardError), fixed(c.z, 2)]),
      [false, true, true, true],
    ),
  );

  out.push('');
  const h = report.holdout;
  if (h) {
    out.push(`留出验证（训练 ${h.trainRows} 行，留出 ${h.testRows} 行）：AUC ${fixed(h.auc)}  KS ${fixed(h.ks)}  Gini ${fixed(h.gini)}`);
    out.push(`PSI（训练分数 vs 留出分数）：${fixed(h.psi)}${h.psi < 0.1 ? '（稳定）' : h.psi < 0.25 ? '（有变化）' : '（明显偏移）'}`);
  } else out.push('留出验证：未做（--holdout 0，版本在全部数据上拟合）');
  const cv = report.crossValidation;
  if (cv) {
    out.push(`重复分层 ${cv.folds} 折交叉验证 × ${cv.repeats} 次（每折重新分箱、选择特征、拟合）：`);
    out.push(`CV AUC ${fixed(cv.auc)} ± ${fixed(cv.aucSd)}  KS ${fixed(cv.ks)} ± ${fixed(cv.ksSd)}  Gini ${fixed(cv.gini)}`);
  } else out.push('交叉验证：未做（--repeats 0）');

  out.push('', '评级档位（分数下限按训练分数的分布设定，好的在前）');
  const header = ['评级', '分数下限', '训练行数', '坏样本率'];
  if (report.bands.holdout) header.push('留出行数', '留出坏样本率');
  out.push(...table(header, bandRows(report.bands.training, report.bands.holdout), header.map((_, c) => c > 0)));
  const yesNo = (value: boolean) => (value ? '是' : '否');
  out.push(
    `各档坏样本率（有样本的档）随评级变差而单调不降：训练数据 ${yesNo(report.bands.trainingMonotone)}` +
      (report.bands.holdout ? `，留出数据 ${yesNo(report.bands.monotone)}（写入版本的是留出数据的结论）` : ''),
  );
  out.push('', `用时 ${report.seconds.toFixed(2)} 秒`);
  return `${out.join('\n')}\n`;
}
