import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CreditFieldSpec } from '@xyd/shared';
import ExcelJS from 'exceljs';
import type { ImportFormat } from './file-format';

const BOM = '\uFEFF';
const XLSX_CELL_MAX = 32_767;

/** Lone surrogates cannot be written to XML or UTF-8; exceljs already drops control characters. */
const wellFormed = (text: string) => text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** One CSV field: quoted where it holds a delimiter, quote, line break or edge spaces. */
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: readonly string[]) => `${fields.map((f) => csvField(wellFormed(f))).join(',')}\r\n`;

/** Display width in Excel's units, a CJK character counting two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) || ch.length > 1 ? 2 : 1;
  return width;
}

const columnWidth = (min: number, max: number, ...texts: string[]) => Math.min(max, Math.max(min, ...texts.map((t) => displayWidth(t) + 2)));

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.fill = HEADER_FILL;
  row.alignment = { vertical: 'middle' };
}

// ---------------------------------------------------------------------------------------------------------------
// Templates

const TYPE_LABELS: Record<string, string> = {
  text: '文本',
  uscc: '统一社会信用代码',
  date: '日期',
  month: '年月',
  yuan: '金额（元）',
  integer: '整数',
  decimal: '数字',
  enum: '选项',
  boolean: '是/否',
  industry: '行业代码',
  region: '行政区划代码',
};

/** The words a choice accepts, for the rule column and the data sheet's drop-down list. */
function choicesOf(field: CreditFieldSpec): string[] {
  if (field.type === 'boolean') return ['是', '否'];
  return (field.options ?? []).map((option) => option.label);
}

function ruleOf(field: CreditFieldSpec): string {
  const choices = choicesOf(field);
  const unlisted = choices.some((choice) => !field.rule.includes(choice));
  return unlisted && choices.length > 0 ? `${field.rule}；可填：${choices.join('、')}` : field.rule;
}

interface SheetValidations {
  dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void };
}

/** Rows of the data sheet that get the drop-down lists: far more than any file that is filled in by hand. */
const VALIDATED_ROWS = 10_000;

/**
 * A category's import template. CSV: UTF-8 with BOM (Excel opens it as UTF-8), the header row of labels and one
 * example row. XLSX: sheet 数据 with the header (bold, a note with each column's rule), the example row, text
 * format on every column so that what is typed is what is read (codes keep their leading zeros, long numbers
 * their digits) and drop-down lists for choices; sheet 填写说明 with 字段, 是否必填, 类型, 规则, 示例 per field.
 */
export async function buildTemplate(fields: readonly CreditFieldSpec[], categoryLabel: string, format: ImportFormat): Promise<Buffer> {
  if (fields.length === 0) throw new TypeError('a template needs at least one field');
  if (format === 'csv') {
    return Buffer.from(BOM + csvLine(fields.map((f) => f.label)) + csvLine(fields.map((f) => f.example)), 'utf8');
  }
  if (format !== 'xlsx') throw new TypeError(`unknown import format: ${String(format)}`);

  const workbook = new ExcelJS.Workbook();
  workbook.creator = '信易贷';
  workbook.title = `${categoryLabel}导入模板`;
  const data = workbook.addWorksheet('数据', { views: [{ state: 'frozen', ySplit: 1 }] });
  data.columns = fields.map((f) => ({ key: f.key, width: columnWidth(10, 40, f.label, f.example), style: { numFmt: '@' } }));
  const header = data.addRow(fields.map((f) => f.label));
  styleHeader(header);
  fields.forEach((field, index) => {
    header.getCell(index + 1).note = `${field.required ? '必填' : '选填'}：${ruleOf(field)}`;
  });
  data.addRow(fields.map((f) => f.example));
  fields.forEach((field, index) => {
    const choices = choicesOf(field);
    const list = `"${choices.join(',')}"`;
    if (choices.length === 0 || list.length > 255) return; // Excel's limit for a list typed into the rule
    const column = data.getColumn(index + 1).letter;
    // One rule for the whole range (exceljs has Worksheet.dataValidations at run time, not in its typings).
    (data as unknown as SheetValidations).dataValidations.add(`${column}2:${column}${VALIDATED_ROWS + 1}`, {
      type: 'list',
      allowBlank: true,
      formulae: [list],
      showErrorMessage: true,
      // A warning, not a refusal: the importer also accepts aliases that are not in the list.
      errorStyle: 'warning',
      errorTitle: field.label,
      error: `请从下拉列表中选择：${choices.join('、')}`,
    });
  });

  const guide = workbook.addWorksheet('填写说明', { views: [{ state: 'frozen', ySplit: 1 }] });
  guide.columns = [
    { key: 'label', width: columnWidth(10, 30, ...fields.map((f) => f.label)) },
    { key: 'required', width: 10 },
    { key: 'type', width: 16 },
    { key: 'rule', width: 70 },
    { key: 'example', width: columnWidth(12, 40, ...fields.map((f) => f.example)) },
  ];
  styleHeader(guide.addRow(['字段', '是否必填', '类型', '规则', '示例']));
  for (const field of fields) {
    const row = guide.addRow([field.label, field.required ? '是' : '否', TYPE_LABELS[field.type] ?? field.type, ruleOf(field), field.example]);
    row.getCell(4).alignment = { wrapText: true, vertical: 'top' };
  }
  guide.addRow([]);
  guide.addRow([`本模板用于导入“${categoryLabel}”数据。“数据”表第 1 行是表头，请勿修改；第 2 行是示例，导入前请删除。`]);
  guide.addRow(['日期可写作 2025-03-05、2025/3/5、2025年3月5日 或 20250305；金额以元为单位；空行会被跳过。']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------------------------
// Error reports

export interface ReportRow {
  /** The SourceRow's rowNumber; the report shows rowNumber + lineOffset as 行号. */
  rowNumber: number;
  label: string;
  value: string;
  reason: string;
}

export interface ReportOptions {
  /** Added to rowNumber for 行号: 1 (default) turns a file's data row into its sheet line; 0 for pushed records. */
  lineOffset?: number;
}

const REPORT_HEADER = ['行号', '字段', '填写值', '原因'];
/** Rows written between looks at the output's backpressure. */
const REPORT_BATCH = 500;

/**
 * A value typed into a file is shown as typed, but must not become a formula when the CSV is opened in Excel
 * (=, +, -, @ starting anything but a number), nor lose digits (long or zero-led digit strings, kept as text by a
 * leading tab, which readers trim).
 */
function reportValue(value: string): string {
  if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)) return `'${value}`;
  if (/^\d{12,}$/.test(value) || /^0\d+$/.test(value)) return `\t${value}`;
  return value;
}

/**
 * The error report of a batch, streamed to `out` (which it ends): columns 行号, 字段, 填写值, 原因. CSV with BOM,
 * or XLSX through exceljs's streaming writer; either way a report of a million rows is never held in memory,
 * and a slow `out` slows the reading of `rows`. On failure `out` is destroyed with the error.
 */
export async function writeErrorReport(
  rows: AsyncIterable<ReportRow>,
  format: ImportFormat,
  out: Writable,
  options: ReportOptions = {},
): Promise<void> {
  const offset = options.lineOffset ?? 1;
  if (format !== 'csv' && format !== 'xlsx') throw new TypeError(`unknown report format: ${String(format)}`);
  try {
    if (format === 'csv') await writeCsvReport(rows, out, offset);
    else await writeXlsxReport(rows, out, offset);
  } catch (error) {
    out.destroy(error as Error);
    throw error;
  }
}

async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, 'drain');
}

async function writeCsvReport(rows: AsyncIterable<ReportRow>, out: Writable, offset: number): Promise<void> {
  let pending = BOM + csvLine(REPORT_HEADER);
  for await (const row of rows) {
    pending += csvLine([String(row.rowNumber + offset), row.label, reportValue(row.value), row.reason]);
    if (pending.length >= 16_384) {
      out.write(pending);
      pending = '';
      await drained(out);
    }
  }
  out.end(pending);
  await finished(out);
}

async function writeXlsxReport(rows: AsyncIterable<ReportRow>, out: Writable, offset: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('错误报告', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { key: 'line', width: 10 },
    { key: 'label', width: 24 },
    { key: 'value', width: 36 },
    { key: 'reason', width: 80 },
  ];
  const header = sheet.addRow(REPORT_HEADER);
  styleHeader(header);
  header.commit();
  const text = (value: string) => wellFormed(value).slice(0, XLSX_CELL_MAX);
  let written = 0;
  for await (const row of rows) {
    sheet.addRow([row.rowNumber + offset, text(row.label), text(row.value), text(row.reason)]).commit();
    if (++written % REPORT_BATCH === 0) {
      // Lets the zip stream compress what was committed, and waits while `out` is full.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await drained(out);
    }
  }
  sheet.commit();
  await workbook.commit();
}

// ---------------------------------------------------------------------------------------------------------------
// Downloads

/** RFC 5987 value: encodeURIComponent leaves '()* alone, which attr-char does not allow. */
const rfc5987 = (text: string) => encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment; filename="ascii-fallback"; filename*=UTF-8''…`: Node refuses a header with Chinese characters in
 * it, and browsers take the UTF-8 name from filename*. Control characters and path separators are dropped.
 */
export function contentDisposition(filename: string): string {
  const name = filename.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[/\\]/g, '_').trim() || 'download';
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && /^\.[A-Za-z0-9]{1,8}$/.test(name.slice(dot)) ? name.slice(dot) : '';
  const base = (extension ? name.slice(0, -extension.length) : name)
    .replace(/[^\x20-\x7e]+/g, '_')
    .replace(/["%;\\]/g, '_')
    .replace(/^[_\s]+|[_\s]+$/g, '');
  return `attachment; filename="${base || 'download'}${extension}"; filename*=UTF-8''${rfc5987(wellFormed(name))}`;
}
