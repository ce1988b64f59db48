import { shanghaiDate, shiftDate } from '@xyd/shared';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { institutionRecords, RECORD_MIN_DECISIONS } from '../../server/src/modules/financing/figures';
import { NeedMatch } from '../../server/src/modules/matching/models';
import { matchNeedNow } from '../../server/src/modules/matching/run';
import { Organisation } from '../../server/src/modules/identity/models';
import { demoEnterprises } from '../../server/src/seed/demo';
import { newId } from '../../server/src/lib/ids';
import { OFFER, apply, bindOwner, move, publishProduct, type Firm } from './financing-flow';
import { signInAdmin, startTestServer, type TestServer } from './helpers';

/**
 * The institution's record in the matcher's soft score: once an institution has decided enough applications on the
 * platform, its approval share and its share of decisions within the decide clock replace the neutral 0.5 and the
 * promised turnaround in every match of its products.
 */
type Agent = Awaited<ReturnType<typeof signInAdmin>>;
let server: TestServer;
let bankAdmin: Agent;
let bankOfficer: Agent;
let firm: Firm;
let bankId: string;

beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
  [bankAdmin, bankOfficer] = await Promise.all(['bank_admin', 'bank_officer'].map((u) => signInAdmin(server, u)));
  const uscc = demoEnterprises()[0]!.uscc;
  await Enterprise.update({ establishedOn: shiftDate(shanghaiDate(new Date()), -36), scale: 'small', status: 'active' }, { where: { uscc } });
  firm = await bindOwner(server, uscc, 'dev-record-owner');
  bankId = String((await Organisation.findOne({ where: { name: '钱塘农村商业银行' } }))!.id);
});
afterAll(async () => {
  await server.close();
});

async function decide(productId: string, action: 'approve' | 'reject'): Promise<void> {
  const id = await apply(server, firm, productId);
  await move(bankOfficer, id, { action: 'accept' });
  await move(bankOfficer, id, { action: 'investigate' });
  await move(bankOfficer, id, action === 'approve' ? { action, offer: OFFER } : { action, rejection: { code: 'operations', text: '经营流水不足以覆盖还款' } });
}

it('stays neutral until the institution has decided enough applications, then scores its approval share', async () => {
  const productId = await publishProduct(bankAdmin, '记录测试贷');
  const rejected = await publishProduct(bankAdmin, '记录测试贷二');
  for (let i = 0; i < RECORD_MIN_DECISIONS - 1; i++) await decide(rejected, 'reject');
  expect((await institutionRecords(server.app)).has(bankId)).toBe(false);

  const needOf = async () => {
    const res = await server.http
      .post(`/api/v1/me/enterprises/${firm.id}/needs`)
      .set('Authorization', `Bearer ${firm.token}`)
      .set('Idempotency-Key', `key-${newId()}`)
      .send({ amountFen: OFFER.amountFen, termMonths: 12, purpose: 'working_capital', guaranteeMethods: ['credit'], maxRateBp: 500, urgency: 'month', note: '' });
    expect(`${res.status} ${res.body.errorMessage ?? ''}`).toBe('201 ');
    return res.body.data.id as string;
  };
  const partsOf = async (needId: string) => {
    await matchNeedNow(server.app, needId);
    const row = await NeedMatch.findOne({ where: { needId, productId } });
    return (JSON.parse(row!.outcome) as { scoreParts: { approval: number; turnaround: number } }).scoreParts;
  };
  const neutral = await partsOf(await needOf());
  expect(neutral.approval).toBe(0.5);

  await decide(productId, 'approve');
  const record = (await institutionRecords(server.app)).get(bankId);
  expect(record).toEqual({ approval: 1 / RECORD_MIN_DECISIONS, turnaround: 1 });
  const need = await needOf();
  const parts = await partsOf(need);
  expect(parts.approval).toBeCloseTo(1 / RECORD_MIN_DECISIONS, 6);
  expect(parts.turnaround).toBe(1);
});
