import { QueryTypes, Sequelize, Transaction, UniqueConstraintError } from 'sequelize';
import chineseDays from 'chinese-days/dist/chinese-days.json';
import {
  CALENDAR_LOOKAHEAD_DAYS,
  addDays,
  buildWorkCalendar,
  calendarNoticeMessage,
  calendarYearProblems,
  shanghaiDate,
  unconfirmedYears,
  type TCalendarDay,
  type TCalendarStatus,
  type TCalendarYearDetail,
  type TCalendarYearSave,
  type TCalendarYearSummary,
  type TWorkCalendar,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { isRetryableTransactionError } from '../../db';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { AdminUser } from '../identity/models';
import { HolidayDay, HolidayYear } from './models';

/**
 * The holiday calendar behind every working-day clock. The platform keeps its own table, seeded from the published
 * schedule in the chinese-days package (which covers 2004–2026 and silently treats every weekday of a later year as
 * a working day), and platform admins enter each new year's schedule in the console. A year with no confirmed
 * schedule is counted on weekends only and marked unconfirmed (shared/src/common/working-days.ts).
 *
 * Every process keeps the calendar for CACHE_MS and drops it at once after its own saves, so the other processes
 * (API and workers behind a load balancer) count with an admin's edit within a minute.
 */

const CACHE_MS = 60_000;

interface PackageData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let packageYears: Map<number, TCalendarDay[]> | null = null;

/** The package's days by year. Its values read "English name,中文名,days": the Chinese name is kept. */
export function packageCalendarYears(): ReadonlyMap<number, readonly TCalendarDay[]> {
  if (packageYears) return packageYears;
  const data = chineseDays as unknown as PackageData;
  const years = new Map<number, TCalendarDay[]>();
  const add = (entries: Record<string, string>, kind: TCalendarDay['kind']) => {
    for (const [date, value] of Object.entries(entries)) {
      const parts = value.split(',');
      const name = (parts.length >= 2 ? parts[parts.length - 2]! : value).trim();
      const year = Number(date.slice(0, 4));
      if (!years.has(year)) years.set(year, []);
      years.get(year)!.push({ date, kind, name });
    }
  };
  add(data.holidays, 'holiday');
  add(data.workdays, 'workday');
  for (const days of years.values()) days.sort((a, b) => (a.date < b.date ? -1 : 1));
  packageYears = years;
  return years;
}

function sequelizeOf(): Sequelize {
  return HolidayYear.sequelize!;
}

/**
 * The transaction the caller runs in, if any (Sequelize's CLS hook, db/index.ts). The seeding below never joins it:
 * it must commit on its own, and on SQLite it must not wait for a write lock its caller holds.
 */
function callerTransaction(): unknown {
  return (Sequelize as unknown as { _cls?: { get(key: string): unknown } })._cls?.get('transaction') ?? null;
}

const MAX_SEED_ATTEMPTS = 5;
const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * SQLite has one writer: this process's seeding transactions take turns here (as db.transaction queues its own),
 * since writers waiting in SQLite's busy handler each hold a thread of libuv's small pool and can starve the one
 * holding the lock. MySQL runs them side by side; its unique key settles the race.
 */
function oneWriterOnSqlite<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') return fn();
  const run = (sqliteQueues.get(sequelize) ?? Promise.resolve()).then(fn, fn);
  sqliteQueues.set(sequelize, run.catch(() => undefined));
  return run;
}

/** One package year and its days in a transaction of their own, re-run on a deadlock (MySQL) or a busy file (SQLite). */
async function insertPackageYear(year: number, days: readonly TCalendarDay[]): Promise<void> {
  const sequelize = sequelizeOf();
  const options = sequelize.getDialect() === 'sqlite' ? { type: Transaction.TYPES.IMMEDIATE } : {};
  for (let attempt = 1; ; attempt++) {
    try {
      await oneWriterOnSqlite(sequelize, () =>
        sequelize.transaction(options, async (t) => {
          await HolidayYear.create({ year, confirmed: true, source: 'package', updatedBy: null, updatedAt: clock.now() }, { transaction: t });
          await HolidayDay.bulkCreate(
            days.map((d) => ({ day: d.date, year, kind: d.kind, name: d.name })),
            { transaction: t },
          );
        }),
      );
      return;
    } catch (error) {
      if (attempt >= MAX_SEED_ATTEMPTS || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 20 * attempt));
    }
  }
}

/**
 * Inserts every year the package covers that the table lacks, as confirmed with source 'package'; a year already
 * there (seeded before, or entered by an admin) is never touched. Each year commits on its own with its days. Safe
 * when several processes run it at once: the year's primary key decides who inserts it, and the others' inserts
 * fail with a unique violation and are skipped (no lock is taken before inserting).
 */
export async function ensureHolidayCalendar(): Promise<void> {
  const rows = await HolidayYear.findAll({ attributes: ['year'], raw: true, transaction: null });
  const present = new Set(rows.map((r) => Number(r.year)));
  for (const [year, days] of packageCalendarYears()) {
    if (present.has(year)) continue;
    try {
      await insertPackageYear(year, days);
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      // Another process inserted the year first. Were the year still missing, the clash was on a stray day row:
      // that is a corrupt table, not a race, and must not pass silently.
      if (!(await HolidayYear.findByPk(year, { attributes: ['year'], transaction: null }))) throw error;
    }
  }
}

interface CalendarState {
  /** ensureHolidayCalendar, run once per process (per database), again after a failure. */
  ensured: Promise<void> | null;
  loaded: { at: number; calendar: Promise<TWorkCalendar> } | null;
}

// Keyed by the database the models are bound to: tests start several servers (databases) in one process.
const states = new WeakMap<Sequelize, CalendarState>();

function stateOf(sequelize: Sequelize = sequelizeOf()): CalendarState {
  let state = states.get(sequelize);
  if (!state) {
    state = { ensured: null, loaded: null };
    states.set(sequelize, state);
  }
  return state;
}

function ensureOnce(): Promise<void> {
  const state = stateOf();
  if (!state.ensured) {
    const run = ensureHolidayCalendar();
    state.ensured = run;
    run.catch(() => {
      if (state.ensured === run) state.ensured = null;
    });
  }
  return state.ensured;
}

type DayRow = { day: string; year: number | string; kind: TCalendarDay['kind']; name: string };

/**
 * The tables, plus any package year they still lack: the answer is what seeding produces, so it is right even when
 * the seeding could not run first (a caller inside a transaction) or failed.
 */
async function readCalendar(): Promise<TWorkCalendar> {
  if (callerTransaction()) {
    // Seed beside the caller's transaction, never inside it or waiting on it; a failure is retried next time.
    ensureOnce().catch(() => undefined);
  } else {
    await ensureOnce();
  }
  const sequelize = sequelizeOf();
  const [years, days] = await Promise.all([
    sequelize.query<{ year: number | string; confirmed: number | boolean | string }>('SELECT year, confirmed FROM holiday_years', {
      type: QueryTypes.SELECT,
      transaction: null,
    }),
    sequelize.query<DayRow>('SELECT day, year, kind, name FROM holiday_days', { type: QueryTypes.SELECT, transaction: null }),
  ]);
  const present = new Set(years.map((y) => Number(y.year)));
  // Raw rows: MySQL answers a BOOLEAN as 0/1 (or '0'/'1'), SQLite as 0/1.
  const confirmed = new Set(years.filter((y) => y.confirmed === true || Number(y.confirmed) === 1).map((y) => Number(y.year)));
  const calendarDays: TCalendarDay[] = days
    .filter((d) => confirmed.has(Number(d.year)))
    .map((d) => ({ date: String(d.day), kind: d.kind, name: d.name }));
  for (const [year, packageDays] of packageCalendarYears()) {
    if (present.has(year)) continue;
    confirmed.add(year);
    calendarDays.push(...packageDays);
  }
  return buildWorkCalendar(confirmed, calendarDays);
}

/**
 * The working-day calendar for the clocks: cached in the process for 60 s, dropped at once after a save in this
 * process. The first call in a process seeds the package's years (ensureHolidayCalendar).
 */
export function loadWorkCalendar(): Promise<TWorkCalendar> {
  const state = stateOf();
  const now = clock.nowMs();
  if (state.loaded && now >= state.loaded.at && now - state.loaded.at < CACHE_MS) return state.loaded.calendar;
  // The promise is cached, not its result: a burst of callers at expiry shares one read.
  const entry = { at: now, calendar: readCalendar() };
  state.loaded = entry;
  entry.calendar.catch(() => {
    if (state.loaded === entry) state.loaded = null;
  });
  return entry.calendar;
}

/** Drops this process's cached calendar: the next load reads the tables. */
function forgetCalendar(): void {
  stateOf().loaded = null;
}

async function dayCounts(years?: number[]): Promise<Map<number, { holidays: number; workdays: number }>> {
  const where = years ? `WHERE year IN (${years.map(() => '?').join(',')})` : '';
  const rows = await HolidayDay.sequelize!.query<{ year: number | string; kind: string; n: number | string }>(
    `SELECT year, kind, COUNT(*) AS n FROM holiday_days ${where} GROUP BY year, kind`,
    { type: QueryTypes.SELECT, replacements: years },
  );
  const counts = new Map<number, { holidays: number; workdays: number }>();
  for (const r of rows) {
    const year = Number(r.year);
    const c = counts.get(year) ?? { holidays: 0, workdays: 0 };
    if (r.kind === 'holiday') c.holidays = Number(r.n);
    else c.workdays = Number(r.n);
    counts.set(year, c);
  }
  return counts;
}

async function summaries(rows: HolidayYear[]): Promise<TCalendarYearSummary[]> {
  if (rows.length === 0) return [];
  const counts = await dayCounts(rows.map((r) => r.year));
  const editorIds = [...new Set(rows.map((r) => r.updatedBy).filter((id): id is string => id !== null))];
  const editors = editorIds.length
    ? new Map((await AdminUser.findAll({ where: { id: editorIds }, attributes: ['id', 'displayName'] })).map((u) => [String(u.id), u.displayName]))
    : new Map<string, string>();
  return rows.map((r) => ({
    year: r.year,
    confirmed: Boolean(r.confirmed),
    source: r.source,
    holidayCount: counts.get(r.year)?.holidays ?? 0,
    workdayCount: counts.get(r.year)?.workdays ?? 0,
    updatedAt: new Date(r.updatedAt).toISOString(),
    updatedByName: r.updatedBy ? (editors.get(r.updatedBy) ?? null) : null,
  }));
}

/** Every year in the table, latest first. */
export async function listCalendarYears(): Promise<TCalendarYearSummary[]> {
  await ensureOnce();
  return summaries(await HolidayYear.findAll({ order: [['year', 'DESC']] }));
}

/** One year's schedule; 404 when nobody has entered it yet. */
export async function calendarYear(year: number): Promise<TCalendarYearDetail> {
  await ensureOnce();
  const row = await HolidayYear.findByPk(year);
  if (!row) throw new NotFoundError(`${year} 年的法定节假日安排尚未录入`);
  const [summary] = await summaries([row]);
  const days = await HolidayDay.findAll({ where: { year }, order: [['day', 'ASC']], attributes: ['day', 'kind', 'name'] });
  return { ...summary!, days: days.map((d) => ({ date: d.day, kind: d.kind, name: d.name })) };
}

/**
 * Replaces a year's schedule with the admin's and sets whether it is confirmed (source 'admin' from then on: the
 * package never overwrites it again), in one audited transaction. The body schema checked each day; here, that
 * every date lies inside the year of the path.
 */
export async function saveYear(
  app: Pick<AppContext, 'db'>,
  actor: AdminActor,
  year: number,
  body: TCalendarYearSave,
  meta: RequestMeta,
): Promise<TCalendarYearDetail> {
  if (actor.role !== 'platform_admin') throw new ForbiddenError('仅平台管理员可以维护节假日日历');
  const problems = calendarYearProblems(year, body.days);
  if (problems.length > 0) throw new ValidationError(problems.map((p) => `${p.field}: ${p.message}`).join('；'), problems);
  await ensureOnce();
  const days = [...body.days].sort((a, b) => (a.date < b.date ? -1 : 1));
  const holidays = days.filter((d) => d.kind === 'holiday').length;
  await app.db.transaction(async (t) => {
    const before = await HolidayYear.findByPk(year, { transaction: t });
    const beforeCounts = before ? (await dayCounts([year])).get(year) ?? { holidays: 0, workdays: 0 } : null;
    // One statement that inserts or updates: no read-then-insert race with another save or the package seeding.
    await HolidayYear.upsert({ year, confirmed: body.confirmed, source: 'admin', updatedBy: actor.id, updatedAt: clock.now() }, { transaction: t });
    await HolidayDay.destroy({ where: { year }, transaction: t });
    if (days.length > 0) {
      await HolidayDay.bulkCreate(
        days.map((d) => ({ day: d.date, year, kind: d.kind, name: d.name })),
        { transaction: t },
      );
    }
    await recordAudit(t, {
      actor,
      action: 'calendar.year.save',
      targetType: 'holiday_year',
      targetId: String(year),
      outcome: 'success',
      detail: {
        year,
        confirmed: body.confirmed,
        holidays,
        workdays: days.length - holidays,
        previous: before && beforeCounts ? { confirmed: Boolean(before.confirmed), source: before.source, ...beforeCounts } : null,
      },
      meta,
    });
  });
  forgetCalendar();
  return calendarYear(year);
}

/** Today, and the coming years (through today + 400 days) that have no confirmed schedule, with the console's warning. */
export async function calendarStatus(): Promise<TCalendarStatus> {
  const calendar = await loadWorkCalendar();
  const today = shanghaiDate(clock.now());
  const years = unconfirmedYears(calendar, today, addDays(today, CALENDAR_LOOKAHEAD_DAYS));
  return { today, unconfirmedYears: years, message: calendarNoticeMessage(years) };
}
