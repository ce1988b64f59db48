import { industryByCode } from '../industry';
import { INGEST_CATEGORIES, type TCreditCategory, type TIngestCategory } from './categories';
import { CellProblem, NO_END, cellReader, displayCell, isAbsent, lastDayOfMonth, type CellForm, type CellReader } from './cells';
import { CREDIT_FIELDS, type CreditFieldSpec } from './fields';
import { formatFenAsYuan, groupDigits } from './money';
import type { TIngestPayloadMap } from './payloads';

export interface TCreditRecordInput {
  /** A credit-data category, or `loan_repayment`, which the pipeline books on a loan instead of storing as a record. */
  category: TIngestCategory;
  uscc: string;
  externalId: string;
  /** 'YYYY-MM' for periodic categories, else null. */
  period: string | null;
  /** 'YYYY-MM-DD': the event date (decision, listing, grant, filing, issue, establishment). */
  occurredOn: string | null;
  /**
   * When an adverse event ends, for the 5-year retention rule (征信业管理条例 第十六条): penalty: correctedOn ??
   * decidedOn; blacklist: removedOn (null while still listed); court_case: closedOn (null while open); arrears rows:
   * the last day of the period; else null.
   */
  endsOn: string | null;
  /** penalty, blacklist, court_case as defendant, and tax/social_security/utility with arrears > 0. */
  adverse: boolean;
  /** The category's typed payload (everything but uscc/externalId). */
  payload: Record<string, unknown>;
}

export interface TRowError {
  field: string;
  label: string;
  value: string;
  reason: string;
}

export type TNormaliseResult = { ok: true; record: TCreditRecordInput } | { ok: false; errors: TRowError[] };

type Derived = Pick<TCreditRecordInput, 'period' | 'occurredOn' | 'endsOn' | 'adverse'>;
type Report<P> = (field: keyof P & string, reason: string) => void;

interface CategoryRules<P> {
  /** Rules between fields. Fields that failed to read are undefined here, and their rules are skipped. */
  check?: (payload: Partial<P>, report: Report<P>, label: (field: keyof P & string) => string) => void;
  derive: (payload: P) => Derived;
}

const event = (occurredOn: string | null, endsOn: string | null = null, adverse = false): Derived => ({ period: null, occurredOn, endsOn, adverse });
const monthly = (period: string, arrearsFen: number): Derived => ({
  period,
  occurredOn: null,
  endsOn: arrearsFen > 0 ? lastDayOfMonth(period) : null,
  adverse: arrearsFen > 0,
});

/** An end date that must not precede its start date. */
function notBefore<P>(payload: Partial<P>, end: keyof P & string, start: keyof P & string, report: Report<P>, label: (field: keyof P & string) => string) {
  const endOn = payload[end];
  const startOn = payload[start];
  if (typeof endOn === 'string' && typeof startOn === 'string' && endOn < startOn) report(end, `「${label(end)}」不能早于「${label(start)}」（${startOn}）`);
}

const RULES: { [C in TIngestCategory]: CategoryRules<TIngestPayloadMap[C]> } = {
  registration: { derive: (p) => event(p.establishedOn) },
  licence: {
    check: (p, report, label) => notBefore(p, 'validTo', 'validFrom', report, label),
    derive: (p) => event(p.validFrom),
  },
  penalty: {
    check: (p, report, label) => {
      if (p.corrected === true && p.correctedOn === null) report('correctedOn', `「${label('correctedOn')}」在已信用修复时必须填写`);
      if (p.corrected === false && typeof p.correctedOn === 'string') {
        report('correctedOn', `「${label('correctedOn')}」仅在已信用修复时填写（「${label('corrected')}」为“否”）`);
      }
      notBefore(p, 'correctedOn', 'decidedOn', report, label);
    },
    derive: (p) => event(p.decidedOn, p.correctedOn ?? p.decidedOn, true),
  },
  blacklist: {
    check: (p, report, label) => notBefore(p, 'removedOn', 'listedOn', report, label),
    derive: (p) => event(p.listedOn, p.removedOn, true),
  },
  honour: {
    check: (p, report, label) => notBefore(p, 'validTo', 'grantedOn', report, label),
    derive: (p) => event(p.grantedOn),
  },
  tax: { derive: (p) => monthly(p.period, p.arrearsFen) },
  social_security: { derive: (p) => monthly(p.period, p.arrearsFen) },
  utility: {
    check: (p, report, label) => {
      if (p.electricityKwh === null && p.waterTonnes === null && p.gasM3 === null) {
        report('electricityKwh', `「${label('electricityKwh')}」「${label('waterTonnes')}」「${label('gasM3')}」至少填写一项`);
      }
    },
    derive: (p) => monthly(p.period, p.arrearsFen),
  },
  court_case: {
    check: (p, report, label) => {
      if (p.status === 'closed' && p.closedOn === null) report('closedOn', `「${label('closedOn')}」在案件已结案时必须填写`);
      notBefore(p, 'closedOn', 'filedOn', report, label);
    },
    derive: (p) => event(p.filedOn, p.closedOn, p.role === 'defendant'),
  },
  logistics: { derive: (p) => event(p.issuedOn) },
  loan_repayment: {
    check: (p, report, label) => {
      if (p.loanId === null && p.contractNo === null) report('loanId', `「${label('loanId')}」与「${label('contractNo')}」至少填写一项`);
      if (p.loanId && !/^\d{1,20}$/.test(p.loanId)) report('loanId', `「${label('loanId')}」应为数字编号`);
      if (p.principalFen === 0 && p.interestFen === 0) report('principalFen', `「${label('principalFen')}」与「${label('interestFen')}」不能都为 0`);
    },
    derive: (p) => event(p.paidOn),
  },
};

interface CompiledField {
  key: string;
  label: string;
  required: boolean;
  /** Absent optional booleans are false; every other absent optional field is null. */
  absentValue: false | null;
  read: CellReader;
}

interface CompiledCategory {
  identity: [CompiledField, CompiledField];
  payload: CompiledField[];
  labels: Map<string, string>;
}

const compiled = new Map<TIngestCategory, CompiledCategory>();

/** The category's field readers, built on first use. */
function compiledCategory(category: TIngestCategory): CompiledCategory {
  let table = compiled.get(category);
  if (!table) {
    const fields = CREDIT_FIELDS[category].map(
      (spec: CreditFieldSpec): CompiledField => ({
        key: spec.key,
        label: spec.label,
        required: spec.required,
        absentValue: spec.type === 'boolean' ? false : null,
        read: cellReader(spec),
      }),
    );
    table = {
      identity: [fields[0], fields[1]],
      payload: fields.slice(2),
      labels: new Map(fields.map((f) => [f.key, f.label])),
    };
    compiled.set(category, table);
  }
  return table;
}

const CATEGORY_SET: ReadonlySet<string> = new Set(INGEST_CATEGORIES);

/**
 * `form: 'file'`: cells are text as typed in CSV/XLSX: money in 元 ("1,234.56", "¥1234", ≤ 2 decimals) → fen;
 * dates as 2026-03-05, 2026/3/5, 2026年3月5日, 20260305 or an Excel serial number (e.g. "45356"); months as 2026-03,
 * 2026/3, 2026年3月, 202603; booleans 是/否/Y/N/true/false/1/0; enums by value or Chinese label; empty cell = absent.
 * `form: 'push'`: JSON values: money already integer fen, dates ISO strings, booleans true/false, enums by value
 * (labels accepted too); numbers may come as numbers. Both: the USCC normalised and checked, codes upper-cased,
 * text trimmed; unknown keys are ignored. A field is looked up by its key, then by its Chinese label.
 * Every problem is reported, each with its Chinese field label. No event date later than tomorrow (Asia/Shanghai),
 * none before 1949-10-01.
 */
export function normaliseCreditRow(category: TIngestCategory, raw: Record<string, unknown>, form: 'file' | 'push'): TNormaliseResult {
  if (!CATEGORY_SET.has(category)) {
    return { ok: false, errors: [{ field: 'category', label: '数据类别', value: displayCell(category), reason: `数据类别「${displayCell(category)}」不存在` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '', label: '', value: displayCell(raw), reason: '每条记录应为一个对象（字段名: 值）' }] };
  }
  const cellForm: CellForm = form === 'file' ? 'file' : 'push';
  const table = compiledCategory(category);
  let errors: TRowError[] | null = null;
  const fail = (field: CompiledField, value: unknown, reason: string) => {
    (errors ??= []).push({ field: field.key, label: field.label, value: displayCell(value), reason: `「${field.label}」${reason}` });
  };
  const read = (field: CompiledField): unknown => {
    let value = raw[field.key];
    if (value === undefined) value = raw[field.label];
    if (isAbsent(value)) {
      if (field.required) fail(field, value, '不能为空');
      return field.absentValue;
    }
    const result = field.read(value, cellForm);
    if (result instanceof CellProblem) {
      fail(field, value, result.reason);
      return undefined;
    }
    return result === NO_END ? null : result;
  };

  const uscc = read(table.identity[0]) as string | undefined;
  const externalId = read(table.identity[1]) as string | undefined;
  const payload: Record<string, unknown> = {};
  for (const field of table.payload) {
    const value = read(field);
    // A field that failed stays undefined for the cross-field rules and is never part of a record.
    if (value !== undefined) payload[field.key] = value;
  }

  const rules = RULES[category] as CategoryRules<Record<string, unknown>>;
  if (rules.check) {
    const label = (key: string) => table.labels.get(key) ?? key;
    rules.check(payload, (key, reason) => {
      (errors ??= []).push({ field: key, label: label(key), value: displayCell(raw[key] ?? raw[label(key)]), reason });
    }, label);
  }
  if (errors) return { ok: false, errors };
  return {
    ok: true,
    record: { category, uscc: uscc as string, externalId: externalId as string, ...rules.derive(payload), payload },
  };
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Stable JSON of what a record says (period, occurredOn, endsOn, payload with keys sorted), for the content hash the server computes. */
export function canonicalCreditContent(record: TCreditRecordInput): string {
  return JSON.stringify({
    endsOn: record.endsOn ?? null,
    occurredOn: record.occurredOn ?? null,
    payload: sortedKeys(record.payload ?? {}),
    period: record.period ?? null,
  });
}

function describeValue(spec: CreditFieldSpec, value: unknown): string {
  switch (spec.type) {
    case 'yuan':
      return typeof value === 'number' || typeof value === 'string' ? formatFenAsYuan(value) : String(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? groupDigits(String(value)) : String(value);
    case 'enum':
      return spec.options?.find((o) => o.value === value)?.label ?? String(value);
    case 'boolean':
      return value === true ? '是' : value === false ? '否' : String(value);
    case 'industry': {
      const industry = typeof value === 'string' ? industryByCode(value) : null;
      return industry ? `${industry.code} ${industry.name}` : String(value);
    }
    default:
      return String(value);
  }
}

/** A record's payload rendered for people: [{ label, value }] in column order, with money as ¥1,234.56, enums as
 *  labels, booleans 是/否; absent (null) fields are left out. */
export function describeCreditPayload(category: TCreditCategory, payload: Record<string, unknown>): Array<{ label: string; value: string }> {
  const lines: Array<{ label: string; value: string }> = [];
  for (const spec of CREDIT_FIELDS[category] ?? []) {
    const value = payload?.[spec.key];
    if (spec.key === 'uscc' || spec.key === 'externalId' || value === null || value === undefined) continue;
    lines.push({ label: spec.label, value: describeValue(spec, value) });
  }
  return lines;
}
