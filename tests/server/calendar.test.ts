import chineseDays from 'chinese-days/dist/chinese-days.json';
import { addDays, addWorkingDays, isWorkingDay, shanghaiDate, weekdayOf, type TCalendarDay } from '@xyd/shared';
import { AuditLog } from '../../server/src/modules/audit/model';
import { HolidayDay, HolidayYear } from '../../server/src/modules/calendar/models';
import { ensureHolidayCalendar, loadWorkCalendar } from '../../server/src/modules/calendar/service';
import { AdminUser } from '../../server/src/modules/identity/models';
import { clock, signInAdmin, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * The holiday calendar: seeded from the chinese-days package (2004–2026), maintained by platform admins for later
 * years, read by every console user, and what loadWorkCalendar (the working-day clocks) counts with.
 */
let server: TestServer;
let admin: Awaited<ReturnType<typeof signInAdmin>>;
let advisor: Awaited<ReturnType<typeof signInAdmin>>;
let officer: Awaited<ReturnType<typeof signInAdmin>>;

const data = chineseDays as unknown as { holidays: Record<string, string>; workdays: Record<string, string> };
const packageCount = (year: number, map: Record<string, string>) => Object.keys(map).filter((d) => d.startsWith(`${year}-`)).length;

/** A made-up 2027 schedule (the real one is published in the winter): New Year off from Friday, a 调休 Saturday. */
const SCHEDULE_2027: TCalendarDay[] = [
  { date: '2027-01-03', kind: 'holiday', name: '元旦' },
  { date: '2027-01-01', kind: 'holiday', name: '元旦' },
  { date: '2027-01-02', kind: 'holiday', name: '元旦' },
  { date: '2027-01-09', kind: 'workday', name: '元旦' },
];

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [admin, advisor, officer] = await Promise.all([signInAdmin(server, 'admin'), signInAdmin(server, 'advisor'), signInAdmin(server, 'bank_officer')]);
});
afterAll(async () => {
  clock.reset();
  await server.close();
});

const put = (year: number | string, body: unknown) => admin.put(`/api/v1/calendar/years/${year}`).send(body as object);

function expectFieldError(res: { status: number; body: { errorCode: string; errorFields?: Array<{ field: string; message: string }> } }, field: string, text: RegExp) {
  expect(res.status).toBe(400);
  expect(res.body.errorCode).toBe('VALIDATION_FAILED');
  const hit = res.body.errorFields?.find((f) => f.field === field);
  expect(hit).toBeDefined();
  expect(hit!.message).toMatch(text);
}

/** The years the status should name: today through today + 400 days, beyond what the package covers (and 2027 unless saved). */
function comingYears(): number[] {
  const today = shanghaiDate(clock.now());
  const years: number[] = [];
  for (let y = Number(today.slice(0, 4)); y <= Number(addDays(today, 400).slice(0, 4)); y++) if (y > 2026) years.push(y);
  return years;
}

describe('seeding from the package', () => {
  it('stores every year the package covers as confirmed, and nothing after 2026', async () => {
    await ensureHolidayCalendar();
    const years = await HolidayYear.findAll({ order: [['year', 'ASC']] });
    expect(years.map((y) => y.year)).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    const y2026 = years.find((y) => y.year === 2026)!;
    expect(y2026.confirmed).toBe(true);
    expect(y2026.source).toBe('package');
    expect(y2026.updatedBy).toBeNull();
    expect(await HolidayYear.findByPk(2027)).toBeNull();
    expect(await HolidayDay.count({ where: { year: 2026, kind: 'holiday' } })).toBe(packageCount(2026, data.holidays));
    expect(await HolidayDay.count({ where: { year: 2026, kind: 'workday' } })).toBe(packageCount(2026, data.workdays));
    const national = await HolidayDay.findByPk('2026-10-01');
    expect(national).toMatchObject({ year: 2026, kind: 'holiday', name: '国庆节' });
    expect(await HolidayDay.findByPk('2026-10-10')).toMatchObject({ kind: 'workday', name: '国庆节' });
  });

  it('is idempotent, and concurrent runs on a table missing years neither fail nor duplicate', async () => {
    const before = await HolidayDay.count();
    // As on a fresh database for these years: every run finds them missing and races to insert them.
    const RACED = [2020, 2021, 2022, 2023, 2024, 2025, 2026];
    await HolidayDay.destroy({ where: { year: RACED } });
    await HolidayYear.destroy({ where: { year: RACED } });
    const runs = await Promise.allSettled(Array.from({ length: 8 }, () => ensureHolidayCalendar()));
    expect(runs.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await HolidayDay.count()).toBe(before);
    expect(await HolidayYear.count({ where: { year: RACED, confirmed: true, source: 'package' } })).toBe(RACED.length);
    await ensureHolidayCalendar();
    expect(await HolidayDay.count()).toBe(before);
  });
});

describe('reading the calendar', () => {
  it('lists the years to any console user, latest first, with counts', async () => {
    for (const agent of [admin, advisor, officer]) {
      const res = await agent.get('/api/v1/calendar/years');
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(23);
      expect(res.body.data[0]).toEqual({
        year: 2026,
        confirmed: true,
        source: 'package',
        holidayCount: packageCount(2026, data.holidays),
        workdayCount: packageCount(2026, data.workdays),
        updatedAt: expect.any(String),
        updatedByName: null,
      });
      expect(res.body.data.at(-1).year).toBe(2004);
    }
  });

  it("answers one year's days in date order, and 404 for a year not entered", async () => {
    const res = await advisor.get('/api/v1/calendar/years/2026');
    expect(res.status).toBe(200);
    expect(res.body.data.year).toBe(2026);
    const days = res.body.data.days as TCalendarDay[];
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
    expect(days).toContainEqual({ date: '2026-10-01', kind: 'holiday', name: '国庆节' });
    expect(days).toContainEqual({ date: '2026-09-20', kind: 'workday', name: '国庆节' });
    const missing = await advisor.get('/api/v1/calendar/years/2027');
    expect(missing.status).toBe(404);
    expect(missing.body.errorMessage).toContain('2027 年');
  });

  it('refuses a year outside 2000–2100 or not a number, naming the field', async () => {
    for (const year of ['1999', '2101', 'abc', '2026.5']) {
      const res = await advisor.get(`/api/v1/calendar/years/${year}`);
      expectFieldError(res, 'year', /年份/);
    }
  });

  it('needs a console session', async () => {
    expect((await server.http.get('/api/v1/calendar/status')).status).toBe(401);
  });
});

describe('saving a year', () => {
  it('refuses bad schedules with the field that is wrong, and writes nothing', async () => {
    const day = (date: string, kind: 'holiday' | 'workday' = 'holiday', name = '元旦') => ({ date, kind, name });
    expectFieldError(await put(2027, { days: [day('2026-12-31')], confirmed: true }), 'days.0.date', /不在 2027 年内/);
    expectFieldError(await put(2027, { days: [day('2027-01-01'), day('2027-01-01')], confirmed: true }), 'days.1.date', /重复/);
    // 2027-01-06 is a Wednesday.
    expect(weekdayOf('2027-01-06')).toBe(3);
    expectFieldError(await put(2027, { days: [day('2027-01-06', 'workday')], confirmed: true }), 'days.0.date', /周三.*周六或周日/);
    expectFieldError(await put(2027, { days: [day('2027-02-30')], confirmed: true }), 'days.0.date', /存在的日期/);
    expectFieldError(await put(2027, { days: [day('2027-01-01', 'holiday', ' ')], confirmed: true }), 'days.0.name', /节日名称/);
    expectFieldError(await put(2027, { days: [day('2027-01-01', 'holiday', '节'.repeat(41))], confirmed: true }), 'days.0.name', /40/);
    expectFieldError(await put(2027, { days: [{ date: '2027-01-01', kind: 'off', name: '元旦' }], confirmed: true }), 'days.0.kind', /放假/);
    expectFieldError(await put(2027, { days: [day('2027-01-01')] }), 'confirmed', /确认/);
    const many = Array.from({ length: 61 }, (_, i) => day(addDays('2027-03-01', i)));
    expectFieldError(await put(2027, { days: many, confirmed: true }), 'days', /60/);
    expectFieldError(await put(1999, { days: [day('1999-01-01')], confirmed: true }), 'year', /2000/);
    expect(await HolidayYear.findByPk(2027)).toBeNull();
    expect(await HolidayDay.count({ where: { year: 2027 } })).toBe(0);
  });

  it('is for platform admins only', async () => {
    for (const agent of [advisor, officer]) {
      const res = await agent.put('/api/v1/calendar/years/2027').send({ days: SCHEDULE_2027, confirmed: true });
      expect(res.status).toBe(403);
    }
    expect(await HolidayYear.findByPk(2027)).toBeNull();
  });

  it('warns about 2027 until it is saved as confirmed; the save is audited and the clocks count with it at once', async () => {
    const before = await officer.get('/api/v1/calendar/status');
    expect(before.status).toBe(200);
    expect(before.body.data.today).toBe(shanghaiDate(clock.now()));
    expect(before.body.data.unconfirmedYears).toEqual(comingYears());
    if (comingYears().includes(2027)) {
      expect(before.body.data.message).toContain('2027');
      expect(before.body.data.message).toContain('年法定节假日安排尚未录入，工作日暂按周末计算，请尽快录入');
    }
    const weekendsOnly = await loadWorkCalendar();
    expect(isWorkingDay(weekendsOnly, '2027-01-01')).toBe(true);
    expect(addWorkingDays(weekendsOnly, '2026-12-31', 1)).toEqual({ date: '2027-01-01', confirmed: false });

    const res = await put(2027, { days: SCHEDULE_2027, confirmed: true });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ year: 2027, confirmed: true, source: 'admin', holidayCount: 3, workdayCount: 1, updatedByName: '平台管理员' });
    expect(res.body.data.days.map((d: TCalendarDay) => d.date)).toEqual(['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-09']);

    const adminUser = await AdminUser.findOne({ where: { username: 'admin' } });
    const audit = await AuditLog.findOne({ where: { action: 'calendar.year.save', targetId: '2027' } });
    expect(audit).not.toBeNull();
    expect(audit!.actorId).toBe(adminUser!.id);
    expect(audit!.outcome).toBe('success');
    expect(JSON.parse(audit!.detail!)).toMatchObject({ year: 2027, confirmed: true, holidays: 3, workdays: 1, previous: null });

    const after = await officer.get('/api/v1/calendar/status');
    expect(after.body.data.unconfirmedYears).toEqual(comingYears().filter((y) => y !== 2027));
    expect(after.body.data.message ?? '').not.toContain('2027');

    // Without waiting for the cache: this process dropped it on saving.
    const calendar = await loadWorkCalendar();
    expect(isWorkingDay(calendar, '2027-01-01')).toBe(false);
    expect(isWorkingDay(calendar, '2027-01-09')).toBe(true);
    expect(addWorkingDays(calendar, '2026-12-31', 1)).toEqual({ date: '2027-01-04', confirmed: true });
  });

  it('clears the warning once every coming year is confirmed', async () => {
    for (const year of comingYears().filter((y) => y !== 2027)) {
      expect((await put(year, { days: [{ date: `${year}-01-01`, kind: 'holiday', name: '元旦' }], confirmed: true })).status).toBe(200);
    }
    const res = await advisor.get('/api/v1/calendar/status');
    expect(res.body.data).toEqual({ today: shanghaiDate(clock.now()), unconfirmedYears: [], message: null });
  });

  it('keeps a draft (not confirmed) out of the clocks', async () => {
    const res = await put(2027, { days: SCHEDULE_2027, confirmed: false });
    expect(res.status).toBe(200);
    expect(res.body.data.confirmed).toBe(false);
    const calendar = await loadWorkCalendar();
    expect(isWorkingDay(calendar, '2027-01-01')).toBe(true);
    expect(addWorkingDays(calendar, '2026-12-31', 1)).toEqual({ date: '2027-01-01', confirmed: false });
    // The other coming years were confirmed above.
    expect((await advisor.get('/api/v1/calendar/status')).body.data.unconfirmedYears).toEqual(comingYears().includes(2027) ? [2027] : []);
    expect((await put(2027, { days: SCHEDULE_2027, confirmed: true })).status).toBe(200);
  });

  it("replaces a package year with the admin's schedule, which seeding never overwrites", async () => {
    const days = [
      { date: '2005-01-01', kind: 'holiday', name: '元旦' },
      { date: '2005-01-03', kind: 'holiday', name: '元旦' },
    ];
    const res = await put(2005, { days, confirmed: true });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ source: 'admin', holidayCount: 2, workdayCount: 0 });
    const audit = await AuditLog.findOne({ where: { action: 'calendar.year.save', targetId: '2005' } });
    expect(JSON.parse(audit!.detail!).previous).toEqual({
      confirmed: true,
      source: 'package',
      holidays: packageCount(2005, data.holidays),
      workdays: packageCount(2005, data.workdays),
    });
    await ensureHolidayCalendar();
    expect(await HolidayDay.count({ where: { year: 2005 } })).toBe(2);
    expect((await HolidayYear.findByPk(2005))!.source).toBe('admin');
  });
});

describe('the cached calendar', () => {
  it("sees another process's edit within a minute", async () => {
    const primed = await loadWorkCalendar();
    expect(isWorkingDay(primed, '2027-01-04')).toBe(true);
    // Another process (API or worker) saves: only the table changes here.
    await HolidayDay.create({ day: '2027-01-04', year: 2027, kind: 'holiday', name: '元旦' });
    expect(isWorkingDay(await loadWorkCalendar(), '2027-01-04')).toBe(true);
    clock.advance(61_000);
    expect(isWorkingDay(await loadWorkCalendar(), '2027-01-04')).toBe(false);
  });
});

// A second server (a fresh database) rebinds the models: keep this last.
describe('a fresh process whose first calendar read runs inside a transaction', () => {
  let fresh: TestServer;
  afterAll(async () => {
    await fresh?.close();
  });

  it('answers from the package at once and seeds beside the transaction, not inside it', async () => {
    fresh = await startTestServer({}, { seed: false });
    expect(await HolidayYear.count()).toBe(0);
    const calendar = await fresh.app.db.transaction(async () => loadWorkCalendar());
    expect(isWorkingDay(calendar, '2026-10-01')).toBe(false);
    expect(addWorkingDays(calendar, '2026-09-30', 3)).toEqual({ date: '2026-10-10', confirmed: true });
    await waitFor('the package years to be seeded', async () => (await HolidayYear.count()) === 23);
    expect(await HolidayDay.count({ where: { year: 2026 } })).toBe(packageCount(2026, data.holidays) + packageCount(2026, data.workdays));
  });
});
