/**
 * The platform's calendar is Asia/Shanghai (UTC+8 all year, no daylight saving): periods, retention cut-offs,
 * "today" for dates typed by people. One definition for the apps and the server.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The instant shifted to Shanghai wall-clock time, as an ISO string (`YYYY-MM-DDTHH:mm:ss.sssZ`, Z meaning +08:00). */
export function shanghaiWallClock(at: Date | number): string {
  return new Date((typeof at === 'number' ? at : at.getTime()) + SHANGHAI_OFFSET_MS).toISOString();
}

/** The calendar day (YYYY-MM-DD) an instant falls on in Asia/Shanghai. */
export function shanghaiDate(at: Date | number): string {
  return shanghaiWallClock(at).slice(0, 10);
}

/**
 * A calendar date moved by whole months (negative: back). A day the target month lacks becomes its last day:
 * 2028-02-29 less five years is 2023-02-28.
 */
export function shiftDate(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** A calendar date moved by whole days (negative: back). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether the text is a calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
