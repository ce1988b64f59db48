import { Op } from 'sequelize';
import { AuditLog } from '../../server/src/modules/audit/model';
import { runAuditVerification, sealAuditLog } from '../../server/src/modules/audit/jobs';
import { Message, OutboxItem } from '../../server/src/modules/notifications/models';
import { enqueueNotification } from '../../server/src/modules/notifications/service';
import {
  CLAIM_LEASE_MS,
  claimOutboxItem,
  deliverClaimed,
  dispatchOnce,
  findDueOutbox,
} from '../../server/src/modules/notifications/dispatcher';
import { WechatUser } from '../../server/src/modules/identity/models';
import { startFakeWechat, type FakeWechat } from '../fake-wechat/server';
import { startSlowSendProxy, type SlowSendProxy } from './fixtures/jobs/slow-wechat';
import { clock, signInAdmin, startTestServer, type TestServer } from './helpers';

let fake: FakeWechat;
/** Passes everything through to the fake; a test can make subscribe sends slow. */
let proxy: SlowSendProxy;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeWechat();
  proxy = await startSlowSendProxy(fake.url);
  server = await startTestServer({
    WECHAT_APPID: fake.appId,
    WECHAT_SECRET: fake.appSecret,
    WECHAT_API_BASE: proxy.url,
    OUTBOX_MAX_ATTEMPTS: '3',
    WECHAT_TEMPLATES: 'verification_result:tmpl-verify:企业认证结果通知',
  });
});
afterAll(async () => {
  await server.close();
  await proxy.close();
  await fake.close();
});
afterEach(() => {
  clock.reset();
  fake.reset();
  proxy.onSend = null;
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

  /** The fake forgot its tokens in reset(): fetch one now, so that no send below is a refused first try. */
  async function freshAccessToken(): Promise<void> {
    server.app.wechatClient!.invalidateAccessToken();
    await server.app.wechatClient!.getAccessToken();
  }

  it('loses nothing when a dispatcher dies holding a claim', async () => {
    const user = await wechatUser('code-crash');
    const ids = [await notify(user.id, '一'), await notify(user.id, '二'), await notify(user.id, '三')];
    // A dispatcher claims one row and dies before delivering it.
    const [first] = (await findDueOutbox(10)).filter((c) => ids.includes(c.id));
    expect(await claimOutboxItem(first, { owner: 'dead-dispatcher' })).toBeTruthy();
    expect(await dispatchOnce(server.app)).toBe(2); // the others are delivered; the held one waits for its lease
    expect((await OutboxItem.findByPk(first.id))?.status).toBe('delivering');
    clock.advance(CLAIM_LEASE_MS + 1);
    expect(await dispatchOnce(server.app)).toBe(1);
    for (const id of ids) {
      expect((await OutboxItem.findByPk(id))?.status).toBe('done');
      expect(await Message.count({ where: { outboxId: id } })).toBe(1);
    }
  });

  it('refuses a dispatcher whose claim was taken over: it sends nothing and overwrites nothing', async () => {
    await freshAccessToken();
    const user = await wechatUser('code-fenced');
    await grant(user.token);
    await grant(user.token);
    const id = await notify(user.id);
    const [candidate] = (await findDueOutbox(10)).filter((c) => c.id === id);
    const stale = (await claimOutboxItem(candidate, { owner: 'slow-dispatcher' }))!;
    clock.advance(CLAIM_LEASE_MS + 1); // the slow dispatcher's lease runs out
    expect(await dispatchOnce(server.app, { owner: 'other-dispatcher' })).toBe(1);
    const settled = await OutboxItem.findByPk(id);
    expect(settled).toMatchObject({ status: 'done', wechatState: 'sent', attempts: 1, claimedBy: 'other-dispatcher' });

    expect(await deliverClaimed(server.app, stale)).toBe(false);
    expect(fake.calls.subscribe_send).toHaveLength(1);
    const after = await OutboxItem.findByPk(id);
    expect(after).toMatchObject({ status: 'done', wechatState: 'sent', attempts: 1, claimedBy: 'other-dispatcher', claimToken: settled!.claimToken });
    expect(await Message.count({ where: { outboxId: id } })).toBe(1);
  });

  it('never sends a message twice with two dispatchers and slow WeChat sends', async () => {
    await freshAccessToken();
    const user = await wechatUser('code-slow');
    for (let i = 0; i < 20; i++) await grant(user.token);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        await server.app.db.transaction((t) =>
          enqueueNotification(t, {
            recipientKind: 'wechat',
            recipientId: user.id,
            templateKey: 'verification_result',
            title: `消息${i}`,
            body: '慢速发送',
            wechatData: { thing1: { value: `消息${i}` }, phrase2: { value: '已通过' } },
          }),
        ),
      );
    }
    // Each send takes a fifth of a claim's lease: ten in a row outlast a lease that covers a whole batch.
    proxy.onSend = async () => {
      clock.advance(CLAIM_LEASE_MS / 5);
      await new Promise((resolve) => setTimeout(resolve, 100));
    };
    const settled = async () => (await OutboxItem.count({ where: { id: ids, status: ['pending', 'delivering'] } })) === 0;
    const dispatcher = async () => {
      for (let pass = 0; pass < 500 && !(await settled()); pass++) {
        if ((await dispatchOnce(server.app)) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await Promise.all([dispatcher(), dispatcher()]);
    expect(await settled()).toBe(true);
    const sent = fake.calls.subscribe_send.map((c) => (c.body.data as Record<string, { value: string }>).thing1.value).sort();
    expect(sent).toEqual(Array.from({ length: 10 }, (_, i) => `消息${i}`).sort());
    for (const id of ids) {
      expect(await OutboxItem.findByPk(id)).toMatchObject({ status: 'done', wechatState: 'sent', attempts: 1 });
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
  it('seals sign-ins into the chain, reports the stored run, and names a tampered row', async () => {
    await signInAdmin(server, 'admin');
    await signInAdmin(server, 'advisor');
    const admin = await signInAdmin(server, 'admin');
    await sealAuditLog(server.app);
    await runAuditVerification(server.app);
    const ok = await admin.get('/api/v1/audit-logs/verify');
    expect(ok.body.data).toMatchObject({ ok: true, firstBrokenId: null, broken: [] });
    expect(ok.body.data.checked).toBeGreaterThan(3);

    const rows = await AuditLog.findAll({ where: { seq: { [Op.ne]: null } }, order: [['seq', 'ASC']] });
    const victim = rows[2];
    await AuditLog.update({ outcome: 'failure' }, { where: { id: victim.id } });
    await runAuditVerification(server.app, { full: true });
    const broken = await admin.get('/api/v1/audit-logs/verify');
    expect(broken.body.data).toMatchObject({ ok: false, firstBrokenId: victim.id });
    expect(broken.body.data.reason).toContain('篡改');
    await AuditLog.update({ outcome: victim.outcome }, { where: { id: victim.id } });
    expect((await runAuditVerification(server.app, { full: true })).ok).toBe(true);

    await AuditLog.destroy({ where: { id: rows[1].id } });
    const gap = await runAuditVerification(server.app, { full: true });
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
    const routes = server.registry.layers
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
    // A known segment with an unknown rest, and the bare prefix, fall through to the same answer.
    for (const path of ['/api/v1/enterprises/1/nope', '/api/v1/', '/api/v1']) {
      const miss = await server.http.get(path);
      expect(miss.status).toBe(404);
      expect(miss.body.errorCode).toBe('NOT_FOUND');
    }
  });

  it('routes by path segment as the router did: methods a path lacks answer 405, paths match without case', async () => {
    const wrongMethod = await server.http.put('/api/v1/health').set('content-type', 'application/json').send('{}');
    expect(wrongMethod.status).toBe(405);
    expect(String(wrongMethod.headers.allow)).toMatch(/GET/);
    expect((await server.http.get('/api/v1/HEALTH')).status).toBe(200);
    expect((await server.http.get('/api/v1/openapi.json')).body.openapi).toBe('3.0.3');
  });
});
