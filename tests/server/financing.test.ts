import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { DATA_SCOPES, RECORD_SCOPES, addDays, shanghaiDate, shiftDate } from '@xyd/shared';
import { loadConfig } from '../../server/src/config';
import { migrations } from '../../server/src/db/migrations';
import { createContext } from '../../server/src/main';
import { AuditLog } from '../../server/src/modules/audit/model';
import { raiseWarnings } from '../../server/src/modules/credit-engine/warnings';
import { Enterprise, EnterpriseMember } from '../../server/src/modules/enterprises/models';
import { enterprisesForScoring } from '../../server/src/modules/enterprises/repository';
import { runSlaClocks } from '../../server/src/modules/financing/clocks';
import { refreshLoanFigures } from '../../server/src/modules/financing/loans';
import { AdminUser, Organisation } from '../../server/src/modules/identity/models';
import { OutboxItem } from '../../server/src/modules/notifications/models';
import { demoEnterprises } from '../../server/src/seed/demo';
import { currentIdWorker, newId } from '../../server/src/lib/ids';
import { bindOwner, productTerms, publishTerms } from './financing-flow';
import { DEMO_PASSWORD, clock, signInAdmin, signedPush, startTestServer, type TestServer } from './helpers';

/**
 * Applications to loans through the API: applying with a grant (bad input, idempotency, one open application per
 * product), the state machine per role with concurrent moves, the grant guard on every endpoint that returns
 * enterprise data to an institution, the access log the firm sees, the credit report and its PDF, agencies, loans
 * with repayments and the five categories, warning fan-out, referral, return visits and figures, and the service
 * levels on working days across a holiday.
 */
type Agent = Awaited<ReturnType<typeof signInAdmin>>;
let server: TestServer;
let admin: Agent;
let bankAdmin: Agent;
let bankOfficer: Agent;
let otherBank: Agent;
let advisor: Agent;
let agency: Agent;
const TODAY = shanghaiDate(new Date());
const firms = demoEnterprises();
const firm = firms[0]!; // 330106, 杭州西湖区
const ningboFirm = firms.find((f) => f.regionCode.startsWith('3302'))!;
let firmId: string;
let token: string;
let ningboId: string;
let bankId: string;
let agencyOrgId: string;

const terms = productTerms;
const publish = publishTerms;
const bind = (uscc: string, code: string) => bindOwner(server, uscc, code);

const grant = (scopes: string[] = ['registration', 'credit_score'], expiresOn = addDays(TODAY, 30)) => ({ scopes, expiresOn, consent: true });
const application = (productId: string, extra: object = {}) => ({ productId, amountFen: 1_200_000_00, termMonths: 12, purpose: '采购原材料', grant: grant(), ...extra });

const me = (p: string, t = () => token) => ({
  get: () => server.http.get(`/api/v1/me/enterprises/${firmId}${p}`).set('Authorization', `Bearer ${t()}`),
  post: (body: object = {}, key?: string) => {
    let req = server.http.post(`/api/v1/me/enterprises/${firmId}${p}`).set('Authorization', `Bearer ${t()}`);
    if (key) req = req.set('Idempotency-Key', key);
    return req.send(body);
  },
});

async function submit(productId: string, extra: object = {}): Promise<{ id: string; version: number }> {
  const res = await me('/applications').post(application(productId, extra), `key-${newId()}`);
  expect(res.status).toBe(201);
  return { id: res.body.data.id, version: res.body.data.version };
}

async function move(agent: Agent, id: string, body: object): Promise<{ status: number; body: { data: { version: number; status: string }; errorMessage?: string; errorFields?: Array<{ field: string }> } }> {
  return agent.post(`/api/v1/applications/${id}/moves`).send(body);
}

async function versionOf(id: string): Promise<number> {
  return (await bankAdmin.get(`/api/v1/applications/${id}`)).body.data.version;
}

const OFFER = { amountFen: 1_200_000_00, rateBp: 420, termMonths: 12, repaymentMethod: 'equal_principal', guaranteeMethod: 'credit' };
const loanOf = (disbursedOn = shanghaiDate(clock.now())) => ({ ...OFFER, disbursedOn, creditLoan: true, contractNo: 'QT-2026-001' });

/** Moves an application from submitted to disbursed, the firm accepting the offer on the way. */
async function disburse(id: string): Promise<void> {
  for (const action of ['accept', 'investigate']) expect((await move(bankOfficer, id, { action, version: await versionOf(id) })).status).toBe(200);
  expect((await move(bankOfficer, id, { action: 'approve', version: await versionOf(id), offer: OFFER })).status).toBe(200);
  expect((await me(`/applications/${id}/moves`).post({ action: 'accept_offer', version: await versionOf(id) })).status).toBe(200);
  expect((await move(bankOfficer, id, { action: 'disburse', version: await versionOf(id), loan: loanOf() })).status).toBe(200);
}

async function count(sql: string, replacements: Record<string, unknown> = {}): Promise<number> {
  const [row] = await server.app.db.sequelize.query<{ n: unknown }>(sql, { replacements, type: QueryTypes.SELECT });
  return Number(row?.n ?? 0);
}

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [admin, bankAdmin, bankOfficer, advisor, agency] = await Promise.all(['admin', 'bank_admin', 'bank_officer', 'advisor', 'agency'].map((u) => signInAdmin(server, u)));
  const bank2 = await Organisation.findOne({ where: { name: '西湖商业银行' } });
  expect(
    (await admin.post('/api/v1/admin-users').send({ username: 'xihu_fin', displayName: '西湖商行 客户经理', role: 'fi_officer', organisationId: bank2!.id, password: DEMO_PASSWORD })).status,
  ).toBe(201);
  otherBank = await signInAdmin(server, 'xihu_fin');
  bankId = String((await Organisation.findOne({ where: { name: '钱塘农村商业银行' } }))!.id);
  agencyOrgId = String((await Organisation.findOne({ where: { type: 'credit_agency' } }))!.id);
  await Enterprise.update({ establishedOn: shiftDate(TODAY, -36), scale: 'small', status: 'active' }, { where: { uscc: firm.uscc } });
  ({ id: firmId, token } = await bind(firm.uscc, 'dev-fin-owner'));
  ({ id: ningboId } = await bind(ningboFirm.uscc, 'dev-fin-owner-nb'));
});
afterAll(async () => {
  clock.reset();
  await server.close();
});

describe('applying with a grant', () => {
  let productId: string;
  beforeAll(async () => {
    productId = await publish(bankAdmin, terms('申请测试贷'));
  });

  it('refuses bad applications with the field and the reason, and writes nothing', async () => {
    const cases: Array<[object, string]> = [
      [application(productId, { amountFen: 9_000_000_00 }), 'amountFen'],
      [application(productId, { termMonths: 48 }), 'termMonths'],
      [application(productId, { amountFen: '一百万' }), 'amountFen'],
      [application(productId, { grant: { ...grant(), consent: false } }), 'grant.consent'],
      [application(productId, { grant: { scopes: ['registration'], expiresOn: addDays(TODAY, 30) } }), 'grant.consent'],
      [application(productId, { grant: grant([]) }), 'grant.scopes'],
      [application(productId, { grant: grant(['tax_secrets']) }), 'grant.scopes.0'],
      [application(productId, { grant: grant(['registration'], addDays(TODAY, -1)) }), 'grant.expiresOn'],
      [application(productId, { grant: grant(['registration'], addDays(TODAY, 400)) }), 'grant.expiresOn'],
      [application(productId, { grant: grant(['registration'], '2027-02-30') }), 'grant.expiresOn'],
      [application(productId, { needId: '123' }), 'needId'],
    ];
    for (const [body, field] of cases) {
      const res = await me('/applications').post(body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.errorFields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect(await count('SELECT COUNT(*) AS n FROM loan_applications')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM data_grants')).toBe(0);
    const draft = await bankAdmin.post('/api/v1/products').send({ terms: terms('未上架的产品') });
    expect((await me('/applications').post(application(draft.body.data.id))).status).toBe(404);
    // Another firm's path: 404 as if it did not exist.
    const other = await server.http.post(`/api/v1/me/enterprises/${ningboId}/applications`).set('Authorization', `Bearer ${token}`).send(application(productId));
    expect(other.status).toBe(404);
  });

  it('applies once per key, keeps one open application per product, grants the named scopes and tells the bank', async () => {
    const body = application(productId);
    const [a, b] = await Promise.all([me('/applications').post(body, 'apply-1'), me('/applications').post(body, 'apply-1')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.data.id).toBe(b.body.data.id);
    const id = a.body.data.id;
    expect(a.body.data).toMatchObject({ status: 'submitted', version: 1, institutionName: '钱塘农村商业银行', grantActive: true, moves: ['withdraw'] });
    expect(a.body.data.grants).toEqual([expect.objectContaining({ organisationName: '钱塘农村商业银行', scopes: ['registration', 'credit_score'], status: 'active', expiresOn: addDays(TODAY, 30) })]);
    expect(a.body.data.events.map((e: { kind: string }) => e.kind)).toEqual(['submit']);
    expect(a.body.data.sla).toMatchObject({ stage: 'accept', workingDays: 3, state: 'on_time' });
    // A second application to the same product while the first is open: 409, even in parallel with other keys.
    const again = await Promise.all([1, 2, 3].map((k) => me('/applications').post(body, `apply-dup-${k}`)));
    expect(again.map((r) => r.status)).toEqual([409, 409, 409]);
    expect(again[0].body.errorMessage).toContain('进行中的申请');
    expect(await count('SELECT COUNT(*) AS n FROM loan_applications')).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM data_grants WHERE application_id = :id', { id })).toBe(2);
    expect(await AuditLog.count({ where: { action: 'grant.create', targetId: id } })).toBe(1);
    const bankUsers = (await AdminUser.findAll({ where: { organisationId: bankId } })).map((u) => u.id);
    const told = await OutboxItem.findAll({ where: { recipientKind: 'admin', link: `/finance/applications/${id}` } });
    expect(told.map((o) => o.recipientId).sort()).toEqual(bankUsers.sort());
    // The bank's queue has it; another bank's does not, nor can it open it.
    expect((await bankOfficer.get('/api/v1/applications')).body.data.list.map((x: { id: string }) => x.id)).toContain(id);
    expect((await otherBank.get('/api/v1/applications')).body.data.total).toBe(0);
    expect((await otherBank.get(`/api/v1/applications/${id}`)).status).toBe(404);
    // The firm withdraws; a new application may follow.
    expect((await me(`/applications/${id}/moves`).post({ action: 'withdraw', version: 1, note: '资金已落实' })).status).toBe(200);
    await submit(productId);
  });
});

describe('the state machine through the API', () => {
  let productId: string;
  beforeAll(async () => {
    productId = await publish(bankAdmin, terms('状态机测试贷'));
  });

  it('lets only the permitted role make each move and refuses moves the status does not allow', async () => {
    const { id } = await submit(productId);
    // The firm cannot accept; the bank cannot withdraw; nobody approves a submitted application.
    expect((await me(`/applications/${id}/moves`).post({ action: 'accept', version: 1 })).status).toBe(403);
    expect((await move(bankOfficer, id, { action: 'withdraw', version: 1 })).status).toBe(403);
    const early = await move(bankOfficer, id, { action: 'approve', version: 1, offer: OFFER });
    expect(early.status).toBe(409);
    expect(early.body.errorMessage).toContain('已提交');
    // Government and advisors read but do not move.
    expect((await advisor.post(`/api/v1/applications/${id}/moves`).send({ action: 'accept', version: 1 })).status).toBe(403);
    expect((await move(bankOfficer, id, { action: 'accept', version: 1 })).status).toBe(200);
    expect((await move(bankOfficer, id, { action: 'investigate', version: 1 })).status).toBe(409); // stale version
    expect((await move(bankOfficer, id, { action: 'investigate', version: 2 })).status).toBe(200);
    const noOffer = await move(bankOfficer, id, { action: 'approve', version: 3 });
    expect(noOffer.status).toBe(400);
    expect(noOffer.body.errorFields!.map((f) => f.field)).toContain('offer');
    expect((await move(bankOfficer, id, { action: 'approve', version: 3, offer: OFFER })).status).toBe(200);
    // Money before the firm accepts the offer: refused.
    const tooSoon = await move(bankOfficer, id, { action: 'disburse', version: 4, loan: loanOf() });
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.errorMessage).toContain('尚未接受批复');
    const firmView = await me(`/applications/${id}`).get();
    expect(firmView.body.data).toMatchObject({ status: 'approved', offer: OFFER, moves: ['accept_offer', 'decline_offer'] });
    expect((await me(`/applications/${id}/moves`).post({ action: 'accept_offer', version: 4 })).status).toBe(200);
    expect((await me(`/applications/${id}/moves`).post({ action: 'accept_offer', version: 5 })).status).toBe(409);
    const bankView = (await bankOfficer.get(`/api/v1/applications/${id}`)).body.data;
    expect(bankView.moves).toEqual(['disburse']);
    expect((await move(bankOfficer, id, { action: 'disburse', version: 5, loan: { ...loanOf(), amountFen: 2_000_000_00 } })).body.errorFields!.map((f) => f.field)).toContain('loan.amountFen');
    expect((await move(bankOfficer, id, { action: 'disburse', version: 5, loan: loanOf(addDays(TODAY, 1)) })).body.errorFields!.map((f) => f.field)).toContain('loan.disbursedOn');
    const disbursed = await move(bankOfficer, id, { action: 'disburse', version: 5, loan: loanOf() });
    expect(disbursed.status).toBe(200);
    const detail = (await me(`/applications/${id}`).get()).body.data;
    expect(detail.status).toBe('disbursed');
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['submit', 'accept', 'investigate', 'approve', 'accept_offer', 'disburse']);
    expect(detail.events[3].note).toContain('年利率 4.2%');
    expect(detail.loan).toMatchObject({ amountFen: 1_200_000_00, firstLoan: true, creditLoan: true, figures: { balanceFen: 1_200_000_00, status: 'current', loanClass: 'normal' } });
    expect(detail.loan.schedule).toHaveLength(12);
    // Settling with a balance left: refused.
    const settle = await move(bankOfficer, id, { action: 'settle', version: 6 });
    expect(settle.status).toBe(409);
    expect(settle.body.errorMessage).toContain('未还本金');
    expect(await AuditLog.count({ where: { targetId: id, action: 'application.disburse' } })).toBe(1);
  });

  it('applies exactly one of many concurrent moves on the same version, and never double-applies', async () => {
    const { id } = await submit(await publish(bankAdmin, terms('并发测试贷')), { amountFen: 300_000_00 });
    const racers = await Promise.all(Array.from({ length: 8 }, (_, i) => move(i % 2 ? bankOfficer : bankAdmin, id, { action: 'accept', version: 1, note: `第 ${i} 次` })));
    expect(racers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racers.filter((r) => r.status === 409)).toHaveLength(7);
    expect(await count("SELECT COUNT(*) AS n FROM application_events WHERE application_id = :id AND kind = 'accept'", { id })).toBe(1);
    expect(await versionOf(id)).toBe(2);
    // The firm withdrawing while the bank starts the investigation: one wins, the other answers 409.
    const [withdraw, investigate] = await Promise.all([
      me(`/applications/${id}/moves`).post({ action: 'withdraw', version: 2 }),
      move(bankOfficer, id, { action: 'investigate', version: 2 }),
    ]);
    expect([withdraw.status, investigate.status].sort()).toEqual([200, 409]);
    expect(await versionOf(id)).toBe(3);
    expect(await count('SELECT COUNT(*) AS n FROM application_events WHERE application_id = :id', { id })).toBe(3);
  });
});

describe('the grant guard and the access log', () => {
  let appId: string;
  const page = '/admin/finance/applications/detail';
  const reads = () => [
    { path: `/api/v1/enterprises/${firmId}`, scope: 'registration' },
    { path: `/api/v1/enterprises/${firmId}/credit`, scope: 'credit_score' },
    { path: `/api/v1/enterprises/${firmId}/credit/history`, scope: 'credit_score' },
    // The registration scope admits the registration records: the list answers with those.
    { path: `/api/v1/enterprises/${firmId}/credit-records`, scope: 'registration' },
    { path: `/api/v1/enterprises/${firmId}/credit-records?category=court_case`, scope: 'court_case' },
    // The counts by category are part of the credit report.
    { path: `/api/v1/enterprises/${firmId}/credit-records/summary`, scope: 'credit_score' },
    { path: `/api/v1/applications/${appId}/report`, scope: 'credit_score' },
    { path: `/api/v1/applications/${appId}/report.pdf`, scope: 'credit_score' },
  ];
  const statuses = async (agent: Agent) => Promise.all(reads().map(async (r) => [r.path.replace(/\d{6,}/g, ':id'), (await agent.get(r.path).set('X-Console-Page', page)).status]));
  const logged = () => count('SELECT COUNT(*) AS n FROM data_access_log WHERE enterprise_id = :id', { id: firmId });

  beforeAll(async () => {
    // The firm's earlier applications to this bank carry grants of their own: end them, so that only this one counts.
    await server.app.db.sequelize.query('UPDATE data_grants SET revoked_at = :now, revoked_by_name = :name WHERE enterprise_id = :id', {
      replacements: { now: new Date(), name: '测试', id: firmId },
    });
    const productId = await publish(bankAdmin, terms('授权测试贷'));
    appId = (await submit(productId)).id;
  });

  it('answers 200 for the granted scopes only, and 404 for another scope, another institution or a firm never granted', async () => {
    const before = await logged();
    const answered = await statuses(bankOfficer);
    const expected = reads().map((r) => [r.path.replace(/\d{6,}/g, ':id'), ['registration', 'credit_score'].includes(r.scope) ? 200 : 404]);
    expect(answered).toEqual(expected);
    // Seven granted reads logged, the two refused ones not.
    expect((await logged()) - before).toBe(7);
    expect((await otherBank.get(`/api/v1/enterprises/${firmId}`)).status).toBe(404);
    expect((await statuses(otherBank)).every(([, s]) => s === 404)).toBe(true);
    expect((await bankOfficer.get(`/api/v1/enterprises/${ningboId}`)).status).toBe(404);
    // The list shows the granted firm to the bank, and only it.
    const list = await bankOfficer.get('/api/v1/enterprises?pageSize=100');
    expect(list.body.data.list.map((e: { id: string }) => e.id)).toEqual([firmId]);
    expect((await otherBank.get('/api/v1/enterprises')).body.data.total).toBe(0);
    expect((await logged()) - before).toBe(8);
  });

  it('shows the firm who read what, from which page, under which application; the platform admin can query it', async () => {
    const res = await me('/access-log?pageSize=50').get();
    expect(res.status).toBe(200);
    const entries = res.body.data.list as Array<Record<string, string>>;
    expect(entries.length).toBeGreaterThanOrEqual(6);
    expect(entries[0]).toMatchObject({ organisationName: '钱塘农村商业银行', userName: '钱塘农商行 客户经理 刘', channel: 'console', enterpriseName: firm.name });
    const actions = new Set(entries.map((e) => e.action));
    for (const action of ['registration', 'credit_profile', 'credit_summary', 'credit_report', 'credit_report_pdf']) expect(actions.has(action)).toBe(true);
    expect(entries.find((e) => e.action === 'credit_summary')).toMatchObject({ scope: 'credit_score' });
    const report = entries.find((e) => e.action === 'credit_report')!;
    expect(report).toMatchObject({ applicationId: appId, scope: 'credit_score', page });
    expect(report.grantId).toMatch(/^\d+$/);
    const platform = await admin.get(`/api/v1/access-log?enterpriseId=${firmId}&from=${TODAY}&to=${TODAY}`);
    expect(platform.status).toBe(200);
    expect(platform.body.data.total).toBe(res.body.data.total);
    const ofApplication = await admin.get(`/api/v1/access-log?applicationId=${appId}`);
    expect(ofApplication.body.data.list.every((e: { applicationId: string }) => e.applicationId === appId)).toBe(true);
    expect(ofApplication.body.data.total).toBe(entries.filter((e) => e.applicationId === appId).length);
    expect((await admin.get(`/api/v1/access-log?enterpriseId=${firmId}&to=${addDays(TODAY, -1)}`)).body.data.total).toBe(0);
    expect((await bankOfficer.get('/api/v1/access-log')).status).toBe(403);
    expect((await admin.get('/api/v1/access-log?from=2026-13-01')).status).toBe(400);
  });

  it('stops every read once the grant has expired, and again once it is revoked, at once', async () => {
    const yesterday = addDays(TODAY, -1);
    await server.app.db.sequelize.query('UPDATE data_grants SET expires_on = :yesterday WHERE application_id = :id', { replacements: { yesterday, id: appId } });
    expect((await statuses(bankOfficer)).every(([, s]) => s === 404)).toBe(true);
    expect((await bankOfficer.get(`/api/v1/applications/${appId}`)).body.data.grantActive).toBe(false);
    await server.app.db.sequelize.query('UPDATE data_grants SET expires_on = :later WHERE application_id = :id', { replacements: { later: addDays(TODAY, 30), id: appId } });
    expect((await bankOfficer.get(`/api/v1/enterprises/${firmId}/credit`)).status).toBe(200);
    const before = await logged();
    const revoked = await me(`/applications/${appId}/revoke-grant`).post();
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.grants[0]).toMatchObject({ status: 'revoked' });
    expect(revoked.body.data.events.map((e: { kind: string }) => e.kind)).toContain('grant_revoked');
    expect((await statuses(bankOfficer)).every(([, s]) => s === 404)).toBe(true);
    expect(await logged()).toBe(before);
    expect(await AuditLog.count({ where: { action: 'grant.revoke', targetId: appId } })).toBe(1);
    // Revoking again changes nothing; the application itself stays in the bank's queue.
    expect((await me(`/applications/${appId}/revoke-grant`).post()).status).toBe(200);
    expect(await AuditLog.count({ where: { action: 'grant.revoke', targetId: appId } })).toBe(1);
    expect((await bankOfficer.get(`/api/v1/applications/${appId}`)).status).toBe(200);
    const grants = await me('/grants').get();
    expect(grants.body.data.find((g: { applicationId: string }) => g.applicationId === appId)).toMatchObject({ status: 'revoked', revokedByName: expect.any(String) });
  });
});

describe('the credit report, its PDF, and credit agencies', () => {
  let appId: string;
  beforeAll(async () => {
    const productId = await publish(bankAdmin, terms('报告测试贷'));
    appId = (await submit(productId, { grant: grant([...DATA_SCOPES]) })).id;
  });

  it('renders the report with a watermark naming the bank and the officer, and the PDF with the same text', async () => {
    const res = await bankOfficer.get(`/api/v1/applications/${appId}/report`);
    expect(res.status).toBe(200);
    expect(res.body.data.enterprise).toMatchObject({ id: firmId, name: firm.name, uscc: firm.uscc });
    expect(res.body.data.watermark.text).toContain('钱塘农村商业银行');
    expect(res.body.data.watermark.text).toContain('钱塘农商行 客户经理 刘');
    expect(res.body.data.profile.recordCounts.length).toBeGreaterThan(0);
    const pdf = await bankOfficer.get(`/api/v1/applications/${appId}/report.pdf`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toContain('attachment');
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeLessThan(1_000_000);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-pdf-')), 'report.pdf');
    fs.writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', ['-nodiag', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(firm.name);
    expect(text).toContain(firm.uscc);
    expect(text).toContain('企业登记信息');
    const raw = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
    // The watermark is drawn diagonally: its text comes out a character at a time.
    expect(raw.replace(/\s+/g, '')).toContain('钱塘农商行客户经理刘');
  });

  it('lets the bank commission an agency that reads under the same grant, tells the firm, and shows the agency opinion beside the report', async () => {
    const refused = await bankOfficer.post(`/api/v1/applications/${appId}/agencies`).send({ agencyId: bankId, request: '请出具评级' });
    expect(refused.status).toBe(400);
    expect((await agency.get(`/api/v1/applications/${appId}/report`)).status).toBe(404);
    const commissioned = await bankOfficer.post(`/api/v1/applications/${appId}/agencies`).send({ agencyId: agencyOrgId, request: '请出具信用评级与授信建议' });
    expect(commissioned.status).toBe(201);
    expect((await bankOfficer.post(`/api/v1/applications/${appId}/agencies`).send({ agencyId: agencyOrgId, request: '再次委托' })).status).toBe(409);
    const detail = (await me(`/applications/${appId}`).get()).body.data;
    expect(detail.grants.map((g: { organisationName: string }) => g.organisationName)).toEqual(['钱塘农村商业银行', '浙江信诚信用评级有限公司']);
    expect(detail.grants[1].scopes).toEqual([...DATA_SCOPES]);
    const members = await EnterpriseMember.findAll({ where: { enterpriseId: firmId } });
    const told = await OutboxItem.findAll({ where: { recipientKind: 'wechat', title: '机构委托了信用服务机构' } });
    expect(told.map((o) => o.recipientId)).toEqual(expect.arrayContaining(members.map((m) => m.wechatUserId)));
    // The agency sees the application and the report; another bank still does not.
    expect((await agency.get('/api/v1/applications')).body.data.list.map((a: { id: string }) => a.id)).toEqual([appId]);
    expect((await agency.get(`/api/v1/applications/${appId}/report`)).status).toBe(200);
    expect((await agency.get(`/api/v1/enterprises/${firmId}/credit-records`)).status).toBe(200);
    // One access row per record scope the read covered: every one of them, under this grant.
    const agencyReads = await server.app.db.sequelize.query<{ scope: string }>(
      "SELECT scope FROM data_access_log WHERE organisation_id = :org AND action = 'credit_records' ORDER BY scope",
      { replacements: { org: agencyOrgId }, type: QueryTypes.SELECT },
    );
    expect(agencyReads.map((r) => r.scope)).toEqual([...RECORD_SCOPES].sort());
    const bad = await agency.post(`/api/v1/applications/${appId}/agencies/${commissioned.body.data.id}/opinion`).send({ rating: 'AAAA', summary: '短', advice: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorFields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['rating', 'summary', 'advice']));
    const opinion = { rating: 'A', summary: '企业经营稳定，纳税与社保连续，无重大不良记录。', advice: '建议授信不超过 120 万元' };
    expect((await agency.post(`/api/v1/applications/${appId}/agencies/${commissioned.body.data.id}/opinion`).send(opinion)).status).toBe(200);
    expect((await agency.post(`/api/v1/applications/${appId}/agencies/${commissioned.body.data.id}/opinion`).send(opinion)).status).toBe(409);
    expect((await bankOfficer.post(`/api/v1/applications/${appId}/agencies/${commissioned.body.data.id}/opinion`).send(opinion)).status).toBe(403);
    const report = (await bankOfficer.get(`/api/v1/applications/${appId}/report`)).body.data;
    expect(report.agencies).toEqual([expect.objectContaining({ agencyName: '浙江信诚信用评级有限公司', rating: 'A', advice: opinion.advice, status: 'reported' })]);
    // Revoking the firm's grant stops the agency too.
    expect((await me(`/applications/${appId}/revoke-grant`).post()).status).toBe(200);
    expect((await agency.get(`/api/v1/applications/${appId}/report`)).status).toBe(404);
    expect((await agency.get(`/api/v1/enterprises/${firmId}/credit-records`)).status).toBe(404);
    expect((await bankOfficer.post(`/api/v1/applications/${appId}/agencies`).send({ agencyId: agencyOrgId, request: '撤销后委托' })).status).toBe(409);
  });
});

describe('a grant of some record categories only', () => {
  let source: { keyId: string; secret: string };
  let taxOnlyApp: string;
  const records = (agent: Agent, query = '') => agent.get(`/api/v1/enterprises/${firmId}/credit-records${query}`);
  const bankDisputes = async (agent: Agent = bankOfficer) => {
    const res = await agent.get(`/api/v1/credit/disputes?enterpriseId=${firmId}`);
    expect(res.status).toBe(200);
    return (res.body.data.list as Array<{ category: string }>).map((d) => d.category).sort();
  };
  const readsOf = (scope: string) =>
    count("SELECT COUNT(*) AS n FROM data_access_log WHERE enterprise_id = :id AND organisation_id = :org AND scope = :scope AND action = 'credit_records'", {
      id: firmId,
      org: bankId,
      scope,
    });
  async function raise(category: string): Promise<void> {
    const [record] = await server.app.db.sequelize.query<{ id: unknown }>('SELECT id FROM credit_records WHERE enterprise_id = :id AND category = :category AND is_current = 1 ORDER BY id LIMIT 1', {
      replacements: { id: firmId, category },
      type: QueryTypes.SELECT,
    });
    const res = await server.http
      .post(`/api/v1/me/enterprises/${firmId}/credit/disputes`)
      .set('Authorization', `Bearer ${token}`)
      .field('recordId', String(record!.id))
      .field('reason', '该记录与本企业实际情况不符，请核实');
    expect(res.status).toBe(201);
  }

  beforeAll(async () => {
    await server.app.db.sequelize.query('UPDATE data_grants SET revoked_at = :now, revoked_by_name = :name WHERE enterprise_id = :id AND revoked_at IS NULL', {
      replacements: { now: new Date(), name: '测试', id: firmId },
    });
    const org = await Organisation.findOne({ where: { name: '浙江省发展和改革委员会' } });
    const created = await admin.post('/api/v1/data-sources').send({ organisationId: org!.id, name: '授权范围测试数据源', categories: ['tax', 'court_case'], regionCodes: ['330000'] });
    expect(created.status).toBe(201);
    source = { keyId: created.body.data.source.keyId, secret: created.body.data.secret };
    const month = (back: number) => shiftDate(TODAY, -back).slice(0, 7);
    const tax = [1, 2, 3].map((back) => ({
      uscc: firm.uscc,
      externalId: `SCOPE-TAX-${back}`,
      period: month(back),
      taxPaidFen: 1_000_000,
      revenueDeclaredFen: 20_000_000,
      arrearsFen: 0,
      creditLevel: 'A',
    }));
    const court = [
      {
        uscc: firm.uscc,
        externalId: 'SCOPE-COURT-1',
        caseNo: '（2026）浙0106民初0001号',
        court: '杭州市西湖区人民法院',
        role: 'defendant',
        cause: '买卖合同纠纷',
        amountFen: 15_600_000,
        status: 'trial',
        enforcement: 'none',
        filedOn: addDays(TODAY, -40),
        closedOn: null,
      },
    ];
    for (const [category, rows] of [['tax', tax], ['court_case', court]] as const) {
      const pushed = await signedPush(server, source, category, [...rows]);
      expect(pushed.status).toBe(200);
      expect(pushed.body.data.errors).toEqual([]);
    }
    await raise('tax');
    await raise('court_case');
    taxOnlyApp = (await submit(await publish(bankAdmin, terms('纳税数据贷')), { grant: grant(['tax']) })).id;
  });

  it('lets the bank read the granted category only, logs the read under that scope, and shows only its disputes', async () => {
    const list = await records(bankOfficer);
    expect(list.status).toBe(200);
    expect(list.body.data.total).toBe(3);
    expect(new Set(list.body.data.list.map((r: { category: string }) => r.category))).toEqual(new Set(['tax']));
    expect((await records(bankOfficer, '?category=tax')).body.data.total).toBe(3);
    // A category whose scope was not granted: the same 404 as no grant at all, and nothing logged for it.
    const court = await records(bankOfficer, '?category=court_case');
    expect(court.status).toBe(404);
    expect(court.body.errorMessage).toBe((await records(otherBank)).body.errorMessage);
    expect((await records(bankOfficer, '?category=registration')).status).toBe(404);
    // The counts by category belong to the credit report, not granted here; so do the report and the firm's master data.
    expect((await bankOfficer.get(`/api/v1/enterprises/${firmId}/credit-records/summary`)).status).toBe(404);
    expect((await bankOfficer.get(`/api/v1/applications/${taxOnlyApp}/report`)).status).toBe(404);
    expect((await bankOfficer.get(`/api/v1/enterprises/${firmId}`)).status).toBe(404);
    expect(await readsOf('tax')).toBe(2);
    expect(await readsOf('court_case')).toBe(0);
    const log = (await me('/access-log?pageSize=5').get()).body.data.list as Array<Record<string, string>>;
    expect(log[0]).toMatchObject({ scope: 'tax', action: 'credit_records', applicationId: taxOnlyApp, organisationName: '钱塘农村商业银行' });
    expect(log[0].grantId).toMatch(/^\d+$/);
    // The dispute of the court record quotes a record the bank may not read: not shown, nor are other banks shown any.
    expect(await bankDisputes()).toEqual(['tax']);
    expect(await bankDisputes(otherBank)).toEqual([]);
    expect(await bankDisputes(advisor)).toEqual(['court_case', 'tax']);
  });

  it('shows the disputes of the granted categories in the credit report, logs one row per granted record scope, and stops at revocation', async () => {
    const reportApp = (await submit(await publish(bankAdmin, terms('报告范围贷')), { grant: grant(['credit_score', 'tax', 'utility']) })).id;
    const summary = await bankOfficer.get(`/api/v1/enterprises/${firmId}/credit-records/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body.data.find((c: { category: string }) => c.category === 'court_case').count).toBe(1);
    const report = await bankOfficer.get(`/api/v1/applications/${reportApp}/report`);
    expect(report.status).toBe(200);
    expect(report.body.data.disputes.map((d: { category: string }) => d.category)).toEqual(['tax']);
    const [tax, utility] = [await readsOf('tax'), await readsOf('utility')];
    expect((await records(bankOfficer)).body.data.total).toBe(3);
    expect([await readsOf('tax'), await readsOf('utility')]).toEqual([tax + 1, utility + 1]);

    for (const id of [taxOnlyApp, reportApp]) expect((await me(`/applications/${id}/revoke-grant`).post()).status).toBe(200);
    expect((await records(bankOfficer)).status).toBe(404);
    expect((await records(bankOfficer, '?category=tax')).status).toBe(404);
    expect(await bankDisputes()).toEqual([]);
    expect([await readsOf('tax'), await readsOf('utility')]).toEqual([tax + 1, utility + 1]);
  });
});

describe('rejection, referral, return visits, warnings and figures', () => {
  let productId: string;
  beforeAll(async () => {
    productId = await publish(bankAdmin, terms('拒绝测试贷'));
    const bank2 = await Organisation.findOne({ where: { name: '西湖商业银行' } });
    expect(
      (await admin.post('/api/v1/admin-users').send({ username: 'xihu_adm', displayName: '西湖商行 管理员', role: 'fi_admin', organisationId: bank2!.id, password: DEMO_PASSWORD })).status,
    ).toBe(201);
    await publish(await signInAdmin(server, 'xihu_adm'), terms('转介可选贷'));
  });

  it('requires a reason to reject, shows it to the firm, and refers the firm to other products on its consent', async () => {
    const { id } = await submit(productId);
    const noReason = await move(bankOfficer, id, { action: 'reject', version: 1 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errorFields!.map((f) => f.field)).toContain('rejection');
    expect((await move(bankOfficer, id, { action: 'reject', version: 1, rejection: { code: 'collateral', text: '' } })).status).toBe(400);
    expect((await move(bankOfficer, id, { action: 'reject', version: 1, rejection: { code: 'collateral', text: '需追加担保人' } })).status).toBe(200);
    const view = (await me(`/applications/${id}`).get()).body.data;
    expect(view.rejection).toEqual({ code: 'collateral', text: '需追加担保人', label: '担保或抵质押不足' });
    expect(view.moves).toEqual([]);
    expect((await me(`/applications/${id}/referral`).post({ consent: false })).status).toBe(400);
    const referred = await me(`/applications/${id}/referral`).post({ consent: true });
    expect(referred.status).toBe(200);
    expect(referred.body.data.referral.consentedAt).not.toBeNull();
    const products = referred.body.data.referral.products as Array<{ name: string; institutionName: string }>;
    expect(products.map((p) => p.name)).toContain('转介可选贷');
    expect(products.every((p) => p.institutionName !== '钱塘农村商业银行')).toBe(true);
    expect(referred.body.data.events.map((e: { kind: string }) => e.kind)).toContain('referral');
    // A return visit by the region's advisor, which the figures count.
    expect((await advisor.post(`/api/v1/applications/${id}/visits`).send({ satisfaction: 9, channel: 'phone' })).status).toBe(400);
    expect((await bankOfficer.post(`/api/v1/applications/${id}/visits`).send({ satisfaction: 5, channel: 'phone' })).status).toBe(403);
    const visit = await advisor.post(`/api/v1/applications/${id}/visits`).send({ satisfaction: 5, channel: 'phone', note: '企业认可拒绝理由' });
    expect(visit.status).toBe(201);
    const figures = (await admin.get('/api/v1/financing/figures')).body.data.find((f: { institutionName: string }) => f.institutionName === '钱塘农村商业银行');
    expect(figures).toMatchObject({ rejected: expect.any(Number), visits: 1, satisfiedShare: 1 });
    expect(figures.rejected).toBeGreaterThanOrEqual(1);
    // An institution sees only its own row.
    expect((await otherBank.get('/api/v1/financing/figures')).body.data).toEqual([]);
  });

  it('sends a new risk warning on the firm to every institution with an open application or a live loan, not to others', async () => {
    const [row] = await enterprisesForScoring([firmId]);
    const cause = { rule: 'penalty' as const, causeKey: `penalty:test-${newId()}`, severity: 'high' as const, title: '新增较重行政处罚', detail: '2026-11-30 罚款 5 万元', evidence: [] };
    await server.app.db.transaction(async (t) => raiseWarnings(server.app, [row!], new Map([[firmId, [cause]]]), 1, t));
    const notices = await OutboxItem.findAll({ where: { templateKey: 'credit_warning' } });
    const bankUsers = (await AdminUser.findAll({ where: { organisationId: bankId, role: ['fi_admin', 'fi_officer'] } })).map((u) => String(u.id));
    const toBank = notices.filter((n) => bankUsers.includes(String(n.recipientId)));
    expect(toBank.map((n) => String(n.recipientId)).sort()).toEqual([...bankUsers].sort());
    expect(toBank.every((n) => n.link?.startsWith('/finance/applications/'))).toBe(true);
    const xihu = (await AdminUser.findAll({ where: { username: 'xihu_fin' } })).map((u) => String(u.id));
    expect(notices.some((n) => xihu.includes(String(n.recipientId)))).toBe(false);
    const advisorId = String((await AdminUser.findOne({ where: { username: 'advisor' } }))!.id);
    expect(notices.some((n) => String(n.recipientId) === advisorId && n.link?.startsWith('/credit/warnings'))).toBe(true);
  });
});

// The clock moves from here on: keep these last.
describe('loans, repayments and the five categories', () => {
  it('derives balance, days overdue and class from the schedule, moves the application to overdue and back, and labels a default', async () => {
    const productId = await publish(bankAdmin, terms('贷款测试贷'));
    const { id } = await submit(productId);
    await disburse(id);
    const loan = (await bankOfficer.get(`/api/v1/applications/${id}`)).body.data.loan;
    const first = loan.schedule[0];
    // Repayment input: bad values answer 400 naming the field.
    const bad = await bankOfficer.post(`/api/v1/loans/${loan.id}/repayments`).send({ paidOn: addDays(TODAY, 1), principalFen: -1, interestFen: 0, reference: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorFields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['principalFen', 'reference']));
    expect((await otherBank.post(`/api/v1/loans/${loan.id}/repayments`).send({ paidOn: TODAY, principalFen: 1, interestFen: 0, reference: 'x' })).status).toBe(404);
    const tooMuch = await bankOfficer.post(`/api/v1/loans/${loan.id}/repayments`).send({ paidOn: TODAY, principalFen: 2_000_000_00, interestFen: 0, reference: 'R-0' });
    expect(tooMuch.body.errorFields.map((f: { field: string }) => f.field)).toContain('principalFen');

    // 20 days after the first due date with nothing paid: overdue, 关注.
    clock.advance((Date.parse(`${addDays(first.dueOn, 20)}T04:00:00Z`) - clock.nowMs()));
    const bank = await signInAdmin(server, 'bank_officer');
    await refreshLoanFigures(server.app);
    let seen = (await bank.get(`/api/v1/loans/${loan.id}`)).body.data;
    expect(seen.figures).toMatchObject({ daysOverdue: 20, loanClass: 'special_mention', status: 'overdue', overdueFen: first.principalFen + first.interestFen, overdueSince: first.dueOn });
    let app = (await bank.get(`/api/v1/applications/${id}`)).body.data;
    expect(app.status).toBe('overdue');
    expect(app.events.at(-1)).toMatchObject({ kind: 'mark_overdue', actorKind: 'system' });
    expect((await bank.get('/api/v1/loans?loanClass=special_mention')).body.data.list.map((l: { id: string }) => l.id)).toContain(loan.id);

    // The first instalment paid (reported twice with one reference: counted once): cured.
    const paidOn = shanghaiDate(clock.now());
    const repayment = { paidOn, principalFen: first.principalFen, interestFen: first.interestFen, reference: 'R-1' };
    const [r1, r2] = await Promise.all([bank.post(`/api/v1/loans/${loan.id}/repayments`).send(repayment), bank.post(`/api/v1/loans/${loan.id}/repayments`).send(repayment)]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(await count('SELECT COUNT(*) AS n FROM loan_repayments WHERE loan_id = :id', { id: loan.id })).toBe(1);
    expect((await bank.post(`/api/v1/loans/${loan.id}/repayments`).send({ ...repayment, principalFen: 1 })).status).toBe(409);
    seen = (await bank.get(`/api/v1/loans/${loan.id}`)).body.data;
    expect(seen.figures).toMatchObject({ daysOverdue: 0, loanClass: 'normal', status: 'current', balanceFen: 1_200_000_00 - first.principalFen });
    app = (await bank.get(`/api/v1/applications/${id}`)).body.data;
    expect(app.status).toBe('disbursed');
    expect(app.events.at(-1)).toMatchObject({ kind: 'cure', actorKind: 'system' });

    // Nothing more paid: past 90 days after the second instalment fell due the loan is 次级, an NPL, and a default.
    const second = loan.schedule[1];
    clock.advance(Date.parse(`${addDays(second.dueOn, 95)}T04:00:00Z`) - clock.nowMs());
    const bankLater = await signInAdmin(server, 'bank_officer');
    await refreshLoanFigures(server.app);
    seen = (await bankLater.get(`/api/v1/loans/${loan.id}`)).body.data;
    expect(seen.figures).toMatchObject({ daysOverdue: 95, loanClass: 'substandard', status: 'overdue', overdueSince: second.dueOn });
    const outcomes = await server.app.db.sequelize.query<{ defaulted: unknown; origin: string }>('SELECT defaulted, origin FROM credit_outcomes WHERE enterprise_id = :id', {
      replacements: { id: firmId },
      type: QueryTypes.SELECT,
    });
    expect(outcomes).toHaveLength(1);
    expect(Boolean(Number(outcomes[0].defaulted))).toBe(true);
    expect(outcomes[0].origin).toBe('loan');
    const adminLater = await signInAdmin(server, 'admin');
    const figures = (await adminLater.get('/api/v1/financing/figures')).body.data.find((f: { institutionName: string }) => f.institutionName === '钱塘农村商业银行');
    const loans = (await bankLater.get('/api/v1/loans?pageSize=100')).body.data.list as Array<{ figures: { loanClass: string; balanceFen: number } }>;
    const npl = loans.filter((l) => ['substandard', 'doubtful', 'loss'].includes(l.figures.loanClass));
    expect(npl.length).toBeGreaterThanOrEqual(1);
    expect(figures.nplBalanceFen).toBe(npl.reduce((sum, l) => sum + l.figures.balanceFen, 0));
    expect(figures.byClass.substandard).toBe(npl.filter((l) => l.figures.loanClass === 'substandard').length);
    expect(figures.loans).toBe(loans.length);
    expect(figures.firstLoanFirms).toBe(1);
    expect(figures.creditLoanShare).toBe(1);
    clock.reset();
  });
});

describe('service levels on working days', () => {
  afterEach(() => clock.reset());

  it('counts the accept clock over the National Day holiday and marks a breach once, telling the advisor', async () => {
    const productId = await publish(await signInAdmin(server, 'bank_admin'), terms('时限测试贷'));
    // Wednesday 2026-09-30, 10:00 in Shanghai. 3 working days: 10-01…10-07 are the holiday, 10-08 and 10-09 count,
    // and Saturday 10-10 is a make-up working day: due 10-10 (5 October on weekends alone).
    clock.advance(Date.parse('2026-09-30T02:00:00Z') - clock.nowMs());
    token = (await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-fin-owner' }).expect(200)).body.data.token;
    const { id } = await submit(productId);
    const bank = await signInAdmin(server, 'bank_officer');
    let app = (await bank.get(`/api/v1/applications/${id}`)).body.data;
    expect(app.sla).toMatchObject({ stage: 'accept', dueOn: '2026-10-10', confirmed: true, state: 'on_time', workingDaysLeft: 3 });
    clock.advance(Date.parse('2026-10-09T02:00:00Z') - clock.nowMs());
    expect(await runSlaClocks(server.app)).toMatchObject({ acceptBreaches: 0 });
    app = (await (await signInAdmin(server, 'bank_officer')).get(`/api/v1/applications/${id}`)).body.data;
    expect(app.sla).toMatchObject({ state: 'due_soon', workingDaysLeft: 1 });
    // Sunday 10-11: breached, once however many workers run the clock.
    clock.advance(Date.parse('2026-10-11T02:00:00Z') - clock.nowMs());
    const runs = await Promise.all([runSlaClocks(server.app), runSlaClocks(server.app)]);
    expect(runs.reduce((n, r) => n + r.acceptBreaches, 0)).toBe(1);
    const bankLate = await signInAdmin(server, 'bank_officer');
    app = (await bankLate.get(`/api/v1/applications/${id}`)).body.data;
    expect(app.sla).toMatchObject({ state: 'breached', workingDaysLeft: 0 });
    expect(app.events.map((e: { kind: string }) => e.kind)).toContain('accept_breached');
    const advisorId = String((await AdminUser.findOne({ where: { username: 'advisor' } }))!.id);
    const breaches = await OutboxItem.findAll({ where: { recipientKind: 'admin', link: `/finance/applications/${id}` } });
    expect(breaches.some((n) => String(n.recipientId) === advisorId && n.title.startsWith('受理超时'))).toBe(true);
    const breached = await bankLate.get('/api/v1/applications?sla=breached');
    expect(breached.body.data.list.map((a: { id: string }) => a.id)).toContain(id);
    // Accepted late on Monday 10-12: the decide clock starts, and the late accept stays counted.
    clock.advance(Date.parse('2026-10-12T02:00:00Z') - clock.nowMs());
    const bankMonday = await signInAdmin(server, 'bank_officer');
    expect((await move(bankMonday, id, { action: 'accept', version: 1 })).status).toBe(200);
    app = (await bankMonday.get(`/api/v1/applications/${id}`)).body.data;
    expect(app.clocks).toEqual([
      expect.objectContaining({ stage: 'accept', state: 'met_late' }),
      expect.objectContaining({ stage: 'decide', workingDays: 10, dueOn: '2026-10-26', state: 'on_time' }),
    ]);
    const figures = (await bankMonday.get('/api/v1/financing/figures')).body.data[0];
    expect(figures.acceptBreaches).toBe(1);
  });
});

// A database of its own, and models bound to it from here on: keep this last.
describe('the migration to one grant scope per record category', () => {
  const name = migrations.find((m) => m.name.endsWith('.grant-scopes'))!.name;
  const umzug = (sequelize: Sequelize) =>
    new Umzug({ migrations, context: sequelize.getQueryInterface(), storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }), logger: undefined });

  /** A SQLite file, or a fresh schema on the MySQL server of DATABASE_URL. */
  async function freshDatabase(): Promise<{ url: string; open(): Sequelize; drop(): Promise<void> }> {
    const base = process.env.DATABASE_URL;
    if (base && /^(mysql|mariadb):/.test(base)) {
      const url = new URL(base.replace(/^mariadb:/, 'mysql:'));
      const schema = `${url.pathname.slice(1) || 'xyd_test'}_scopes_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
      const serverUrl = `mysql://${url.username}${url.password ? `:${url.password}` : ''}@${url.host}/`;
      const root = new Sequelize(serverUrl, { logging: false, dialect: 'mysql' });
      await root.query(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await root.close();
      url.pathname = `/${schema}`;
      return {
        url: url.toString(),
        open: () => new Sequelize(url.toString(), { logging: false, dialect: 'mysql', timezone: '+00:00' }),
        async drop() {
          const conn = new Sequelize(serverUrl, { logging: false, dialect: 'mysql' });
          await conn.query(`DROP DATABASE IF EXISTS \`${schema}\``);
          await conn.close();
        },
      };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-scopes-'));
    const file = path.join(dir, 'old.sqlite');
    return { url: `sqlite:${file}`, open: () => new Sequelize({ dialect: 'sqlite', storage: file, logging: false }), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }

  const [appA, appB, firmE, orgX, orgY, user] = ['88000000000001', '88000000000002', '88000000000009', '88000000000011', '88000000000012', '88000000000021'];
  const [g1, g2, g3, g4] = ['88000000000101', '88000000000102', '88000000000103', '88000000000104'];
  const at = new Date('2026-11-30T02:00:00.000Z');
  const grantRow = (id: string, applicationId: string, organisationId: string, scope: string, revokedAt: Date | null = null) => ({
    id,
    application_id: applicationId,
    enterprise_id: firmE,
    organisation_id: organisationId,
    scope,
    purpose: '流动资金贷款',
    expires_on: '2027-02-28',
    agency_assignment_id: null,
    granted_by: user,
    granted_by_name: '法人',
    granted_at: at,
    revoked_at: revokedAt,
    revoked_by_name: revokedAt ? '法人' : null,
  });
  const logRow = (id: string, organisationId: string, scope: string, action: string, applicationId: string | null, grantId: string | null) => ({
    id,
    at,
    enterprise_id: firmE,
    organisation_id: organisationId,
    user_id: user,
    user_name: '客户经理',
    scope,
    action,
    application_id: applicationId,
    grant_id: grantId,
    channel: 'console',
    page: '/admin/enterprises/detail',
  });

  it('turns each credit_records grant and logged read into one row per record scope, leasing an id worker for it, and back', async () => {
    const database = await freshDatabase();
    try {
      const old = database.open();
      await umzug(old).up({ to: migrations[migrations.findIndex((m) => m.name === name) - 1].name });
      const qi = old.getQueryInterface();
      await qi.bulkInsert('data_grants', [
        grantRow(g1, appA, orgX, 'registration'),
        grantRow(g2, appA, orgX, 'credit_records'),
        grantRow(g3, appB, orgY, 'credit_records', at),
        grantRow(g4, appB, orgY, 'credit_score', at),
      ]);
      await qi.bulkInsert('data_access_log', [
        logRow('88000000000201', orgX, 'credit_records', 'credit_records', appA, g2),
        logRow('88000000000202', orgY, 'credit_records', 'credit_records', null, null),
        logRow('88000000000203', orgY, 'credit_score', 'credit_report', appB, g4),
      ]);
      await old.close();

      // As a process starting on it: no id worker leased yet while the migrations run.
      await (server.app.db as unknown as { idLease: { release(): Promise<void> } | null }).idLease?.release();
      expect(currentIdWorker()).toBeNull();
      const app = await createContext(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ALLOW_ADMIN_WITHOUT_TOTP: 'true', DATABASE_URL: database.url } as NodeJS.ProcessEnv));
      try {
        // This migration and the ones after it.
        expect(await app.db.start()).toEqual(migrations.slice(migrations.findIndex((m) => m.name === name)).map((m) => m.name));
        const sequelize = app.db.sequelize;
        const rows = <T extends object>(sql: string) => sequelize.query<T>(sql, { type: QueryTypes.SELECT });
        const grants = await rows<{ id: unknown; applicationId: unknown; scope: string; purpose: string; expiresOn: string; revokedAt: unknown }>(
          'SELECT id, application_id AS applicationId, scope, purpose, expires_on AS expiresOn, revoked_at AS revokedAt FROM data_grants ORDER BY id',
        );
        const scopesOf = (applicationId: string) => grants.filter((g) => String(g.applicationId) === applicationId).map((g) => g.scope).sort();
        expect(scopesOf(appA)).toEqual([...RECORD_SCOPES].sort());
        expect(scopesOf(appB)).toEqual(['credit_score', ...RECORD_SCOPES].sort());
        // The registration grant A already held stays as it was; the others copy the legacy row, revocation included.
        expect(String(grants.find((g) => String(g.applicationId) === appA && g.scope === 'registration')!.id)).toBe(g1);
        expect(grants.every((g) => g.purpose === '流动资金贷款' && g.expiresOn === '2027-02-28')).toBe(true);
        expect(grants.filter((g) => String(g.applicationId) === appB).every((g) => g.revokedAt !== null)).toBe(true);
        const grantOf = new Map(grants.map((g) => [`${g.applicationId}:${g.scope}`, String(g.id)]));

        const log = await rows<{ id: unknown; at: Date | string; applicationId: unknown; organisationId: unknown; scope: string; action: string; grantId: unknown; page: string }>(
          'SELECT id, at, application_id AS applicationId, organisation_id AS organisationId, scope, action, grant_id AS grantId, page FROM data_access_log ORDER BY id',
        );
        expect(log.filter((l) => l.scope === 'credit_records')).toEqual([]);
        const readOf = (organisationId: string) => log.filter((l) => String(l.organisationId) === organisationId && l.action === 'credit_records');
        expect(readOf(orgX).map((l) => [l.scope, String(l.grantId)]).sort()).toEqual(RECORD_SCOPES.map((s) => [s, grantOf.get(`${appA}:${s}`)]).sort());
        expect(readOf(orgY).map((l) => [l.scope, l.grantId]).sort()).toEqual(RECORD_SCOPES.map((s) => [s, null]).sort());
        expect(log.every((l) => new Date(l.at).getTime() === at.getTime() && l.page === '/admin/enterprises/detail')).toBe(true);
        expect(log.find((l) => l.action === 'credit_report')).toMatchObject({ scope: 'credit_score' });
        expect(String(log.find((l) => l.action === 'credit_report')!.grantId)).toBe(g4);

        // The migration leased a worker of its own for the new ids and gave it back; the process then leased one.
        const workers = await rows<{ owner: string | null }>('SELECT owner FROM id_workers WHERE token > 0');
        expect(workers.map((w) => w.owner === null).sort()).toEqual([false, true]);

        // Down: one credit_records row per (application, organisation) and per read, the read naming that grant.
        await umzug(sequelize).down({ to: name });
        const back = await rows<{ id: unknown; applicationId: unknown; scope: string }>('SELECT id, application_id AS applicationId, scope FROM data_grants ORDER BY id');
        expect(back.filter((g) => String(g.applicationId) === appA).map((g) => g.scope).sort()).toEqual(['credit_records', 'registration']);
        expect(back.filter((g) => String(g.applicationId) === appB).map((g) => g.scope).sort()).toEqual(['credit_records', 'credit_score', 'registration']);
        const reads = await rows<{ organisationId: unknown; scope: string; grantId: unknown }>(
          "SELECT organisation_id AS organisationId, scope, grant_id AS grantId FROM data_access_log WHERE action = 'credit_records' ORDER BY id",
        );
        const recordsGrantOfA = String(back.find((g) => String(g.applicationId) === appA && g.scope === 'credit_records')!.id);
        expect(reads.map((r) => [String(r.organisationId), r.scope, r.grantId === null ? null : String(r.grantId)])).toEqual([
          [orgX, 'credit_records', recordsGrantOfA],
          [orgY, 'credit_records', null],
        ]);
        // And up again finds what is left to do only.
        await umzug(sequelize).up();
        expect(Number((await rows<{ n: unknown }>('SELECT COUNT(*) AS n FROM data_grants'))[0].n)).toBe(RECORD_SCOPES.length * 2 + 1);
        expect(Number((await rows<{ n: unknown }>("SELECT COUNT(*) AS n FROM data_access_log WHERE action = 'credit_records'"))[0].n)).toBe(RECORD_SCOPES.length * 2);
      } finally {
        await app.db.close();
      }
    } finally {
      await database.drop();
    }
  });
});
