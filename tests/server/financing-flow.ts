import { addDays, shanghaiDate, type TProductTerms } from '@xyd/shared';
import { Enterprise, EnterpriseMember } from '../../server/src/modules/enterprises/models';
import { newId } from '../../server/src/lib/ids';
import { clock, type signInAdmin, type TestServer } from './helpers';

/** Steps of the financing loop through the API, for tests that need an application or a loan to stand on. */

type Agent = Awaited<ReturnType<typeof signInAdmin>>;

export const OFFER = { amountFen: 1_200_000_00, rateBp: 420, termMonths: 12, repaymentMethod: 'equal_principal', guaranteeMethod: 'credit' } as const;

/** A credit product for Hangzhou with no admission criteria beyond the region. */
export function productTerms(name: string, overrides: Partial<TProductTerms> = {}): TProductTerms {
  return {
    name,
    type: 'credit',
    summary: '',
    amountMinFen: 100_000_00,
    amountMaxFen: 5_000_000_00,
    termMinMonths: 6,
    termMaxMonths: 36,
    rateMinBp: 350,
    rateMaxBp: 600,
    guaranteeMethods: ['credit'],
    repaymentMethods: ['equal_principal'],
    requiredDocuments: [],
    acceptDays: 3,
    turnaroundDays: 10,
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
      excludeBlacklisted: false,
      noTaxArrears: false,
      noSocialArrears: false,
      noEnforcement: false,
    },
  };
}

/** Creates the product and publishes it: its id. */
export async function publishTerms(bankAdmin: Agent, terms: TProductTerms): Promise<string> {
  const created = await bankAdmin.post('/api/v1/products').send({ terms });
  expect(created.status).toBe(201);
  expect((await bankAdmin.post(`/api/v1/products/${created.body.data.id}/status`).send({ to: 'published' })).status).toBe(200);
  return created.body.data.id;
}

export const publishProduct = (bankAdmin: Agent, name: string): Promise<string> => publishTerms(bankAdmin, productTerms(name));

/** Binds a new WeChat user as the owner of the firm: its id and the user's token. */
export async function bindOwner(server: TestServer, uscc: string, code: string): Promise<{ id: string; token: string }> {
  const enterprise = (await Enterprise.findOne({ where: { uscc } }))!;
  const login = await server.http.post('/api/v1/auth/wechat/login').send({ code }).expect(200);
  await EnterpriseMember.create({ id: newId(), enterpriseId: enterprise.id, wechatUserId: login.body.data.user.id, role: 'ent_owner', displayName: '法人', verificationId: null });
  return { id: enterprise.id, token: login.body.data.token };
}

export interface Firm {
  id: string;
  token: string;
}

/** The firm applies to the product, granting its registration data for 30 days. */
export async function apply(server: TestServer, firm: Firm, productId: string): Promise<string> {
  const res = await server.http
    .post(`/api/v1/me/enterprises/${firm.id}/applications`)
    .set('Authorization', `Bearer ${firm.token}`)
    .set('Idempotency-Key', `key-${newId()}`)
    .send({ productId, amountFen: OFFER.amountFen, termMonths: 12, purpose: '采购原材料', grant: { scopes: ['registration'], expiresOn: addDays(shanghaiDate(clock.now()), 30), consent: true } });
  expect(`${res.status} ${res.body.errorMessage ?? ''}`).toBe('201 ');
  return res.body.data.id;
}

/** One move by the institution, on the version it reads first. */
export async function move(agent: Agent, id: string, body: object): Promise<void> {
  const version = (await agent.get(`/api/v1/applications/${id}`)).body.data.version;
  const res = await agent.post(`/api/v1/applications/${id}/moves`).send({ version, ...body });
  expect(`${res.status} ${res.body.errorMessage ?? ''}`).toBe('200 ');
}

/** From submitted to disbursed today (the firm accepting the offer on the way); the loan as the bank reads it. */
export async function disburseLoan(server: TestServer, officer: Agent, firm: Firm, applicationId: string, contractNo: string) {
  await move(officer, applicationId, { action: 'accept' });
  await move(officer, applicationId, { action: 'investigate' });
  await move(officer, applicationId, { action: 'approve', offer: OFFER });
  const version = (await officer.get(`/api/v1/applications/${applicationId}`)).body.data.version;
  const accepted = await server.http
    .post(`/api/v1/me/enterprises/${firm.id}/applications/${applicationId}/moves`)
    .set('Authorization', `Bearer ${firm.token}`)
    .send({ action: 'accept_offer', version });
  expect(accepted.status).toBe(200);
  await move(officer, applicationId, { action: 'disburse', loan: { ...OFFER, disbursedOn: shanghaiDate(clock.now()), creditLoan: true, contractNo } });
  const detail = (await officer.get(`/api/v1/applications/${applicationId}`)).body.data;
  return detail.loan as { id: string; contractNo: string; schedule: Array<{ dueOn: string; principalFen: number; interestFen: number }> };
}
