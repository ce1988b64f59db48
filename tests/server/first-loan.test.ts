import { QueryTypes } from 'sequelize';
import { shanghaiDate, shiftDate } from '@xyd/shared';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { demoEnterprises } from '../../server/src/seed/demo';
import { OFFER, apply, bindOwner, move, publishProduct, type Firm } from './financing-flow';
import { clock, signInAdmin, startTestServer, type TestServer } from './helpers';

/**
 * 首贷户 under concurrency: a firm's first loan on the platform is marked first, and of several disbursements for
 * one firm at the same moment exactly one is (fired in parallel; on MariaDB they really overlap).
 */
type Agent = Awaited<ReturnType<typeof signInAdmin>>;
let server: TestServer;
let bankAdmin: Agent;
let bankOfficer: Agent;
let firm: Firm;

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [bankAdmin, bankOfficer] = await Promise.all(['bank_admin', 'bank_officer'].map((u) => signInAdmin(server, u)));
  const uscc = demoEnterprises()[0]!.uscc;
  await Enterprise.update({ establishedOn: shiftDate(shanghaiDate(new Date()), -36), scale: 'small', status: 'active' }, { where: { uscc } });
  firm = await bindOwner(server, uscc, 'dev-first-loan-owner');
});
afterAll(async () => {
  await server.close();
});

it('marks exactly one of four simultaneous disbursements for one firm as its first loan', async () => {
  const ready: Array<{ id: string; version: number }> = [];
  for (let i = 0; i < 4; i++) {
    const productId = await publishProduct(bankAdmin, `首贷测试贷-${i}`);
    const id = await apply(server, firm, productId);
    await move(bankOfficer, id, { action: 'accept' });
    await move(bankOfficer, id, { action: 'investigate' });
    await move(bankOfficer, id, { action: 'approve', offer: OFFER });
    const version = (await bankOfficer.get(`/api/v1/applications/${id}`)).body.data.version;
    const accepted = await server.http.post(`/api/v1/me/enterprises/${firm.id}/applications/${id}/moves`).set('Authorization', `Bearer ${firm.token}`).send({ action: 'accept_offer', version });
    expect(accepted.status).toBe(200);
    ready.push({ id, version: accepted.body.data.version });
  }
  const loan = { ...OFFER, disbursedOn: shanghaiDate(clock.now()), creditLoan: true, contractNo: '' };
  const answers = await Promise.all(ready.map((a) => bankOfficer.post(`/api/v1/applications/${a.id}/moves`).send({ action: 'disburse', version: a.version, loan })));
  expect(answers.map((a) => `${a.status} ${a.body.errorMessage ?? ''}`)).toEqual(Array(4).fill('200 '));
  const loans = await server.app.db.sequelize.query<{ firstLoan: unknown }>('SELECT first_loan AS firstLoan FROM loans WHERE enterprise_id = :id', {
    replacements: { id: firm.id },
    type: QueryTypes.SELECT,
  });
  expect(loans).toHaveLength(4);
  expect(loans.filter((l) => Boolean(Number(l.firstLoan)))).toHaveLength(1);
  const seen = (await bankOfficer.get('/api/v1/loans?pageSize=100')).body.data.list as Array<{ enterpriseId: string; firstLoan: boolean }>;
  expect(seen.filter((l) => l.enterpriseId === firm.id && l.firstLoan)).toHaveLength(1);
});
