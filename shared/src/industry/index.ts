import { toHalfWidth } from '../common/text';
import type { ValidationResult } from '../validators/result';
// One `[code, name, parentCode]` per line, in the standard's order; see PROVENANCE.md beside this file.
import table from './gbt4754-2017.json';

/**
 * GB/T 4754-2017 国民经济行业分类. Codes carry the 门类 letter before the digits (`C3484`), as registration systems
 * print them. The digits alone are unique across the standard too (大类 01–97 are numbered straight through), so a
 * code typed without its letter (`3484`) is read as the same code.
 *
 * Nothing here runs at module load: the table is indexed on first use, so bundles that import this module without
 * calling it (the mini-program marks shared as side-effect free) drop the table.
 */

export type TIndustryLevel = 'section' | 'division' | 'group' | 'class';
export interface TIndustry {
  code: string;
  name: string;
  parent: string | null;
  level: TIndustryLevel;
}

export const INDUSTRY_LEVEL_LABELS: Record<TIndustryLevel, string> = {
  section: '门类',
  division: '大类',
  group: '中类',
  class: '小类',
};

/** Code length of each level: A, A01, A011, A0111. */
const LEVEL_BY_LENGTH: Record<number, TIndustryLevel> = { 1: 'section', 3: 'division', 4: 'group', 5: 'class' };

interface IndustryIndex {
  byCode: Map<string, TIndustry>;
  /** Digits without the 门类 letter → full code. */
  byDigits: Map<string, string>;
  children: Map<string | null, TIndustry[]>;
}

let index: IndustryIndex | null = null;

function industryIndex(): IndustryIndex {
  if (index) return index;
  const byCode = new Map<string, TIndustry>();
  const byDigits = new Map<string, string>();
  const children = new Map<string | null, TIndustry[]>();
  for (const [code, name, parent] of table as unknown as ReadonlyArray<readonly [string, string, string | null]>) {
    const industry: TIndustry = Object.freeze({ code, name, parent, level: LEVEL_BY_LENGTH[code.length] });
    byCode.set(code, industry);
    if (code.length > 1) byDigits.set(code.slice(1), code);
    const siblings = children.get(parent);
    if (siblings) siblings.push(industry);
    else children.set(parent, [industry]);
  }
  index = { byCode, byDigits, children };
  return index;
}

/** Trimmed, upper-cased, full-width characters made half-width, the letter restored when only digits were given. */
function canonicalCode(code: string): string {
  const text = toHalfWidth(String(code ?? '').trim()).toUpperCase();
  if (/^\d{2,4}$/.test(text)) return industryIndex().byDigits.get(text) ?? text;
  return text;
}

export function industryByCode(code: string): TIndustry | null {
  return industryIndex().byCode.get(canonicalCode(code)) ?? null;
}

/** True for a 小类 (the level registration records carry) of the 2017 edition. */
export function isIndustryClass(code: string): boolean {
  return industryByCode(code)?.level === 'class';
}

/** The chain from the 门类 down to the code itself; empty for an unknown code. */
export function industryAncestors(code: string): TIndustry[] {
  const { byCode } = industryIndex();
  const chain: TIndustry[] = [];
  for (let node = industryByCode(code); node; node = node.parent ? byCode.get(node.parent) ?? null : null) chain.unshift(node);
  return chain;
}

/** Whether `code` lies in `ancestorCode`'s subtree (a code covers itself); false when either is unknown. */
export function industryCovers(ancestorCode: string, code: string): boolean {
  const ancestor = industryByCode(ancestorCode);
  const node = industryByCode(code);
  // The standard's codes nest by prefix: C ⊃ C34 ⊃ C348 ⊃ C3484.
  return ancestor !== null && node !== null && node.code.startsWith(ancestor.code);
}

/** The codes one level below `code`, in the standard's order; `null` gives the 20 门类. */
export function industryChildren(code: string | null): TIndustry[] {
  const key = code === null ? null : canonicalCode(code);
  return [...(industryIndex().children.get(key) ?? [])];
}

/** Checks that the input is a 小类 of the 2017 edition; the value is the canonical code (`c3484 ` → `C3484`). */
export function validateIndustryClass(input: string): ValidationResult {
  const code = canonicalCode(input);
  if (code.length === 0) return { ok: false, message: '请输入国民经济行业代码（GB/T 4754-2017 小类，如 C3484）' };
  const industry = industryIndex().byCode.get(code);
  if (!industry) return { ok: false, message: `「${code}」不是 GB/T 4754-2017 的行业小类代码` };
  if (industry.level !== 'class') {
    return {
      ok: false,
      message: `「${code}」不是 GB/T 4754-2017 的行业小类代码：它是${INDUSTRY_LEVEL_LABELS[industry.level]}「${industry.name}」，请填写其下的小类（门类字母加 4 位数字，如 C3484）`,
    };
  }
  return { ok: true, value: code };
}
