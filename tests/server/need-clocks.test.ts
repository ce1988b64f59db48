import { Enterprise, EnterpriseMember } from '../../server/src/modules/enterprises/models';
import { FinancingNeed } from '../../server/src/modules/matching/models';
import { runNeedClocks } from '../../server/src/modules/matching/clocks';
import { OutboxItem } from '../../server/src/modules/notifications/models';
import { demoEnterprises } from '../../server/src/seed/demo';
import { newId } from '../../server/src/lib/ids';
import { clock, signInAdmin, startTestServer, type TestServer } from './helpers';

/**
 * A need's release clock counts working days on the platform's holiday calendar: across 国庆 (with the 调休 Saturday
 * worked), and across a year boundary into a year whose schedule is not entered yet (weekends only, marked
 * unconfirmed) and then entered by an admin (the clock moves). The reminder and the escalation are sent once each,
 * however many workers run the clock at the same time.
 */
let server: TestServer;
const firm = demoEnterprises()[2]!;
let firmId: string;
let wechatUserId: string;

const NEED = { amountFen: 1_000_000_00, termMonths: 12, purpose: 'working_capital', guaranteeMethods: ['credit'], maxRateBp: null, urgency: 'week', note: '' };

/** Sets the server's clock to a Shanghai wall-clock time. */
function setShanghai(local: string): void {
  clock.reset();
  clock.advance(Date.parse(`${local}+08:00`) - Date.now());
}

async function submitAt(local: string): Promise<string> {
  setShanghai(local);
  const login = await server.http.post('/api/v1/auth/wechat/login').send({ code: `dev-clock-${local}` }).expect(200);
  if (!wechatUserId) {
    wechatUserId = login.body.data.user.id;
    await EnterpriseMember.create({ id: newId(), enterpriseId: firmId, wechatUserId, role: 'ent_owner', displayName: '法人', verificationId: null });
  } else {
    await EnterpriseMember.create({ id: newId(), enterpriseId: firmId, wechatUserId: login.body.data.user.id, role: 'ent_agent', displayName: '经办人', verificationId: null });
  }
  const res = await server.http.post(`/api/v1/me/enterprises/${firmId}/needs`).set('Authorization', `Bearer ${login.body.data.token}`).send(NEED);
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function needRow(id: string): Promise<FinancingNeed> {
  return (await FinancingNeed.findByPk(id))!;
}

/** Runs the clock twice at once, as two workers would; returns the totals. */
async function runTwice(): Promise<{ reminded: number; escalated: number }> {
  const [a, b] = await Promise.all([runNeedClocks(server.app), runNeedClocks(server.app)]);
  return { reminded: a.reminded + b.reminded, escalated: a.escalated + b.escalated };
}

beforeAll(async () => {
  server = await startTestServer({ NEED_RELEASE_WORKING_DAYS: '3' }, { signInLimit: 10_000 });
  firmId = (await Enterprise.findOne({ where: { uscc: firm.uscc } }))!.id;
});
afterAll(async () => {
  clock.reset();
  await server.close();
});

describe('need release clock', () => {
  it('skips the 国庆 holiday, counts the 调休 Saturday, reminds on the due day and escalates once after it', async () => {
    // Tuesday 29 September 2026: 30 Sep is day 1, 1–7 Oct are off, 8 Oct day 2, 9 Oct day 3.
    const id = await submitAt('2026-09-29T10:00:00');
    expect(await needRow(id)).toMatchObject({ clockFrom: '2026-09-29', dueOn: '2026-10-09', dueConfirmed: true });

    setShanghai('2026-10-08T10:00:00');
    expect(await runTwice()).toEqual({ reminded: 0, escalated: 0 });

    setShanghai('2026-10-09T09:00:00');
    expect(await runTwice()).toEqual({ reminded: 1, escalated: 0 });
    const need = await needRow(id);
    expect(need.remindedAt).not.toBeNull();
    const reminder = await OutboxItem.findAll({ where: { recipientKind: 'admin', recipientId: need.advisorId! } });
    expect(reminder.some((n) => n.title.startsWith('融资需求今日到期'))).toBe(true);

    // Saturday 10 October is a 调休 working day: the first working day after the due date.
    setShanghai('2026-10-10T09:00:00');
    expect(await runTwice()).toEqual({ reminded: 0, escalated: 1 });
    expect((await needRow(id)).escalatedAt).not.toBeNull();
    const escalations = await OutboxItem.findAll({ where: { recipientKind: 'admin' } });
    expect(escalations.filter((n) => n.title.startsWith('融资需求复核超时')).length).toBeGreaterThan(0);
    setShanghai('2026-10-12T09:00:00');
    expect(await runTwice()).toEqual({ reminded: 0, escalated: 0 });
  });

  it('counts a clock into an unconfirmed year on weekends only, says so, and moves it when the schedule is entered', async () => {
    // Wednesday 30 December 2026: 31 Dec is day 1; 2027 has no schedule yet, so Friday 1 January counts (day 2).
    const id = await submitAt('2026-12-30T10:00:00');
    expect(await needRow(id)).toMatchObject({ dueOn: '2027-01-04', dueConfirmed: false });
    const admin = await signInAdmin(server, 'admin');
    const detail = await admin.get(`/api/v1/needs/${id}`);
    expect(detail.body.data.clock).toMatchObject({ dueOn: '2027-01-04', confirmed: false, unconfirmedYears: [2027] });
    const status = await admin.get('/api/v1/calendar/status');
    expect(status.body.data.unconfirmedYears).toContain(2027);
    expect(status.body.data.message).toContain('2027');

    // The admin enters 2027's 元旦: 1 January is off, so day 2 is Monday 4 January and day 3 Tuesday 5 January.
    const saved = await admin.put('/api/v1/calendar/years/2027').send({ confirmed: true, days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] });
    expect(saved.status).toBe(200);
    setShanghai('2026-12-31T10:00:00');
    const run = await runNeedClocks(server.app);
    expect(run.recomputed).toBeGreaterThanOrEqual(1);
    expect(await needRow(id)).toMatchObject({ dueOn: '2027-01-05', dueConfirmed: true });

    setShanghai('2027-01-04T10:00:00');
    expect(await runTwice()).toEqual({ reminded: 0, escalated: 0 });
    setShanghai('2027-01-05T10:00:00');
    expect(await runTwice()).toEqual({ reminded: 1, escalated: 0 });
    setShanghai('2027-01-06T10:00:00');
    expect(await runTwice()).toEqual({ reminded: 0, escalated: 1 });
  });

  it('stops the clock once the recommendation is released', async () => {
    const id = await submitAt('2027-01-11T10:00:00');
    await FinancingNeed.update({ status: 'released', releasedAt: clock.now() }, { where: { id } });
    setShanghai('2027-01-25T10:00:00');
    const run = await runNeedClocks(server.app);
    expect(run).toMatchObject({ reminded: 0, escalated: 0 });
    expect((await needRow(id)).escalatedAt).toBeNull();
  });
});
