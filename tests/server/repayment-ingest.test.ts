import { QueryTypes } from 'sequelize';
import { addDays, formatFen, formatFenAsYuan, shanghaiDate, shiftDate } from '@xyd/shared';
import { startWorker } from '../../server/src/jobs/worker';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { refreshLoanFigures } from '../../server/src/modules/financing/loans';
import { Organisation } from '../../server/src/modules/identity/models';
import { demoEnterprises } from '../../server/src/seed/demo';
import { newId } from '../../server/src/lib/ids';
import { OFFER, apply, bindOwner, disburseLoan, publishProduct } from './financing-flow';
import { clock, signInAdmin, signedPush, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * Loan repayments through the ingestion pipeline (category loan_repayment): a lending institution's data source
 * pushes them signed, or its officer imports a file that the worker reads. Each row is booked on one of the
 * institution's own loans, the figures move, the application follows, and every refused row says why. On MariaDB
 * the same repayment sent in two batches at once is booked once.
 */
type Agent = Awaited<ReturnType<typeof signInAdmin>>;
let server: TestServer;
let admin: Agent;
let bankAdmin: Agent;
let bankOfficer: Agent;
const stops: Array<() => Promise<void>> = [];
const TODAY = shanghaiDate(new Date());
const firms = demoEnterprises();
const firm = firms[0]!;
const otherFirm = firms[1]!;
let firmId: string;
let token: string;
let source: { id: string; keyId: string; secret: string };
let loan: { id: string; applicationId: string; contractNo: string; schedule: Array<{ dueOn: string; principalFen: number; interestFen: number }> };

/** A published product, an application with a grant, and its loan disbursed today. */
async function disbursedLoan(contractNo: string): Promise<typeof loan> {
  const productId = await publishProduct(bankAdmin, `还款导入贷-${contractNo}`);
  const applicationId = await apply(server, { id: firmId, token }, productId);
  const disbursed = await disburseLoan(server, bankOfficer, { id: firmId, token }, applicationId, contractNo);
  return { ...disbursed, applicationId };
}

const row = (over: Record<string, unknown> = {}) => ({
  uscc: firm.uscc,
  externalId: `R-${newId()}`,
  loanId: loan.id,
  paidOn: shanghaiDate(clock.now()),
  principalFen: 10_000_00,
  interestFen: 0,
  ...over,
});

async function repaymentsOf(loanId: string): Promise<Array<{ reference: string; channel: string; principal: number }>> {
  const rows = await server.app.db.sequelize.query<{ reference: string; channel: string; principal: unknown }>(
    'SELECT reference, channel, principal_fen AS principal FROM loan_repayments WHERE loan_id = :loanId ORDER BY reference',
    { replacements: { loanId }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ ...r, principal: Number(r.principal) }));
}

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [admin, bankAdmin, bankOfficer] = await Promise.all(['admin', 'bank_admin', 'bank_officer'].map((u) => signInAdmin(server, u)));
  await Enterprise.update({ establishedOn: shiftDate(TODAY, -36), scale: 'small', status: 'active' }, { where: { uscc: firm.uscc } });
  ({ id: firmId, token } = await bindOwner(server, firm.uscc, 'dev-repay-owner'));
  const bank = (await Organisation.findOne({ where: { name: '钱塘农村商业银行' } }))!;
  const created = await admin.post('/api/v1/data-sources').send({ organisationId: bank.id, name: '钱塘农商行信贷系统', categories: ['loan_repayment'], regionCodes: ['330100'] });
  expect(created.status).toBe(201);
  source = { id: created.body.data.source.id, keyId: created.body.data.source.keyId, secret: created.body.data.secret };
  loan = await disbursedLoan('QT-R-001');
});
afterAll(async () => {
  for (const stop of stops) await stop();
  clock.reset();
  await server.close();
});

describe('who may send repayments', () => {
  it('gives the category to a lending institution only, and names the field', async () => {
    const government = (await Organisation.findOne({ where: { type: 'government' } }))!;
    const refused = await admin.post('/api/v1/data-sources').send({ organisationId: government.id, name: '发改委还款', categories: ['tax', 'loan_repayment'], regionCodes: ['330100'] });
    expect(refused.status).toBe(400);
    expect(refused.body.errorFields.map((f: { field: string }) => f.field)).toContain('categories');
    expect(refused.body.errorMessage).toContain('贷款还款');
    const taxSource = await admin.post('/api/v1/data-sources').send({ organisationId: government.id, name: '发改委纳税', categories: ['tax'], regionCodes: ['330100'] });
    expect(taxSource.status).toBe(201);
    expect((await admin.patch(`/api/v1/data-sources/${taxSource.body.data.source.id}`).send({ categories: ['loan_repayment'] })).status).toBe(400);
    // A source without the category cannot push it.
    const pushed = await signedPush(server, { keyId: taxSource.body.data.source.keyId, secret: taxSource.body.data.secret }, 'loan_repayment', [row()]);
    expect(pushed.status).toBe(403);
  });
});

describe('a signed push of repayments', () => {
  it('books each good row on the loan, refuses each bad row with its reason, and a re-sent repayment is a duplicate', async () => {
    const foreign = await server.app.db.sequelize.query<{ id: unknown }>("SELECT l.id FROM loans l WHERE l.institution_id <> (SELECT organisation_id FROM data_sources WHERE id = :id) LIMIT 1", {
      replacements: { id: source.id },
      type: QueryTypes.SELECT,
    });
    const good = row({ externalId: 'R-100', principalFen: 50_000_00, interestFen: 4_200_00 });
    const byContract = row({ externalId: 'R-101', loanId: null, contractNo: loan.contractNo, principalFen: 0, interestFen: 1_000_00 });
    const records = [
      good,
      byContract,
      row({ externalId: 'R-102', loanId: '999999999' }),
      row({ externalId: 'R-103', uscc: otherFirm.uscc }),
      row({ externalId: 'R-104', paidOn: addDays(shanghaiDate(clock.now()), 1) }),
      row({ externalId: 'R-105', principalFen: 0, interestFen: 0 }),
      row({ externalId: 'R-106', principalFen: 2_000_000_00 }),
      row({ externalId: 'R-107', loanId: null, contractNo: null }),
      ...(foreign.length > 0 ? [row({ externalId: 'R-108', loanId: String(foreign[0].id) })] : []),
    ];
    const res = await signedPush(server, source, 'loan_repayment', records);
    expect(`${res.status} ${res.body.errorMessage ?? ''}`).toBe('200 ');
    expect(res.body.data.batch.counts).toMatchObject({ received: records.length, accepted: 2, rejected: records.length - 2, duplicate: 0 });
    const reasons = new Map<number, string>(res.body.data.errors.map((e: { rowNumber: number; reason: string }) => [e.rowNumber, e.reason]));
    expect(reasons.get(3)).toContain('本机构没有这笔贷款');
    expect(reasons.get(4)).toContain('借款企业不一致');
    expect(reasons.get(5)).toContain('不能晚于今天');
    expect(reasons.get(6)).toContain('不能都为 0');
    expect(reasons.get(7)).toContain('超过贷款余额');
    expect(reasons.get(8)).toContain('至少填写一项');
    if (foreign.length > 0) expect(reasons.get(9)).toContain('本机构没有这笔贷款');

    expect(await repaymentsOf(loan.id)).toEqual([
      { reference: 'R-100', channel: 'api', principal: 50_000_00 },
      { reference: 'R-101', channel: 'api', principal: 0 },
    ]);
    const seen = (await bankOfficer.get(`/api/v1/loans/${loan.id}`)).body.data;
    expect(seen.figures.balanceFen).toBe(OFFER.amountFen - 50_000_00);
    expect(seen.figures.repaidInterestFen).toBe(5_200_00);
    const events = (await bankOfficer.get(`/api/v1/applications/${loan.applicationId}`)).body.data.events as Array<{ kind: string; note: string }>;
    expect(events.at(-1)).toMatchObject({ kind: 'repayment' });
    expect(events.at(-1)!.note).toContain('还款 2 笔');
    expect(events.at(-1)!.note).toContain(formatFen(50_000_00));

    // The same repayments in a new batch: duplicates; one reference with other amounts: that row's error.
    const again = await signedPush(server, source, 'loan_repayment', [good, { ...byContract, interestFen: 2_000_00 }]);
    expect(again.body.data.batch.counts).toMatchObject({ accepted: 0, duplicate: 1, rejected: 1 });
    expect(again.body.data.errors[0].reason).toContain('R-101 已用于');
    expect((await repaymentsOf(loan.id)).length).toBe(2);
    // The same batch id again: the first answer, nothing written.
    const batchId = `b-${newId()}`;
    const first = await signedPush(server, source, 'loan_repayment', [row({ externalId: 'R-110' })], batchId);
    const replay = await signedPush(server, source, 'loan_repayment', [row({ externalId: 'R-111' })], batchId);
    expect(replay.body.data.replayed).toBe(true);
    expect(replay.body.data.batch.id).toBe(first.body.data.batch.id);
    expect((await repaymentsOf(loan.id)).map((r) => r.reference)).toEqual(['R-100', 'R-101', 'R-110']);
  });

  it('books one repayment once when two batches carry it at the same moment', async () => {
    const twin = row({ externalId: 'R-TWIN', principalFen: 1_000_00 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => signedPush(server, source, 'loan_repayment', [twin])));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    const counts = answers.map((a) => a.body.data.batch.counts);
    expect(counts.reduce((n, c) => n + c.accepted, 0)).toBe(1);
    expect(counts.reduce((n, c) => n + c.duplicate, 0)).toBe(5);
    expect((await repaymentsOf(loan.id)).filter((r) => r.reference === 'R-TWIN')).toHaveLength(1);
  });
});

describe('a file of repayments', () => {
  it('is read on the worker and moves an overdue application back once its instalment is paid', async () => {
    // Disbursed 45 days ago (the clock moved back for it), so its first instalment is overdue today.
    clock.advance(-45 * 86_400_000);
    const overdue = await disbursedLoan('QT-R-002');
    clock.reset();
    const first = overdue.schedule[0]!;
    expect(first.dueOn < TODAY).toBe(true);
    const officer = await signInAdmin(server, 'bank_officer');
    await refreshLoanFigures(server.app);
    expect((await officer.get(`/api/v1/applications/${overdue.applicationId}`)).body.data.status).toBe('overdue');

    stops.push(startWorker(server.app, { pollMs: 25, concurrency: 2 }));
    const paidOn = shanghaiDate(clock.now());
    const csv = [
      '统一社会信用代码,记录编号,平台贷款编号,合同编号,还款日期,归还本金（元）,归还利息（元）',
      `${firm.uscc},F-1,,QT-R-002,${paidOn.replace(/-/g, '/')},"${formatFenAsYuan(first.principalFen).replace('¥', '')}",${(first.interestFen / 100).toFixed(2)}`,
      `${firm.uscc},F-2,${overdue.id},,${paidOn},abc,0`,
    ].join('\n');
    const started = await officer.post('/api/v1/ingest-batches').field('sourceId', source.id).field('category', 'loan_repayment').attach('file', Buffer.from(csv), '还款.csv');
    expect(`${started.status} ${started.body.errorMessage ?? ''}`).toBe('201 ');
    const batch = await waitFor('the import to finish', async () => {
      const b = (await officer.get(`/api/v1/ingest-batches/${started.body.data.id}`)).body.data;
      return ['done', 'failed'].includes(b.status) ? b : null;
    }, 120_000);
    const errors = (await officer.get(`/api/v1/ingest-batches/${batch.id}/errors`)).body.data.list as Array<{ rowNumber: number; label: string }>;
    expect([batch.counts, errors]).toMatchObject([{ accepted: 1, rejected: 1 }, [{ rowNumber: 3 }]]);
    expect(batch).toMatchObject({ status: 'done', category: 'loan_repayment' });
    expect(errors).toEqual([expect.objectContaining({ rowNumber: 3, label: '归还本金（元）' })]);
    expect(await repaymentsOf(overdue.id)).toEqual([{ reference: 'F-1', channel: 'file', principal: first.principalFen }]);
    // The follow-up job cures the application.
    const cured = await waitFor('the application to be cured', async () => {
      const detail = (await officer.get(`/api/v1/applications/${overdue.applicationId}`)).body.data;
      return detail.status === 'disbursed' ? detail : null;
    }, 60_000);
    expect(cured.events.at(-1)).toMatchObject({ kind: 'cure', actorKind: 'system' });
    expect(cured.loan.figures).toMatchObject({ daysOverdue: 0, status: 'current' });
    // The template names the columns.
    const template = await officer.get('/api/v1/credit-data/templates/loan_repayment').query({ format: 'csv' }).buffer(true);
    expect(template.status).toBe(200);
    expect(template.text).toContain('平台贷款编号');
  });
});
