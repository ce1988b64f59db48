import type { Readable } from 'node:stream';
import { csvRows } from './file-csv';
import { ImportFileError, NON_BLANK, type ImportFormat, type RawRow } from './file-format';
import { xlsxRows } from './file-xlsx';

/*
 * The file layer of credit-data imports: rows streamed out of a stored CSV or XLSX file (file-csv.ts,
 * file-xlsx.ts) and named by their headers here; templates and error reports in file-writers.ts.
 */

export { ImportFileError, detectEncoding, detectFormat, requireImportFormat, type ImportFormat } from './file-format';
export { buildTemplate, contentDisposition, writeErrorReport, type ReportRow, type ReportOptions } from './file-writers';

export interface SourceRow {
  /** 1-based data row: rowNumber + 1 is the row's line in the sheet (第 N 行), header and blank lines included. */
  rowNumber: number;
  /** key → trimmed cell text, for the columns the header map knows. */
  values: Record<string, string>;
}

/** A row that cannot be read: too long, broken quoting, more columns than the header. */
export interface RowProblem {
  rowNumber: number;
  reason: string;
}

export interface ReadOptions {
  format: ImportFormat;
  /** header text → key (creditHeaderMap). */
  headerMap: Map<string, string>;
  /** Keys whose header must be present. */
  requiredKeys: string[];
  /** key → Chinese label, for messages about headers. */
  labels: Map<string, string>;
  /** Default 64 KiB: a longer row is a RowProblem (for a CSV it is dropped while it streams past, never held whole). */
  maxRowBytes?: number;
  /** Resuming: how many rows (SourceRows and RowProblems, as yielded before) to read past without yielding. */
  skipRows?: number;
}

export const DEFAULT_MAX_ROW_BYTES = 64 * 1024;

function checkedLimit(maxRowBytes: number | undefined): number {
  const limit = maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`maxRowBytes must be a positive integer, got ${String(maxRowBytes)}`);
  return limit;
}

function rawRows(source: Readable, format: ImportFormat, maxRowBytes: number, keepCells: boolean): AsyncGenerator<RawRow> {
  if (format === 'csv') return csvRows(source, maxRowBytes, keepCells);
  if (format === 'xlsx') return xlsxRows(source, maxRowBytes);
  throw new TypeError(`unknown import format: ${String(format)}`);
}

/**
 * The rows of a stored file, streamed: `open` is called once, and memory stays flat whatever the file's size.
 * The first non-blank line is the header: headers are trimmed, the BOM, spaces (full-width ones too) and
 * surrounding `*` dropped, full-width characters read as half-width, so 金额（元） and 金额(元) are one header,
 * and a header without its unit matches the label with it. Unknown columns are ignored; a duplicated or missing
 * required column is an ImportFileError. Blank lines are skipped and not counted.
 */
export function readImportRows(open: () => Promise<Readable>, options: ReadOptions): AsyncIterable<SourceRow | RowProblem> {
  const maxRowBytes = checkedLimit(options.maxRowBytes);
  const skipRows = options.skipRows ?? 0;
  if (!Number.isInteger(skipRows) || skipRows < 0) throw new TypeError(`skipRows must be a non-negative integer, got ${String(options.skipRows)}`);
  if (options.format !== 'csv' && options.format !== 'xlsx') throw new TypeError(`unknown import format: ${String(options.format)}`);
  return readRows(open, options, maxRowBytes, skipRows);
}

async function* readRows(
  open: () => Promise<Readable>,
  options: ReadOptions,
  maxRowBytes: number,
  skipRows: number,
): AsyncGenerator<SourceRow | RowProblem> {
  const source = await open();
  let columns: HeaderColumns | null = null;
  let seen = 0;
  for await (const row of rawRows(source, options.format, maxRowBytes, true)) {
    if (row.blank) continue;
    if (!columns) {
      columns = matchHeader(row, options);
      continue;
    }
    seen++;
    if (seen <= skipRows) continue;
    const rowNumber = row.line - 1;
    if (row.problem) {
      yield { rowNumber, reason: row.problem };
      continue;
    }
    const used = usedWidth(row.cells);
    if (options.format === 'csv' && used > columns.width) {
      yield { rowNumber, reason: `本行有 ${used} 列，比表头多 ${used - columns.width} 列：值中含分隔符（逗号）时，要用英文双引号把整个值括起来` };
      continue;
    }
    const values: Record<string, string> = {};
    for (const [index, key] of columns.keys) values[key] = cleanCell(row.cells[index] ?? '', options.format);
    yield { rowNumber, values };
  }
  if (!columns) throw new ImportFileError('文件中没有表头行：文件是空的，或只有空行');
}

/** Data rows in the file, for the progress bar: the rows readImportRows yields (blank lines and the header not counted). */
export async function countImportRows(
  open: () => Promise<Readable>,
  format: ImportFormat,
  options: { maxRowBytes?: number } = {},
): Promise<number> {
  const maxRowBytes = checkedLimit(options.maxRowBytes);
  const source = await open();
  let header = false;
  let count = 0;
  // Cells are not kept for a CSV: the same tokeniser splits the rows, so the count agrees with the reader.
  for await (const row of rawRows(source, format, maxRowBytes, false)) {
    if (row.blank) continue;
    if (header) count++;
    else header = true;
  }
  return count;
}

/** Cells up to the last one that holds anything. */
function usedWidth(cells: string[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (NON_BLANK.test(cells[i]!)) return i + 1;
  return 0;
}

const EDGE_SPACE = /^[\s\u200b]+|[\s\u200b]+$/g;

/** Trimmed; for a CSV also `="0123"`, the way Excel users keep leading zeros and long numbers. */
function cleanCell(text: string, format: ImportFormat): string {
  const trimmed = text.replace(EDGE_SPACE, '');
  if (format === 'csv' && trimmed.startsWith('="') && trimmed.endsWith('"') && trimmed.length >= 3) {
    return trimmed.slice(2, -1).replace(EDGE_SPACE, '');
  }
  return trimmed;
}

// ---------------------------------------------------------------------------------------------------------------
// Headers

/** 金额（元） → 金额(元); spaces, zero-width characters and surrounding `*` (a required mark) dropped. */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u200b]+/g, '')
    .replace(/^\*+|\*+$/g, '');
}

/** 处罚金额(元) → { base: 处罚金额, unit: 元 } (of a normalised header). */
function splitUnit(header: string): { base: string; unit: string } | null {
  const match = /^(.+?)\(([^()]*)\)$/.exec(header);
  return match ? { base: match[1]!, unit: match[2]! } : null;
}

interface HeaderColumns {
  /** column index → key, in column order. */
  keys: Array<[number, string]>;
  width: number;
}

function headerLookup(headerMap: Map<string, string>): (header: string) => string | undefined {
  const exact = new Map<string, string>();
  /** base → key, null where two keys share a base. */
  const byBase = new Map<string, string | null>();
  for (const [text, key] of headerMap) {
    const header = normaliseHeader(text);
    if (!header) continue;
    if (!exact.has(header)) exact.set(header, key);
    const split = splitUnit(header);
    if (split) {
      const known = byBase.get(split.base);
      byBase.set(split.base, known === undefined || known === key ? key : null);
    }
  }
  return (header) => {
    const found = exact.get(header);
    if (found !== undefined) return found;
    // A header that names another unit is not matched: 金额(万元) read as 元 would be off ten thousand times.
    if (splitUnit(header)) return undefined;
    return byBase.get(header) ?? undefined;
  };
}

function matchHeader(row: RawRow, options: ReadOptions): HeaderColumns {
  if (row.problem) throw new ImportFileError(`表头行（第 ${row.line} 行）无法读取：${row.problem}`);
  const lookup = headerLookup(options.headerMap);
  const labelOf = (key: string) => options.labels.get(key) ?? key;
  const keys: Array<[number, string]> = [];
  const positions = new Map<string, number[]>();
  const unmatched: string[] = [];
  row.cells.forEach((text, index) => {
    const header = normaliseHeader(text);
    if (!header) return;
    const key = lookup(header);
    if (key === undefined) {
      unmatched.push(header);
      return;
    }
    keys.push([index, key]);
    positions.set(key, [...(positions.get(key) ?? []), index + 1]);
  });

  const problems: string[] = [];
  const missing = options.requiredKeys.filter((key) => !positions.has(key));
  if (missing.length > 0) {
    const hints = missing.flatMap((key) => {
      const base = splitUnit(normaliseHeader(labelOf(key)))?.base ?? normaliseHeader(labelOf(key));
      const near = unmatched.find((header) => splitUnit(header)?.base === base);
      return near ? [`文件中的“${near}”与“${labelOf(key)}”单位不同`] : [];
    });
    problems.push(`缺少必填列：${missing.map(labelOf).join('、')}${hints.length ? `（${hints.join('；')}）` : ''}`);
  }
  for (const [key, columns] of positions) {
    if (columns.length > 1) problems.push(`“${labelOf(key)}”列重复：第 ${columns.join('、')} 列`);
  }
  if (problems.length === 0 && keys.length === 0) {
    problems.push(`第 ${row.line} 行不是可识别的表头（${row.cells.filter((c) => NON_BLANK.test(c)).slice(0, 5).join('、')}），请使用导入模板的表头`);
  }
  if (problems.length > 0) throw new ImportFileError(problems.join('；'));
  return { keys, width: usedWidth(row.cells) };
}
