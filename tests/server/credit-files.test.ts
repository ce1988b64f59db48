import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { CREDIT_FIELDS, creditHeaderMap, requiredCreditKeys, type TCreditCategory } from '@xyd/shared';
import {
  ImportFileError,
  buildTemplate,
  contentDisposition,
  countImportRows,
  detectEncoding,
  detectFormat,
  readImportRows,
  requireImportFormat,
  writeErrorReport,
  type ImportFormat,
  type ReadOptions,
  type ReportRow,
  type RowProblem,
  type SourceRow,
} from '../../server/src/modules/credit-data/files';
import { LocalFileStore } from '../../server/src/modules/files/local';
import { S3FileStore } from '../../server/src/modules/files/s3';
import { stageUploadedFile } from '../../server/src/modules/files/service';
import { startFakeS3 } from '../fake-s3/server';
import { startTestServer } from './helpers';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-credit-files-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

let work: string;
beforeAll(() => {
  work = tempDir();
});

let fileCount = 0;
function writeTemp(content: Buffer | string, ext: string): string {
  const file = path.join(work, `f${++fileCount}.${ext}`);
  fs.writeFileSync(file, content);
  return file;
}

/** Opens a file as the import job opens a stored one: a fresh read stream per call, counted. */
function opener(file: string) {
  const open = async (): Promise<Readable> => {
    open.calls++;
    return fs.createReadStream(file);
  };
  open.calls = 0;
  return open;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function optionsFor(category: TCreditCategory, format: ImportFormat, extra: Partial<ReadOptions> = {}): ReadOptions {
  return {
    format,
    headerMap: creditHeaderMap(category),
    requiredKeys: requiredCreditKeys(category),
    labels: new Map(CREDIT_FIELDS[category].map((f) => [f.key, f.label])),
    ...extra,
  };
}

const readFile = (file: string, options: ReadOptions) => collect(readImportRows(opener(file), options));
const isProblem = (item: SourceRow | RowProblem): item is RowProblem => 'reason' in item;

/** CSV text from rows of cells (quoted where needed), CRLF line ends as Excel writes them. */
function csv(rows: string[][], delimiter = ','): string {
  return rows.map((cells) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter)).join('\r\n') + '\r\n';
}

const TAX_HEADER = ['统一社会信用代码', '记录编号', '所属期', '实缴税额（元）', '申报营业收入（元）', '欠税金额（元）', '纳税信用级别'];
const TAX_ROWS = [
  ['91330106MA2H0CM3X6', '（2025）浙税-001', '2025-03', '35,210.50', '1,280,000.00', '0', 'A级'],
  ['91330100MA27XYZ123', '杭州·西湖 002', '2025-04', '12.5', '980000', '150.25', ''],
  ['91330100MA27XYZ456', '备注含"引号"，和逗号', '2025-05', '0', '0', '0', 'B'],
];
const TAX_KEYS = ['uscc', 'externalId', 'period', 'taxPaidFen', 'revenueDeclaredFen', 'arrearsFen', 'creditLevel'];
const asValues = (cells: string[]) => Object.fromEntries(TAX_KEYS.map((key, i) => [key, cells[i]!]));

async function xlsxFile(rows: Array<Array<ExcelJS.CellValue>>, build?: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('数据');
  for (const row of rows) sheet.addRow(row);
  build?.(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Heap still in use after a full collection: what a reader holds, not the garbage it has not yet had collected. */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Excel's day number of a UTC date (1900 system). */
const excelSerial = (date: Date) => (date.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000;

describe('reading CSV and XLSX files', () => {
  const expected = TAX_ROWS.map((cells, i) => ({ rowNumber: i + 1, values: asValues(cells) }));

  it('reads UTF-8 with BOM, UTF-8 without BOM and GBK CSV files to the same rows', async () => {
    const text = csv([TAX_HEADER, ...TAX_ROWS]);
    const withBom = writeTemp('\uFEFF' + text, 'csv');
    const plain = writeTemp(text, 'csv');
    const gbk = writeTemp(iconv.encode(text, 'gbk'), 'csv');
    expect(detectEncoding(fs.readFileSync(gbk))).toBe('gbk');
    expect(detectEncoding(fs.readFileSync(withBom))).toBe('utf8');
    for (const file of [withBom, plain, gbk]) {
      const open = opener(file);
      expect(await collect(readImportRows(open, optionsFor('tax', 'csv')))).toEqual(expected);
      expect(open.calls).toBe(1);
    }
  });

  it('reads an XLSX written by Excel tools with Chinese headers, a date cell and a numeric cell', async () => {
    const date = new Date(Date.UTC(2025, 2, 1));
    const bytes = await xlsxFile(
      [
        TAX_HEADER,
        [TAX_ROWS[0]![0]!, TAX_ROWS[0]![1]!, date, 35210.5, { formula: 'B1*2', result: 1280000 }, 0, { richText: [{ text: 'A' }, { text: '级', font: { bold: true } }] }],
        TAX_ROWS[1]!,
        TAX_ROWS[2]!,
      ],
      (wb) => wb.addWorksheet('另一张表').addRow(['不读这张表']),
    );
    const file = writeTemp(bytes, 'xlsx');
    expect(detectFormat('纳税.xlsx', bytes.subarray(0, 8))).toBe('xlsx');
    const rows = await readFile(file, optionsFor('tax', 'xlsx'));
    expect(rows).toEqual([
      { rowNumber: 1, values: { ...asValues(TAX_ROWS[0]!), period: String(excelSerial(date)), taxPaidFen: '35210.5', revenueDeclaredFen: '1280000' } },
      expected[1],
      expected[2],
    ]);
  });

  it('tolerates unit and bracket variants, padding and extra columns in the header', async () => {
    const header = [' 统一社会信用代码 ', '备注', '*记录编号', '所属期', '实缴税额(元)', '申报营业收入', '欠税金额（ 元 ）', '其他系统的列'];
    const row = ['91330106MA2H0CM3X6', '不导入', 'R-1', '2025-03', '1', '2', '3', 'x'];
    for (const format of ['csv', 'xlsx'] as const) {
      const file = format === 'csv' ? writeTemp(csv([header, row]), 'csv') : writeTemp(await xlsxFile([header, row]), 'xlsx');
      expect(await readFile(file, optionsFor('tax', format))).toEqual([
        { rowNumber: 1, values: { uscc: '91330106MA2H0CM3X6', externalId: 'R-1', period: '2025-03', taxPaidFen: '1', revenueDeclaredFen: '2', arrearsFen: '3' } },
      ]);
    }
  });

  it('refuses a file whose header lacks required columns, names another unit, or repeats a column', async () => {
    const missing = writeTemp(csv([['记录编号', '实缴税额（元）', '申报营业收入（元）', '欠税金额（元）'], ['1', '2', '3', '4']]), 'csv');
    const error = await readFile(missing, optionsFor('tax', 'csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as Error).message).toBe('缺少必填列：统一社会信用代码、所属期');

    const otherUnit = writeTemp(await xlsxFile([['统一社会信用代码', '记录编号', '所属期', '实缴税额(万元)', '申报营业收入（元）', '欠税金额（元）']]), 'xlsx');
    await expect(readFile(otherUnit, optionsFor('tax', 'xlsx'))).rejects.toThrow('缺少必填列：实缴税额（元）（文件中的“实缴税额(万元)”与“实缴税额（元）”单位不同）');

    const repeated = writeTemp(csv([[...TAX_HEADER, '统一社会信用代码'], [...TAX_ROWS[0]!, 'x']]), 'csv');
    await expect(readFile(repeated, optionsFor('tax', 'csv'))).rejects.toThrow('“统一社会信用代码”列重复：第 1、8 列');

    const nothingKnown = writeTemp(csv([['甲', '乙'], ['1', '2']]), 'csv');
    await expect(readFile(nothingKnown, optionsFor('tax', 'csv', { requiredKeys: [] }))).rejects.toThrow('第 1 行不是可识别的表头（甲、乙）');

    for (const empty of ['', '\uFEFF\r\n , ,\r\n\r\n']) {
      await expect(readFile(writeTemp(empty, 'csv'), optionsFor('tax', 'csv'))).rejects.toBeInstanceOf(ImportFileError);
    }
  });

  it('skips blank lines without counting them, and numbers rows by their line in the sheet', async () => {
    const text = ['', csv([TAX_HEADER]).trim(), csv([TAX_ROWS[0]!]).trim(), '', ' , ,,,', csv([TAX_ROWS[1]!]).trim(), '\t', csv([TAX_ROWS[2]!]).trim(), '', ''].join('\n');
    const file = writeTemp(text, 'csv');
    const rows = await readFile(file, optionsFor('tax', 'csv'));
    // Line 1 is empty, the header is line 2: rowNumber + 1 is the line.
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 5, 7]);
    expect(rows.map((r) => (r as SourceRow).values.uscc)).toEqual(TAX_ROWS.map((r) => r[0]));
    expect(await countImportRows(opener(file), 'csv')).toBe(3);

    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('数据');
    sheet.getRow(1).values = TAX_HEADER;
    sheet.getRow(2).values = TAX_ROWS[0]!;
    sheet.getRow(3).getCell(2).value = '  '; // a row whose only cell is spaces
    sheet.getRow(5).values = TAX_ROWS[1]!;
    const xlsx = writeTemp(Buffer.from(await book.xlsx.writeBuffer()), 'xlsx');
    const xrows = await readFile(xlsx, optionsFor('tax', 'xlsx'));
    expect(xrows.map((r) => r.rowNumber)).toEqual([1, 4]);
    expect(await countImportRows(opener(xlsx), 'xlsx')).toBe(2);
  });

  it('reads tab-separated text, CR-only line ends, quoted line breaks and ="0123" cells', async () => {
    const tsv = writeTemp(csv([TAX_HEADER, TAX_ROWS[0]!], '\t'), 'txt');
    expect((await readFile(tsv, optionsFor('tax', 'csv')))[0]).toEqual({ rowNumber: 1, values: asValues(TAX_ROWS[0]!) });

    const mac = writeTemp(`${TAX_HEADER.join(',')}\r${['="91330106MA2H0CM3X6"', '"第一行\n第二行"', '2025-03', '1', '2', '3', ''].join(',')}\r`, 'csv');
    expect(await readFile(mac, optionsFor('tax', 'csv'))).toEqual([
      { rowNumber: 1, values: { ...asValues(['91330106MA2H0CM3X6', '第一行\n第二行', '2025-03', '1', '2', '3', '']) } },
    ]);
  });
});

describe('rows that cannot be read', () => {
  const header = csv([TAX_HEADER]);
  const good = (n: number) => csv([[`9133010${String(n).padStart(11, '0')}`, `R-${n}`, '2025-03', '1', '2', '3', 'A']]);

  it('reports a 10 MB row in the middle of a CSV as one problem and reads the rows after it', async () => {
    const huge = `91330106MA2H0CM3X6,R-huge,2025-03,${'9'.repeat(10 * 1024 * 1024)},2,3,A\r\n`;
    const hugeQuoted = `91330106MA2H0CM3X6,"${'引'.repeat(4 * 1024 * 1024)}",2025-03,1,2,3,A\r\n`;
    const file = writeTemp(header + good(1) + huge + good(2) + hugeQuoted + good(3), 'csv');
    const rows = await readFile(file, optionsFor('tax', 'csv'));
    expect(rows).toEqual([
      { rowNumber: 1, values: expect.objectContaining({ externalId: 'R-1' }) },
      { rowNumber: 2, reason: '本行超过 64 KB，无法读取' },
      { rowNumber: 3, values: expect.objectContaining({ externalId: 'R-2' }) },
      { rowNumber: 4, reason: '本行超过 64 KB，无法读取' },
      { rowNumber: 5, values: expect.objectContaining({ externalId: 'R-3' }) },
    ]);
    expect(await countImportRows(opener(file), 'csv')).toBe(5);

    const limited = await readFile(writeTemp(header + good(1) + `X,${'长'.repeat(60)},2025-03,1,2,3,A\r\n`, 'csv'), optionsFor('tax', 'csv', { maxRowBytes: 150 }));
    expect(limited).toEqual([
      { rowNumber: 1, values: expect.objectContaining({ externalId: 'R-1' }) },
      { rowNumber: 2, reason: '本行超过 150 字节，无法读取' },
    ]);
  });

  it('reports broken quoting and too many columns per row, and recovers after a stray quote', async () => {
    const badClose = 'X1,"R-"bad,2025-03,1,2,3,A\r\n';
    const stray = 'X2,"R-open,2025-03,1,2,3,A\r\n';
    const extra = 'X3,R-x,2025-03,1,2,3,A,多出来的\r\n';
    const file = writeTemp(header + badClose + good(1) + stray + good(2) + extra + good(3) + 'X4,"never closed', 'csv');
    const rows = await readFile(file, optionsFor('tax', 'csv'));
    expect(rows.map((r) => (isProblem(r) ? `${r.rowNumber}: ${r.reason}` : `${r.rowNumber}: ${r.values.externalId}`))).toEqual([
      '1: 第 2 列的引号用法有误：用英文双引号括起的值中，引号要写成两个（""）',
      '2: R-1',
      '3: 第 2 列以英文双引号开头，但引号没有闭合',
      '4: R-2',
      '5: 本行有 8 列，比表头多 1 列：值中含分隔符（逗号）时，要用英文双引号把整个值括起来',
      '6: R-3',
      '7: 第 2 列以英文双引号开头，但引号没有闭合',
    ]);
    expect(await countImportRows(opener(file), 'csv')).toBe(rows.length);

    // A stray quote with no other quote after it: the rest of the file is read again from the next line.
    const tail = writeTemp(header + stray + good(2) + good(3), 'csv');
    const after = await readFile(tail, optionsFor('tax', 'csv'));
    expect(after.map((r) => (isProblem(r) ? r.reason : r.values.externalId))).toEqual(['第 2 列以英文双引号开头，但引号没有闭合', 'R-2', 'R-3']);
    expect(after.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
    expect(await countImportRows(opener(tail), 'csv')).toBe(3);
  });

  it('refuses random bytes, a PNG and a truncated XLSX with an ImportFileError', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(4000)]);
    const noise = randomBytes(100_000);
    expect(detectFormat('licence.png', png)).toBeNull();
    expect(detectFormat('data.csv', noise)).toBeNull();
    expect(detectFormat('data.csv', Buffer.from('统一社会信用代码,所属期\r\n'))).toBe('csv');
    // The upload route looks at 8 bytes: a character cut in two there is still text.
    expect(detectFormat('data.csv', Buffer.from('统一社会信用代码').subarray(0, 8))).toBe('csv');
    expect(detectFormat(null, iconv.encode('统一社会信用代码', 'gbk').subarray(0, 8))).toBe('csv');
    expect(detectFormat('tab-separated.xls', Buffer.from('统一社会信用代码\t所属期\r\n'))).toBe('csv');
    expect(detectFormat('empty.xlsx', Buffer.alloc(0))).toBe('xlsx');
    expect(detectFormat('empty.dat', Buffer.alloc(0))).toBeNull();
    expect(detectFormat('old.xls', Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toBeNull();
    expect(() => requireImportFormat('old.xls', Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toThrow('旧版 Excel（.xls）');
    expect(() => requireImportFormat('export.xls', Buffer.from('<html><table>'))).toThrow('网页或 XML');
    expect(() => requireImportFormat('licence.png', png)).toThrow('PNG 图片');

    for (const [bytes, format] of [[noise, 'csv'], [png, 'csv'], [png, 'xlsx'], [noise, 'xlsx']] as const) {
      const file = writeTemp(bytes, format);
      const error = await readFile(file, optionsFor('tax', format)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportFileError);
      await expect(countImportRows(opener(file), format)).rejects.toBeInstanceOf(ImportFileError);
    }

    const rows = Array.from({ length: 3000 }, (_, i) => [`91330100MA${String(i).padStart(8, '0')}`, `R-${i}`, '2025-03', i, i * 2, 0, 'A']);
    const whole = await xlsxFile([TAX_HEADER, ...rows]);
    for (const cut of [Math.floor(whole.length / 2), whole.length - 40, 100]) {
      const file = writeTemp(whole.subarray(0, cut), 'xlsx');
      const error = await readFile(file, optionsFor('tax', 'xlsx')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportFileError);
      expect((error as Error).message).toMatch(/^文件不是有效的 XLSX 工作簿/);
    }
  });

  it('passes a failing source stream on as the store error, not as a bad file', async () => {
    const failing = async () =>
      new Readable({
        read() {
          this.destroy(new Error('connection reset by the store'));
        },
      });
    for (const format of ['csv', 'xlsx'] as const) {
      const error = await collect(readImportRows(failing, optionsFor('tax', format))).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(ImportFileError);
      expect((error as Error).message).toBe('connection reset by the store');
    }
  });
});

/** Polls `condition` until it holds (or fails the test after `ms`). */
async function waitFor(condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a reader stopped early', () => {
  // exceljs parks sheets that precede the shared strings in temporary files named tmp-<pid>-…
  const parked = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`));

  it('closes its file and leaves no temporary files behind', async () => {
    // (A file cut off mid-zip, read by an earlier test, leaves its parked sheets until the process exits.)
    const earlier = new Set(parked());
    const rows = Array.from({ length: 2000 }, (_, i) => [`X${i}`, `R-${i}`, '2025-03', i, 2, 3, 'A']);
    const xlsx = writeTemp(await xlsxFile([TAX_HEADER, ...rows], (wb) => wb.addWorksheet('第二张').addRow(['x'])), 'xlsx');
    const csvFile = writeTemp(csv([TAX_HEADER, ...rows.map((r) => r.map(String))]), 'csv');
    for (const [file, format] of [[xlsx, 'xlsx'], [csvFile, 'csv']] as const) {
      const stream = fs.createReadStream(file);
      let seen = 0;
      for await (const _row of readImportRows(async () => stream, optionsFor('tax', format))) if (++seen === 5) break;
      expect(stream.destroyed).toBe(true);
      const wrongCategory = readFile(file, optionsFor('penalty', format));
      await expect(wrongCategory).rejects.toThrow(/^缺少必填列：/);
    }
    await waitFor(() => parked().every((f) => earlier.has(f)));
  });
});

describe('a sheet passed over', () => {
  it('is dropped without an uncaught error when its parked file opens after exceljs deleted it', async () => {
    // On a busy machine the open of a parked sheet's file can run after exceljs has moved on and deleted it.
    // Opens of parked files are held back here, so the late open fails every time.
    const rows = Array.from({ length: 50 }, () => TAX_HEADER.map(() => '1'));
    const xlsx = writeTemp(await xlsxFile([TAX_HEADER, ...rows], (wb) => ['二', '三'].forEach((name) => wb.addWorksheet(name).addRow(['x']))), 'xlsx');
    const realOpen = fs.open;
    const late: Array<Promise<void>> = [];
    const spy = jest.spyOn(fs, 'open').mockImplementation(((...args: unknown[]) => {
      const call = () => (realOpen as (...a: unknown[]) => void)(...args);
      if (String(args[0]).includes(`tmp-${process.pid}-`) && args[1] === 'r') {
        late.push(new Promise<void>((resolve) => setTimeout(() => { call(); resolve(); }, 50)));
      } else call();
    }) as unknown as typeof fs.open);
    try {
      expect(await readFile(xlsx, optionsFor('tax', 'xlsx'))).toHaveLength(rows.length);
      await waitFor(() => late.length === 3); // the three parked sheets, each opened once
      await Promise.all(late);
      // the failed opens' callbacks have run: an unhandled error would have failed this test by now
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('resuming and counting', () => {
  it('skipRows resumes at the right row, and countImportRows agrees with the rows read', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [`X${i}`, `R-${i}`, '2025-03', String(i), '2', '3', 'A']);
    const lines = csv([TAX_HEADER, ...rows]).split('\r\n');
    lines.splice(10, 0, '', ',,,'); // blank lines in the middle
    lines.splice(20, 0, 'X,"broken"quote,2025-03,1,2,3,A');
    const csvFile = writeTemp(lines.join('\r\n'), 'csv');
    const xlsx = writeTemp(await xlsxFile([TAX_HEADER, ...rows.slice(0, 10), [], ...rows.slice(10)]), 'xlsx');
    for (const [file, format] of [[csvFile, 'csv'], [xlsx, 'xlsx']] as const) {
      const all = await readFile(file, optionsFor('tax', format));
      expect(await countImportRows(opener(file), format)).toBe(all.length);
      for (const skip of [0, 1, 9, 10, 25, all.length - 1, all.length, all.length + 5]) {
        expect(await readFile(file, optionsFor('tax', format, { skipRows: skip }))).toEqual(all.slice(skip));
      }
    }
  });

  it('streams a 300k-row CSV with flat memory', async () => {
    const file = path.join(work, 'big.csv');
    const out = fs.createWriteStream(file);
    out.write('\uFEFF' + csv([TAX_HEADER]));
    const total = 300_000;
    for (let i = 0; i < total; i += 1000) {
      let block = '';
      for (let j = i; j < i + 1000; j++) block += `91330100MA${String(j).padStart(8, '0')},浙税-${j},2025-03,"${j},210.50",1280000.00,0,A级\r\n`;
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));

    const before = retainedHeap();
    const rssBefore = process.memoryUsage().rss;
    let started = Date.now();
    let rows = 0;
    let seconds = 0;
    let held = 0;
    let last: SourceRow | RowProblem | undefined;
    for await (const row of readImportRows(opener(file), optionsFor('tax', 'csv'))) {
      rows++;
      last = row;
      if (rows % 100_000 === 0) {
        seconds += (Date.now() - started) / 1000;
        held = Math.max(held, retainedHeap() - before);
        started = Date.now();
      }
    }
    seconds += (Date.now() - started) / 1000;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    const after = retainedHeap();
    started = Date.now();
    const counted = await countImportRows(opener(file), 'csv');
    console.log(
      `300k-row CSV (${(fs.statSync(file).size / 1e6).toFixed(1)} MB): ${Math.round(rows / seconds)} rows/s read, ` +
        `count in ${((Date.now() - started) / 1000).toFixed(2)} s; RSS growth ${(rssGrowth / 1e6).toFixed(1)} MB, ` +
        `heap held while reading at most ${(held / 1e6).toFixed(1)} MB, after ${((after - before) / 1e6).toFixed(1)} MB`,
    );
    expect(rows).toBe(total);
    expect(counted).toBe(total);
    expect(last).toEqual({ rowNumber: total, values: expect.objectContaining({ externalId: `浙税-${total - 1}`, taxPaidFen: `${total - 1},210.50` }) });
    expect(held).toBeLessThan(100e6);
    expect(after - before).toBeLessThan(100e6);
  });
});

describe('templates', () => {
  const fields = CREDIT_FIELDS.penalty;
  const examples = Object.fromEntries(fields.map((f) => [f.key, f.example]));

  it('builds a CSV template that reads back as its example row', async () => {
    const bytes = await buildTemplate(fields, '行政处罚', 'csv');
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(await readFile(writeTemp(bytes, 'csv'), optionsFor('penalty', 'csv'))).toEqual([{ rowNumber: 1, values: examples }]);
  });

  it('builds an XLSX template: the 数据 sheet reads back as its example row, 填写说明 lists every field', async () => {
    const bytes = await buildTemplate(fields, '行政处罚', 'xlsx');
    expect(await readFile(writeTemp(bytes, 'xlsx'), optionsFor('penalty', 'xlsx'))).toEqual([{ rowNumber: 1, values: examples }]);

    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['数据', '填写说明']);
    const data = book.getWorksheet('数据')!;
    expect(data.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(data.getColumn(1).width).toBeGreaterThanOrEqual(10);
    const guide = book.getWorksheet('填写说明')!;
    expect(guide.getRow(1).values).toEqual([undefined, '字段', '是否必填', '类型', '规则', '示例']);
    const listed = fields.map((_, i) => guide.getRow(i + 2).values as unknown[]);
    expect(listed.map((v) => v[1])).toEqual(fields.map((f) => f.label));
    expect(listed.map((v) => v[2])).toEqual(fields.map((f) => (f.required ? '是' : '否')));
    expect(listed.map((v) => v[5])).toEqual(fields.map((f) => f.example));
    const severity = listed[fields.findIndex((f) => f.key === 'severity')]!;
    expect(severity[3]).toBe('选项');
    expect(String(severity[4])).toContain('一般');
  });
});

describe('error reports', () => {
  const reportRows: ReportRow[] = [
    { rowNumber: 1, label: '统一社会信用代码', value: '91330106MA2H0CM3X7', reason: '校验码不正确' },
    { rowNumber: 1, label: '所属期', value: '2025-13', reason: '所属期应为 YYYY-MM' },
    { rowNumber: 7, label: '实缴税额（元）', value: '=HYPERLINK("http://x","点我")', reason: '不是金额' },
    { rowNumber: 9, label: '记录编号', value: '00123', reason: '含"引号",逗号\n和换行' },
    { rowNumber: 12, label: '整行', value: '', reason: '本行超过 64 KB，无法读取' },
  ];
  const reportMap = new Map([['行号', 'line'], ['字段', 'label'], ['填写值', 'value'], ['原因', 'reason']]);
  const reportOptions = (format: ImportFormat): ReadOptions => ({ format, headerMap: reportMap, requiredKeys: ['line', 'label', 'value', 'reason'], labels: new Map() });
  async function* rowsOf<T>(items: T[]): AsyncIterable<T> {
    yield* items;
  }

  it('writes a CSV report with BOM that reads back, neutralising formulas', async () => {
    const file = path.join(work, 'report.csv');
    await writeErrorReport(rowsOf(reportRows), 'csv', fs.createWriteStream(file));
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const back = await readFile(file, reportOptions('csv'));
    expect(back).toEqual(
      reportRows.map((r, i) => ({
        rowNumber: i + 1,
        values: { line: String(r.rowNumber + 1), label: r.label, value: r.value.startsWith('=') ? `'${r.value}` : r.value, reason: r.reason },
      })),
    );
  });

  it('writes an XLSX report that reads back', async () => {
    const file = path.join(work, 'report.xlsx');
    await writeErrorReport(rowsOf(reportRows), 'xlsx', fs.createWriteStream(file));
    const back = await readFile(file, reportOptions('xlsx'));
    expect(back).toEqual(reportRows.map((r, i) => ({ rowNumber: i + 1, values: { line: String(r.rowNumber + 1), label: r.label, value: r.value, reason: r.reason } })));
  });

  it('streams a large XLSX report without holding it', async () => {
    const total = 100_000;
    const before = retainedHeap();
    let held = 0;
    async function* many(): AsyncIterable<ReportRow> {
      for (let i = 1; i <= total; i++) {
        if (i % 25_000 === 0) held = Math.max(held, retainedHeap() - before);
        yield { rowNumber: i, label: '统一社会信用代码', value: `91330100MA${String(i).padStart(8, '0')}`, reason: '统一社会信用代码校验码不正确' };
      }
    }
    const file = path.join(work, 'big-report.xlsx');
    const started = Date.now();
    await writeErrorReport(many(), 'xlsx', fs.createWriteStream(file));
    console.log(`100k-row XLSX report in ${((Date.now() - started) / 1000).toFixed(1)} s, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, heap held at most ${(held / 1e6).toFixed(1)} MB`);
    expect(held).toBeLessThan(50e6);
    expect(await countImportRows(opener(file), 'xlsx')).toBe(total);
  });

  it('sends a Chinese file name in Content-Disposition', async () => {
    const name = '纳税 错误报告（批次 42）.xlsx';
    const header = contentDisposition(name);
    expect(header).toBe(`attachment; filename="42.xlsx"; filename*=UTF-8''${encodeURIComponent(name).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
    expect(contentDisposition('a"b\r\n/c.csv')).toBe(`attachment; filename="a_b_c.csv"; filename*=UTF-8''a%22b_c.csv`);
    expect(contentDisposition('模板.csv')).toMatch(/^attachment; filename="download\.csv"; /);
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Disposition', header);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const sent = response.headers.get('content-disposition')!;
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(sent)![1]!)).toBe(name);
    } finally {
      server.close();
    }
  });
});

describe('file stores: streaming put', () => {
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  it('local store: putFile copies a file in durably and reads back identical', async () => {
    const root = tempDir();
    const store = new LocalFileStore(root);
    const bytes = randomBytes(300_000);
    const source = writeTemp(bytes, 'bin');
    const key = await store.putFile('123456789012345', source, 'text/csv');
    expect(key).toBe('45/123456789012345');
    expect((await store.get(key)).equals(bytes)).toBe(true);
    expect(fs.statSync(path.join(root, key)).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
    expect(fs.existsSync(source)).toBe(true);
    await expect(store.putFile('7', path.join(work, 'no-such-file'), 'text/csv')).rejects.toThrow(/ENOENT/);
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
  });

  it('S3 store: putFile streams the body as UNSIGNED-PAYLOAD and put still works', async () => {
    const fake = await startFakeS3();
    try {
      const store = new S3FileStore({ kind: 's3', endpoint: fake.url, bucket: fake.bucket, region: 'cn-north-1', accessKeyId: 'AKIDFAKES3TEST', secretAccessKey: 'fake-s3-secret-key', forcePathStyle: true });
      const bytes = randomBytes(1_500_000);
      const key = await store.putFile('98765', writeTemp(bytes, 'bin'), 'text/csv');
      expect(sha256(fake.objects.get(key)!.body)).toBe(sha256(bytes));
      expect(fake.objects.get(key)!.contentType).toBe('text/csv');
      const small = await store.put('98766', Buffer.from('小文件'), 'text/plain');
      expect((await store.get(small)).toString()).toBe('小文件');
      const wrong = new S3FileStore({ kind: 's3', endpoint: fake.url, bucket: fake.bucket, region: 'cn-north-1', accessKeyId: 'AKIDFAKES3TEST', secretAccessKey: 'wrong', forcePathStyle: true });
      await expect(wrong.putFile('98767', writeTemp(bytes, 'bin'), 'text/csv')).rejects.toThrow(/403.*SignatureDoesNotMatch/);
    } finally {
      await fake.close();
    }
  });

  // Starts a server (and its database) of its own, so it comes last.
  it('stageUploadedFile hashes the upload by streaming and stores it', async () => {
    const server = await startTestServer({}, { seed: false });
    try {
      const bytes = Buffer.from(csv([TAX_HEADER, ...TAX_ROWS]));
      const staged = await stageUploadedFile(server.app, writeTemp(bytes, 'csv'), 'text/csv', { kind: 'admin', id: '1' });
      expect(staged).toMatchObject({ sha256: sha256(bytes), size: bytes.length, mime: 'text/csv', createdByKind: 'admin', createdById: '1' });
      expect((await server.app.fileStore.get(staged.storageKey)).equals(bytes)).toBe(true);
      const open = () => server.app.fileStore.stream(staged.storageKey);
      expect(await collect(readImportRows(open, optionsFor('tax', 'csv')))).toHaveLength(TAX_ROWS.length);
    } finally {
      await server.close();
    }
  });
});
