import type { TColumn } from './binning';
import { TrainingInputError } from './errors';
import type { TCell, TTable } from './table';

/**
 * A table made ready for training, once: the label as 0/1 (1 = bad, the event the regression predicts), and each
 * other column typed (numeric when every present value is a finite number, categorical otherwise, flags as
 * "true"/"false" the way scorecard bins spell them) and held in typed arrays, numeric ones sorted.
 */

export interface TLabelOptions {
  label: string;
  /** The label value meaning good; without it a 0/1 label reads 1 as bad, and a true/false flag true as bad. */
  good?: string;
  /** Columns that are not features (identifiers, dates of record). */
  exclude?: readonly string[];
}

export interface TPreparedColumn {
  /** The data's column name. */
  column: string;
  /** The scorecard's feature name: the column's, with characters a feature name cannot hold replaced. */
  feature: string;
  data: TColumn;
}

export interface TPreparedData {
  rows: number;
  /** 1 = bad. */
  bad: Uint8Array;
  bads: number;
  columns: TPreparedColumn[];
  /** How the label was read, for the report: e.g. "creditability = good 为好，其余为坏". */
  labelRule: string;
  /** The value meaning good, when one was named (stored in the version). */
  goodValue?: string;
  /** Rows left out because their label is missing. */
  unlabelled: number;
  /** Columns that cannot be features, with why. */
  skipped: Array<{ column: string; reason: string }>;
}

const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A scorecard feature name for a column (letters, digits, _ . - up to 64, not starting with a digit), unique among `taken`. */
export function featureNameFor(column: string, taken: Set<string>): string {
  let base = column.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  base = base.slice(0, 64);
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base.slice(0, 64 - String(k).length - 1)}_${k}`;
  taken.add(name);
  return name;
}

const textOf = (value: TCell): string | null => (value === null || value === undefined ? null : typeof value === 'string' ? value : String(value));

/** The 0/1 bad indicator of each labelled row, and which rows have a label. */
function readLabel(table: TTable, options: TLabelOptions): { bad: number[]; labelled: number[]; rule: string; goodValue?: string } {
  const name = options.label;
  if (!table.columns.includes(name)) {
    const shown = table.columns.slice(0, 30).join('、');
    throw new TrainingInputError(`数据中没有标签列 ${name}；现有的列：${shown}${table.columns.length > 30 ? ' 等' : ''}`);
  }
  const values = new Map<string, number>();
  table.rows.forEach((row) => {
    const text = textOf(row[name] ?? null);
    if (text !== null) values.set(text, (values.get(text) ?? 0) + 1);
  });
  const distinct = [...values.keys()];
  const listed = distinct.slice(0, 10).map((v) => `「${v}」`).join('、');
  if (distinct.length === 0) throw new TrainingInputError(`标签列 ${name} 全部为空`);
  if (distinct.length === 1) throw new TrainingInputError(`标签列 ${name} 只有一个取值 ${listed}：训练需要好、坏两类样本`);
  if (distinct.length > 2) throw new TrainingInputError(`标签列 ${name} 有 ${distinct.length} 个取值（${listed}${distinct.length > 10 ? ' 等' : ''}），应为二值`);
  let goodValue: string;
  let rule: string;
  const flags = table.rows.every((row) => row[name] === null || row[name] === undefined || typeof row[name] === 'boolean');
  if (options.good !== undefined) {
    if (!values.has(options.good)) throw new TrainingInputError(`--good 的值「${options.good}」不是标签列 ${name} 的取值（${listed}）`);
    goodValue = options.good;
    rule = `${name} = ${goodValue} 为好，${distinct.find((v) => v !== goodValue)} 为坏`;
  } else if (values.has('0') && values.has('1')) {
    goodValue = '0';
    rule = `${name} = 1 为坏（违约），0 为好`;
  } else if (flags) {
    // A flag from the platform's own outcomes (defaulted: true) reads the same way as 1.
    goodValue = 'false';
    rule = `${name} = true 为坏（违约），false 为好`;
  } else {
    throw new TrainingInputError(`标签列 ${name} 的取值是 ${listed}：不是 0/1 时请用 --good 指明表示“好”的取值`);
  }
  const bad: number[] = [];
  const labelled: number[] = [];
  table.rows.forEach((row, i) => {
    const text = textOf(row[name] ?? null);
    if (text === null) return;
    labelled.push(i);
    bad.push(text === goodValue ? 0 : 1);
  });
  return { bad, labelled, rule, goodValue: options.good };
}

/** One column over the labelled rows as a typed feature column, or why it cannot be one. */
function typedColumn(table: TTable, column: string, labelled: number[]): TColumn | string {
  const n = labelled.length;
  let present = 0;
  let numeric = true;
  for (const i of labelled) {
    const value = table.rows[i]![column] ?? null;
    if (value === null) continue;
    present++;
    if (typeof value !== 'number') numeric = false;
  }
  if (present === 0) return '全部为空';
  if (numeric) {
    const values = new Float64Array(n);
    const withValue: number[] = [];
    labelled.forEach((i, k) => {
      const value = table.rows[i]![column] as number | null;
      // An infinite ratio (a division by zero upstream) is as good as unknown.
      values[k] = value === null || !Number.isFinite(value) ? Number.NaN : value;
      if (!Number.isNaN(values[k]!)) withValue.push(k);
    });
    const order = Uint32Array.from(withValue).sort((a, b) => values[a]! - values[b]! || a - b);
    if (order.length > 0 && order.length === n && values[order[0]!] === values[order[order.length - 1]!]) return '取值全部相同';
    return { kind: 'numeric', name: column, values, order };
  }
  const levels: string[] = [];
  const codeOf = new Map<string, number>();
  const codes = new Int32Array(n);
  labelled.forEach((i, k) => {
    const text = textOf(table.rows[i]![column] ?? null);
    if (text === null || text === '') {
      codes[k] = -1;
      return;
    }
    let code = codeOf.get(text);
    if (code === undefined) {
      code = levels.length;
      levels.push(text);
      codeOf.set(text, code);
    }
    codes[k] = code;
  });
  if (levels.length === 1 && present === n) return '取值全部相同';
  return { kind: 'categorical', name: column, codes, levels };
}

export function prepareData(table: TTable, options: TLabelOptions): TPreparedData {
  if (table.rows.length === 0) throw new TrainingInputError('数据没有任何行');
  const label = readLabel(table, options);
  const bad = Uint8Array.from(label.bad);
  const bads = label.bad.reduce((s, v) => s + v, 0);
  const exclude = new Set(options.exclude ?? []);
  for (const name of exclude) if (!table.columns.includes(name)) throw new TrainingInputError(`要排除的列 ${name} 不在数据中`);
  const taken = new Set<string>();
  const columns: TPreparedColumn[] = [];
  const skipped: TPreparedData['skipped'] = [];
  for (const column of table.columns) {
    if (column === options.label || exclude.has(column)) continue;
    const data = typedColumn(table, column, label.labelled);
    if (typeof data === 'string') skipped.push({ column, reason: data });
    else columns.push({ column, feature: FEATURE_NAME.test(column) && !taken.has(column) ? (taken.add(column), column) : featureNameFor(column, taken), data });
  }
  if (columns.length === 0) throw new TrainingInputError('除标签列外没有可用的特征列');
  return {
    rows: label.labelled.length,
    bad,
    bads,
    columns,
    labelRule: label.rule,
    goodValue: label.goodValue,
    unlabelled: table.rows.length - label.labelled.length,
    skipped,
  };
}
