import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { getDecoder } from 'iconv-lite';
import {
  HEAD_BYTES,
  ICONV_GBK,
  ImportFileError,
  NON_BLANK,
  decodeHead,
  detectEncoding,
  detectFormat,
  requireImportFormat,
  rowTooLong,
  type RawRow,
} from './file-format';

/*
 * CSV is tokenised here rather than by csv-parse: with `max_record_size` and `skip_records_with_error`, csv-parse 7
 * returns from the middle of a chunk when a record grows too long and drops the rest of that chunk, so every row
 * after a 10 MB row is lost; and the row counter of the progress bar has to split records exactly as the reader
 * does. One small state machine does both, on decoded text, holding at most one row (bounded by maxRowBytes).
 */

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote was read inside a quoted field: it closes the field, escapes a second quote, or was stray. */
const QUOTE_SEEN = 3;

export interface CsvRecord {
  /** Empty for a row that could not be read, and when fields are not kept (counting). */
  fields: string[];
  /** Nothing but whitespace and delimiters. */
  blank: boolean;
  problem: string | null;
}

/**
 * RFC 4180 with the tolerances real files need: a quote inside an unquoted value is a plain character; `\r\n`,
 * `\n` and a lone `\r` all end a row. A row longer than maxRowBytes (UTF-8 bytes of its values) is dropped as it
 * streams past and reported as a problem. A quoted value that runs across a line break and then turns out not to
 * close properly (a bad closing quote, the end of the file, or the row limit) is taken for a stray quote: that
 * row is a problem, and reading starts again on the line after the break, so one bad quote costs one row, not
 * the rest of the file.
 */
export class CsvTokenizer {
  private readonly delimiter: number;
  private state = FIELD_START;
  private fields: string[] = [];
  private field = '';
  private column = 0;
  private started = false;
  private hasContent = false;
  private bytes = 0;
  private oversized = false;
  private problem: string | null = null;
  private quotedColumn = 0;
  private skipLF = false;
  /** Raw text after the first line break inside the open quoted value, for a restart there. */
  private rescue: string | null = null;
  private rescueAfterCR = false;
  private records: CsvRecord[] = [];

  constructor(
    delimiter: string,
    private readonly maxRowBytes: number,
    private readonly keepFields: boolean,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds the next piece of text; answers the rows it completed. */
  write(text: string): CsvRecord[] {
    this.feed([text]);
    return this.take();
  }

  /** The end of the text: the last row, if it had no line break after it. */
  end(): CsvRecord[] {
    while (this.state === QUOTED && this.rescue !== null) {
      this.feed([this.restartAfterStrayQuote('')]);
    }
    if (this.state === QUOTED) this.problem ??= this.unclosedQuote();
    if (this.started) {
      this.endField();
      this.endRecord();
    }
    return this.take();
  }

  private take(): CsvRecord[] {
    const records = this.records;
    this.records = [];
    return records;
  }

  private feed(texts: string[]): void {
    const pending = texts;
    while (pending.length > 0) {
      const again = this.scan(pending.shift()!);
      if (again) pending.unshift(...again);
    }
  }

  /** Reads one piece; answers the texts to read before anything else when it restarts after a stray quote. */
  private scan(chunk: string): string[] | null {
    const n = chunk.length;
    const delimiter = this.delimiter;
    let i = 0;
    if (this.skipLF && n > 0) {
      this.skipLF = false;
      if (chunk.charCodeAt(0) === LF) i = 1;
    }
    let rescueFrom = 0;
    while (i < n) {
      const state = this.state;
      if (state === FIELD_START) {
        this.started = true;
        if (chunk.charCodeAt(i) === QUOTE) {
          this.state = QUOTED;
          this.quotedColumn = this.column + 1;
          i++;
        } else {
          this.state = UNQUOTED;
        }
      } else if (state === UNQUOTED) {
        let j = i;
        while (j < n) {
          const c = chunk.charCodeAt(j);
          if (c === delimiter || c === CR || c === LF) break;
          j++;
        }
        this.append(chunk, i, j);
        if (j === n) break;
        i = this.separator(chunk, j);
      } else if (state === QUOTED) {
        const quote = chunk.indexOf('"', i);
        const end = quote === -1 ? n : quote;
        if (this.rescue === null) {
          for (let k = i; k < end; k++) {
            const c = chunk.charCodeAt(k);
            if (c === CR || c === LF) {
              this.rescue = '';
              this.rescueAfterCR = c === CR;
              rescueFrom = k + 1;
              break;
            }
          }
        }
        this.append(chunk, i, end);
        if (this.oversized && this.rescue !== null) return this.strayQuoteAt(chunk, rescueFrom, end);
        if (quote === -1) break;
        this.state = QUOTE_SEEN;
        i = quote + 1;
      } else {
        const c = chunk.charCodeAt(i);
        if (c === QUOTE) {
          this.append(chunk, i, i + 1);
          this.state = QUOTED;
          i++;
        } else if (c === delimiter || c === CR || c === LF) {
          this.rescue = null;
          i = this.separator(chunk, i);
        } else if (this.rescue !== null) {
          return this.strayQuoteAt(chunk, rescueFrom, i);
        } else {
          this.problem ??= `第 ${this.quotedColumn} 列的引号用法有误：用英文双引号括起的值中，引号要写成两个（""）`;
          this.state = UNQUOTED;
        }
      }
    }
    if (this.rescue !== null) this.rescue += chunk.slice(rescueFrom);
    return null;
  }

  /** The delimiter or line break at `at`; answers where reading goes on. */
  private separator(chunk: string, at: number): number {
    const c = chunk.charCodeAt(at);
    this.endField();
    if (c === this.delimiter) return at + 1;
    this.endRecord();
    if (c === CR) {
      if (at + 1 < chunk.length) return chunk.charCodeAt(at + 1) === LF ? at + 2 : at + 1;
      this.skipLF = true;
    }
    return at + 1;
  }

  private strayQuoteAt(chunk: string, rescueFrom: number, at: number): string[] {
    return [this.restartAfterStrayQuote(chunk.slice(rescueFrom, at)), chunk.slice(at)];
  }

  /** Ends the row that the stray quote swallowed as a problem; answers the text after the line break to read again. */
  private restartAfterStrayQuote(tail: string): string {
    let text = this.rescue! + tail;
    if (this.rescueAfterCR && text.charCodeAt(0) === LF) text = text.slice(1);
    this.rescue = null;
    this.problem = this.unclosedQuote();
    this.oversized = false;
    this.endField();
    this.endRecord();
    return text;
  }

  private unclosedQuote(): string {
    return `第 ${this.quotedColumn} 列以英文双引号开头，但引号没有闭合`;
  }

  private append(chunk: string, from: number, to: number): void {
    if (to <= from || this.oversized) return;
    const piece = chunk.slice(from, to);
    this.bytes += Buffer.byteLength(piece);
    if (this.bytes > this.maxRowBytes) {
      this.oversized = true;
      this.fields = [];
      this.field = '';
      return;
    }
    if (!this.hasContent && NON_BLANK.test(piece)) this.hasContent = true;
    if (this.keepFields) this.field += piece;
  }

  private endField(): void {
    if (this.keepFields && !this.oversized) this.fields.push(this.field);
    this.field = '';
    this.column++;
    this.bytes++;
    this.state = FIELD_START;
  }

  private endRecord(): void {
    const problem = this.oversized ? rowTooLong(this.maxRowBytes) : this.problem;
    this.records.push({ fields: problem ? [] : this.fields, blank: !this.hasContent && problem === null, problem });
    this.fields = [];
    this.field = '';
    this.column = 0;
    this.started = false;
    this.hasContent = false;
    this.bytes = 0;
    this.oversized = false;
    this.problem = null;
    this.rescue = null;
    this.state = FIELD_START;
  }
}

/**
 * The delimiter of the header (the first line with anything but whitespace and delimiters in it): a comma, or a
 * tab or semicolon where that line has more of those.
 */
export function detectDelimiter(text: string): string {
  let start = 0;
  for (;;) {
    const lineEnd = text.slice(start).search(/[\r\n]/);
    const end = lineEnd === -1 ? text.length : start + lineEnd;
    if (/[^\s,;\u200b]/.test(text.slice(start, end)) || end >= text.length) break;
    start = end + 1;
  }
  const counts = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts['\t'] > counts[','] && counts['\t'] >= counts[';']) return '\t';
  if (counts[';'] > counts[',']) return ';';
  return ',';
}

const asBuffer = (chunk: unknown): Buffer => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));

/**
 * The rows of a CSV stream. The encoding (UTF-8, with or without BOM, or GBK) and the delimiter come from the
 * first 64 KB of this same stream, which are held back only until they have been looked at.
 */
export async function* csvRows(source: Readable, maxRowBytes: number, keepFields: boolean): AsyncGenerator<RawRow> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  try {
    const head: Buffer[] = [];
    let size = 0;
    let ended = false;
    while (size < HEAD_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      const chunk = asBuffer(next.value);
      head.push(chunk);
      size += chunk.length;
    }
    const first = Buffer.concat(head);
    const sample = first.subarray(0, HEAD_BYTES);
    if (detectFormat(null, sample) === 'xlsx') throw new ImportFileError('文件是 XLSX 工作簿，不是 CSV 文本');
    requireImportFormat(null, sample);
    const encoding = detectEncoding(sample);
    const decoder = encoding === 'utf8' ? new StringDecoder('utf8') : getDecoder(ICONV_GBK);
    let text = decoder.write(first);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const tokenizer = new CsvTokenizer(detectDelimiter(decodeHead(sample, encoding)), maxRowBytes, keepFields);
    let line = 0;
    const rows = (records: CsvRecord[]): RawRow[] =>
      records.map((r) => ({ line: ++line, cells: r.fields, blank: r.blank, problem: r.problem }));
    yield* rows(tokenizer.write(text));
    while (!ended) {
      const next = await chunks.next();
      if (next.done) break;
      yield* rows(tokenizer.write(decoder.write(asBuffer(next.value))));
    }
    yield* rows(tokenizer.write(decoder.end() ?? ''));
    yield* rows(tokenizer.end());
  } finally {
    source.destroy();
  }
}
