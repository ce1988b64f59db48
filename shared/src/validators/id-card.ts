import type { ValidationResult } from './result';

const WEIGHTS = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
const CHECK = '10X98765432';

export function idCardCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Validates an 18-digit resident identity number (GB 11643) and normalises a lower-case x. */
export function validateIdCard(input: string): ValidationResult {
  const id = (input ?? '').trim().toUpperCase();
  if (id.length === 0) return { ok: false, message: '请输入身份证号码' };
  if (id.length !== 18) return { ok: false, message: `身份证号码应为 18 位，当前为 ${id.length} 位` };
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, message: '身份证号码前 17 位应为数字，最后一位为数字或 X' };
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1900 ||
    birth.getUTCFullYear() !== year ||
    birth.getUTCMonth() !== month - 1 ||
    birth.getUTCDate() !== day ||
    birth.getTime() > Date.now()
  ) {
    return { ok: false, message: `出生日期 ${id.slice(6, 14)} 不是有效日期` };
  }
  const expected = idCardCheckCharacter(id.slice(0, 17));
  if (id[17] !== expected) {
    return { ok: false, message: `校验位不正确：最后一位应为“${expected}”，实际为“${id[17]}”` };
  }
  return { ok: true, value: id };
}
