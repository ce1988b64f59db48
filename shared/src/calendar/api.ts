import { z } from 'zod';
import type { TFieldError } from '../api/envelope';
import { isCalendarDate } from '../common/calendar';
import { CALENDAR_DAY_KINDS, weekdayOf } from '../common/working-days';

/**
 * The API of the holiday calendar (节假日日历) behind the working-day clocks: one schedule per year, seeded from the
 * published schedule (the chinese-days package) and maintained by platform admins in the console once the State
 * Council publishes the next year's.
 */

export const CALENDAR_YEAR_MIN = 2000;
export const CALENDAR_YEAR_MAX = 2100;
/** A year has about 30 days off and 5–8 调休 workdays; 60 leaves room without accepting a pasted list of dates. */
export const CALENDAR_MAX_DAYS = 60;
export const CALENDAR_NAME_MAX = 40;
/** How far ahead the console warns about years without a confirmed schedule (a clock may run that long). */
export const CALENDAR_LOOKAHEAD_DAYS = 400;

export const CALENDAR_SOURCES = ['package', 'admin'] as const;
export type TCalendarSource = (typeof CALENDAR_SOURCES)[number];
export const CALENDAR_SOURCE_LABELS: Record<TCalendarSource, string> = { package: '内置数据', admin: '管理员录入' };

const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const YEAR_RANGE_MESSAGE = `年份应在 ${CALENDAR_YEAR_MIN} 至 ${CALENDAR_YEAR_MAX} 之间`;

export const ZCalendarYearParam = z.object({
  year: z.coerce
    .number({ error: '年份应为数字' })
    .int('年份应为整数')
    .min(CALENDAR_YEAR_MIN, YEAR_RANGE_MESSAGE)
    .max(CALENDAR_YEAR_MAX, YEAR_RANGE_MESSAGE),
});
export type TCalendarYearParam = z.infer<typeof ZCalendarYearParam>;

/** One day off (放假) or one weekend day worked (调休上班). Assignable to the pure module's TCalendarDay. */
export const ZCalendarDay = z
  .object({
    date: z.string({ error: '请填写日期' }).refine(isCalendarDate, '日期应为存在的日期，格式 YYYY-MM-DD'),
    kind: z.enum(CALENDAR_DAY_KINDS, { error: '类型应为 放假 或 调休上班' }),
    /** The holiday it belongs to (国庆节); may be empty for a 调休 workday. */
    name: z.string({ error: '节日名称应为文字' }).trim().max(CALENDAR_NAME_MAX, `节日名称不超过 ${CALENDAR_NAME_MAX} 个字`).default(''),
  })
  .superRefine((day, ctx) => {
    if (day.kind === 'holiday' && day.name === '') {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `请填写 ${day.date} 放假的节日名称` });
    }
    if (day.kind === 'workday' && weekdayOf(day.date) % 6 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['date'],
        message: `${day.date} 是${WEEKDAY_NAMES[weekdayOf(day.date)]}，调休上班只能安排在周六或周日`,
      });
    }
  });
export type TCalendarDayInput = z.input<typeof ZCalendarDay>;

/** PUT /calendar/years/:year: the whole schedule of the year (it replaces the stored one) and whether it is final. */
export const ZCalendarYearSave = z
  .object({
    days: z.array(ZCalendarDay, { error: '请提供该年的放假与调休安排' }).max(CALENDAR_MAX_DAYS, `每年最多录入 ${CALENDAR_MAX_DAYS} 天`),
    confirmed: z.boolean({ error: '请选择是否确认该年安排' }),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.days.forEach((day, index) => {
      if (seen.has(day.date)) ctx.addIssue({ code: 'custom', path: ['days', index, 'date'], message: `日期 ${day.date} 重复` });
      seen.add(day.date);
    });
  });
export type TCalendarYearSave = z.infer<typeof ZCalendarYearSave>;

/**
 * What the body schema cannot check, since the year is in the path: every date lies inside that year.
 * Field names match the schema's (`days.3.date`).
 */
export function calendarYearProblems(year: number, days: ReadonlyArray<{ date: string }>): TFieldError[] {
  const problems: TFieldError[] = [];
  days.forEach((day, index) => {
    if (!day.date.startsWith(`${year}-`)) problems.push({ field: `days.${index}.date`, message: `${day.date} 不在 ${year} 年内` });
  });
  return problems;
}

export const ZCalendarYearSummary = z.object({
  year: z.number().int(),
  confirmed: z.boolean(),
  source: z.enum(CALENDAR_SOURCES),
  holidayCount: z.number().int(),
  workdayCount: z.number().int(),
  updatedAt: z.string(),
  /** The platform admin who last saved it; null for a year seeded from the package. */
  updatedByName: z.string().nullable(),
});
export type TCalendarYearSummary = z.infer<typeof ZCalendarYearSummary>;

/** A stored day, as the API answers it (TCalendarDay). */
export const ZCalendarDayRecord = z.object({ date: z.string(), kind: z.enum(CALENDAR_DAY_KINDS), name: z.string() });

export const ZCalendarYearDetail = ZCalendarYearSummary.extend({ days: z.array(ZCalendarDayRecord) });
export type TCalendarYearDetail = z.infer<typeof ZCalendarYearDetail>;

export const ZCalendarStatus = z.object({
  /** Today in Asia/Shanghai. */
  today: z.string(),
  /** Years from today through today + CALENDAR_LOOKAHEAD_DAYS without a confirmed schedule. */
  unconfirmedYears: z.array(z.number().int()),
  /** The console's warning to the admins; null when every such year is confirmed. */
  message: z.string().nullable(),
});
export type TCalendarStatus = z.infer<typeof ZCalendarStatus>;

/** The warning for years counted on weekends only, e.g. "2027 年法定节假日安排尚未录入，…". */
export function calendarNoticeMessage(unconfirmed: readonly number[]): string | null {
  if (unconfirmed.length === 0) return null;
  return `${unconfirmed.join('、')} 年法定节假日安排尚未录入，工作日暂按周末计算，请尽快录入`;
}
