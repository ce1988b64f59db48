import { currentTotp } from '../../server/src/modules/identity/totp';
import { AdminUser, Session, WechatUser } from '../../server/src/modules/identity/models';
import { cleanupExpiredSessions } from '../../server/src/modules/identity/sessions';
import { DEMO_PASSWORD, clock, signInAdmin, signInWechat, startTestServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 1000 });
});
afterAll(() => server.close());
afterEach(() => clock.reset());

describe('console sign-in', () => {
  it('signs in with a httpOnly SameSite=Strict cookie and answers /auth/me', async () => {
    const agent = server.agent();
    const res = await agent.post('/api/v1/auth/admin/login').send({ username: 'advisor', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, data: { username: 'advisor', role: 'advisor', regionCode: '330100' } });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/xyd_sid=/);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=strict/i);
    const me = await agent.get('/api/v1/auth/me');
    expect(me.body.data.displayName).toBe('王顾问（杭州）');
  });

  it('refuses a wrong password with INVALID_CREDENTIALS and records it', async () => {
    const res = await server.http.post('/api/v1/auth/admin/login').send({ username: 'gov_city', password: 'wrong-password-1A' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, errorCode: 'INVALID_CREDENTIALS', errorMessage: '用户名或密码错误' });
    const admin = await signInAdmin(server, 'admin');
    const audit = await admin.get('/api/v1/audit-logs?action=auth.admin.login');
    expect(audit.body.data.list.some((r: { outcome: string; actorName: string }) => r.outcome === 'failure' && r.actorName === 'gov_city')).toBe(true);
  });

  it('locks the account after five failures for fifteen minutes, even for the right password', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await server.http.post('/api/v1/auth/admin/login').send({ username: 'gov_district', password: 'Wrong-password-1' });
      expect(res.body.errorCode).toBe('INVALID_CREDENTIALS');
    }
    const fifth = await server.http.post('/api/v1/auth/admin/login').send({ username: 'gov_district', password: 'Wrong-password-1' });
    expect(fifth.status).toBe(429);
    expect(fifth.body.errorCode).toBe('ACCOUNT_LOCKED');
    expect(fifth.body.errorMessage).toContain('锁定');
    const right = await server.http.post('/api/v1/auth/admin/login').send({ username: 'gov_district', password: DEMO_PASSWORD });
    expect(right.body.errorCode).toBe('ACCOUNT_LOCKED');
    clock.advance(15 * 60_000 + 1000);
    const later = await server.http.post('/api/v1/auth/admin/login').send({ username: 'gov_district', password: DEMO_PASSWORD });
    expect(later.status).toBe(200);
  });

  it('answers an unknown username exactly as an account, lock included', async () => {
    const answer = async (username: string, password: string) => {
      const res = await server.http.post('/api/v1/auth/admin/login').send({ username, password });
      // The unlock time may fall in another minute between the two calls.
      return `${res.status} ${res.body.errorCode} ${String(res.body.errorMessage).replace(/\d{2}:\d{2}/, 'HH:MM')}`;
    };
    const account: string[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < 6; i++) {
      account.push(await answer('advisor_nb', 'Wrong-password-1'));
      unknown.push(await answer('no_such_user', 'Wrong-password-1'));
    }
    account.push(await answer('advisor_nb', DEMO_PASSWORD));
    unknown.push(await answer('no_such_user', DEMO_PASSWORD));
    expect(unknown).toEqual(account);
    expect(account.slice(0, 4).every((a) => a === '401 INVALID_CREDENTIALS 用户名或密码错误')).toBe(true);
    expect(account.slice(4).every((a) => a.startsWith('429 ACCOUNT_LOCKED 连续登录失败次数过多，账号已锁定'))).toBe(true);
    clock.advance(15 * 60_000 + 1000);
    expect((await server.http.post('/api/v1/auth/admin/login').send({ username: 'advisor_nb', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('refuses a user of a disabled organisation at sign-in, with no session, audited as a failure', async () => {
    const admin = await signInAdmin(server, 'admin');
    await admin.post('/api/v1/organisations').send({ name: '停用测试银行', type: 'bank', regionCode: '330100' }).expect(201);
    const org = (await admin.get('/api/v1/organisations?keyword=停用测试银行')).body.data.list[0];
    const created = await admin
      .post('/api/v1/admin-users')
      .send({ username: 'closed_bank', displayName: '停用机构用户', role: 'fi_admin', organisationId: org.id, password: 'Closed-bank-2026' });
    expect(created.status).toBe(201);
    const userId = created.body.data.id as string;
    await admin.patch(`/api/v1/organisations/${org.id}`).send({ disabled: true }).expect(200);

    const res = await server.http.post('/api/v1/auth/admin/login').send({ username: 'closed_bank', password: 'Closed-bank-2026' });
    expect(res.status).toBe(401);
    expect(res.body.errorMessage).toContain('账号所属机构已停用');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await Session.count({ where: { userKind: 'admin', userId } })).toBe(0);
    const audit = await admin.get('/api/v1/audit-logs?action=auth.admin.login&pageSize=100');
    const rows = (audit.body.data.list as Array<{ actorName: string; outcome: string; detail: { reason?: string } | null }>).filter(
      (r) => r.actorName === 'closed_bank' || r.actorName === '停用机构用户',
    );
    expect(rows.map((r) => [r.outcome, r.detail?.reason])).toEqual([['failure', 'organisation_disabled']]);
  });

  it('audits a successful sign-in with the user as actor', async () => {
    const agent = await signInAdmin(server, 'bank_officer');
    const me = (await agent.get('/api/v1/auth/me')).body.data;
    const admin = await signInAdmin(server, 'admin');
    const audit = await admin.get(`/api/v1/audit-logs?action=auth.admin.login&actorId=${me.id}`);
    const success = (audit.body.data.list as Array<{ outcome: string; actorType: string; actorId: string; actorName: string }>).find(
      (r) => r.outcome === 'success',
    );
    expect(success).toMatchObject({ actorType: 'admin', actorId: me.id, actorName: me.displayName });
  });

  it('asks for TOTP once enrolled and checks it', async () => {
    const agent = await signInAdmin(server, 'agency');
    const enrol = await agent.post('/api/v1/auth/totp/enrol');
    expect(enrol.body.data.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const secret = enrol.body.data.secret as string;
    const bad = await agent.post('/api/v1/auth/totp/confirm').send({ code: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorFields[0].field).toBe('code');
    const ok = await agent.post('/api/v1/auth/totp/confirm').send({ code: currentTotp(secret, clock.nowMs()) });
    expect(ok.status).toBe(200);
    // The code just used to confirm is spent: sign-in needs the next one.
    clock.advance(30_000);

    const noCode = await server.http.post('/api/v1/auth/admin/login').send({ username: 'agency', password: DEMO_PASSWORD });
    expect(noCode.status).toBe(401);
    expect(noCode.body.errorCode).toBe('TOTP_REQUIRED');
    const wrong = await server.http.post('/api/v1/auth/admin/login').send({ username: 'agency', password: DEMO_PASSWORD, totp: '000000' === currentTotp(secret, clock.nowMs()) ? '111111' : '000000' });
    expect(wrong.body.errorCode).toBe('TOTP_INVALID');
    const right = await server.http
      .post('/api/v1/auth/admin/login')
      .send({ username: 'agency', password: DEMO_PASSWORD, totp: currentTotp(secret, clock.nowMs()) });
    expect(right.status).toBe(200);
    expect(right.body.data.totpEnabled).toBe(true);
    const replay = await server.http
      .post('/api/v1/auth/admin/login')
      .send({ username: 'agency', password: DEMO_PASSWORD, totp: currentTotp(secret, clock.nowMs()) });
    expect(replay.status).toBe(401);
    expect(replay.body.errorCode).toBe('TOTP_INVALID');
  });

  it('names the missing field on bad input', async () => {
    const res = await server.http.post('/api/v1/auth/admin/login').send({ username: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    expect(res.body.errorFields).toEqual([{ field: 'password', message: '请输入密码' }]);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await server.http.post('/api/v1/auth/admin/login').set('content-type', 'application/json').send('{"username":');
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
  });
});

describe('sessions', () => {
  it('expires after 30 idle minutes', async () => {
    const agent = await signInAdmin(server, 'gov_province');
    clock.advance(29 * 60_000);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
    clock.advance(29 * 60_000); // activity above slid the window
    expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
    clock.advance(31 * 60_000);
    const res = await agent.get('/api/v1/auth/me');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('UNAUTHENTICATED');
  });

  it('expires 12 hours after sign-in even when active', async () => {
    const agent = await signInAdmin(server, 'gov_ningbo');
    for (let i = 0; i < 24; i++) {
      clock.advance(29 * 60_000);
      expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
    }
    clock.advance(30 * 60_000);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('lists my sessions and revokes one; logout ends the current one', async () => {
    const first = await signInAdmin(server, 'bank_admin');
    const second = await signInAdmin(server, 'bank_admin');
    const list = await second.get('/api/v1/auth/sessions');
    expect(list.body.data.length).toBeGreaterThanOrEqual(2);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect((await second.delete(`/api/v1/auth/sessions/${other.id}`)).status).toBe(200);
    expect((await first.get('/api/v1/auth/me')).status).toBe(401);
    expect((await second.post('/api/v1/auth/logout')).status).toBe(200);
    expect((await second.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('cannot revoke someone else’s session', async () => {
    const a = await signInAdmin(server, 'advisor_nb');
    const b = await signInAdmin(server, 'bank_officer');
    const mine = await a.get('/api/v1/auth/sessions');
    const res = await b.delete(`/api/v1/auth/sessions/${mine.body.data[0].id}`);
    expect(res.status).toBe(404);
    expect((await a.get('/api/v1/auth/me')).status).toBe(200);
  });
});

describe('session cleanup', () => {
  it('deletes sessions past their absolute expiry or revoked over seven days ago, and keeps the others', async () => {
    const currentId = async (get: (path: string) => Promise<{ body: { data: Array<{ id: string; current: boolean }> } }>) =>
      (await get('/api/v1/auth/sessions')).body.data.find((s) => s.current)!.id;
    const wechatSession = async (code: string) => {
      const token = await signInWechat(server, code);
      const id = await currentId((path) => server.http.get(path).set('Authorization', `Bearer ${token}`));
      return { id, logout: () => server.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${token}`).expect(200) };
    };
    const admin = await signInAdmin(server, 'gov_city');
    const expiredId = await currentId((path) => admin.get(path));
    // Miniapp sessions last 30 days, so these two are removed (or kept) for their revocation alone.
    const revokedLong = await wechatSession('dev-cleanup-old');
    await revokedLong.logout();
    clock.advance(2 * 24 * 3600_000);
    const revokedLately = await wechatSession('dev-cleanup-new');
    await revokedLately.logout();
    clock.advance(6 * 24 * 3600_000);
    const live = await signInAdmin(server, 'gov_city');
    const liveId = await currentId((path) => live.get(path));

    expect(await cleanupExpiredSessions(clock.now())).toBeGreaterThanOrEqual(2);
    const left = await Session.findAll({ where: { id: [expiredId, revokedLong.id, revokedLately.id, liveId] }, attributes: ['id'] });
    expect(left.map((s) => s.id).sort()).toEqual([revokedLately.id, liveId].sort());
  });
});

describe('WeChat identities', () => {
  it('does not keep the WeChat session_key at rest', async () => {
    await signInWechat(server, 'dev-session-key-check');
    const columns = await server.app.db.sequelize.getQueryInterface().describeTable(WechatUser.getTableName() as string);
    expect(Object.keys(columns)).not.toContain('session_key');
  });
});

describe('platform administration', () => {
  it('creates a user, resets the password, and disabling ends the user’s sessions', async () => {
    const admin = await signInAdmin(server, 'admin');
    const orgs = await admin.get('/api/v1/organisations?type=bank');
    const bank = orgs.body.data.list[0];
    const weak = await admin.post('/api/v1/admin-users').send({ username: 'officer2', displayName: '新业务员', role: 'fi_officer', organisationId: bank.id, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.errorFields[0]).toEqual({ field: 'password', message: '密码至少 12 位' });
    const misfit = await admin.post('/api/v1/admin-users').send({ username: 'officer2', displayName: '新业务员', role: 'gov', organisationId: bank.id, password: 'Officer-pass-2026' });
    expect(misfit.status).toBe(400);
    expect(misfit.body.errorFields[0].field).toBe('role');
    const created = await admin.post('/api/v1/admin-users').send({ username: 'officer2', displayName: '新业务员', role: 'fi_officer', organisationId: bank.id, password: 'Officer-pass-2026' });
    expect(created.status).toBe(201);
    const officer = await signInAdmin(server, 'officer2', 'Officer-pass-2026');
    const reset = await admin.post(`/api/v1/admin-users/${created.body.data.id}/reset-password`).send({ newPassword: 'Officer-pass-2027' });
    expect(reset.status).toBe(200);
    expect((await officer.get('/api/v1/auth/me')).status).toBe(401);
    const again = await signInAdmin(server, 'officer2', 'Officer-pass-2027');
    await admin.patch(`/api/v1/admin-users/${created.body.data.id}`).send({ disabled: true }).expect(200);
    expect((await again.get('/api/v1/auth/me')).status).toBe(401);
    const refused = await server.http.post('/api/v1/auth/admin/login').send({ username: 'officer2', password: 'Officer-pass-2027' });
    expect(refused.status).toBe(401);
  });

  it('forbids platform administration to other roles and audits the denial', async () => {
    const gov = await signInAdmin(server, 'gov_city');
    const res = await gov.get('/api/v1/admin-users');
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe('FORBIDDEN');
    const admin = await signInAdmin(server, 'admin');
    const audit = await admin.get('/api/v1/audit-logs?action=access.denied');
    expect(audit.body.data.total).toBeGreaterThan(0);
  });

  it('rejects an unknown region code naming the field', async () => {
    const admin = await signInAdmin(server, 'admin');
    const res = await admin.post('/api/v1/organisations').send({ name: '测试银行', type: 'bank', regionCode: '999999' });
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0]).toEqual({ field: 'regionCode', message: '行政区划代码 999999 不存在' });
  });
});

describe('console user list', () => {
  it('names the region each user answers for', async () => {
    const admin = await signInAdmin(server, 'admin');
    const res = await admin.get('/api/v1/admin-users?pageSize=100');
    const byName = new Map(res.body.data.list.map((u: { username: string; regionName: string | null }) => [u.username, u.regionName]));
    expect(byName.get('advisor')).toBe('杭州市');
    expect(byName.get('gov_district')).toBe('西湖区');
    expect(byName.get('admin')).toBeNull();
  });
});

// Models bind to one database at a time: this block starts a second server, so it stays last in the file.
describe('TOTP required (production-like setting)', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ ALLOW_ADMIN_WITHOUT_TOTP: 'false' });
  });
  afterAll(() => strict.close());

  it('lets an account without TOTP do nothing but enrol', async () => {
    const agent = await signInAdmin(strict, 'gov_city');
    expect((await agent.get('/api/v1/auth/me')).body.data.mustEnrolTotp).toBe(true);
    expect((await agent.get('/api/v1/workbench')).status).toBe(403);
    const enrol = await agent.post('/api/v1/auth/totp/enrol');
    await agent.post('/api/v1/auth/totp/confirm').send({ code: currentTotp(enrol.body.data.secret, clock.nowMs()) }).expect(200);
    expect((await agent.get('/api/v1/workbench')).status).toBe(200);
    const user = await AdminUser.findOne({ where: { username: 'gov_city' } });
    expect(user?.totpSecret).toBeTruthy();
  });

  it('keeps a password-only session enrol-only when another session enrols, and enrolment ends it', async () => {
    const passwordOnly = await signInAdmin(strict, 'gov_province');
    const owner = await signInAdmin(strict, 'gov_province');
    const enrol = await owner.post('/api/v1/auth/totp/enrol');
    await owner.post('/api/v1/auth/totp/confirm').send({ code: currentTotp(enrol.body.data.secret, clock.nowMs()) }).expect(200);
    expect((await owner.get('/api/v1/enterprises')).status).toBe(200);
    expect((await passwordOnly.get('/api/v1/enterprises')).status).toBe(401);
    expect((await passwordOnly.post('/api/v1/auth/totp/enrol')).status).toBe(401);
    const user = await AdminUser.findOne({ where: { username: 'gov_province' } });
    expect(user?.totpSecret).toBe(enrol.body.data.secret);
  });

  it('re-binds TOTP only with the current code, each code once', async () => {
    const agent = await signInAdmin(strict, 'gov_ningbo');
    const secret = (await agent.post('/api/v1/auth/totp/enrol')).body.data.secret as string;
    await agent.post('/api/v1/auth/totp/confirm').send({ code: currentTotp(secret, clock.nowMs()) }).expect(200);
    clock.advance(30_000);
    const noCode = await agent.post('/api/v1/auth/totp/enrol');
    expect(noCode.status).toBe(400);
    expect(noCode.body.errorFields[0].field).toBe('code');
    const code = currentTotp(secret, clock.nowMs());
    const wrong = await agent.post('/api/v1/auth/totp/enrol').send({ code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect((await agent.post('/api/v1/auth/totp/enrol').send({ code })).status).toBe(200);
    const replay = await agent.post('/api/v1/auth/totp/enrol').send({ code });
    expect(replay.status).toBe(400);
    expect((await AdminUser.findOne({ where: { username: 'gov_ningbo' } }))?.totpSecret).toBe(secret);
  });

  it('lets an enrol-only session list and end its own sessions', async () => {
    const first = await signInAdmin(strict, 'gov_district');
    const second = await signInAdmin(strict, 'gov_district');
    const list = await second.get('/api/v1/auth/sessions');
    expect(list.status).toBe(200);
    const other = (list.body.data as Array<{ id: string; current: boolean }>).find((s) => !s.current)!;
    expect((await second.delete(`/api/v1/auth/sessions/${other.id}`)).status).toBe(200);
    expect((await first.get('/api/v1/auth/me')).status).toBe(401);
    expect((await second.get('/api/v1/workbench')).status).toBe(403);
  });

  it('refuses the demo setting in production', () => {
    const { loadConfig } = jest.requireActual('../../server/src/config');
    expect(() => loadConfig({ NODE_ENV: 'production', ALLOW_ADMIN_WITHOUT_TOTP: 'true', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's', ID_HASH_KEY: 'k'.repeat(32), DATABASE_URL: 'mysql://x@y/z' })).toThrow(/ALLOW_ADMIN_WITHOUT_TOTP/);
    expect(() => loadConfig({ NODE_ENV: 'production', ID_HASH_KEY: 'k'.repeat(32), DATABASE_URL: 'mysql://x@y/z' })).toThrow(/development login/);
  });
});
