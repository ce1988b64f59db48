import { decode as iconvDecode } from 'iconv-lite';
import { ValidationError } from '../../lib/errors';

export type ImportFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf8' | 'gbk';

/**
 * A file the import cannot read at all (not CSV/XLSX, undecodable, no header row, required headers missing). The
 * message is Chinese and names what is wrong. A validation error, so a route that reads a file in the request
 * answers 400 with it; the import job stores it as the batch's failure reason.
 */
export class ImportFileError extends ValidationError {}

/** One line of a sheet as the CSV and XLSX readers hand it on, before headers give its cells names. */
export interface RawRow {
  /** 1-based line of the sheet (the record number for a CSV, the row number for an XLSX). */
  line: number;
  cells: string[];
  /** No cell holds anything but whitespace. */
  blank: boolean;
  /** Why the row cannot be read (too long, broken quoting); its cells are then empty. */
  problem: string | null;
}

/** Anything but whitespace (String.prototype.trim's, which includes U+3000 and the BOM) and zero-width spaces. */
export const NON_BLANK = /[^\s\u200b]/;

/** The problem of a row longer than the limit, the same for both formats. */
export const rowTooLong = (maxRowBytes: number) =>
  `本行超过 ${maxRowBytes % 1024 === 0 ? `${maxRowBytes / 1024} KB` : `${maxRowBytes} 字节`}，无法读取`;

/** How much of a file decides its encoding (and, for a CSV, its delimiter). */
export const HEAD_BYTES = 64 * 1024;

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const ZIP_OTHER = [Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.from([0x50, 0x4b, 0x07, 0x08])];
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Signatures of files people upload by mistake, with what to tell them. */
const NOT_A_SPREADSHEET: Array<{ magic: Buffer; what: string }> = [
  { magic: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), what: '旧版 Excel（.xls）或其他 Office 97-2003 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入' },
  { magic: Buffer.from('%PDF'), what: 'PDF 文件' },
  { magic: Buffer.from([0x89, 0x50, 0x4e, 0x47]), what: 'PNG 图片' },
  { magic: Buffer.from([0xff, 0xd8, 0xff]), what: 'JPEG 图片' },
  { magic: Buffer.from('GIF8'), what: 'GIF 图片' },
  { magic: Buffer.from([0x1f, 0x8b]), what: 'gzip 压缩包' },
  { magic: Buffer.from('Rar!'), what: 'RAR 压缩包' },
  { magic: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), what: '7z 压缩包' },
  { magic: Buffer.from([0xff, 0xfe]), what: 'UTF-16 编码的文本，请另存为 UTF-8 或 GBK 编码的 CSV' },
  { magic: Buffer.from([0xfe, 0xff]), what: 'UTF-16 编码的文本，请另存为 UTF-8 或 GBK 编码的 CSV' },
];

const startsWith = (head: Buffer, magic: Buffer) => head.length >= magic.length && head.subarray(0, magic.length).equals(magic);

const extensionOf = (filename: string | null) => /\.([A-Za-z0-9]{1,8})$/.exec(filename?.trim() ?? '')?.[1]?.toLowerCase() ?? null;

/** Bytes at the end of `head` that start a UTF-8 character the cut left incomplete (0 to 3). */
function cutUtf8Tail(head: Buffer): number {
  for (let back = 1; back <= Math.min(4, head.length); back++) {
    const byte = head[head.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** UTF-8 when the first 64 KB are valid UTF-8 (pure ASCII included), GBK otherwise: the two encodings Chinese CSVs come in. */
export function detectEncoding(head: Buffer): TextEncoding {
  const sample = head.subarray(0, HEAD_BYTES);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cutUtf8Tail(sample)));
    return 'utf8';
  } catch {
    return 'gbk';
  }
}

/**
 * GBK text is decoded as GB 18030, its superset: the same for every GBK byte pair, and it also reads the
 * four-byte characters (rare characters in names) that Excel writes when it saves "GB18030".
 */
export const ICONV_GBK = 'gb18030';

/** Decodes a head sample as the encoding detection chose (a cut character at the end becomes one U+FFFD). */
export function decodeHead(head: Buffer, encoding: TextEncoding): string {
  const text = encoding === 'utf8' ? head.toString('utf8') : iconvDecode(head, ICONV_GBK);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Control characters that never appear in a text table; a NUL means binary outright. */
function binaryScore(text: string): { nul: boolean; odd: number } {
  let odd = 0;
  let nul = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) nul = true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1a) || c === 0xfffd) odd++;
  }
  return { nul, odd };
}

/** Whether decoded text reads as a text table rather than binary bytes (allowing a little damage). */
export function looksLikeText(text: string): boolean {
  const { nul, odd } = binaryScore(text);
  return !nul && odd <= Math.max(2, text.length / 100);
}

/** `<html`, `<table`, `<?xml`: what "export to Excel" buttons of many systems really produce. */
const looksLikeMarkup = (text: string) => /^\s*<(?:!doctype|html|table|\?xml|head|body|meta)\b/i.test(text);

type Classified = { format: ImportFormat } | { format: null; reason: string };

function classify(filename: string | null, head: Buffer): Classified {
  const ext = extensionOf(filename);
  if (startsWith(head, ZIP_LOCAL_HEADER)) return { format: 'xlsx' };
  if (head.length === 0) {
    if (ext === 'xlsx') return { format: 'xlsx' };
    if (ext === 'csv' || ext === 'txt') return { format: 'csv' };
    return { format: null, reason: '文件是空的' };
  }
  if (ZIP_OTHER.some((magic) => startsWith(head, magic))) return { format: null, reason: '文件是空的压缩包，不是 XLSX 工作簿' };
  if (!startsWith(head, UTF8_BOM)) {
    const known = NOT_A_SPREADSHEET.find(({ magic }) => startsWith(head, magic));
    if (known) return { format: null, reason: `文件是${known.what}，不是 CSV 或 XLSX 表格` };
  }
  const text = decodeHead(head.subarray(0, HEAD_BYTES), detectEncoding(head));
  if (!looksLikeText(text)) return { format: null, reason: '文件不是 CSV 或 XLSX 表格（内容是二进制数据）' };
  if (looksLikeMarkup(text)) return { format: null, reason: '文件是网页或 XML 格式（有些系统“导出 Excel”得到的就是它），请在 Excel 中另存为 .xlsx 或 CSV 后再导入' };
  // Text is read as CSV whatever its name: the tab-separated ".xls" of older systems included.
  return { format: 'csv' };
}

/**
 * The format of an uploaded file from its first bytes (8 are enough for the magic bytes; up to 64 KB make the
 * text check surer) and, for an empty file, its name: a ZIP (PK\x03\x04) is XLSX, text is CSV whatever its
 * extension; null for anything else (images, PDF, old .xls, web pages, binary data). The CSV reader checks the
 * first 64 KB again, so binary data that passed a short head is still refused there.
 */
export function detectFormat(filename: string | null, head: Buffer): ImportFormat | null {
  return classify(filename, head).format;
}

/** As detectFormat, but an unreadable file is an ImportFileError saying what the file is instead. */
export function requireImportFormat(filename: string | null, head: Buffer): ImportFormat {
  const result = classify(filename, head);
  if (result.format === null) throw new ImportFileError(result.reason);
  return result.format;
}
