import { addDays, shanghaiDate } from '@xyd/shared';
import { AuditLog } from '../../server/src/modules/audit/model';
import { CreditRecord } from '../../server/src/modules/credit-data/models';
import { CreditDispute, CreditWarning } from '../../server/src/modules/credit-engine/models';
import { scoreBatch, scoreChangedEnterprises, scoringContext } from '../../server/src/modules/credit-engine/recompute';
import { pastMonthEnds, recomputeAll } from '../../server/src/modules/credit-engine/jobs';
import { backfillHistory } from '../../server/src/modules/credit-engine/recompute';
import { Enterprise, EnterpriseMember } from '../../server/src/modules/enterprises/models';
import { Organisation } from '../../server/src/modules/identity/models';
import { OutboxItem } from '../../server/src/modules/notifications/models';
import { startWorker } from '../../server/src/jobs/worker';
import { demoEnterprises } from '../../server/src/seed/demo';
import { newId } from '../../server/src/lib/ids';
import { PNG_BYTES, clock, signInAdmin, signedPush, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * The credit engine through its public interfaces: records pushed by a data source are scored from the change feed
 * (only the firms touched), warnings are raised once per cause and reach the region's advisor, the profile explains
 * the score and is scoped, history answers for a past date, disputes run end to end, and a candidate scorecard is
 * scored in shadow, compared and activated.
 */
let server: TestServer;
let admin: Awaited<ReturnType<typeof signInAdmin>>;
let advisor: Awaited<ReturnType<typeof signInAdmin>>;
let advisorNb: Awaited<ReturnType<typeof signInAdmin>>;
const firms = demoEnterprises();
const hangzhou = firms.filter((f) => f.regionCode.startsWith('3301'));
const ningbo = firms.filter((f) => f.regionCode.startsWith('3302'));
let source: { keyId: string; secret: string; id: string };

const TODAY = shanghaiDate(new Date());
const month = (back: number): string => {
  const [y, m] = TODAY.split('-').map(Number);
  const abs = y * 12 + (m - 1) - back;
  return `${Math.floor(abs / 12)}-${String((abs % 12) + 1).padStart(2, '0')}`;
};

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [admin, advisor, advisorNb] = await Promise.all([signInAdmin(server, 'admin'), signInAdmin(server, 'advisor'), signInAdmin(server, 'advisor_nb')]);
  const org = await Organisation.findOne({ where: { name: '浙江省发展和改革委员会' } });
  const res = await admin.post('/api/v1/data-sources').send({
    organisationId: org!.id,
    name: '省公共信用信息平台',
    categories: ['penalty', 'tax', 'social_security', 'utility', 'blacklist', 'court_case'],
    regionCodes: ['330000'],
  });
  expect(res.status).toBe(201);
  source = { id: res.body.data.source.id, keyId: res.body.data.source.keyId, secret: res.body.data.secret };
});
afterAll(async () => {
  clock.reset();
  await server.close();
});

const push = (category: string, records: unknown[]) => signedPush(server, source, category, records);

async function pushOk(category: string, records: unknown[]): Promise<void> {
  const res = await push(category, records);
  expect(res.status).toBe(200);
  expect(res.body.data.errors).toEqual([]);
}

const taxRows = (uscc: string, months = 13, paidFen = 2_000_000) =>
  Array.from({ length: months }, (_, i) => ({
    uscc,
    externalId: `TAX-${uscc}-${month(i + 1)}`,
    period: month(i + 1),
    taxPaidFen: paidFen,
    revenueDeclaredFen: paidFen * 20,
    arrearsFen: 0,
    creditLevel: 'A',
  }));

const penaltyRow = (uscc: string, id: string, decidedOn: string, severity = 'serious', extra: Record<string, unknown> = {}) => ({
  uscc,
  externalId: `PEN-${id}`,
  decisionNo: `杭市监处罚〔2026〕${id}号`,
  cause: '销售不合格产品',
  penaltyType: 'fine',
  amountFen: 5_000_000,
  severity,
  decidedOn,
  decidedBy: '杭州市市场监督管理局',
  corrected: false,
  correctedOn: null,
  ...extra,
});

async function idOf(uscc: string): Promise<string> {
  return (await Enterprise.findOne({ where: { uscc }, attributes: ['id'] }))!.id;
}

async function profile(agent: typeof admin, id: string) {
  const res = await agent.get(`/api/v1/enterprises/${id}/credit`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('scoring from the change feed', () => {
  it('scores only the enterprises whose records changed, and explains each score', async () => {
    const [a, b] = [hangzhou[0]!, hangzhou[1]!];
    await pushOk('tax', taxRows(a.uscc));
    const outcome = await scoreChangedEnterprises(server.app);
    expect(outcome.scored).toBe(1);
    const [idA, idB] = [await idOf(a.uscc), await idOf(b.uscc)];
    const mine = await profile(admin, idA);
    expect(mine.score).not.toBeNull();
    expect(mine.score.scorecardVersion).toBe(1);
    expect(mine.score.rating).toMatch(/^(AAA|AA|A|BBB|BB|B|CCC|CC|C)$/);
    expect(Object.keys(mine.score.dimensions).sort()).toEqual(['basic', 'negative', 'operations', 'social', 'tax']);
    // The points are stored, so the score adds up from them.
    const sum = mine.score.points.reduce((s: number, p: { points: number }) => s + p.points, 0);
    expect(Math.round(sum)).toBe(mine.score.score);
    expect(mine.recordCounts.find((c: { category: string }) => c.category === 'tax').count).toBe(13);
    // Firm B sent nothing: it is not scored yet.
    expect((await profile(admin, idB)).score).toBeNull();
    // Nothing changed since: a second run writes nothing.
    const again = await scoreChangedEnterprises(server.app);
    expect(again.scored).toBe(0);
  });

  it('lowers the score for a new serious penalty, names it as a reason, and raises one warning for the advisor', async () => {
    const firm = hangzhou[0]!;
    const id = await idOf(firm.uscc);
    const before = (await profile(admin, id)).score;
    await pushOk('penalty', [penaltyRow(firm.uscc, '101', addDays(TODAY, -10))]);
    await scoreChangedEnterprises(server.app);
    const after = (await profile(admin, id)).score;
    expect(after.score).toBeLessThan(before.score);
    expect(after.reasons.map((r: { feature: string }) => r.feature)).toEqual(expect.arrayContaining([expect.stringMatching(/penalt/i)]));
    const warnings = await advisor.get('/api/v1/credit/warnings').query({ enterpriseId: id });
    expect(warnings.status).toBe(200);
    const penalty = warnings.body.data.list.filter((w: { rule: string }) => w.rule === 'penalty');
    expect(penalty).toHaveLength(1);
    expect(penalty[0].evidence[0].category).toBe('penalty');
    expect(penalty[0].evidence[0].summary).toContain('处罚');
    // The advisor of the region is told through the outbox.
    const advisorUser = await server.app.db.sequelize.query<{ id: unknown }>("SELECT id FROM admin_users WHERE username = 'advisor'", { type: 'SELECT' as never });
    const notices = await OutboxItem.count({ where: { recipientId: String(advisorUser[0]!.id), templateKey: 'credit_warning' } });
    expect(notices).toBeGreaterThanOrEqual(1);
    // The same batch again, and a rescore: still one warning for the cause.
    await push('penalty', [penaltyRow(firm.uscc, '101', addDays(TODAY, -10))]);
    await scoreBatch(server.app, [id], await scoringContext());
    expect(await CreditWarning.count({ where: { enterpriseId: id, rule: 'penalty' } })).toBe(1);
    // A corrected version of the same penalty (信用修复) is a new record version, not a new cause.
    await pushOk('penalty', [penaltyRow(firm.uscc, '101', addDays(TODAY, -10), 'serious', { corrected: true, correctedOn: addDays(TODAY, -1) })]);
    await scoreChangedEnterprises(server.app);
    expect(await CreditWarning.count({ where: { enterpriseId: id, rule: 'penalty' } })).toBe(1);
    const repaired = (await profile(admin, id)).score;
    expect(repaired.score).toBeGreaterThan(after.score);
    expect(repaired.score).toBeLessThan(before.score + 1);
    // Found by the firm's name or USCC, and not by another firm's.
    const byName = await advisor.get('/api/v1/credit/warnings').query({ keyword: firm.name.slice(2, 6) });
    expect(byName.status).toBe(200);
    expect(byName.body.data.list.some((w: { enterpriseId: string }) => w.enterpriseId === id)).toBe(true);
    const byUscc = await advisor.get('/api/v1/credit/warnings').query({ keyword: firm.uscc.toLowerCase() });
    expect(byUscc.body.data.list.every((w: { enterpriseId: string }) => w.enterpriseId === id)).toBe(true);
    expect(byUscc.body.data.total).toBeGreaterThan(0);
    expect((await advisor.get('/api/v1/credit/warnings').query({ keyword: '不存在的企业名' })).body.data.total).toBe(0);
    // Another region's advisor sees neither the warning nor the profile.
    const other = await advisorNb.get('/api/v1/credit/warnings').query({ enterpriseId: id });
    expect(other.body.data.total).toBe(0);
    expect((await advisorNb.get(`/api/v1/enterprises/${id}/credit`)).status).toBe(404);
  });

  it('acknowledges and closes a warning once, with a note, audited', async () => {
    const id = await idOf(hangzhou[0]!.uscc);
    const warning = await CreditWarning.findOne({ where: { enterpriseId: id, rule: 'penalty' } });
    const ack = await advisor.post(`/api/v1/credit/warnings/${warning!.id}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.body.data.status).toBe('acknowledged');
    expect((await advisor.post(`/api/v1/credit/warnings/${warning!.id}/close`).send({})).status).toBe(400);
    const closed = await advisor.post(`/api/v1/credit/warnings/${warning!.id}/close`).send({ note: '已电话核实，企业已缴纳罚款' });
    expect(closed.body.data.status).toBe('closed');
    expect((await advisor.post(`/api/v1/credit/warnings/${warning!.id}/close`).send({ note: '再次' })).status).toBe(409);
    expect((await advisorNb.post(`/api/v1/credit/warnings/${warning!.id}/acknowledge`)).status).toBe(404);
    expect(await AuditLog.count({ where: { action: 'credit.warning.close', targetId: warning!.id } })).toBe(1);
  });

  it('keeps history: the score of a past date, with the version that produced it', async () => {
    const firm = hangzhou[2]!;
    await pushOk('tax', taxRows(firm.uscc));
    await scoreChangedEnterprises(server.app);
    const id = await idOf(firm.uscc);
    const first = (await profile(admin, id)).score;
    // Two days later a severe penalty arrives (a new console session: the first one idled out meanwhile).
    clock.advance(2 * 86_400_000);
    try {
      const later = await signInAdmin(server, 'admin');
      await pushOk('penalty', [penaltyRow(firm.uscc, '202', addDays(TODAY, -1), 'severe')]);
      await scoreChangedEnterprises(server.app);
      const now = (await profile(later, id)).score;
      expect(now.score).toBeLessThan(first.score);
      const history = await later.get(`/api/v1/enterprises/${id}/credit/history`).query({ at: TODAY });
      expect(history.status).toBe(200);
      expect(history.body.data.points.length).toBeGreaterThanOrEqual(2);
      expect(history.body.data.at.score).toBe(first.score);
      expect(history.body.data.at.scorecardVersion).toBe(1);
      const before = await later.get(`/api/v1/enterprises/${id}/credit/history`).query({ at: addDays(TODAY, -30) });
      expect(before.body.data.at).toBeNull();
      expect((await later.get(`/api/v1/enterprises/${id}/credit/history`).query({ at: '2026-13-01' })).status).toBe(400);
    } finally {
      clock.reset();
    }
  });

  it('backfills month-end history (回溯) without touching the current score or what was shown on a day', async () => {
    const firm = hangzhou[2]!;
    const id = await idOf(firm.uscc);
    const current = (await profile(admin, id)).score;
    const dates = pastMonthEnds(TODAY, 6);
    expect(dates).toHaveLength(6);
    expect(dates[5]! < TODAY && dates[5]!.slice(0, 7) < TODAY.slice(0, 7)).toBe(true);
    const written = await backfillHistory(server.app, [id], await scoringContext(), dates);
    expect(written).toBe(6);
    // Again: those dates are in the history already.
    expect(await backfillHistory(server.app, [id], await scoringContext(), dates)).toBe(0);
    const history = await admin.get(`/api/v1/enterprises/${id}/credit/history`).query({ at: TODAY });
    const retro = history.body.data.points.filter((p: { retro: boolean }) => p.retro);
    expect(retro.map((p: { asOf: string }) => p.asOf)).toEqual(dates);
    // Nothing dated after a month end counts in it: six months ago the severe penalty of the last test was not there.
    expect(retro[0].score).toBeGreaterThan(current.score);
    expect((await profile(admin, id)).score.id).toBe(current.id);
    // What was shown at the end of today is still the score computed today, not a month end computed afterwards.
    expect(history.body.data.at.asOf).toBe(TODAY);
    const window = await admin.get(`/api/v1/enterprises/${id}/credit/history`).query({ from: dates[3], to: dates[4] });
    expect(window.body.data.points.map((p: { asOf: string }) => p.asOf)).toEqual([dates[3], dates[4]]);
  });

  it('writes one latest score per firm and version when batches race', async () => {
    const batch = hangzhou.slice(3, 8);
    for (const firm of batch) await pushOk('tax', taxRows(firm.uscc, 6));
    const ids = await Promise.all(batch.map((f) => idOf(f.uscc)));
    const context = await scoringContext();
    await Promise.all([0, 1, 2, 3].map(() => scoreBatch(server.app, ids, context)));
    const rows = await server.app.db.sequelize.query<{ enterpriseId: unknown; n: unknown; latest: unknown }>(
      'SELECT enterprise_id AS enterpriseId, COUNT(*) AS n, SUM(CASE WHEN is_latest = 1 THEN 1 ELSE 0 END) AS latest FROM credit_scores WHERE enterprise_id IN (:ids) GROUP BY enterprise_id',
      { replacements: { ids }, type: 'SELECT' as never },
    );
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) {
      expect(Number(row.n)).toBe(1);
      expect(Number(row.latest)).toBe(1);
    }
  });
});

describe('who reads a profile', () => {
  it('answers 404 out of scope: other region, an institution without a grant, a firm not one’s own', async () => {
    const id = await idOf(hangzhou[0]!.uscc);
    const officer = await signInAdmin(server, 'bank_officer');
    expect((await officer.get(`/api/v1/enterprises/${id}/credit`)).status).toBe(404);
    expect((await officer.get(`/api/v1/enterprises/${id}/credit/history`)).status).toBe(404);
    const gov = await signInAdmin(server, 'gov_ningbo');
    expect((await gov.get(`/api/v1/enterprises/${id}/credit`)).status).toBe(404);
    const login = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-stranger' }).expect(200);
    const token = login.body.data.token as string;
    expect((await server.http.get(`/api/v1/me/enterprises/${id}/credit`).set('Authorization', `Bearer ${token}`)).status).toBe(404);
    expect((await server.http.get(`/api/v1/me/enterprises/${id}/credit/disputes`).set('Authorization', `Bearer ${token}`)).status).toBe(404);
    // A Ningbo firm is in the Ningbo advisor's scope.
    const nb = ningbo[0]!;
    await pushOk('tax', taxRows(nb.uscc, 3));
    await scoreChangedEnterprises(server.app);
    expect((await advisorNb.get(`/api/v1/enterprises/${await idOf(nb.uscc)}/credit`)).status).toBe(200);
  });
});

describe('disputes (异议)', () => {
  let token: string;
  let id: string;
  const firm = hangzhou[8]!;
  beforeAll(async () => {
    id = await idOf(firm.uscc);
    const login = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-dispute-owner' }).expect(200);
    token = login.body.data.token;
    await EnterpriseMember.create({ id: newId(), enterpriseId: id, wechatUserId: login.body.data.user.id, role: 'owner', displayName: firm.legalRepName, verificationId: null });
    await pushOk('tax', taxRows(firm.uscc));
    await pushOk('penalty', [penaltyRow(firm.uscc, '303', addDays(TODAY, -5))]);
    await scoreChangedEnterprises(server.app);
  });
  const me = (path: string) => server.http.get(`/api/v1/me/enterprises/${id}${path}`).set('Authorization', `Bearer ${token}`);

  it('runs end to end: raise with evidence → disputed and left out of the score → upheld → withdrawn, score restored', async () => {
    const penalised = (await me('/credit').expect(200)).body.data.score;
    const record = await CreditRecord.findOne({ where: { enterpriseId: id, category: 'penalty', isCurrent: 1 } });
    const short = await server.http
      .post(`/api/v1/me/enterprises/${id}/credit/disputes`)
      .set('Authorization', `Bearer ${token}`)
      .field('recordId', record!.id)
      .field('reason', '太短');
    expect(short.status).toBe(400);
    expect(short.body.errorMessage).toContain('异议理由');
    const raised = await server.http
      .post(`/api/v1/me/enterprises/${id}/credit/disputes`)
      .set('Authorization', `Bearer ${token}`)
      .field('recordId', record!.id)
      .field('reason', '该处罚已被复议撤销，附复议决定书')
      .attach('evidence', PNG_BYTES, { filename: 'decision.png', contentType: 'image/png' });
    expect(raised.status).toBe(201);
    expect(raised.body.data.status).toBe('open');
    expect(raised.body.data.dueOn).toBe(addDays(TODAY, 20));
    expect(raised.body.data.daysLeft).toBe(20);
    // A second dispute of the same record while the first is open is refused.
    // Without evidence the mini-program sends JSON: the same route takes it.
    const twice = await server.http
      .post(`/api/v1/me/enterprises/${id}/credit/disputes`)
      .set('Authorization', `Bearer ${token}`)
      .send({ recordId: record!.id, reason: '再次提出同一条记录的异议' });
    expect(twice.status).toBe(409);
    expect(twice.body.errorMessage).toContain('处理中的异议');
    // Marked wherever the record shows, and left out of the score while open.
    const records = await me('/credit-records?category=penalty').expect(200);
    expect(records.body.data.list[0].disputed).toBe(true);
    await scoreChangedEnterprises(server.app);
    const whileOpen = (await me('/credit').expect(200)).body.data;
    expect(whileOpen.score.score).toBeGreaterThan(penalised.score);
    expect(whileOpen.openDisputes).toBe(1);
    // The advisor of the region sees it with its clock and evidence; Ningbo's does not.
    const list = await advisor.get('/api/v1/credit/disputes').query({ status: 'open' });
    const mine = list.body.data.list.find((d: { id: string }) => d.id === raised.body.data.id);
    expect(mine.daysLeft).toBe(20);
    expect(mine.sourceName).toBe('省公共信用信息平台');
    const evidence = await advisor.get(`/api/v1/credit/disputes/${mine.id}/evidence`);
    expect(evidence.status).toBe(200);
    expect(evidence.headers['content-type']).toContain('image/png');
    expect((await advisorNb.get(`/api/v1/credit/disputes/${mine.id}/evidence`)).status).toBe(404);
    expect((await advisorNb.post(`/api/v1/credit/disputes/${mine.id}/resolve`).send({ outcome: 'upheld', note: '越权' })).status).toBe(404);
    // Two resolvers at once: one wins, the other is told it was handled.
    const [one, two] = await Promise.all([
      advisor.post(`/api/v1/credit/disputes/${mine.id}/resolve`).send({ outcome: 'upheld', note: '经核实处罚已撤销' }),
      admin.post(`/api/v1/credit/disputes/${mine.id}/resolve`).send({ outcome: 'rejected', note: '维持' }),
    ]);
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    const final = await CreditDispute.findByPk(mine.id);
    const upheld = final!.status === 'upheld';
    const after = await CreditRecord.findByPk(record!.id);
    expect(after!.disputed).toBe(false);
    expect(after!.isCurrent).toBe(upheld ? null : 1);
    await scoreChangedEnterprises(server.app);
    const restored = (await me('/credit').expect(200)).body.data.score;
    if (upheld) expect(restored.score).toBe(whileOpen.score.score);
    else expect(restored.score).toBe(penalised.score);
    // The firm heard of each step.
    const memberNotices = await OutboxItem.count({ where: { recipientKind: 'wechat', templateKey: 'credit_dispute' } });
    expect(memberNotices).toBe(2);
    const mineList = await me('/credit/disputes').expect(200);
    expect(mineList.body.data[0].status).toBe(final!.status);
    expect(mineList.body.data[0].resolutionNote).toBeTruthy();
  });
});

describe('scorecard versions', () => {
  it('scores a candidate in shadow, compares it, and activates it with an audit row and a full recompute', async () => {
    const officer = await signInAdmin(server, 'bank_officer');
    expect((await officer.get('/api/v1/credit/scorecards')).status).toBe(403);
    const versions = await admin.get('/api/v1/credit/scorecards').expect(200);
    expect(versions.body.data).toHaveLength(1);
    const v1 = await admin.get(`/api/v1/credit/scorecards/${versions.body.data[0].id}`).expect(200);
    const document = structuredClone(v1.body.data.document);
    document.name = '专家评分卡 V2（测试）';
    // A stricter view of penalties: every bin of the first negative characteristic loses 10 more points.
    const negative = document.characteristics.find((c: { dimension: string }) => c.dimension === 'negative');
    for (const bin of negative.bins) bin.points -= 10;
    const bad = await admin.post('/api/v1/credit/scorecards').send({ document: { ...document, bands: document.bands.slice(1) } });
    expect(bad.status).toBe(400);
    const unknownFeature = structuredClone(document);
    unknownFeature.characteristics[0].feature = 'not_a_platform_feature';
    const refused = await admin.post('/api/v1/credit/scorecards').send({ document: unknownFeature });
    expect(refused.status).toBe(400);
    expect(refused.body.errorMessage).toContain('not_a_platform_feature');
    const uploaded = await admin.post('/api/v1/credit/scorecards').send({ document });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.data.status).toBe('candidate');
    expect(uploaded.body.data.version).toBe(2);
    await recomputeAll(server.app, {});
    const comparison = await admin.get(`/api/v1/credit/scorecards/${uploaded.body.data.id}/comparison`).expect(200);
    const scored = await server.app.db.sequelize.query<{ n: unknown }>('SELECT COUNT(DISTINCT enterprise_id) AS n FROM credit_scores WHERE is_latest = 1', { type: 'SELECT' as never });
    expect(comparison.body.data.enterprises).toBe(Number(scored[0]!.n));
    const total = comparison.body.data.migration.matrix.flat().reduce((a: number, b: number) => a + b, 0);
    expect(total).toBe(comparison.body.data.enterprises);
    expect(comparison.body.data.migration.ratings).toHaveLength(10);
    // Shadow scores do not show as the firm's score.
    const id = await idOf(hangzhou[0]!.uscc);
    expect((await profile(admin, id)).score.scorecardVersion).toBe(1);
    const activated = await admin.post(`/api/v1/credit/scorecards/${uploaded.body.data.id}/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body.data.status).toBe('active');
    expect((await admin.post(`/api/v1/credit/scorecards/${uploaded.body.data.id}/activate`)).status).toBe(409);
    expect(await AuditLog.count({ where: { action: 'credit.scorecard.activate', targetId: uploaded.body.data.id } })).toBe(1);
    const stop = startWorker(server.app, { pollMs: 25, concurrency: 2 });
    try {
      await waitFor('the full recompute under version 2', async () => (await profile(admin, id)).score.scorecardVersion === 2);
    } finally {
      await stop();
    }
    const after = await admin.get('/api/v1/credit/scorecards').expect(200);
    expect(after.body.data.map((v: { status: string }) => v.status).sort()).toEqual(['active', 'retired']);
  });
});

describe('warnings within seconds on a running worker', () => {
  it('raises a warning from a pushed blacklist entry without anyone asking', async () => {
    const firm = hangzhou[9]!;
    const stop = startWorker(server.app, { pollMs: 25, concurrency: 2 });
    try {
      await pushOk('blacklist', [
        {
          uscc: firm.uscc,
          externalId: `BL-${firm.uscc}`,
          listType: 'dishonest_debtor',
          listedOn: addDays(TODAY, -3),
          removedOn: null,
          listedBy: '杭州市中级人民法院',
          reason: '有履行能力而拒不履行生效法律文书确定的义务',
        },
      ]);
      const id = await idOf(firm.uscc);
      const warning = await waitFor('the blacklist warning', () => CreditWarning.findOne({ where: { enterpriseId: id, rule: 'blacklist' } }), 60_000);
      expect(warning.severity).toBe('high');
      const score = (await profile(admin, id)).score;
      // An active blacklist entry caps the rating.
      expect(['B', 'CCC', 'CC', 'C']).toContain(score.rating);
    } finally {
      await stop();
    }
  });
});
