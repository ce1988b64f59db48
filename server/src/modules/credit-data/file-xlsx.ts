import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ImportFileError, NON_BLANK, rowTooLong, type RawRow } from './file-format';

const NOT_A_WORKBOOK = '文件不是有效的 XLSX 工作簿：文件已损坏、不完整，或不是 Excel 文件';

/** What exceljs's streaming reader exposes beyond its typings: the workbook's sheet list, a sheet's name and source. */
interface ReaderInternals {
  model?: { sheets?: Array<{ name?: string }> };
}
interface SheetInternals {
  name?: string;
  iterator?: { destroy?: () => void; on?: (event: 'error', listener: () => void) => unknown };
}

/**
 * Closes a sheet that will not be read. A parked sheet's source is a file stream that may not have opened yet, and
 * exceljs deletes the file as soon as its iteration moves on: the late open then fails with ENOENT on a stream no
 * one reads, which would be an uncaught error. The sheet is abandoned, so that failure is not news.
 */
function passOver(sheet: SheetInternals | null): void {
  const source = sheet?.iterator;
  if (!source) return;
  source.on?.('error', () => undefined);
  source.destroy?.();
}

/** Excel shows at most 15 significant digits; a stored 0.30000000000000004 is 0.3 to whoever typed it. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

/**
 * A cell's text as typed. With styles ignored dates arrive as Excel serial numbers and are passed on as the
 * number's text (the shared normaliser reads serials); formulas give their cached result.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const cell = value as Record<string, unknown>;
    if (Array.isArray(cell.richText)) return cell.richText.map((run: { text?: unknown }) => (typeof run?.text === 'string' ? run.text : '')).join('');
    if ('formula' in cell || 'sharedFormula' in cell) return cellText(cell.result);
    if (typeof cell.error === 'string') return cell.error;
    if ('text' in cell) return cellText(cell.text);
  }
  return '';
}

/** Waits for `step`, unless the source stream fails first: exceljs pipes the source without passing its errors on. */
async function unlessSourceFails<T>(step: Promise<T>, sourceFailed: Promise<never>): Promise<T> {
  const parsed = step.catch((error: unknown) => {
    // A system error (no space for exceljs's temporary files, too many open files) is the machine's, not the file's.
    if (error instanceof ImportFileError || (error as NodeJS.ErrnoException | null)?.syscall) throw error;
    throw new ImportFileError(NOT_A_WORKBOOK);
  });
  return Promise.race([parsed, sourceFailed]);
}

/**
 * The rows of the first worksheet of an XLSX stream, read by exceljs's streaming reader: one row in memory at
 * a time (the shared-strings table is held, as every XLSX reader must). A damaged or truncated file is an
 * ImportFileError; a failing source stream (the store) rejects with its own error.
 */
export async function* xlsxRows(source: Readable, maxRowBytes: number): AsyncGenerator<RawRow> {
  const sourceFailed = new Promise<never>((_, reject) => source.once('error', reject));
  sourceFailed.catch(() => undefined);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    styles: 'ignore',
    hyperlinks: 'ignore',
    worksheets: 'emit',
  });
  const sheets = reader[Symbol.asyncIterator]();
  let reading: SheetInternals | null = null;
  let complete = false;
  try {
    let taken = false;
    for (;;) {
      const next = await unlessSourceFails(sheets.next(), sourceFailed);
      if (next.done) break;
      const sheet = next.value as unknown as SheetInternals & AsyncIterable<ExcelJS.Row>;
      if (taken || !isFirstSheet(reader as unknown as ReaderInternals, sheet)) {
        // Not read: close the temporary file exceljs parked it in. Going on (rather than stopping after the first
        // sheet) lets exceljs remove its temporary files, and a cut-off end of the file is still noticed.
        passOver(sheet);
        continue;
      }
      taken = true;
      reading = sheet;
      const rows = sheet[Symbol.asyncIterator]();
      let line = 0;
      for (;;) {
        const step = await unlessSourceFails(rows.next(), sourceFailed);
        if (step.done) break;
        const row = step.value;
        line = Number.isInteger(row.number) && row.number > line ? row.number : line + 1;
        yield rawRow(line, row, maxRowBytes);
      }
      reading = null;
    }
    complete = true;
    if (!taken) throw new ImportFileError('文件不是有效的 XLSX 工作簿：找不到工作表');
  } finally {
    if (!complete) {
      passOver(reading);
      // Stopped early (a bad header, a lost lease). Sheets that came before the shared strings sit in temporary
      // files that exceljs removes only as its iteration moves past them: once the zip has been read, that costs
      // nothing, so it is done in the background; otherwise they go when the process exits.
      if (source.readableEnded) void skipRemainingSheets(sheets);
    }
    source.destroy();
  }
}

async function skipRemainingSheets(sheets: AsyncIterator<unknown>): Promise<void> {
  try {
    for (;;) {
      const next = await sheets.next();
      if (next.done) return;
      passOver(next.value as SheetInternals);
    }
  } catch {
    // the file is being abandoned: nothing to report
  }
}

/** The first sheet in the workbook's own order (zip order may differ); a sheet the workbook does not list is read too. */
function isFirstSheet(reader: ReaderInternals, sheet: SheetInternals): boolean {
  const listed = reader.model?.sheets ?? [];
  if (listed.length === 0) return true;
  return sheet.name === listed[0]!.name || !listed.some((s) => s.name === sheet.name);
}

function rawRow(line: number, row: ExcelJS.Row, maxRowBytes: number): RawRow {
  const values = row.values as unknown[];
  const cells: string[] = [];
  let bytes = 0;
  let blank = true;
  for (let column = 1; column < values.length; column++) {
    const text = cellText(values[column]);
    cells.push(text);
    bytes += Buffer.byteLength(text) + 1;
    if (blank && NON_BLANK.test(text)) blank = false;
  }
  if (bytes > maxRowBytes) return { line, cells: [], blank: false, problem: rowTooLong(maxRowBytes) };
  return { line, cells, blank, problem: null };
}
