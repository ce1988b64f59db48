const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Times travel in UTC and are shown in Asia/Shanghai: `2025-03-01 09:30:00`. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '-';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(date).map((p) => [p.type, p.value]));
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return `${parts.year}-${parts.month}-${parts.day} ${hour}:${parts.minute}:${parts.second}`;
}

/** Registered capital arrives as integer fen in a decimal string; show 万元 without floating-point drift. */
export function formatFenAsWan(fen: string | null | undefined): string {
  if (!fen || !/^\d+$/.test(fen)) return '-';
  const value = BigInt(fen);
  const perWan = 1000000n; // 1 万元 = 10,000 yuan = 1,000,000 fen
  const whole = value / perWan;
  const fraction = ((value % perWan) * 100n) / perWan; // two decimals, truncated
  return `${whole.toLocaleString('zh-CN')}.${fraction.toString().padStart(2, '0')} 万元`;
}
