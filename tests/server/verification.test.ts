import { demoEnterprises } from '../../server/src/seed/demo';
import { dispatchOnce } from '../../server/src/modules/notifications/dispatcher';
import { demoIdNumber, demoUscc } from '../../server/src/seed/demo';
import { Enterprise, VerificationRequest } from '../../server/src/modules/enterprises/models';
import { idNumberHmac } from '../../server/src/modules/enterprises/service';
import { AdminUser } from '../../server/src/modules/identity/models';
import { OutboxItem } from '../../server/src/modules/notifications/models';
import { newId } from '../../server/src/lib/ids';
import { PNG_BYTES, signInAdmin, signInWechat, startTestServer, submitVerification, verificationFields, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const hangzhou = demoEnterprises()[0]; // 西湖区, Hangzhou
const ningbo = demoEnterprises().find((e) => e.regionCode.startsWith('3302'))!;

const submit = (token: string, fields: Record<string, string>, file: Buffer | null = PNG_BYTES, key?: string) =>
  submitVerification(server, token, fields, { file, idempotencyKey: key });
const fieldsOf = verificationFields;

describe('enterprise verification', () => {
  it('refuses a bad USCC naming the field and writes nothing', async () => {
    const token = await signInWechat(server);
    const before = await VerificationRequest.count();
    const bad = { ...fieldsOf(hangzhou), uscc: hangzhou.uscc.slice(0, 17) + (hangzhou.uscc[17] === '0' ? '1' : '0') };
    const res = await submit(token, bad);
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0].field).toBe('uscc');
    expect(res.body.errorFields[0].message).toContain('校验位不正确');
    expect(await VerificationRequest.count()).toBe(before);
  });

  it('refuses a licence that is not an image, and one that is missing', async () => {
    const token = await signInWechat(server);
    const fake = await submit(token, fieldsOf(hangzhou), Buffer.from('%PDF-1.4 not an image'));
    expect(fake.status).toBe(400);
    expect(fake.body.errorFields[0]).toEqual({ field: 'licence', message: '营业执照照片只能是 JPEG 或 PNG 图片' });
    const none = await submit(token, fieldsOf(hangzhou), null);
    expect(none.status).toBe(400);
    expect(none.body.errorFields[0].field).toBe('licence');
  });

  it('refuses a licence over 5 MB with 413', async () => {
    const token = await signInWechat(server);
    const big = Buffer.concat([PNG_BYTES, Buffer.alloc(5 * 1024 * 1024 + 10)]);
    const res = await submit(token, fieldsOf(hangzhou), big);
    expect(res.status).toBe(413);
    expect(res.body.errorCode).toBe('PAYLOAD_TOO_LARGE');
  });

  it('goes from request to approval to access, and notifies the applicant', async () => {
    const token = await signInWechat(server, 'dev-owner-1');
    const created = await submit(token, fieldsOf(hangzhou));
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ status: 'pending', legalRepIdMasked: expect.stringMatching(/^\d{6}\*{8}[\dX]{4}$/) });
    const id = created.body.data.id as string;

    const dup = await submit(token, fieldsOf(hangzhou));
    expect(dup.status).toBe(409);

    // The Ningbo advisor cannot see a Hangzhou request; the Hangzhou advisor can.
    const ningboAdvisor = await signInAdmin(server, 'advisor_nb');
    expect((await ningboAdvisor.get(`/api/v1/verifications/${id}`)).status).toBe(404);
    expect((await ningboAdvisor.post(`/api/v1/verifications/${id}/approve`)).status).toBe(404);

    const advisor = await signInAdmin(server, 'advisor');
    const queue = await advisor.get('/api/v1/verifications?status=pending');
    expect(queue.body.data.list.map((v: { id: string }) => v.id)).toContain(id);
    const detail = await advisor.get(`/api/v1/verifications/${id}`);
    expect(detail.body.data.checks).toEqual({ enterpriseRegistered: true, nameMatches: true, legalRepNameMatches: true, legalRepIdMatches: true });
    const image = await advisor.get(`/api/v1/verifications/${id}/licence`);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');

    const bank = await signInAdmin(server, 'bank_officer');
    expect((await bank.get('/api/v1/verifications')).status).toBe(403);

    const approved = await advisor.post(`/api/v1/verifications/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', reviewerName: '王顾问（杭州）' });
    const twice = await advisor.post(`/api/v1/verifications/${id}/approve`);
    expect(twice.status).toBe(409);

    const me = await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
    expect(me.body.data.enterprises).toEqual([{ id: expect.any(String), name: hangzhou.name, uscc: hangzhou.uscc, memberRole: 'ent_owner' }]);
    const mine = await server.http.get('/api/v1/me/enterprises').set('Authorization', `Bearer ${token}`);
    expect(mine.body.data[0].members).toEqual([{ displayName: hangzhou.legalRepName, role: 'ent_owner' }]);

    await dispatchOnce(server.app);
    const messages = await server.http.get('/api/v1/messages').set('Authorization', `Bearer ${token}`);
    expect(messages.body.data.list[0]).toMatchObject({ title: '企业认证已通过', readAt: null });
    const unread = await server.http.get('/api/v1/messages/unread-count').set('Authorization', `Bearer ${token}`);
    expect(unread.body.data.count).toBe(1);
    await server.http.post(`/api/v1/messages/${messages.body.data.list[0].id}/read`).set('Authorization', `Bearer ${token}`).expect(200);
    const after = await server.http.get('/api/v1/messages/unread-count').set('Authorization', `Bearer ${token}`);
    expect(after.body.data.count).toBe(0);
  });

  it('requires a reason to reject and tells the applicant why', async () => {
    const token = await signInWechat(server);
    const e = demoEnterprises()[8];
    const created = await submit(token, { ...fieldsOf(e), applicantRole: 'agent' });
    const advisor = await signInAdmin(server, 'advisor');
    const noReason = await advisor.post(`/api/v1/verifications/${created.body.data.id}/reject`).send({});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errorFields[0]).toEqual({ field: 'reason', message: '请填写驳回原因' });
    const rejected = await advisor.post(`/api/v1/verifications/${created.body.data.id}/reject`).send({ reason: '营业执照照片不清晰' });
    expect(rejected.body.data).toMatchObject({ status: 'rejected', rejectReason: '营业执照照片不清晰' });
    const mine = await server.http.get('/api/v1/verifications/mine').set('Authorization', `Bearer ${token}`);
    expect(mine.body.data[0]).toMatchObject({ status: 'rejected', rejectReason: '营业执照照片不清晰' });
  });

  it('replays an idempotent submission and refuses the same key with a different body', async () => {
    const token = await signInWechat(server);
    const e = demoEnterprises()[16];
    const first = await submit(token, fieldsOf(e), PNG_BYTES, 'bind-key-1');
    expect(first.status).toBe(201);
    const replay = await submit(token, fieldsOf(e), PNG_BYTES, 'bind-key-1');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.data.id).toBe(first.body.data.id);
    expect(await VerificationRequest.count({ where: { uscc: e.uscc } })).toBe(1);
    const other = await submit(token, { ...fieldsOf(e), enterpriseName: '另一个名字有限公司' }, PNG_BYTES, 'bind-key-1');
    expect(other.status).toBe(409);
    expect(other.body.errorCode).toBe('IDEMPOTENCY_CONFLICT');
  });
});

describe('scope', () => {
  it('hides another city’s enterprise behind 404 for government and bank users', async () => {
    const ningboEnterprise = await Enterprise.findOne({ where: { uscc: ningbo.uscc } });
    const hangzhouEnterprise = await Enterprise.findOne({ where: { uscc: hangzhou.uscc } });
    const cityGov = await signInAdmin(server, 'gov_city');
    const other = await cityGov.get(`/api/v1/enterprises/${ningboEnterprise!.id}`);
    expect(other.status).toBe(404);
    expect(other.body.errorCode).toBe('NOT_FOUND');
    expect((await cityGov.get(`/api/v1/enterprises/${hangzhouEnterprise!.id}`)).status).toBe(200);
    const list = await cityGov.get('/api/v1/enterprises?pageSize=100');
    expect(list.body.data.list.every((e: { regionCode: string }) => e.regionCode.startsWith('3301'))).toBe(true);

    const district = await signInAdmin(server, 'gov_district');
    const districtList = await district.get('/api/v1/enterprises?pageSize=100');
    expect(districtList.body.data.total).toBeGreaterThan(0);
    expect(districtList.body.data.list.every((e: { regionCode: string }) => e.regionCode === '330106')).toBe(true);

    const province = await signInAdmin(server, 'gov_province');
    expect((await province.get(`/api/v1/enterprises/${ningboEnterprise!.id}`)).status).toBe(200);

    const bank = await signInAdmin(server, 'bank_officer');
    expect((await bank.get(`/api/v1/enterprises/${ningboEnterprise!.id}`)).status).toBe(404);
    expect((await bank.get('/api/v1/enterprises')).body.data.total).toBe(0);

    const admin = await signInAdmin(server, 'admin');
    const denied = await admin.get('/api/v1/audit-logs?action=enterprise.read');
    expect(denied.body.data.list.some((r: { outcome: string; targetId: string }) => r.outcome === 'denied' && r.targetId === ningboEnterprise!.id)).toBe(true);
  });

  it('rejects a malformed id with 400', async () => {
    const admin = await signInAdmin(server, 'admin');
    const res = await admin.get('/api/v1/enterprises/abc');
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0].field).toBe('id');
  });
});

/** A firm with a USCC issued in `usccRegion`, not (yet) in the registry. */
function unregisteredFirm(usccRegion: string, serial: number, name: string) {
  return { uscc: demoUscc(usccRegion, serial), name, legalRepName: '测试法人', legalRepIdNumber: demoIdNumber(usccRegion, serial), regionCode: usccRegion };
}

/** The firm enters the registry (as an import would), registered in `regionCode`. */
async function register(firm: ReturnType<typeof unregisteredFirm>, regionCode: string): Promise<string> {
  const id = newId();
  await Enterprise.create({
    id,
    uscc: firm.uscc,
    name: firm.name,
    legalRepName: firm.legalRepName,
    legalRepIdHmac: idNumberHmac(server.app.config.idHashKey, firm.legalRepIdNumber),
    legalRepIdMasked: `${firm.legalRepIdNumber.slice(0, 6)}********${firm.legalRepIdNumber.slice(-4)}`,
    registeredCapitalFen: '500000000',
    establishedOn: '2021-06-01',
    industryCode: 'C3484',
    industryName: '机械零部件加工',
    regionCode,
    scale: 'small',
    status: 'active',
    address: null,
    businessScope: null,
  });
  return id;
}

const adminIdOf = async (username: string) => (await AdminUser.findOne({ where: { username } }))!.id;
const noticesTo = (recipientKind: 'admin' | 'wechat', recipientId: string) =>
  OutboxItem.findAll({ where: { recipientKind, recipientId }, order: [['createdAt', 'ASC']] });

describe('decisions follow the enterprise’s current region (defect 7)', () => {
  it('a Hangzhou advisor cannot approve a firm that entered the registry in Ningbo after submission', async () => {
    // The USCC was issued in 西湖区, so the request is routed to Hangzhou at submission.
    const firm = unregisteredFirm('330106', 911, '后入库宁波机械有限公司');
    const token = await signInWechat(server);
    const created = await submit(token, fieldsOf(firm));
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const advisor = await signInAdmin(server, 'advisor');
    expect((await advisor.get(`/api/v1/verifications/${id}`)).status).toBe(200);

    await register(firm, '330203'); // 宁波 海曙区

    const queue = await advisor.get('/api/v1/verifications?status=pending&pageSize=100');
    expect(queue.body.data.list.map((v: { id: string }) => v.id)).not.toContain(id);
    expect((await advisor.get(`/api/v1/verifications/${id}`)).status).toBe(404);
    expect((await advisor.post(`/api/v1/verifications/${id}/approve`)).status).toBe(404);
    expect((await advisor.post(`/api/v1/verifications/${id}/reject`).send({ reason: '不在本区域' })).status).toBe(404);
    expect((await VerificationRequest.findByPk(id))!.status).toBe('pending');

    const ningboAdvisor = await signInAdmin(server, 'advisor_nb');
    const nbQueue = await ningboAdvisor.get('/api/v1/verifications?status=pending&pageSize=100');
    expect(nbQueue.body.data.list.map((v: { id: string }) => v.id)).toContain(id);
    const detail = await ningboAdvisor.get(`/api/v1/verifications/${id}`);
    expect(detail.body.data.registration).toMatchObject({ name: firm.name, regionName: '海曙区', existingOwners: [] });
    const approved = await ningboAdvisor.post(`/api/v1/verifications/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', regionCode: '330203', reviewerName: '陈顾问（宁波）' });

    // A second owner's request shows the one already bound, so the console can warn before approving.
    const second = await submit(await signInWechat(server), { ...fieldsOf(firm) });
    const secondDetail = await ningboAdvisor.get(`/api/v1/verifications/${second.body.data.id}`);
    expect(secondDetail.body.data.registration.existingOwners).toEqual(['测试法人']);
  });

  it('notifies only the advisors of the request’s region', async () => {
    const hangzhouAdvisor = await adminIdOf('advisor');
    const ningboAdvisor = await adminIdOf('advisor_nb');
    const before = { hz: (await noticesTo('admin', hangzhouAdvisor)).length, nb: (await noticesTo('admin', ningboAdvisor)).length };
    const created = await submit(await signInWechat(server), fieldsOf(ningbo));
    expect(created.status).toBe(201);
    expect((await noticesTo('admin', hangzhouAdvisor)).length).toBe(before.hz);
    const nb = await noticesTo('admin', ningboAdvisor);
    expect(nb.length).toBe(before.nb + 1);
    expect(nb[nb.length - 1]).toMatchObject({ title: '新的企业认证申请', link: `/verifications/${created.body.data.id}` });
  });

  it('a request no advisor covers goes to the platform admin, who reassigns it, and the firm is told', async () => {
    // 温州 鹿城区: no advisor answers for it.
    const firm = unregisteredFirm('330302', 912, '温州无人负责测试有限公司');
    const token = await signInWechat(server);
    const me = await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
    const platformAdmin = await adminIdOf('admin');
    const adminBefore = (await noticesTo('admin', platformAdmin)).length;
    const created = await submit(token, fieldsOf(firm));
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const adminNotices = await noticesTo('admin', platformAdmin);
    expect(adminNotices.length).toBe(adminBefore + 1);
    expect(adminNotices[adminNotices.length - 1]).toMatchObject({ title: '无人负责区域的企业认证申请', link: `/verifications/${id}` });

    const advisor = await signInAdmin(server, 'advisor');
    expect((await advisor.get(`/api/v1/verifications/${id}`)).status).toBe(404);
    expect((await advisor.post(`/api/v1/verifications/${id}/reassign`).send({ regionCode: '330100' })).status).toBe(403);

    const admin = await signInAdmin(server, 'admin');
    const queue = await admin.get('/api/v1/verifications?status=pending&pageSize=100');
    expect(queue.body.data.list.map((v: { id: string }) => v.id)).toContain(id);
    const nobody = await admin.post(`/api/v1/verifications/${id}/reassign`).send({ regionCode: '330300' });
    expect(nobody.status).toBe(400);
    expect(nobody.body.errorFields[0]).toEqual({ field: 'regionCode', message: '温州市没有负责的融资顾问，请选择其他区域' });
    const bad = await admin.post(`/api/v1/verifications/${id}/reassign`).send({ regionCode: '339999' });
    expect(bad.status).toBe(400);

    const hangzhouAdvisor = await adminIdOf('advisor');
    const hzBefore = (await noticesTo('admin', hangzhouAdvisor)).length;
    const reassigned = await admin.post(`/api/v1/verifications/${id}/reassign`).send({ regionCode: '330100' });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.data).toMatchObject({ status: 'pending', regionCode: '330100' });
    expect((await noticesTo('admin', hangzhouAdvisor)).length).toBe(hzBefore + 1);
    const firmNotices = await noticesTo('wechat', me.body.data.id);
    expect(firmNotices.map((n) => n.title)).toContain('企业认证申请已转交审核');

    expect((await advisor.get(`/api/v1/verifications/${id}`)).status).toBe(200);
    const rejected = await advisor.post(`/api/v1/verifications/${id}/reject`).send({ reason: '登记数据中查无此企业' });
    expect(rejected.body.data).toMatchObject({ status: 'rejected' });
  });

  it('a platform admin decides a registered firm of a region without advisors, which cannot be reassigned', async () => {
    const firm = unregisteredFirm('330302', 913, '温州已登记测试有限公司');
    await register(firm, '330302');
    const created = await submit(await signInWechat(server), fieldsOf(firm));
    const id = created.body.data.id as string;
    const admin = await signInAdmin(server, 'admin');
    const moved = await admin.post(`/api/v1/verifications/${id}/reassign`).send({ regionCode: '330100' });
    expect(moved.status).toBe(409);
    expect(moved.body.errorMessage).toContain('鹿城区');
    const approved = await admin.post(`/api/v1/verifications/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', reviewerName: '平台管理员' });
  });
});
