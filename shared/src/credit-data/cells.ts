import { shanghaiDate } from '../common/calendar';
import { toHalfWidth } from '../common/text';
import { validateIndustryClass } from '../industry';
import { validateUscc } from '../validators/uscc';
import type { CreditFieldSpec } from './fields';

/**
 * Readers of one cell per field type. A reader returns the normalised value, or a `CellProblem` whose reason the
 * normaliser puts after the field's label. They allocate nothing on the good path beyond the value itself: the
 * pipeline runs them on millions of rows.
 *
 * `file` cells are what a person typed in CSV/XLSX (or what the XLSX reader made of it: numbers, Dates);
 * `push` values are JSON as the API documents it.
 */

export type CellForm = 'file' | 'push';

export class CellProblem {
  constructor(readonly reason: string) {}
}

export type CellReader = (value: unknown, form: CellForm) => unknown;

/** Full-width ASCII (typed with a Chinese input method) made half-width, then trimmed. */
function plain(value: string): string {
  return toHalfWidth(value).trim();
}

/** A cell as text for reading, or null when it cannot be text (objects, booleans where a number is due). */
function cellText(value: unknown): string | null {
  if (typeof value === 'string') return plain(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'bigint') return String(value);
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates and months

export const EARLIEST_DATE = '1949-10-01';
const EARLIEST_MONTH = EARLIEST_DATE.slice(0, 7);
const DAY_MS = 86_400_000;

let boundsComputedAt = Number.NEGATIVE_INFINITY;
let latestDate = '';
let latestMonth = '';

/** The latest event date accepted: tomorrow in Asia/Shanghai (a day of slack for clocks and time zones). */
function latestBounds(): { date: string; month: string } {
  const now = Date.now();
  if (now - boundsComputedAt > 60_000 || now < boundsComputedAt) {
    latestDate = shanghaiDate(now + DAY_MS);
    latestMonth = latestDate.slice(0, 7);
    boundsComputedAt = now;
  }
  return { date: latestDate, month: latestMonth };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** 'YYYY-MM-DD', or null when there is no such day. */
function calendarDate(year: number, month: number, day: number): string | null {
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** The last day of a 'YYYY-MM' month. */
export function lastDayOfMonth(period: string): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  return `${period}-${pad2(daysInMonth(year, month))}`;
}

const RE_ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RE_ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const RE_SEPARATED_DATE = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/;
const RE_CHINESE_DATE = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$/;
const RE_COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
/** Excel's day count (1900 date system); five digits span 1927–2173. */
const RE_EXCEL_SERIAL = /^(\d{5})(?:\.\d+)?$/;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

const utcDate = (date: Date): string | null =>
  Number.isNaN(date.getTime()) ? null : calendarDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());

/** An ISO date-time read as the day it names in Asia/Shanghai (a bare local time is taken as Shanghai's). */
function isoDateTime(match: RegExpExecArray, text: string): string | null {
  if (!match[4]) return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  if (!calendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : shanghaiDate(time);
}

const BAD_DATE = Symbol('bad date');

/** Reads a date in the cell's form: 'YYYY-MM-DD', null when it is no date, BAD_DATE when its shape is right but the day does not exist. */
function readDate(value: unknown, form: CellForm): string | null | typeof BAD_DATE {
  if (form === 'file' && value instanceof Date) return utcDate(value) ?? BAD_DATE;
  const text = typeof value === 'string' ? plain(value) : form === 'file' ? cellText(value) : null;
  if (text === null) return null;
  let m = RE_ISO_DATE.exec(text);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ?? BAD_DATE;
  m = RE_ISO_DATETIME.exec(text);
  if (m) return isoDateTime(m, text) ?? BAD_DATE;
  if (form === 'push') return null;
  m = RE_SEPARATED_DATE.exec(text);
  if (m) return calendarDate(Number(m[1]), Number(m[3]), Number(m[4])) ?? BAD_DATE;
  m = RE_CHINESE_DATE.exec(text) ?? RE_COMPACT_DATE.exec(text);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ?? BAD_DATE;
  m = RE_EXCEL_SERIAL.exec(text);
  if (m) return utcDate(new Date(EXCEL_EPOCH_MS + Number(m[1]) * DAY_MS)) ?? BAD_DATE;
  return null;
}

const LONG_TERM = new Set(['长期', '长期有效', '永久', '永久有效', '无固定期限']);
/** Marks an end date that is given as "no end". */
export const NO_END = Symbol('no end');

function dateReader(spec: CreditFieldSpec): CellReader {
  const shape = '应为日期，如 2025-03-05、2025/3/5、2025年3月5日、20250305 或 Excel 日期';
  return (value, form) => {
    if (spec.allowFuture && typeof value === 'string' && LONG_TERM.has(value.trim())) return NO_END;
    const date = readDate(value, form);
    if (date === null) return new CellProblem(form === 'push' ? '应为 YYYY-MM-DD 格式的日期' : shape);
    if (date === BAD_DATE) return new CellProblem(`${displayCell(value)} 不是有效日期`);
    if (date < EARLIEST_DATE) return new CellProblem(`不能早于 ${EARLIEST_DATE}`);
    if (!spec.allowFuture && date > latestBounds().date) return new CellProblem(`不能晚于今天（${date} 尚未到来）`);
    return date;
  };
}

const RE_ISO_MONTH = /^(\d{4})-(\d{2})$/;
const RE_SEPARATED_MONTH = /^(\d{4})[-/.](\d{1,2})$/;
const RE_CHINESE_MONTH = /^(\d{4})\s*年\s*(\d{1,2})\s*月$/;
const RE_COMPACT_MONTH = /^(\d{4})(\d{2})$/;
/** A spreadsheet that turned "2025-03" into a date shows the first of the month. */
const RE_FIRST_OF_MONTH = /^(\d{4})[-/.](\d{1,2})[-/.]0?1$/;

function readMonth(value: unknown, form: CellForm): string | null | typeof BAD_DATE {
  if (form === 'file' && value instanceof Date) return utcDate(value)?.slice(0, 7) ?? BAD_DATE;
  const text = typeof value === 'string' ? plain(value) : form === 'file' ? cellText(value) : null;
  if (text === null) return null;
  const m =
    RE_ISO_MONTH.exec(text) ??
    (form === 'file'
      ? RE_SEPARATED_MONTH.exec(text) ?? RE_CHINESE_MONTH.exec(text) ?? RE_COMPACT_MONTH.exec(text) ?? RE_FIRST_OF_MONTH.exec(text)
      : null);
  if (!m) return null;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return BAD_DATE;
  return `${m[1]}-${pad2(month)}`;
}

const monthReader: CellReader = (value, form) => {
  const month = readMonth(value, form);
  if (month === null) return new CellProblem(form === 'push' ? '应为 YYYY-MM 格式的年月' : '应为年月，如 2025-03、2025/3、2025年3月 或 202503');
  if (month === BAD_DATE) return new CellProblem(`${displayCell(value)} 不是有效的年月`);
  if (month < EARLIEST_MONTH) return new CellProblem(`不能早于 ${EARLIEST_MONTH}`);
  if (month > latestBounds().month) return new CellProblem(`不能晚于当前月份（${month} 尚未到来）`);
  return month;
};

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/** 13 digits of yuan keep fen within Number.MAX_SAFE_INTEGER. */
const MAX_YUAN_DIGITS = 13;
const RE_YUAN = /^([-−])?\s*[¥￥]?\s*([-−])?(\d[\d,]*)(?:\.(\d+))?\s*元?$/;

const yuanReader: CellReader = (value, form) => {
  if (form === 'push') return wholeNumber(value, '应为以分为单位的整数金额');
  const text = cellText(value);
  const m = text === null ? null : RE_YUAN.exec(text.replace(/\s+/g, ''));
  if (!m) return new CellProblem('应为金额（元），如 1,234.56');
  const fraction = m[4] ?? '';
  if (m[1] || m[2]) return /[1-9]/.test(m[3] + fraction) ? new CellProblem('不能为负数') : 0;
  // "1.230" is still two decimals; "1.234" is not.
  if (fraction.length > 2 && /[1-9]/.test(fraction.slice(2))) return new CellProblem('应为金额，最多两位小数');
  const whole = m[3].replace(/,/g, '').replace(/^0+(?=\d)/, '');
  if (whole.length > MAX_YUAN_DIGITS) return new CellProblem('金额过大，请核对单位是否为元');
  return Number(whole) * 100 + Number((fraction + '00').slice(0, 2));
};

/** A non-negative safe integer given as a JSON number or a string of digits (files may add thousands separators). */
function wholeNumber(value: unknown, shape: string, allowSeparators = false): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return new CellProblem(shape);
    if (value < 0) return new CellProblem('不能为负数');
    if (!Number.isInteger(value)) return new CellProblem(shape);
    return Number.isSafeInteger(value) ? value : new CellProblem('数值过大');
  }
  let text = cellText(value);
  if (text === null) return new CellProblem(shape);
  if (allowSeparators) text = text.replace(/[,\s]/g, '');
  if (/^-\d+(\.\d+)?$/.test(text)) return /[1-9]/.test(text) ? new CellProblem('不能为负数') : 0;
  if (!/^\d+$/.test(text)) return new CellProblem(shape);
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : new CellProblem('数值过大');
}

const integerReader: CellReader = (value, form) => wholeNumber(value, '应为非负整数', form === 'file');

const decimalReader: CellReader = (value, form) => {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return new CellProblem('应为数字');
    return value < 0 ? new CellProblem('不能为负数') : value;
  }
  let text = cellText(value);
  if (text === null) return new CellProblem('应为数字');
  if (form === 'file') text = text.replace(/[,\s]/g, '');
  if (/^-\d+(\.\d+)?$/.test(text)) return /[1-9]/.test(text) ? new CellProblem('不能为负数') : 0;
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : new CellProblem('应为数字');
};

// ---------------------------------------------------------------------------------------------------------------
// Codes, choices and text

const usccReader: CellReader = (value, form) => {
  if (typeof value !== 'string') {
    // An all-digit code in a numeric spreadsheet cell has already lost its last digits.
    return new CellProblem(form === 'file' ? '应为文本格式的 18 位代码（请把该列设为文本，数字格式会改写长代码）' : '应为 18 位代码的字符串');
  }
  const result = validateUscc(value);
  return result.ok ? result.value : new CellProblem(result.message.replace(/^统一社会信用代码/, ''));
};

const industryReader: CellReader = (value) => {
  const text = cellText(value);
  if (text === null) return new CellProblem('应为 GB/T 4754-2017 行业小类代码，如 C3484');
  const result = validateIndustryClass(text);
  return result.ok ? result.value : new CellProblem(`有误：${result.message}`);
};

/** GB/T 2260 province-level prefixes (incl. 71 台湾, 81 香港, 82 澳门); whether the code exists is the server's check. */
const PROVINCE_PREFIXES = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(' '),
);

const regionReader: CellReader = (value) => {
  const text = cellText(value);
  if (text === null || !/^\d{6}$/.test(text) || !PROVINCE_PREFIXES.has(text.slice(0, 2))) {
    return new CellProblem('应为 6 位数字的行政区划代码（GB/T 2260），如 330106');
  }
  return text;
};

const BOOLEAN_WORDS = new Map<string, boolean>([
  ['是', true],
  ['否', false],
  ['y', true],
  ['n', false],
  ['yes', true],
  ['no', false],
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
]);

const booleanReader: CellReader = (value, form) => {
  if (typeof value === 'boolean') return value;
  const text = cellText(value);
  const answer = text === null ? undefined : BOOLEAN_WORDS.get(text.toLowerCase());
  if (answer === undefined) return new CellProblem(form === 'push' ? '应为 true 或 false' : '应为 是 或 否');
  return answer;
};

/** Enum words compared without spaces and case: 'A 级', 'a级' and 'A级' are the same. */
const choiceKey = (text: string): string => text.replace(/\s+/g, '').toLowerCase();

function enumReader(spec: CreditFieldSpec): CellReader {
  const options = spec.options ?? [];
  const words = new Map<string, string>();
  for (const [word, value] of Object.entries(spec.aliases ?? {})) words.set(choiceKey(plain(word)), value);
  for (const option of options) {
    words.set(choiceKey(plain(option.label)), option.value);
    words.set(choiceKey(option.value), option.value);
  }
  const fileShape = `应为以下之一：${options.map((o) => o.label).join('、')}`;
  const pushShape = `应为以下之一：${options.map((o) => `${o.value}（${o.label}）`).join('、')}`;
  return (value, form) => {
    const text = cellText(value);
    const found = text === null ? undefined : words.get(choiceKey(text));
    return found ?? new CellProblem(form === 'push' ? pushShape : fileShape);
  };
}

function textReader(spec: CreditFieldSpec): CellReader {
  const max = spec.maxLength ?? Number.POSITIVE_INFINITY;
  return (value) => {
    const text = typeof value === 'string' ? value.trim() : cellText(value);
    if (text === null) return new CellProblem('应为文本');
    return text.length > max ? new CellProblem(`不能超过 ${max} 个字符（当前 ${text.length} 个）`) : text;
  };
}

/** The reader of a field, built once per field. */
export function cellReader(spec: CreditFieldSpec): CellReader {
  switch (spec.type) {
    case 'text':
      return textReader(spec);
    case 'uscc':
      return usccReader;
    case 'date':
      return dateReader(spec);
    case 'month':
      return monthReader;
    case 'yuan':
      return yuanReader;
    case 'integer':
      return integerReader;
    case 'decimal':
      return decimalReader;
    case 'enum':
      return enumReader(spec);
    case 'boolean':
      return booleanReader;
    case 'industry':
      return industryReader;
    case 'region':
      return regionReader;
  }
}

/** An empty cell, a missing key or a JSON null: the field is absent. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim().length === 0);
}

/** A cell as shown back in an error report. */
export function displayCell(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'string') text = value;
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  else if (typeof value === 'object') {
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
  } else text = String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
