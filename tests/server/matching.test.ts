import { addDays, shanghaiDate, shiftDate, type TProductTerms } from '@xyd/shared';
import { AuditLog } from '../../server/src/modules/audit/model';
import { Enterprise, EnterpriseMember } from '../../server/src/modules/enterprises/models';
import { AdminUser, Organisation } from '../../server/src/modules/identity/models';
import { Job } from '../../server/src/modules/jobs/models';
import { FinancingNeed, NeedMatch } from '../../server/src/modules/matching/models';
import { matchNeedNow, rematchProductBatch } from '../../server/src/modules/matching/run';
import { OutboxItem } from '../../server/src/modules/notifications/models';
import { demoEnterprises } from '../../server/src/seed/demo';
import { newId } from '../../server/src/lib/ids';
import { scoreChangedEnterprises } from '../../server/src/modules/credit-engine/recompute';
import { DEMO_PASSWORD, signInAdmin, signedPush, startTestServer, type TestServer } from './helpers';

/**
 * Products, needs, matching and the advisor's review through the API: validation and lifecycle with revisions,
 * institution scope, need submission (bad input, idempotency, assignment with and without a covering advisor),
 * the matcher's results with reasons and near misses, the review and release flow, notifications, and re-matching
 * when a product changes.
 */
let server: TestServer;
let bankAdmin: Awaited<ReturnType<typeof signInAdmin>>;
let bankOfficer: Awaited<ReturnType<typeof signInAdmin>>;
let otherBank: Awaited<ReturnType<typeof signInAdmin>>;
let admin: Awaited<ReturnType<typeof signInAdmin>>;
let advisor: Awaited<ReturnType<typeof signInAdmin>>;
let advisorNb: Awaited<ReturnType<typeof signInAdmin>>;
let govCity: Awaited<ReturnType<typeof signInAdmin>>;
const TODAY = shanghaiDate(new Date());
const firms = demoEnterprises();
const firm = firms[0]!; // 330106, 杭州西湖区
const ningboFirm = firms.find((f) => f.regionCode.startsWith('3302'))!;
let firmId: string;
let token: string;
let ningboId: string;
let ningboToken: string;

/** A product any small Hangzhou firm qualifies for, with overrides. */
function terms(overrides: Partial<TProductTerms> = {}, criteria: Partial<TProductTerms['criteria']> = {}): TProductTerms {
  return {
    name: '测试信用贷',
    type: 'credit',
    summary: '',
    amountMinFen: 100_000_00,
    amountMaxFen: 5_000_000_00,
    termMinMonths: 6,
    termMaxMonths: 36,
    rateMinBp: 350,
    rateMaxBp: 600,
    guaranteeMethods: ['credit'],
    repaymentMethods: ['interest_first'],
    requiredDocuments: ['营业执照'],
    turnaroundDays: 5,
    policySupport: false,
    ...overrides,
    criteria: {
      regionCodes: ['330100'],
      industriesIncluded: [],
      industriesExcluded: [],
      scales: [],
      minYearsEstablished: null,
      minRating: null,
      penaltyLimit: null,
      excludeBlacklisted: true,
      noTaxArrears: false,
      noSocialArrears: false,
      noEnforcement: false,
      ...criteria,
    },
  };
}

async function publish(agent: typeof bankAdmin, t: TProductTerms): Promise<{ id: string; revisionId: string }> {
  const created = await agent.post('/api/v1/products').send({ terms: t });
  expect(created.status).toBe(201);
  const moved = await agent.post(`/api/v1/products/${created.body.data.id}/status`).send({ to: 'published' });
  expect(moved.status).toBe(200);
  return { id: created.body.data.id, revisionId: moved.body.data.revisionId };
}

async function bind(uscc: string, code: string): Promise<{ id: string; token: string }> {
  const enterprise = (await Enterprise.findOne({ where: { uscc } }))!;
  const login = await server.http.post('/api/v1/auth/wechat/login').send({ code }).expect(200);
  await EnterpriseMember.create({ id: newId(), enterpriseId: enterprise.id, wechatUserId: login.body.data.user.id, role: 'ent_owner', displayName: '法人', verificationId: null });
  return { id: enterprise.id, token: login.body.data.token };
}

const NEED = { amountFen: 2_000_000_00, termMonths: 12, purpose: 'working_capital', guaranteeMethods: ['credit'], maxRateBp: 500, urgency: 'month', note: '' };

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [admin, bankAdmin, bankOfficer, advisor, advisorNb, govCity] = await Promise.all(
    ['admin', 'bank_admin', 'bank_officer', 'advisor', 'advisor_nb', 'gov_city'].map((u) => signInAdmin(server, u)),
  );
  const bank2 = await Organisation.findOne({ where: { name: '西湖商业银行' } });
  const made = await admin
    .post('/api/v1/admin-users')
    .send({ username: 'xihu_admin', displayName: '西湖商行 管理员', role: 'fi_admin', organisationId: bank2!.id, password: DEMO_PASSWORD });
  expect(made.status).toBe(201);
  otherBank = await signInAdmin(server, 'xihu_admin');
  // The test firm: small, two years old, in machinery (C3484).
  await Enterprise.update({ establishedOn: shiftDate(TODAY, -24), scale: 'small', industryCode: 'C3484', status: 'active' }, { where: { uscc: firm.uscc } });
  ({ id: firmId, token } = await bind(firm.uscc, 'dev-need-owner'));
  ({ id: ningboId, token: ningboToken } = await bind(ningboFirm.uscc, 'dev-need-owner-nb'));
});
afterAll(async () => {
  await server.close();
});

const me = (path: string, t = token) => ({
  get: () => server.http.get(`/api/v1/me/enterprises/${firmId}${path}`).set('Authorization', `Bearer ${t}`),
  post: (body?: object, key?: string) => {
    let req = server.http.post(`/api/v1/me/enterprises/${firmId}${path}`).set('Authorization', `Bearer ${t}`);
    if (key) req = req.set('Idempotency-Key', key);
    return req.send(body ?? {});
  },
  put: (body: object) => server.http.put(`/api/v1/me/enterprises/${firmId}${path}`).set('Authorization', `Bearer ${t}`).send(body),
});

describe('products (金融产品)', () => {
  it('saves a draft with problems, refuses to publish it with the reasons, and publishes once fixed', async () => {
    const bad = terms({ name: '区间颠倒的产品', amountMinFen: 5_000_000_00, amountMaxFen: 100_000_00 }, { regionCodes: ['999999'], industriesIncluded: ['Z99'] });
    const created = await bankAdmin.post('/api/v1/products').send({ terms: bad });
    expect(created.status).toBe(201);
    expect(created.body.data.status).toBe('draft');
    const messages = created.body.data.problems.map((p: { message: string }) => p.message);
    expect(messages).toEqual(expect.arrayContaining(['最高额度不能低于最低额度', '行政区划 999999 不存在', '行业代码 Z99 不在 GB/T 4754-2017 中']));
    const id = created.body.data.id;
    const refused = await bankAdmin.post(`/api/v1/products/${id}/status`).send({ to: 'published' });
    expect(refused.status).toBe(400);
    expect(refused.body.errorMessage).toContain('最高额度不能低于最低额度');
    // A draft never published is edited in place: still revision 1.
    const fixed = await bankAdmin.put(`/api/v1/products/${id}`).send({ terms: terms({ name: '区间已改正' }), baseRevision: 1 });
    expect(fixed.status).toBe(200);
    expect(fixed.body.data).toMatchObject({ revision: 1, problems: [] });
    const published = await bankAdmin.post(`/api/v1/products/${id}/status`).send({ to: 'published' });
    expect(published.status).toBe(200);
    expect(published.body.data.status).toBe('published');
    expect(await AuditLog.count({ where: { action: 'product.publish', targetId: id } })).toBe(1);
    expect(await Job.count({ where: { type: 'matching.rematch-product' } })).toBeGreaterThan(0);

    // Editing a published product makes revision 2 and keeps revision 1 as it was.
    const edited = await bankAdmin.put(`/api/v1/products/${id}`).send({ terms: terms({ name: '区间已改正（第二版）', rateMinBp: 330 }), baseRevision: 1 });
    expect(edited.status).toBe(200);
    expect(edited.body.data).toMatchObject({ revision: 2, status: 'published', rateMinBp: 330 });
    expect(edited.body.data.revisionId).not.toBe(published.body.data.revisionId);
    const stale = await bankAdmin.put(`/api/v1/products/${id}`).send({ terms: terms({ name: '过期的编辑' }), baseRevision: 1 });
    expect(stale.status).toBe(409);
    // A published product must stay valid through an edit.
    const broken = await bankAdmin.put(`/api/v1/products/${id}`).send({ terms: terms({ termMinMonths: 40, termMaxMonths: 12 }), baseRevision: 2 });
    expect(broken.status).toBe(400);
    expect(broken.body.errorMessage).toContain('最长期限不能短于最短期限');
    const detail = await bankAdmin.get(`/api/v1/products/${id}`);
    expect(detail.body.data.revisions.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);

    // Lifecycle: published → offline → published; a draft cannot go offline.
    expect((await bankAdmin.post(`/api/v1/products/${id}/status`).send({ to: 'offline' })).status).toBe(200);
    expect((await bankAdmin.post(`/api/v1/products/${id}/status`).send({ to: 'published' })).status).toBe(200);
    const draft = await bankAdmin.post('/api/v1/products').send({ terms: terms({ name: '另一个草稿' }) });
    const wrong = await bankAdmin.post(`/api/v1/products/${draft.body.data.id}/status`).send({ to: 'offline' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.errorMessage).toContain('草稿');
  });

  it('answers bad input with 400 naming the field, never 500', async () => {
    const cases: Array<[object, string]> = [
      [{ terms: { ...terms(), amountMinFen: 'lots' } }, 'terms.amountMinFen'],
      [{ terms: { ...terms(), rateMaxBp: 99_999 } }, 'terms.rateMaxBp'],
      [{ terms: { ...terms(), guaranteeMethods: [] } }, 'terms.guaranteeMethods'],
      [{ terms: { ...terms(), type: 'loan-shark' } }, 'terms.type'],
      [{ terms: { ...terms(), name: 'x' } }, 'terms.name'],
      [{ terms: terms({}, { penaltyLimit: { maxSeverity: 'general', months: 0 } }) }, 'terms.criteria.penaltyLimit.months'],
    ];
    for (const [body, field] of cases) {
      const res = await bankAdmin.post('/api/v1/products').send(body);
      expect(res.status).toBe(400);
      expect(res.body.errorFields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining([field]));
    }
  });

  it('keeps each institution to its own products; officers read, only fi_admin writes; others see published ones', async () => {
    const draft = (await bankAdmin.post('/api/v1/products').send({ terms: terms({ name: '钱塘内部草稿' }) })).body.data;
    expect((await bankOfficer.get(`/api/v1/products/${draft.id}`)).status).toBe(200);
    expect((await bankOfficer.put(`/api/v1/products/${draft.id}`).send({ terms: terms(), baseRevision: 1 })).status).toBe(403);
    expect((await otherBank.get(`/api/v1/products/${draft.id}`)).status).toBe(404);
    expect((await otherBank.put(`/api/v1/products/${draft.id}`).send({ terms: terms(), baseRevision: 1 })).status).toBe(404);
    expect((await otherBank.post(`/api/v1/products/${draft.id}/status`).send({ to: 'published' })).status).toBe(404);
    const otherList = await otherBank.get('/api/v1/products?pageSize=100');
    expect(otherList.body.data.list.every((p: { institutionName: string }) => p.institutionName === '西湖商业银行')).toBe(true);
    // Advisors and government users see published products only; the public list likewise.
    expect((await advisor.get(`/api/v1/products/${draft.id}`)).status).toBe(404);
    const pub = await server.http.get('/api/v1/public/products?pageSize=100');
    expect(pub.status).toBe(200);
    expect(pub.body.data.list.some((p: { id: string }) => p.id === draft.id)).toBe(false);
    expect((await server.http.get(`/api/v1/public/products/${draft.id}`)).status).toBe(404);
  });

  it('filters public browsing by amount, term, guarantee and institution', async () => {
    const mortgage = await publish(otherBank, terms({ name: '西湖抵押贷', type: 'mortgage', guaranteeMethods: ['mortgage'], amountMinFen: 1_000_000_00, amountMaxFen: 30_000_000_00, termMinMonths: 12, termMaxMonths: 120 }));
    const ids = async (query: string) => (await server.http.get(`/api/v1/public/products?pageSize=100&${query}`)).body.data.list.map((p: { id: string }) => p.id);
    expect(await ids('guarantee=mortgage')).toContain(mortgage.id);
    expect(await ids('guarantee=credit')).not.toContain(mortgage.id);
    expect(await ids(`amountFen=${50_000_00}`)).not.toContain(mortgage.id);
    expect(await ids(`amountFen=${20_000_000_00}&termMonths=60`)).toContain(mortgage.id);
    expect(await ids('termMonths=6')).not.toContain(mortgage.id);
    const bank2 = await Organisation.findOne({ where: { name: '西湖商业银行' } });
    const ofBank2 = (await server.http.get(`/api/v1/public/products?pageSize=100&institutionId=${bank2!.id}`)).body.data.list;
    expect(ofBank2.map((p: { id: string }) => p.id)).toContain(mortgage.id);
    expect(ofBank2.every((p: { institutionName: string }) => p.institutionName === '西湖商业银行')).toBe(true);
    const bad = await server.http.get('/api/v1/public/products?amountFen=-5');
    expect(bad.status).toBe(400);
    const institutions = await server.http.get('/api/v1/public/institutions');
    expect(institutions.body.data.map((i: { name: string }) => i.name)).toContain('西湖商业银行');
  });
});

describe('needs (融资需求), matching and review', () => {
  let fit: { id: string; revisionId: string };
  let young: { id: string; revisionId: string };
  let elsewhere: { id: string; revisionId: string };
  let small: { id: string; revisionId: string };
  let needId: string;

  beforeAll(async () => {
    fit = await publish(bankAdmin, terms({ name: '科创快贷' }, { industriesIncluded: ['C'], scales: ['micro', 'small'] }));
    young = await publish(bankAdmin, terms({ name: '成长贷（需满 3 年）' }, { minYearsEstablished: 3 }));
    elsewhere = await publish(bankAdmin, terms({ name: '甬商贷' }, { regionCodes: ['330200'] }));
    small = await publish(bankAdmin, terms({ name: '小额周转贷', amountMaxFen: 500_000_00 }));
  });

  it('refuses bad needs with the field and the reason', async () => {
    const cases: Array<[object, string]> = [
      [{ ...NEED, amountFen: 0 }, 'amountFen'],
      [{ ...NEED, amountFen: '200万' }, 'amountFen'],
      [{ ...NEED, guaranteeMethods: [] }, 'guaranteeMethods'],
      [{ ...NEED, purpose: 'gambling' }, 'purpose'],
      [{ ...NEED, maxRateBp: 5000 }, 'maxRateBp'],
      [{ ...NEED, termMonths: 1.5 }, 'termMonths'],
      [{ ...NEED, urgency: undefined }, 'urgency'],
    ];
    for (const [body, field] of cases) {
      const res = await me('/needs').post(body);
      expect(res.status).toBe(400);
      expect(res.body.errorFields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect(await FinancingNeed.count({ where: { enterpriseId: firmId } })).toBe(0);
    // Another firm's id: 404, as if it did not exist.
    const other = await server.http.post(`/api/v1/me/enterprises/${ningboId}/needs`).set('Authorization', `Bearer ${token}`).send(NEED);
    expect(other.status).toBe(404);
  });

  it('prefills the one-tap form from the firm', async () => {
    const res = await me('/need-prefill').get();
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ enterpriseName: firm.name, scale: 'small', yearsEstablished: 2, openNeedId: null });
    expect(res.body.data.suggestion).toMatchObject({ termMonths: 12, purpose: 'working_capital', guaranteeMethods: ['credit'] });
  });

  it('submits once per idempotency key, assigns the region advisor and tells the advisor and the firm', async () => {
    const [a, b] = await Promise.all([me('/needs').post(NEED, 'need-key-1'), me('/needs').post(NEED, 'need-key-1')]);
    expect([a.status, b.status].sort()).toEqual([201, 201]);
    expect(a.body.data.id).toBe(b.body.data.id);
    needId = a.body.data.id;
    expect(await FinancingNeed.count({ where: { enterpriseId: firmId } })).toBe(1);
    const advisorUser = await AdminUser.findOne({ where: { username: 'advisor' } });
    expect(a.body.data).toMatchObject({ status: 'reviewing', advisorName: advisorUser!.displayName, matchedAt: null, recommendations: [] });
    expect(await OutboxItem.count({ where: { recipientKind: 'admin', recipientId: advisorUser!.id, templateKey: 'need_review' } })).toBe(1);
    expect(await OutboxItem.count({ where: { recipientKind: 'wechat', templateKey: 'need_recommendation' } })).toBeGreaterThan(0);
    expect(await Job.count({ where: { type: 'matching.match-need' } })).toBeGreaterThan(0);
    // The same key with a different body is a conflict.
    expect((await me('/needs').post({ ...NEED, amountFen: 3_000_000_00 }, 'need-key-1')).status).toBe(409);
  });

  it('matches with reasons, lists near misses with what would change them, and leaves out what cannot fit', async () => {
    const result = await matchNeedNow(server.app, needId);
    expect(result!.fits).toBeGreaterThanOrEqual(1);
    const detail = await advisor.get(`/api/v1/needs/${needId}`);
    expect(detail.status).toBe(200);
    const data = detail.body.data;
    const match = data.matches.find((m: { productId: string }) => m.productId === fit.id);
    expect(match.outcome.fits).toBe(true);
    expect(match.review).toBe('pending');
    expect(match.outcome.checks.map((c: { text: string }) => c.text).join('\n')).toMatch(/✓/);
    const nearYoung = data.nearMisses.find((m: { productId: string }) => m.productId === young.id);
    expect(nearYoung.outcome.failed).toEqual(['years']);
    expect(nearYoung.outcome.advice[0].text).toContain('成立满 3 年后');
    expect(nearYoung.outcome.advice[0].availableFrom).toBe(shiftDate(TODAY, 12).slice(0, 7));
    const nearSmall = data.nearMisses.find((m: { productId: string }) => m.productId === small.id);
    expect(nearSmall.outcome.failed).toEqual(['amount']);
    // A Ningbo-only product is neither a match nor a near miss: the firm cannot move.
    expect([...data.matches, ...data.nearMisses].some((m: { productId: string }) => m.productId === elsewhere.id)).toBe(false);
    expect(data.profile).toMatchObject({ scale: 'small', yearsEstablished: 2 });
    expect(data.clock).toMatchObject({ confirmed: expect.any(Boolean) });
  });

  it('scopes needs: another region is 404, government reads without reviewing', async () => {
    expect((await advisorNb.get(`/api/v1/needs/${needId}`)).status).toBe(404);
    expect((await advisorNb.get('/api/v1/needs?pageSize=100')).body.data.list.some((n: { id: string }) => n.id === needId)).toBe(false);
    expect((await govCity.get(`/api/v1/needs/${needId}`)).status).toBe(200);
    expect((await govCity.post(`/api/v1/needs/${needId}/matches/${fit.id}/review`).send({ action: 'confirm' })).status).toBe(403);
    expect((await bankAdmin.get(`/api/v1/needs/${needId}`)).status).toBe(403);
    const mine = await advisor.get('/api/v1/needs?queue=mine&pageSize=100');
    expect(mine.body.data.list.map((n: { id: string }) => n.id)).toContain(needId);
  });

  it('lets the advisor remove with a reason, add, reorder, log a contact and release; the firm then sees the recommendation', async () => {
    const removeBare = await advisor.post(`/api/v1/needs/${needId}/matches/${fit.id}/review`).send({ action: 'remove' });
    expect(removeBare.status).toBe(400);
    expect(removeBare.body.errorFields[0].field).toBe('reason');
    const extra = await publish(bankAdmin, terms({ name: '顾问加推产品' }));
    await matchNeedNow(server.app, needId);
    const demoFits = (await advisor.get(`/api/v1/needs/${needId}`)).body.data.matches.map((m: { productId: string }) => m.productId);
    for (const productId of demoFits.filter((p: string) => p !== fit.id && p !== extra.id)) {
      expect((await advisor.post(`/api/v1/needs/${needId}/matches/${productId}/review`).send({ action: 'remove', reason: '额度不适合' })).status).toBe(200);
    }
    expect((await advisor.post(`/api/v1/needs/${needId}/matches/${fit.id}/review`).send({ action: 'confirm' })).status).toBe(200);
    const added = await advisor.post(`/api/v1/needs/${needId}/matches`).send({ productId: young.id, reason: '企业即将满 3 年，可提前沟通' });
    expect(added.status).toBe(200);
    expect(added.body.data.matches.find((m: { productId: string }) => m.productId === young.id)).toMatchObject({ addedByAdvisor: true, review: 'confirmed' });
    const ordered = await advisor.put(`/api/v1/needs/${needId}/matches/order`).send({ productIds: [young.id, fit.id] });
    expect(ordered.status).toBe(200);
    expect(ordered.body.data.matches.slice(0, 2).map((m: { productId: string }) => m.productId)).toEqual([young.id, fit.id]);
    expect((await advisor.put(`/api/v1/needs/${needId}/matches/order`).send({ productIds: [elsewhere.id] })).status).toBe(400);

    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await advisor.post(`/api/v1/needs/${needId}/notes`).send({ channel: 'call', contactedAt: future, outcome: '未接通' })).status).toBe(400);
    const note = await advisor.post(`/api/v1/needs/${needId}/notes`).send({ channel: 'call', contactedAt: new Date().toISOString(), outcome: '已电话沟通，企业希望尽快用款', note: '下周走访' });
    expect(note.status).toBe(201);

    const before = (await advisor.get(`/api/v1/needs/${needId}`)).body.data;
    expect(before.notes[0]).toMatchObject({ channel: 'call', outcome: '已电话沟通，企业希望尽快用款' });
    const stale = await advisor.post(`/api/v1/needs/${needId}/release`).send({ version: before.version - 1 });
    expect(stale.status).toBe(409);
    // Before release the firm sees nothing of the matches.
    expect((await me(`/needs/${needId}`).get()).body.data.recommendations).toEqual([]);
    const released = await advisor.post(`/api/v1/needs/${needId}/release`).send({ version: before.version, message: '建议优先申请成长贷' });
    expect(released.status).toBe(200);
    expect(released.body.data.status).toBe('released');
    expect(await AuditLog.count({ where: { action: 'need.release', targetId: needId } })).toBe(1);
    const pushes = await OutboxItem.findAll({ where: { recipientKind: 'wechat', templateKey: 'need_recommendation' } });
    expect(pushes.some((p) => p.title.includes('推荐了') && p.wechatData !== null)).toBe(true);

    const mine = (await me(`/needs/${needId}`).get()).body.data;
    expect(mine.status).toBe('released');
    expect(mine.releaseMessage).toBe('建议优先申请成长贷');
    expect(mine.recommendations.map((m: { productId: string }) => m.productId)).toEqual([young.id, fit.id, extra.id]);
    expect(mine.recommendations[0].outcome.checks.some((c: { text: string }) => c.text.endsWith('✗'))).toBe(true);
    expect(mine.nearMisses.find((m: { productId: string }) => m.productId === small.id).outcome.advice[0].text).toMatch(/万元/);
    // Removed products are not shown to the firm.
    for (const productId of demoFits.filter((p: string) => p !== fit.id && p !== extra.id)) {
      expect(mine.recommendations.some((m: { productId: string }) => m.productId === productId)).toBe(false);
    }
  });

  it('lets one of two concurrent releases of the same version through, and one of two edits of the same revision', async () => {
    const { version } = (await advisor.get(`/api/v1/needs/${needId}`)).body.data;
    const codes = (await Promise.all([0, 1].map(() => advisor.post(`/api/v1/needs/${needId}/release`).send({ version })))).map((r) => r.status);
    expect(codes.sort()).toEqual([200, 409]);
    const current = (await bankAdmin.get(`/api/v1/products/${fit.id}`)).body.data;
    const edits = await Promise.all(
      ['甲', '乙'].map((tag) => bankAdmin.put(`/api/v1/products/${fit.id}`).send({ terms: terms({ name: `科创快贷${tag}` }, { industriesIncluded: ['C'], scales: ['micro', 'small'] }), baseRevision: current.revision })),
    );
    expect(edits.map((r) => r.status).sort()).toEqual([200, 409]);
    const after = (await bankAdmin.get(`/api/v1/products/${fit.id}`)).body.data;
    expect(after.revision).toBe(current.revision + 1);
    expect(after.revisions).toHaveLength(current.revisions.length + 1);
  });

  it('re-matches open needs when a product is edited and tells the firm of a new fit', async () => {
    const before = await OutboxItem.count({ where: { recipientKind: 'wechat', title: '有新的匹配产品' } });
    // The small-amount product is loosened so that the 200 万元 need now fits it.
    const current = (await bankAdmin.get(`/api/v1/products/${small.id}`)).body.data;
    const edited = await bankAdmin.put(`/api/v1/products/${small.id}`).send({ terms: terms({ name: '小额周转贷（提额）', amountMaxFen: 3_000_000_00 }), baseRevision: current.revision });
    expect(edited.status).toBe(200);
    let cursor: string | null = null;
    let newFits = 0;
    for (;;) {
      const batch = await rematchProductBatch(server.app, small.id, cursor);
      if (batch.lastId === null) break;
      cursor = batch.lastId;
      newFits += batch.newFits;
    }
    expect(newFits).toBe(1);
    const row = await NeedMatch.findOne({ where: { needId, productId: small.id } });
    expect(row).toMatchObject({ fits: true, isNew: true, revisionId: edited.body.data.revisionId });
    expect(await OutboxItem.count({ where: { recipientKind: 'wechat', title: '有新的匹配产品' } })).toBe(before + 1);
    const mine = (await me(`/needs/${needId}`).get()).body.data;
    expect(mine.recommendations.find((m: { productId: string }) => m.productId === small.id)).toMatchObject({ isNew: true });
  });

  it('keeps a reviewed product with its new outcome after an edit, and drops a pending one that no longer shows', async () => {
    const rematch = async (productId: string) => {
      let cursor: string | null = null;
      for (;;) {
        const batch = await rematchProductBatch(server.app, productId, cursor);
        if (batch.lastId === null) return;
        cursor = batch.lastId;
      }
    };
    for (const [product, name] of [
      [fit, '科创快贷（限宁波）'],
      [small, '小额周转贷（限宁波）'],
    ] as const) {
      const current = (await bankAdmin.get(`/api/v1/products/${product.id}`)).body.data;
      const moved = await bankAdmin.put(`/api/v1/products/${product.id}`).send({ terms: terms({ name }, { regionCodes: ['330200'] }), baseRevision: current.revision });
      expect(moved.status).toBe(200);
      await rematch(product.id);
    }
    const confirmed = await NeedMatch.findOne({ where: { needId, productId: fit.id } });
    expect(confirmed).toMatchObject({ review: 'confirmed', fits: false });
    expect(JSON.parse(confirmed!.outcome).failed).toEqual(['region']);
    expect(await NeedMatch.findOne({ where: { needId, productId: small.id } })).toBeNull();
    const need = await FinancingNeed.findByPk(needId);
    expect(need!.fitCount).toBe(await NeedMatch.count({ where: { needId, fits: true } }));
  });

  it('puts a need no advisor covers in the platform queue; the admin assigns a covering advisor only', async () => {
    const nbAdvisor = (await AdminUser.findOne({ where: { username: 'advisor_nb' } }))!;
    await AdminUser.update({ disabled: true }, { where: { id: nbAdvisor.id } });
    try {
      const res = await server.http.post(`/api/v1/me/enterprises/${ningboId}/needs`).set('Authorization', `Bearer ${ningboToken}`).send(NEED);
      expect(res.status).toBe(201);
      expect(res.body.data.advisorName).toBeNull();
      const queued = await admin.get('/api/v1/needs?queue=unassigned&pageSize=100');
      expect(queued.body.data.list.map((n: { id: string }) => n.id)).toContain(res.body.data.id);
      const admins = await AdminUser.findAll({ where: { role: 'platform_admin' } });
      const told = await OutboxItem.findAll({ where: { recipientKind: 'admin', recipientId: admins.map((a) => a.id), templateKey: 'need_review' } });
      expect(told.some((n) => n.title.startsWith('无顾问覆盖的融资需求'))).toBe(true);
      const hz = (await AdminUser.findOne({ where: { username: 'advisor' } }))!;
      const wrong = await admin.post(`/api/v1/needs/${res.body.data.id}/assign`).send({ advisorId: hz.id });
      expect(wrong.status).toBe(400);
      await AdminUser.update({ disabled: false }, { where: { id: nbAdvisor.id } });
      const right = await admin.post(`/api/v1/needs/${res.body.data.id}/assign`).send({ advisorId: nbAdvisor.id });
      expect(right.status).toBe(200);
      expect(right.body.data.advisorName).toBe(nbAdvisor.displayName);
      expect((await advisor.post(`/api/v1/needs/${res.body.data.id}/assign`).send({ advisorId: nbAdvisor.id })).status).toBe(403);
    } finally {
      await AdminUser.update({ disabled: false }, { where: { id: nbAdvisor.id } });
    }
  });
});

describe('re-matching when the rating moves', () => {
  it('queues a match of the open needs of a firm whose rating changed', async () => {
    const org = await Organisation.findOne({ where: { name: '浙江省发展和改革委员会' } });
    const res = await admin.post('/api/v1/data-sources').send({ organisationId: org!.id, name: '省信用平台（匹配测试）', categories: ['blacklist'], regionCodes: ['330000'] });
    expect(res.status).toBe(201);
    const source = { keyId: res.body.data.source.keyId, secret: res.body.data.secret };
    await scoreChangedEnterprises(server.app);
    const need = await FinancingNeed.findOne({ where: { enterpriseId: firmId }, order: [['submittedAt', 'DESC']] });
    const before = await Job.count({ where: { type: 'matching.match-need' } });
    const pushed = await signedPush(server, source, 'blacklist', [
      { uscc: firm.uscc, externalId: `BL-M-${firm.uscc}`, listType: 'dishonest_debtor', listedOn: addDays(TODAY, -2), removedOn: null, listedBy: '杭州市中级人民法院', reason: '拒不履行生效法律文书' },
    ]);
    expect(pushed.status).toBe(200);
    await scoreChangedEnterprises(server.app);
    const jobs = await Job.findAll({ where: { type: 'matching.match-need' }, order: [['createdAt', 'ASC']] });
    expect(jobs.length).toBeGreaterThan(before);
    expect(jobs.slice(before).some((j) => JSON.parse(j.payload ?? '{}').needId === need!.id)).toBe(true);
    // Matched again, the blacklisted firm no longer fits a product that excludes blacklisted firms.
    await matchNeedNow(server.app, need!.id);
    const outcomes = (await NeedMatch.findAll({ where: { needId: need!.id } })).map((m) => ({ fits: m.fits, failed: JSON.parse(m.outcome).failed as string[] }));
    // The products the advisor confirmed stay listed, now failing on the blacklist; none of them still fits.
    expect(outcomes.filter((o) => o.failed.includes('blacklist')).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.fits)).toEqual([]);
  });
});
