import fs from 'node:fs';
import path from 'node:path';
import { decode as iconvDecode } from 'iconv-lite';
import { CsvTokenizer, detectDelimiter } from '../../credit-data/file-csv';
import { ICONV_GBK, detectEncoding } from '../../credit-data/file-format';
import { TrainingInputError } from './errors';

/** A cell of a training table: a number, a category, a flag, or missing. */
export type TCell = number | string | boolean | null;

/** What the trainer reads: named columns, one record per row (the platform's own feature vectors have this shape). */
export interface TTable {
  columns: string[];
  rows: Record<string, TCell>[];
}

/** How an ARFF attribute was declared; the report shows it. */
export interface TArffAttribute {
  name: string;
  type: 'numeric' | 'nominal' | 'string' | 'date';
  /** Nominal values in declaration order. */
  values?: string[];
  /** The date pattern; dates become epoch days when it is one the parser knows, stay text otherwise. */
  dateFormat?: string;
  dateAsDays?: boolean;
}

export interface TArffTable extends TTable {
  relation: string;
  attributes: TArffAttribute[];
}

export type TTableFormat = 'csv' | 'arff';

/** A plain decimal or scientific number, as CSV files and ARFF data write them. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const isMissing = (text: string) => text === '' || text === '?';

/** Every character that makes a line an ARFF header or data line rather than a comment or blank. */
const isBlankOrComment = (line: string) => /^\s*(?:%.*)?$/.test(line);

// ---------------------------------------------------------------------------------------------------------------
// CSV

/**
 * A CSV text as a table: RFC 4180 quoting (the import pipeline's tokenizer), a BOM, CRLF or LF, a comma, tab or
 * semicolon delimiter (from the header line), the first non-blank record as the header. Empty cells and `?` are
 * missing. A column whose every present value is a number becomes numeric; any other stays text.
 */
export function parseCsv(text: string): TTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const tokenizer = new CsvTokenizer(detectDelimiter(text.slice(0, 64 * 1024)), 16 * 1024 * 1024, true);
  const records = [...tokenizer.write(text), ...tokenizer.end()];
  let header: string[] | null = null;
  const cells: string[][] = [];
  records.forEach((record, index) => {
    const line = index + 1;
    if (record.problem) throw new TrainingInputError(`CSV 第 ${line} 行无法读取：${record.problem}`);
    if (record.blank) return;
    const fields = record.fields.map((field) => field.trim());
    if (header === null) {
      header = fields;
      checkHeader(header);
      return;
    }
    // Trailing empty cells (a spreadsheet's stray delimiters) are harmless; anything else is a broken row.
    while (fields.length > header.length && fields[fields.length - 1] === '') fields.pop();
    if (fields.length !== header.length) {
      throw new TrainingInputError(`CSV 第 ${line} 行有 ${fields.length} 个值，表头有 ${header.length} 列`);
    }
    cells.push(fields);
  });
  if (header === null) throw new TrainingInputError('CSV 文件是空的：没有表头');
  return typedTable(header, cells);
}

function checkHeader(header: string[]): void {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new TrainingInputError(`CSV 表头第 ${i + 1} 列没有列名`);
    const before = seen.get(name);
    if (before !== undefined) throw new TrainingInputError(`CSV 表头第 ${before + 1} 列和第 ${i + 1} 列同名（${name}）`);
    seen.set(name, i);
  });
}

/** Cells to typed values: numeric columns (every present value a number) to numbers, the rest text. */
function typedTable(columns: string[], cells: string[][]): TTable {
  const numeric = columns.map((_, c) => cells.every((row) => isMissing(row[c]!) || NUMBER.test(row[c]!)));
  const rows = cells.map((row) => {
    const record: Record<string, TCell> = {};
    columns.forEach((name, c) => {
      const text = row[c]!;
      record[name] = isMissing(text) ? null : numeric[c] ? Number(text) : text;
    });
    return record;
  });
  return { columns, rows };
}

// ---------------------------------------------------------------------------------------------------------------
// ARFF

/** One token of an ARFF line: its text (unquoted) and whether it was quoted (a quoted `?` is the text "?"). */
interface Token {
  text: string;
  quoted: boolean;
}

/**
 * Splits an ARFF line into comma-separated values (data rows) with Weka's quoting: single or double quotes, a
 * backslash escaping the next character inside them, whitespace around values ignored, `%` outside quotes
 * starting a comment.
 */
function splitValues(line: string, lineNumber: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n || line[i] === '%') {
      // A line ending right after a comma has lost a value.
      if (tokens.length > 0) throw new TrainingInputError(`ARFF 第 ${lineNumber} 行以逗号结尾，缺少最后一个值`);
      return tokens;
    }
    let token: Token;
    const quote = line[i];
    if (quote === "'" || quote === '"') {
      const read = readQuoted(line, i, lineNumber);
      token = { text: read.text, quoted: true };
      i = read.end;
    } else {
      let j = i;
      while (j < n && line[j] !== ',' && line[j] !== '%') j++;
      token = { text: line.slice(i, j).trim(), quoted: false };
      i = j;
    }
    tokens.push(token);
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n || line[i] === '%') return tokens;
    if (line[i] !== ',') throw new TrainingInputError(`ARFF 第 ${lineNumber} 行第 ${tokens.length} 个值后面应是逗号，却是「${line[i]}」`);
    i++;
  }
}

/** A quoted string starting at `start` (the quote); answers its text and the index after the closing quote. */
function readQuoted(line: string, start: number, lineNumber: number): { text: string; end: number } {
  const quote = line[start];
  let text = '';
  let i = start + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      const next = line[i + 1]!;
      text += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
      i += 2;
    } else if (ch === quote) {
      return { text, end: i + 1 };
    } else {
      text += ch;
      i++;
    }
  }
  throw new TrainingInputError(`ARFF 第 ${lineNumber} 行的引号没有闭合`);
}

/** The next word of a header line (a name, possibly quoted) from `start`; answers it and the rest of the line. */
function headerWord(line: string, start: number, lineNumber: number): { word: string; rest: string } | null {
  let i = start;
  while (i < line.length && /\s/.test(line[i]!)) i++;
  if (i >= line.length) return null;
  if (line[i] === "'" || line[i] === '"') {
    const read = readQuoted(line, i, lineNumber);
    return { word: read.text, rest: line.slice(read.end) };
  }
  let j = i;
  while (j < line.length && !/[\s{]/.test(line[j]!)) j++;
  return { word: line.slice(i, j), rest: line.slice(j) };
}

/** Strips a `%` comment that is outside quotes from a header line. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '%') return line.slice(0, i);
  }
  return line;
}

function parseAttribute(line: string, lineNumber: number): TArffAttribute {
  const afterKeyword = line.replace(/^\s*@attribute/i, '');
  const named = headerWord(afterKeyword, 0, lineNumber);
  if (!named || named.word === '') throw new TrainingInputError(`ARFF 第 ${lineNumber} 行的 @attribute 缺少属性名`);
  const type = named.rest.trim();
  const name = named.word;
  if (type.startsWith('{')) {
    const close = type.lastIndexOf('}');
    if (close === -1) throw new TrainingInputError(`ARFF 第 ${lineNumber} 行属性 ${name} 的取值列表缺少右花括号 }`);
    if (type.slice(close + 1).trim() !== '') throw new TrainingInputError(`ARFF 第 ${lineNumber} 行属性 ${name} 的取值列表后还有多余内容`);
    const values = splitValues(type.slice(1, close), lineNumber).map((t) => t.text);
    if (values.length === 0 || values.some((v) => v === '')) throw new TrainingInputError(`ARFF 第 ${lineNumber} 行属性 ${name} 的取值列表为空或有空值`);
    return { name, type: 'nominal', values };
  }
  const keyword = /^(\S+)/.exec(type)?.[1]?.toLowerCase();
  if (keyword === 'numeric' || keyword === 'real' || keyword === 'integer') return { name, type: 'numeric' };
  if (keyword === 'string') return { name, type: 'string' };
  if (keyword === 'date') {
    const spec = type.slice(4).trim();
    const format = spec === '' ? "yyyy-MM-dd'T'HH:mm:ss" : (headerWord(spec, 0, lineNumber)?.word ?? spec);
    return { name, type: 'date', dateFormat: format, dateAsDays: compileDatePattern(format) !== null };
  }
  if (keyword === 'relational') throw new TrainingInputError(`ARFF 第 ${lineNumber} 行属性 ${name} 是关系型（relational），不支持`);
  throw new TrainingInputError(`ARFF 第 ${lineNumber} 行属性 ${name} 的类型「${type || '（空）'}」无法识别：应为 numeric、real、integer、string、date 或 {取值列表}`);
}

/**
 * An ARFF text as a table. Numeric attributes become numbers, nominal ones their (unquoted) value, strings their
 * text, dates epoch days (UTC) when their pattern uses only y M d H m s S and literals, their text otherwise.
 * `?` is missing. Sparse rows (`{index value, …}`) and instance weights are refused, with the line.
 */
export function parseArff(text: string): TArffTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\n|\r/);
  let relation: string | null = null;
  const attributes: TArffAttribute[] = [];
  let lineIndex = 0;
  let dataStarts = false;
  for (; lineIndex < lines.length; lineIndex++) {
    const lineNumber = lineIndex + 1;
    const raw = lines[lineIndex]!;
    if (isBlankOrComment(raw)) continue;
    const line = stripComment(raw).trim();
    const keyword = /^@(\w+)/.exec(line)?.[1]?.toLowerCase();
    if (keyword === 'relation') {
      relation = headerWord(line.slice('@relation'.length), 0, lineNumber)?.word ?? '';
    } else if (keyword === 'attribute') {
      if (relation === null) throw new TrainingInputError(`ARFF 第 ${lineNumber} 行：@attribute 之前应先有 @relation`);
      const attribute = parseAttribute(line, lineNumber);
      if (attributes.some((a) => a.name === attribute.name)) throw new TrainingInputError(`ARFF 第 ${lineNumber} 行：属性 ${attribute.name} 重复声明`);
      attributes.push(attribute);
    } else if (keyword === 'data') {
      dataStarts = true;
      lineIndex++;
      break;
    } else {
      throw new TrainingInputError(`ARFF 第 ${lineNumber} 行无法识别：文件头只能有 @relation、@attribute、@data 和 % 注释`);
    }
  }
  if (relation === null) throw new TrainingInputError('不是 ARFF 文件：没有 @relation');
  if (!dataStarts) throw new TrainingInputError('ARFF 文件缺少 @data');
  if (attributes.length === 0) throw new TrainingInputError('ARFF 文件没有声明任何 @attribute');

  const patterns = attributes.map((a) => (a.type === 'date' && a.dateAsDays ? compileDatePattern(a.dateFormat!) : null));
  const nominal = attributes.map((a) => (a.values ? new Set(a.values) : null));
  const columns = attributes.map((a) => a.name);
  const rows: Record<string, TCell>[] = [];
  for (; lineIndex < lines.length; lineIndex++) {
    const lineNumber = lineIndex + 1;
    const raw = lines[lineIndex]!;
    if (isBlankOrComment(raw)) continue;
    if (raw.trimStart().startsWith('{')) throw new TrainingInputError(`ARFF 第 ${lineNumber} 行是稀疏格式（{序号 值, …}），不支持：请先转换为普通（稠密）ARFF 或 CSV`);
    const tokens = splitValues(raw, lineNumber);
    const last = tokens[tokens.length - 1];
    if (tokens.length === attributes.length + 1 && last && !last.quoted && /^\{.*\}$/.test(last.text)) {
      throw new TrainingInputError(`ARFF 第 ${lineNumber} 行带有实例权重 ${last.text}，不支持`);
    }
    if (tokens.length !== attributes.length) {
      throw new TrainingInputError(`ARFF 第 ${lineNumber} 行有 ${tokens.length} 个值，应有 ${attributes.length} 个（每个 @attribute 一个）`);
    }
    const row: Record<string, TCell> = {};
    tokens.forEach((token, c) => {
      const attribute = attributes[c]!;
      if (!token.quoted && token.text === '?') {
        row[attribute.name] = null;
        return;
      }
      row[attribute.name] = arffValue(attribute, token.text, nominal[c]!, patterns[c]!, lineNumber);
    });
    rows.push(row);
  }
  return { columns, rows, relation, attributes };
}

function arffValue(attribute: TArffAttribute, text: string, nominal: Set<string> | null, pattern: DatePattern | null, lineNumber: number): TCell {
  const where = `ARFF 第 ${lineNumber} 行属性 ${attribute.name}`;
  switch (attribute.type) {
    case 'numeric': {
      if (!NUMBER.test(text)) throw new TrainingInputError(`${where} 应为数值，却是「${text}」`);
      return Number(text);
    }
    case 'nominal':
      if (!nominal!.has(text)) throw new TrainingInputError(`${where} 的值「${text}」不在声明的取值列表中`);
      return text;
    case 'string':
      return text === '' ? null : text;
    case 'date': {
      if (!pattern) return text === '' ? null : text;
      const days = pattern(text);
      if (days === null) throw new TrainingInputError(`${where} 的日期「${text}」不符合格式 ${attribute.dateFormat}`);
      return days;
    }
  }
}

/** A compiled date pattern: text to epoch days, or null when the text does not fit. */
type DatePattern = (text: string) => number | null;

/**
 * The subset of Java's SimpleDateFormat that ARFF files use: yyyy (or yy), MM/M, dd/d, HH/H, mm/m, ss/s, SSS and
 * quoted or punctuation literals. Null for patterns with anything else (month names, time zones): such dates stay text.
 */
export function compileDatePattern(format: string): DatePattern | null {
  const fields: Array<'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S'> = [];
  let source = '^';
  let i = 0;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  while (i < format.length) {
    const ch = format[i]!;
    if (ch === "'") {
      const end = format.indexOf("'", i + 1);
      if (end === -1) return null;
      source += end === i + 1 ? "'" : escape(format.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < format.length && format[j] === ch) j++;
      const width = j - i;
      if (!'yMdHmsS'.includes(ch) || (ch === 'M' && width > 2) || (ch === 'y' && width !== 2 && width !== 4)) return null;
      fields.push(ch as (typeof fields)[number]);
      source += ch === 'y' ? `(\\d{${width}})` : ch === 'S' ? '(\\d{1,3})' : width === 1 ? '(\\d{1,2})' : `(\\d{${width}})`;
      i = j;
      continue;
    }
    source += escape(ch);
    i++;
  }
  const regex = new RegExp(`${source}$`);
  return (text) => {
    const match = regex.exec(text.trim());
    if (!match) return null;
    const part = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
    fields.forEach((field, k) => {
      const value = Number(match[k + 1]);
      part[field] = field === 'y' && match[k + 1]!.length === 2 ? (value < 70 ? 2000 + value : 1900 + value) : value;
    });
    if (part.M < 1 || part.M > 12 || part.d < 1 || part.H > 23 || part.m > 59 || part.s > 59) return null;
    const ms = Date.UTC(part.y, part.M - 1, part.d, part.H, part.m, part.s, part.S);
    // Date.UTC rolls 31 February over into March: such a date does not exist.
    if (new Date(ms).getUTCDate() !== part.d) return null;
    return ms / 86_400_000;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Files

/** ARFF when the name says so or the first meaningful line is `@relation`; CSV otherwise. */
export function detectTableFormat(file: string, text: string): TTableFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.arff') return 'arff';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  const lines = text.slice(0, 64 * 1024).split(/\r\n|\n|\r/);
  const first = lines.find((line) => !isBlankOrComment(line.replace(/^\ufeff/, '')));
  return first !== undefined && /^\s*@relation\b/i.test(first) ? 'arff' : 'csv';
}

/** Reads a CSV (UTF-8 or GBK) or ARFF file as a table, with a Chinese message naming what is wrong. */
export function readTableFile(file: string): TTable & { format: TTableFormat } {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new TrainingInputError(`${file} 是目录，不是数据文件`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    if (error instanceof TrainingInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new TrainingInputError(code === 'ENOENT' ? `数据文件 ${file} 不存在` : `无法读取数据文件 ${file}（${code ?? (error as Error).message}）`);
  }
  if (bytes.length === 0) throw new TrainingInputError(`数据文件 ${file} 是空的`);
  if (bytes.subarray(0, 8192).includes(0)) throw new TrainingInputError(`数据文件 ${file} 不是文本（CSV 或 ARFF）`);
  const text = detectEncoding(bytes) === 'utf8' ? bytes.toString('utf8') : iconvDecode(bytes, ICONV_GBK);
  const format = detectTableFormat(file, text);
  return { ...(format === 'arff' ? parseArff(text) : parseCsv(text)), format };
}
