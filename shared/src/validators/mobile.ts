import type { ValidationResult } from './result';

/** Mainland mobile numbers: 11 digits starting 13–19; a +86 / 86 prefix and spaces or dashes are accepted. */
export function validateMobile(input: string): ValidationResult {
  const digits = (input ?? '').replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  if (digits.length === 0) return { ok: false, message: '请输入手机号码' };
  if (!/^1[3-9]\d{9}$/.test(digits)) return { ok: false, message: '手机号码应为 1 开头的 11 位数字（第二位为 3–9）' };
  return { ok: true, value: digits };
}
