import fs from 'node:fs';
import path from 'node:path';
import { demoEnterprises, demoIdNumber, demoUscc } from '../../server/src/seed/demo';
import { Enterprise, VerificationRequest } from '../../server/src/modules/enterprises/models';
import { idNumberHmac } from '../../server/src/modules/enterprises/service';
import { AdminUser, Organisation } from '../../server/src/modules/identity/models';
import { hashPassword } from '../../server/src/modules/identity/passwords';
import { OutboxItem } from '../../server/src/modules/notifications/models';
import { newId } from '../../server/src/lib/ids';
import { DEMO_PASSWORD, signInAdmin, signInWechat, startTestServer, submitVerification, verificationFields, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const MODULES = path.join(__dirname, '../../server/src/modules');
/** The repository itself and the model definitions are the only places allowed to touch enterprise rows. */
const ALLOWED = new Set(['enterprises/repository.ts', 'enterprises/models.ts']);
const FORBIDDEN: Array<[string, RegExp]> = [
  ['Enterprise.find*/count/aggregate', /\bEnterprise\s*\.\s*(find\w*|count|aggregate|sum|max|min)\s*\(/],
  ['SQL on the enterprises table', /\b(from|join|into|update)\s+[`"']?enterprises\b/i],
  ["a query naming the enterprises table", /\b(tableName|getTableName|table)\s*[:=(]\s*['"`]enterprises['"`]/],
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(d.name) ? [full] : [];
  });
}

function violations(text: string): string[] {
  return FORBIDDEN.filter(([, re]) => re.test(text)).map(([what]) => what);
}

describe('the enterprise repository is the only reader of enterprise rows', () => {
  it('recognises the forbidden reads (the scan would catch them)', () => {
    expect(violations("const e = await Enterprise.findOne({ where: { uscc } });")).toEqual(['Enterprise.find*/count/aggregate']);
    expect(violations('await Enterprise.count({ where: scope })')).toEqual(['Enterprise.find*/count/aggregate']);
    expect(violations("sequelize.query('SELECT id FROM enterprises WHERE region_code LIKE ?')")).toEqual(['SQL on the enterprises table']);
    expect(violations("literal('(SELECT e.id FROM `enterprises` e)')")).toEqual(['SQL on the enterprises table']);
    expect(violations('await EnterpriseMember.count({ where: { wechatUserId } })')).toEqual([]);
  });

  it('finds no module outside the repository reading Enterprise or the enterprises table', () => {
    const offenders = sourceFiles(MODULES)
      .map((file) => path.relative(MODULES, file).split(path.sep).join('/'))
      .filter((rel) => !ALLOWED.has(rel))
      .flatMap((rel) => violations(fs.readFileSync(path.join(MODULES, rel), 'utf8')).map((what) => `${rel}: ${what}`));
    expect(offenders).toEqual([]);
  });
});

const hangzhouOther = demoEnterprises().find((e) => e.regionCode === '330102')!; // 上城区, Hangzhou but not 西湖区
const xihu = demoEnterprises().find((e) => e.regionCode === '330106')!;
const ningbo = demoEnterprises().find((e) => e.regionCode.startsWith('3302'))!;
const idOf = async (uscc: string) => (await Enterprise.findOne({ where: { uscc }, attributes: ['id'] }))!.id;

/** An advisor or government user without any region, as the database could hold them before region was required. */
async function legacyUserWithoutRegion(username: string, role: 'advisor' | 'gov'): Promise<void> {
  let org = await Organisation.findOne({ where: { type: role === 'advisor' ? 'platform' : 'government', regionCode: null } });
  if (!org) org = await Organisation.create({ id: newId(), name: '无区域的政府部门', type: 'government', regionCode: null });
  await AdminUser.create({
    id: newId(),
    username,
    displayName: username,
    passwordHash: await hashPassword(DEMO_PASSWORD),
    role,
    organisationId: org.id,
    regionCode: null,
  });
}

const submit = (token: string, e: Parameters<typeof verificationFields>[0]) => submitVerification(server, token, verificationFields(e));

describe('scope fails closed (defect 6)', () => {
  it('refuses an advisor or a government user without a region, on create and on role change', async () => {
    const admin = await signInAdmin(server, 'admin');
    const orgs = await admin.get('/api/v1/organisations').query({ pageSize: 100 });
    const platform = orgs.body.data.list.find((o: { type: string }) => o.type === 'platform');
    const noRegion = await admin.post('/api/v1/admin-users').send({
      username: 'advisor.noregion',
      displayName: '无区域顾问',
      role: 'advisor',
      organisationId: platform.id,
      password: 'Advisor-Passw0rd!',
    });
    expect(noRegion.status).toBe(400);
    expect(noRegion.body.errorFields).toEqual([{ field: 'regionCode', message: '融资顾问必须指定负责的行政区划' }]);

    // A government user answers for the organisation's region when none is given.
    const city = orgs.body.data.list.find((o: { name: string }) => o.name === '杭州市发展和改革委员会');
    const gov = await admin.post('/api/v1/admin-users').send({
      username: 'gov.inherits',
      displayName: '继承区域',
      role: 'gov',
      organisationId: city.id,
      password: 'Gov-User-Passw0rd!',
    });
    expect(gov.status).toBe(201);
    expect(gov.body.data).toMatchObject({ regionCode: null, regionName: '杭州市' });

    const platformAdmin = await admin.post('/api/v1/admin-users').send({
      username: 'ops.second',
      displayName: '第二位管理员',
      role: 'platform_admin',
      organisationId: platform.id,
      password: 'Platform-Passw0rd!',
    });
    expect(platformAdmin.status).toBe(201);
    const toAdvisor = await admin.patch(`/api/v1/admin-users/${platformAdmin.body.data.id}`).send({ role: 'advisor' });
    expect(toAdvisor.status).toBe(400);
    expect(toAdvisor.body.errorFields[0].field).toBe('regionCode');
    const withRegion = await admin.patch(`/api/v1/admin-users/${platformAdmin.body.data.id}`).send({ role: 'advisor', regionCode: '330200' });
    expect(withRegion.status).toBe(200);
    const cleared = await admin.patch(`/api/v1/admin-users/${platformAdmin.body.data.id}`).send({ regionCode: null });
    expect(cleared.status).toBe(400);
    expect(cleared.body.errorFields[0].field).toBe('regionCode');
  });

  it('shows nothing to an advisor or government user that has no region, and never notifies them', async () => {
    await legacyUserWithoutRegion('legacy.advisor', 'advisor');
    await legacyUserWithoutRegion('legacy.gov', 'gov');
    const enterpriseId = await idOf(xihu.uscc);

    const token = await signInWechat(server);
    const created = await submit(token, xihu);
    expect(created.status).toBe(201);
    const legacyAdvisor = await AdminUser.findOne({ where: { username: 'legacy.advisor' } });
    expect(await OutboxItem.count({ where: { recipientKind: 'admin', recipientId: legacyAdvisor!.id } })).toBe(0);

    for (const username of ['legacy.advisor', 'legacy.gov']) {
      const agent = await signInAdmin(server, username);
      const list = await agent.get('/api/v1/enterprises?pageSize=100');
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual({ list: [], total: 0 });
      expect((await agent.get(`/api/v1/enterprises/${enterpriseId}`)).status).toBe(404);
      const cards = (await agent.get('/api/v1/workbench')).body.data.cards as Array<{ key: string; value: number }>;
      expect(cards.filter((c) => c.key !== 'unread').every((c) => c.value === 0)).toBe(true);
    }
    const advisor = await signInAdmin(server, 'legacy.advisor');
    expect((await advisor.get('/api/v1/verifications')).body.data).toEqual({ list: [], total: 0 });
    expect((await advisor.get(`/api/v1/verifications/${created.body.data.id}`)).status).toBe(404);
    expect((await advisor.post(`/api/v1/verifications/${created.body.data.id}/approve`)).status).toBe(404);
    expect((await advisor.post(`/api/v1/verifications/${created.body.data.id}/reject`).send({ reason: '越权驳回' })).status).toBe(404);
    expect((await VerificationRequest.findByPk(created.body.data.id))!.status).toBe('pending');
  });
});

describe('every endpoint returning enterprise data stays in scope', () => {
  it('hides out-of-scope enterprises and requests from a Ningbo advisor, a district government user and a bank user', async () => {
    const token = await signInWechat(server);
    const request = await submit(token, hangzhouOther);
    expect(request.status).toBe(201);
    const requestId = request.body.data.id as string;
    const hangzhouId = await idOf(hangzhouOther.uscc);
    const ningboId = await idOf(ningbo.uscc);

    const ningboAdvisor = await signInAdmin(server, 'advisor_nb');
    const nbList = await ningboAdvisor.get('/api/v1/enterprises?pageSize=100');
    expect(nbList.body.data.total).toBeGreaterThan(0);
    expect(nbList.body.data.list.every((e: { regionCode: string }) => e.regionCode.startsWith('3302'))).toBe(true);
    expect((await ningboAdvisor.get(`/api/v1/enterprises/${hangzhouId}`)).status).toBe(404);
    expect((await ningboAdvisor.get(`/api/v1/enterprises/${ningboId}`)).status).toBe(200);
    const nbQueue = await ningboAdvisor.get('/api/v1/verifications?pageSize=100');
    expect(nbQueue.body.data.list.map((v: { id: string }) => v.id)).not.toContain(requestId);
    expect((await ningboAdvisor.get(`/api/v1/verifications/${requestId}`)).status).toBe(404);
    expect((await ningboAdvisor.post(`/api/v1/verifications/${requestId}/approve`)).status).toBe(404);
    expect((await ningboAdvisor.post(`/api/v1/verifications/${requestId}/reject`).send({ reason: '不在本区域' })).status).toBe(404);

    const district = await signInAdmin(server, 'gov_district');
    const dList = await district.get('/api/v1/enterprises?pageSize=100');
    expect(dList.body.data.list.every((e: { regionCode: string }) => e.regionCode === '330106')).toBe(true);
    expect((await district.get(`/api/v1/enterprises/${hangzhouId}`)).status).toBe(404);
    expect((await district.get(`/api/v1/enterprises?keyword=${encodeURIComponent(hangzhouOther.uscc)}`)).body.data.total).toBe(0);
    expect((await district.get(`/api/v1/verifications/${requestId}`)).status).toBe(403);
    expect((await district.post(`/api/v1/verifications/${requestId}/approve`)).status).toBe(403);

    const bank = await signInAdmin(server, 'bank_officer');
    expect((await bank.get('/api/v1/enterprises?pageSize=100')).body.data).toEqual({ list: [], total: 0 });
    expect((await bank.get(`/api/v1/enterprises/${hangzhouId}`)).status).toBe(404);
    expect((await bank.get(`/api/v1/verifications/${requestId}`)).status).toBe(403);
    expect((await bank.post(`/api/v1/verifications/${requestId}/reject`).send({ reason: '银行越权' })).status).toBe(403);

    // The Hangzhou advisor covers it: the same calls succeed, so the refusals above are scope, not breakage.
    const advisor = await signInAdmin(server, 'advisor');
    expect((await advisor.get(`/api/v1/enterprises/${hangzhouId}`)).status).toBe(200);
    expect((await advisor.get(`/api/v1/verifications/${requestId}`)).status).toBe(200);
    expect((await VerificationRequest.findByPk(requestId))!.status).toBe('pending');
  });

  it('filters by the region prefix: 330110 does not match 330111', async () => {
    // 富阳区 (330111) next to 余杭区 (330110): stripping trailing zeros would turn 330110 into the prefix 33011.
    await Enterprise.create({
      id: newId(),
      uscc: demoUscc('330111', 901),
      name: '杭州富阳前缀测试有限公司',
      legalRepName: '测试人',
      legalRepIdHmac: idNumberHmac(server.app.config.idHashKey, demoIdNumber('330111', 901)),
      legalRepIdMasked: '330111********0000',
      registeredCapitalFen: '100000000',
      establishedOn: '2020-01-01',
      industryCode: 'C3484',
      industryName: '机械零部件加工',
      regionCode: '330111',
      scale: 'small',
      status: 'active',
      address: null,
      businessScope: null,
    });
    const admin = await signInAdmin(server, 'admin');
    const yuhang = await admin.get('/api/v1/enterprises?regionCode=330110&pageSize=100');
    expect(yuhang.body.data.total).toBeGreaterThan(0);
    expect(yuhang.body.data.list.every((e: { regionCode: string }) => e.regionCode === '330110')).toBe(true);
    const fuyang = await admin.get('/api/v1/enterprises?regionCode=330111');
    expect(fuyang.body.data.list.map((e: { name: string }) => e.name)).toEqual(['杭州富阳前缀测试有限公司']);
    const city = await admin.get('/api/v1/enterprises?regionCode=330100&pageSize=100');
    expect(city.body.data.list.some((e: { regionCode: string }) => e.regionCode === '330111')).toBe(true);
  });

  it('treats LIKE wildcards in a keyword as text', async () => {
    const admin = await signInAdmin(server, 'admin');
    expect((await admin.get('/api/v1/enterprises?keyword=%25')).body.data.total).toBe(0);
    expect((await admin.get('/api/v1/enterprises?keyword=_')).body.data.total).toBe(0);
  });
});
