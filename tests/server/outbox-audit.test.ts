import { AuditLog } from '../../server/src/modules/audit/model';
import { verifyAuditChain } from '../../server/src/modules/audit/service';
import { Message, OutboxItem } from '../../server/src/modules/notifications/models';
import { enqueueNotification } from '../../server/src/modules/notifications/service';
import { CLAIM_LEASE_MS, claimDue, dispatchOnce } from '../../server/src/modules/notifications/dispatcher';
import { WechatUser } from '../../server/src/modules/identity/models';
import { startFakeWechat, type FakeWechat } from '../fake-wechat/server';
import { clock, signInAdmin, startTestServer, type TestServer } from './helpers';

let fake: FakeWechat;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeWechat();
  server = await startTestServer({
    WECHAT_APPID: fake.appId,
    WECHAT_SECRET: fake.appSecret,
    WECHAT_API_BASE: fake.url,
    OUTBOX_MAX_ATTEMPTS: '3',
    WECHAT_TEMPLATES: 'verification_result:tmpl-verify:企业认证结果通知',
  });
});
afterAll(async () => {
  await server.close();
  await fake.close();
});
afterEach(() => {
  clock.reset();
  fake.reset();
});

async function wechatUser(code: string): Promise<{ id: string; token: string }> {
  const res = await server.http.post('/api/v1/auth/wechat/login').send({ code });
  expect(res.status).toBe(200);
  return { id: res.body.data.user.id, token: res.body.data.token };
}

async function grant(token: string, result = 'accept') {
  const res = await server.http.post('/api/v1/wechat/subscriptions').set('Authorization', `Bearer ${token}`).send({ results: { 'tmpl-verify': result } });
  expect(res.status).toBe(200);
  return res.body.data.granted['tmpl-verify'] as number;
}

async function notify(userId: string, title = '企业认证已通过') {
  return server.app.db.transaction((t) =>
    enqueueNotification(t, {
      recipientKind: 'wechat',
      recipientId: userId,
      templateKey: 'verification_result',
      title,
      body: '测试消息',
      link: '/subpackages/enterprise/progress/index',
      wechatData: { thing1: { value: '测试企业' }, phrase2: { value: '已通过' } },
    }),
  );
}

describe('WeChat login against the fake WeChat API', () => {
  it('exchanges the code and never returns session_key', async () => {
    fake.setOpenid('code-a', { openid: 'o_fixed_openid_a', unionid: 'u_a' });
    const res = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'code-a' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toMatch(/session_?key/i);
    expect(res.body.data.user).toMatchObject({ kind: 'wechat', role: 'ent_user', enterprises: [] });
    const stored = await WechatUser.findOne({ where: { openid: 'o_fixed_openid_a' } });
    expect(stored?.unionid).toBe('u_a');
    expect(fake.calls.jscode2session).toHaveLength(1);
  });

  it('maps a used code to 401 and WeChat being busy to 502', async () => {
    await server.http.post('/api/v1/auth/wechat/login').send({ code: 'code-once' }).expect(200);
    const reused = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'code-once' });
    expect(reused.status).toBe(401);
    expect(reused.body.errorCode).toBe('INVALID_CREDENTIALS');
    fake.failNext('jscode2session', 1, -1);
    const busy = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'code-busy' });
    expect(busy.status).toBe(502);
    expect(busy.body.errorCode).toBe('UPSTREAM_FAILED');
    fake.failNext('jscode2session', 1, 45011);
    const limited = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'code-limit' });
    expect(limited.status).toBe(429);
  });

  it('rejects an empty code naming the field', async () => {
    const res = await server.http.post('/api/v1/auth/wechat/login').send({ code: '' });
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0].field).toBe('code');
  });
});

describe('outbox', () => {
  it('delivers in-app and, with a grant, by WeChat; without a grant only in-app', async () => {
    const withGrant = await wechatUser('code-grant');
    const without = await wechatUser('code-nogrant');
    expect(await grant(withGrant.token)).toBe(1);
    await notify(withGrant.id);
    await notify(without.id);
    await dispatchOnce(server.app);
    expect(fake.calls.subscribe_send).toHaveLength(1);
    expect(fake.calls.subscribe_send[0].body).toMatchObject({
      template_id: 'tmpl-verify',
      page: 'subpackages/enterprise/progress/index',
      data: { thing1: { value: '测试企业' } },
    });
    expect(await Message.count({ where: { recipientId: withGrant.id } })).toBe(1);
    expect(await Message.count({ where: { recipientId: without.id } })).toBe(1);
    const rows = await OutboxItem.findAll({ where: { recipientId: [withGrant.id, without.id] } });
    expect(rows.map((r) => [r.status, r.wechatState]).sort()).toEqual([
      ['done', 'none'],
      ['done', 'sent'],
    ]);
    // The one-time grant was spent.
    const templates = await server.http.get('/api/v1/wechat/templates').set('Authorization', `Bearer ${withGrant.token}`);
    expect(templates.body.data[0].granted).toBe(0);
  });

  it('retries -1 with backoff and records the final failure after the last attempt', async () => {
    const user = await wechatUser('code-retry');
    await grant(user.token);
    const id = await notify(user.id);
    fake.failNext('subscribe_send', 10, -1);
    await dispatchOnce(server.app);
    let row = await OutboxItem.findByPk(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, wechatState: 'pending' });
    expect(await Message.count({ where: { outboxId: id } })).toBe(1);
    expect(await dispatchOnce(server.app)).toBe(0); // not due yet
    clock.advance(5_001);
    await dispatchOnce(server.app);
    row = await OutboxItem.findByPk(id);
    expect(row?.attempts).toBe(2);
    clock.advance(10_001);
    await dispatchOnce(server.app);
    row = await OutboxItem.findByPk(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 3, wechatState: 'failed' });
    expect(row?.lastError).toBeTruthy();
    expect(await Message.count({ where: { outboxId: id } })).toBe(1); // in-app copy never duplicated
  });

  it('treats 43101 as final at once', async () => {
    const user = await wechatUser('code-refused');
    await grant(user.token);
    const id = await notify(user.id);
    fake.failNext('subscribe_send', 1, 43101);
    await dispatchOnce(server.app);
    const row = await OutboxItem.findByPk(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, wechatState: 'failed' });
    expect(await Message.count({ where: { outboxId: id } })).toBe(1);
  });

  it('loses nothing when a dispatcher dies mid-batch', async () => {
    const user = await wechatUser('code-crash');
    const ids = [await notify(user.id, '一'), await notify(user.id, '二'), await notify(user.id, '三')];
    // A dispatcher claims the batch and dies before delivering anything.
    const claimed = await claimDue(server.app, 10);
    expect(claimed.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
    expect(await dispatchOnce(server.app)).toBe(0); // still leased to the dead worker
    clock.advance(CLAIM_LEASE_MS + 1);
    await dispatchOnce(server.app);
    for (const id of ids) {
      expect((await OutboxItem.findByPk(id))?.status).toBe('done');
      expect(await Message.count({ where: { outboxId: id } })).toBe(1);
    }
  });

  it('rejects an unknown template in a subscription report', async () => {
    const user = await wechatUser('code-unknown-tpl');
    const res = await server.http.post('/api/v1/wechat/subscriptions').set('Authorization', `Bearer ${user.token}`).send({ results: { nope: 'accept' } });
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0].field).toBe('results');
  });
});

describe('audit chain', () => {
  it('verifies, then names the first tampered row', async () => {
    await signInAdmin(server, 'admin');
    await signInAdmin(server, 'advisor');
    const admin = await signInAdmin(server, 'admin');
    const ok = await admin.get('/api/v1/audit-logs/verify');
    expect(ok.body.data).toMatchObject({ ok: true, firstBrokenId: null });
    expect(ok.body.data.checked).toBeGreaterThan(3);

    const rows = await AuditLog.findAll({ order: [['seq', 'ASC']] });
    const victim = rows[2];
    await AuditLog.update({ outcome: 'failure' }, { where: { id: victim.id } });
    const broken = await admin.get('/api/v1/audit-logs/verify');
    expect(broken.body.data).toMatchObject({ ok: false, firstBrokenId: victim.id });
    expect(broken.body.data.reason).toContain('篡改');
    await AuditLog.update({ outcome: victim.outcome }, { where: { id: victim.id } });
    expect((await verifyAuditChain()).ok).toBe(true);

    await AuditLog.destroy({ where: { id: rows[1].id } });
    const gap = await verifyAuditChain();
    expect(gap.ok).toBe(false);
    expect(gap.firstBrokenId).toBe(rows[2].id);
  });
});

describe('API description', () => {
  it('serves health, the OpenAPI document covering every route, and the docs page', async () => {
    const health = await server.http.get('/api/v1/health');
    expect(health.body.data).toMatchObject({ status: 'ok', database: server.app.db.dialect });
    const doc = await server.http.get('/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method} ${p}`);
    }
    const routes = server.registry.router.stack
      .filter((layer) => layer.path !== '/api/v1/openapi.json')
      .flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m.toLowerCase()} ${layer.path.replace(/:(\w+)/g, '{$1}')}`));
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) expect(documented).toContain(r);
    const page = await server.http.get('/api/docs');
    expect(page.text).toContain('swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
  });

  it('answers an unknown API path with the envelope', async () => {
    const res = await server.http.get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, errorCode: 'NOT_FOUND' });
  });
});
