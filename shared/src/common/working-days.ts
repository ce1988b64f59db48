import { addDays, isCalendarDate } from './calendar';

/**
 * Working days in mainland China: Monday to Friday, less the statutory holidays, plus the 调休 make-up days
 * (a Saturday or Sunday worked in exchange for a bridge day). The one working-day module: every SLA clock in the
 * platform (a need's release, a bank's acceptance and decision) counts with it.
 *
 * Dates are calendar days `YYYY-MM-DD` in Asia/Shanghai, never `Date`s, so that nothing depends on the process
 * time zone. The State Council publishes each year's schedule in the winter before it. A year whose schedule is
 * not confirmed is counted on weekends alone, and every answer that touches such a year says so (`confirmed:
 * false`), so that the console can warn the admins to enter it.
 */

export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;
export type TCalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];
export const CALENDAR_DAY_KIND_LABELS: Record<TCalendarDayKind, string> = { holiday: '放假', workday: '调休上班' };

export interface TCalendarDay {
  date: string;
  kind: TCalendarDayKind;
  /** The holiday it belongs to, e.g. 国庆节. */
  name: string;
}

export interface TWorkCalendar {
  /** Years whose schedule is confirmed (seeded from the published schedule or entered by an admin). */
  confirmedYears: ReadonlySet<number>;
  /** Statutory days off that fall on weekdays or weekends. */
  holidays: ReadonlyMap<string, string>;
  /** Weekend days that are worked (调休). */
  workdays: ReadonlyMap<string, string>;
}

export function buildWorkCalendar(confirmedYears: Iterable<number>, days: Iterable<TCalendarDay>): TWorkCalendar {
  const holidays = new Map<string, string>();
  const workdays = new Map<string, string>();
  for (const day of days) (day.kind === 'holiday' ? holidays : workdays).set(day.date, day.name);
  return { confirmedYears: new Set(confirmedYears), holidays, workdays };
}

/** A calendar with no schedule at all: every year is counted on weekends only and unconfirmed. */
export const WEEKENDS_ONLY: TWorkCalendar = buildWorkCalendar([], []);

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** 0 = Sunday … 6 = Saturday, for a calendar date (no time zone involved). */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

function assertDate(date: string): void {
  if (!isCalendarDate(date)) throw new TypeError(`not a calendar date: ${date}`);
}

export function isYearConfirmed(calendar: TWorkCalendar, year: number): boolean {
  return calendar.confirmedYears.has(year);
}

/** Whether people work on that day; in an unconfirmed year, whether it is a weekday. */
export function isWorkingDay(calendar: TWorkCalendar, date: string): boolean {
  assertDate(date);
  const weekend = weekdayOf(date) % 6 === 0;
  if (!calendar.confirmedYears.has(yearOf(date))) return !weekend;
  if (calendar.holidays.has(date)) return false;
  if (calendar.workdays.has(date)) return true;
  return !weekend;
}

export interface TWorkingDayAnswer {
  date: string;
  /** False when any day counted lies in a year whose schedule is not confirmed. */
  confirmed: boolean;
}

/**
 * The date `n` working days after `from` (n ≥ 0; `from` itself is not counted, as with a deadline "within 3 working
 * days" of a submission). n = 0 gives `from` when it is a working day, else the next working day.
 */
export function addWorkingDays(calendar: TWorkCalendar, from: string, n: number): TWorkingDayAnswer {
  assertDate(from);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0: ${n}`);
  let date = from;
  let confirmed = calendar.confirmedYears.has(yearOf(date));
  if (n === 0) {
    while (!isWorkingDay(calendar, date)) {
      date = addDays(date, 1);
      confirmed &&= calendar.confirmedYears.has(yearOf(date));
    }
    return { date, confirmed };
  }
  let left = n;
  // A year has at least ~240 working days; the guard only stops a runaway loop on a corrupt calendar.
  for (let guard = 0; left > 0 && guard < 3660; guard += 1) {
    date = addDays(date, 1);
    confirmed &&= calendar.confirmedYears.has(yearOf(date));
    if (isWorkingDay(calendar, date)) left -= 1;
  }
  return { date, confirmed };
}

/**
 * Working days after `from` up to and including `to` (0 when `to` ≤ `from`): how many working days of a clock
 * have run by the end of `to`.
 */
export function workingDaysBetween(calendar: TWorkCalendar, from: string, to: string): { days: number; confirmed: boolean } {
  assertDate(from);
  assertDate(to);
  let days = 0;
  let confirmed = calendar.confirmedYears.has(yearOf(from));
  for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) {
    confirmed &&= calendar.confirmedYears.has(yearOf(date));
    if (isWorkingDay(calendar, date)) days += 1;
  }
  return { days, confirmed };
}

/** The years from `from` to `to` (inclusive) that have no confirmed schedule. */
export function unconfirmedYears(calendar: TWorkCalendar, from: string, to: string): number[] {
  const years: number[] = [];
  for (let y = yearOf(from); y <= yearOf(to); y += 1) if (!calendar.confirmedYears.has(y)) years.push(y);
  return years;
}
