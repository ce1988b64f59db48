/** Thousands separators for a string of digits: '1234567' → '1,234,567'. */
export const groupDigits = (digits: string): string => digits.replace(/\B(?=(\d{3})+$)/g, ',');

/** Integer fen (a number or a decimal string, as BIGINT columns travel) shown as yuan: 123456 → `¥1,234.56`. */
export function formatFenAsYuan(fen: number | string): string {
  const text = String(fen).trim();
  const match = /^(-?)(\d+)$/.exec(text);
  if (!match) return text;
  const digits = match[2].replace(/^0+(?=\d)/, '').padStart(3, '0');
  const yuan = groupDigits(digits.slice(0, -2));
  const sign = match[1] && /[1-9]/.test(digits) ? '-' : '';
  return `${sign}¥${yuan}.${digits.slice(-2)}`;
}
