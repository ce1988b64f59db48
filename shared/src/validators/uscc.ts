import { toHalfWidth } from '../common/text';
import type { ValidationResult } from './result';

/** GB 32100-2015 character set: digits and capitals without I, O, Z, S, V. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);

export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

/**
 * Puts a pasted or typed code into canonical form before it is checked: codes copied from PDFs, web pages or Chinese
 * input methods arrive with spaces (incl. U+3000 and zero-width ones), full-width letters and digits, or lower case.
 */
export function normaliseUscc(input: string): string {
  return toHalfWidth(input ?? '')
    .replace(/[\s\u200B-\u200D\u2060\uFEFF]+/g, '')
    .toUpperCase();
}

/**
 * Validates a unified social credit code after normalising it (see `normaliseUscc`).
 * The optional GB 11714 organisation-code check on characters 9–17 is deliberately not applied:
 * many valid registrations predate it.
 */
export function validateUscc(input: string): ValidationResult {
  const code = normaliseUscc(input);
  if (code.length === 0) return { ok: false, message: '请输入统一社会信用代码' };
  if (code.length !== 18) return { ok: false, message: `统一社会信用代码应为 18 位，当前为 ${code.length} 位` };
  for (let i = 0; i < 18; i++) {
    if (!USCC_CHARSET.includes(code[i])) {
      return { ok: false, message: `第 ${i + 1} 位字符“${code[i]}”不合法（只能是数字或除 I、O、Z、S、V 以外的大写字母）` };
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return { ok: false, message: '第 3–8 位应为 6 位数字的行政区划码' };
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    return { ok: false, message: `校验位不正确：第 18 位应为“${expected}”，实际为“${code[17]}”，请核对代码是否抄错` };
  }
  return { ok: true, value: code };
}
