import chineseDays from 'chinese-days/dist/chinese-days.json';
import {
  WEEKENDS_ONLY,
  addDays,
  addWorkingDays,
  buildWorkCalendar,
  isWorkingDay,
  unconfirmedYears,
  weekdayOf,
  workingDaysBetween,
  type TCalendarDay,
} from '@xyd/shared';

/**
 * The working-day module on the published schedule: a calendar built from the chinese-days package (2004–2026),
 * the way the server seeds its holiday table, and 2027 left unconfirmed unless a test enters it.
 */
const data = chineseDays as unknown as { holidays: Record<string, string>; workdays: Record<string, string> };

function packageDays(): TCalendarDay[] {
  const chinese = (value: string) => value.split(',')[1]!;
  return [
    ...Object.entries(data.holidays).map(([date, v]) => ({ date, kind: 'holiday' as const, name: chinese(v) })),
    ...Object.entries(data.workdays).map(([date, v]) => ({ date, kind: 'workday' as const, name: chinese(v) })),
  ];
}

const PACKAGE_YEARS = [...new Set(packageDays().map((d) => Number(d.date.slice(0, 4))))];
const calendar = buildWorkCalendar(PACKAGE_YEARS, packageDays());
/** As if an admin had entered 2027 with New Year's Day off (the real schedule is not published yet). */
const with2027 = buildWorkCalendar([...PACKAGE_YEARS, 2027], [...packageDays(), { date: '2027-01-01', kind: 'holiday', name: '元旦' }]);

function datesFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

describe('the package data', () => {
  it('covers 2004 through 2026 and nothing later', () => {
    expect(Math.min(...PACKAGE_YEARS)).toBe(2004);
    expect(Math.max(...PACKAGE_YEARS)).toBe(2026);
    expect(PACKAGE_YEARS).toHaveLength(23);
  });

  it('has National Day 2026 off on October 1–7, and its 调休 workdays on weekend days around it', () => {
    for (const date of datesFrom('2026-10-01', '2026-10-07')) expect(data.holidays[date]).toMatch(/国庆节/);
    const workdays = Object.keys(data.workdays).filter((d) => d >= '2026-09-01' && d <= '2026-10-31');
    expect(workdays).toEqual(['2026-09-20', '2026-10-10']);
    expect(workdays.map(weekdayOf)).toEqual([0, 6]);
  });
});

describe('isWorkingDay on the published 2026 schedule', () => {
  it('takes October 1–7 off, works the 调休 Sunday 9-20 and Saturday 10-10, and rests on other weekends', () => {
    for (const date of datesFrom('2026-10-01', '2026-10-07')) expect(isWorkingDay(calendar, date)).toBe(false);
    expect(isWorkingDay(calendar, '2026-09-20')).toBe(true);
    expect(isWorkingDay(calendar, '2026-10-10')).toBe(true);
    expect(isWorkingDay(calendar, '2026-09-19')).toBe(false);
    expect(isWorkingDay(calendar, '2026-10-11')).toBe(false);
    expect(isWorkingDay(calendar, '2026-09-30')).toBe(true);
    expect(isWorkingDay(calendar, '2026-10-08')).toBe(true);
  });

  it('takes the Mid-Autumn Friday off', () => {
    expect(weekdayOf('2026-09-25')).toBe(5);
    expect(isWorkingDay(calendar, '2026-09-25')).toBe(false);
  });

  it('counts 2026 as its weekdays, less the weekday holidays, plus the 调休 weekend workdays', () => {
    const working = datesFrom('2026-01-01', '2026-12-31').filter((d) => isWorkingDay(calendar, d)).length;
    const weekdays = datesFrom('2026-01-01', '2026-12-31').filter((d) => weekdayOf(d) % 6 !== 0).length;
    const weekdayHolidays = Object.keys(data.holidays).filter((d) => d.startsWith('2026-') && weekdayOf(d) % 6 !== 0).length;
    const weekendWorkdays = Object.keys(data.workdays).filter((d) => d.startsWith('2026-')).length;
    expect(working).toBe(weekdays - weekdayHolidays + weekendWorkdays);
    expect(working).toBeLessThan(weekdays);
  });
});

describe('addWorkingDays', () => {
  it('skips the National Day week and counts the 调休 Saturday', () => {
    expect(addWorkingDays(calendar, '2026-09-30', 1)).toEqual({ date: '2026-10-08', confirmed: true });
    expect(addWorkingDays(calendar, '2026-09-30', 2)).toEqual({ date: '2026-10-09', confirmed: true });
    expect(addWorkingDays(calendar, '2026-09-30', 3)).toEqual({ date: '2026-10-10', confirmed: true });
    expect(addWorkingDays(calendar, '2026-09-30', 4)).toEqual({ date: '2026-10-12', confirmed: true });
    // The Saturday before the holiday is a plain weekend; the Sunday 9-20 is worked.
    expect(addWorkingDays(calendar, '2026-09-18', 1)).toEqual({ date: '2026-09-20', confirmed: true });
  });

  it('crosses into an unconfirmed year on weekends only, and says so', () => {
    // 2027-01-01 is a Friday: without a schedule for 2027 it counts as a working day.
    expect(weekdayOf('2027-01-01')).toBe(5);
    expect(isWorkingDay(calendar, '2027-01-01')).toBe(true);
    expect(addWorkingDays(calendar, '2026-12-30', 1)).toEqual({ date: '2026-12-31', confirmed: true });
    expect(addWorkingDays(calendar, '2026-12-30', 2)).toEqual({ date: '2027-01-01', confirmed: false });
    expect(addWorkingDays(calendar, '2026-12-30', 3)).toEqual({ date: '2027-01-04', confirmed: false });
  });

  it('crosses into a confirmed year on its schedule', () => {
    expect(isWorkingDay(with2027, '2027-01-01')).toBe(false);
    expect(addWorkingDays(with2027, '2026-12-30', 2)).toEqual({ date: '2027-01-04', confirmed: true });
  });

  it('ignores the days of a year that is not confirmed', () => {
    const draft = buildWorkCalendar(PACKAGE_YEARS, [...packageDays(), { date: '2027-01-01', kind: 'holiday', name: '元旦' }]);
    expect(isWorkingDay(draft, '2027-01-01')).toBe(true);
    expect(addWorkingDays(draft, '2026-12-31', 1)).toEqual({ date: '2027-01-01', confirmed: false });
  });

  it('with n = 0 gives the day itself when it is a working day, else the next one', () => {
    expect(addWorkingDays(calendar, '2026-10-08', 0)).toEqual({ date: '2026-10-08', confirmed: true });
    expect(addWorkingDays(calendar, '2026-10-01', 0)).toEqual({ date: '2026-10-08', confirmed: true });
    expect(addWorkingDays(calendar, '2026-10-10', 0)).toEqual({ date: '2026-10-10', confirmed: true });
    // 2027-01-02 is a Saturday of an unconfirmed year.
    expect(addWorkingDays(calendar, '2027-01-02', 0)).toEqual({ date: '2027-01-04', confirmed: false });
  });

  it('rejects bad input', () => {
    expect(() => addWorkingDays(calendar, '2026-02-30', 1)).toThrow(TypeError);
    expect(() => addWorkingDays(calendar, '2026/10/01', 1)).toThrow(TypeError);
    expect(() => addWorkingDays(calendar, '2026-10-01', -1)).toThrow(RangeError);
    expect(() => addWorkingDays(calendar, '2026-10-01', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(calendar, '2026-10-01', Number.NaN)).toThrow(RangeError);
    expect(() => isWorkingDay(calendar, '')).toThrow(TypeError);
    expect(() => workingDaysBetween(calendar, '2026-10-01', '2026-13-01')).toThrow(TypeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts the working days after `from` through `to`', () => {
    expect(workingDaysBetween(calendar, '2026-09-30', '2026-10-07')).toEqual({ days: 0, confirmed: true });
    expect(workingDaysBetween(calendar, '2026-09-30', '2026-10-10')).toEqual({ days: 3, confirmed: true });
    expect(workingDaysBetween(calendar, '2026-09-30', '2026-09-30')).toEqual({ days: 0, confirmed: true });
    expect(workingDaysBetween(calendar, '2026-10-10', '2026-09-30')).toEqual({ days: 0, confirmed: true });
  });

  it('marks a span reaching into an unconfirmed year', () => {
    expect(workingDaysBetween(calendar, '2026-12-30', '2027-01-01')).toEqual({ days: 2, confirmed: false });
    expect(workingDaysBetween(with2027, '2026-12-30', '2027-01-04')).toEqual({ days: 2, confirmed: true });
  });

  it('is the inverse of addWorkingDays on every start day of autumn 2026', () => {
    for (const from of datesFrom('2026-09-01', '2026-12-20')) {
      for (const n of [1, 3, 5, 10]) {
        const due = addWorkingDays(calendar, from, n);
        expect(workingDaysBetween(calendar, from, due.date)).toEqual({ days: n, confirmed: due.confirmed });
        expect(isWorkingDay(calendar, due.date)).toBe(true);
      }
    }
  });
});

describe('unconfirmedYears', () => {
  it('names the years of a span that have no confirmed schedule', () => {
    expect(unconfirmedYears(calendar, '2026-06-01', '2027-07-06')).toEqual([2027]);
    expect(unconfirmedYears(calendar, '2026-12-01', '2028-01-05')).toEqual([2027, 2028]);
    expect(unconfirmedYears(with2027, '2026-12-01', '2027-12-31')).toEqual([]);
    expect(unconfirmedYears(WEEKENDS_ONLY, '2026-01-01', '2026-12-31')).toEqual([2026]);
  });

  it('a calendar with no schedule counts weekends only', () => {
    expect(isWorkingDay(WEEKENDS_ONLY, '2026-10-01')).toBe(true);
    expect(isWorkingDay(WEEKENDS_ONLY, '2026-10-10')).toBe(false);
    expect(addWorkingDays(WEEKENDS_ONLY, '2026-10-09', 1)).toEqual({ date: '2026-10-12', confirmed: false });
  });
});
