import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Op } from 'sequelize';
import { AuditLog } from '../../server/src/modules/audit/model';
import { ApiClient } from '../../server/src/modules/api-clients/models';
import { Organisation } from '../../server/src/modules/identity/models';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { DEMO_PASSWORD, clock, signInAdmin, startTestServer, type TestServer } from './helpers';

/**
 * Institutions' machine credentials: created by the institution's fi_admin, used by its systems over
 * HMAC-signed requests (docs/integration.md), seeing what an officer of the institution sees.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
});
afterAll(async () => {
  clock.reset();
  await server.close();
});

interface Credentials {
  keyId: string;
  secret: string;
}

/** Signs as docs/integration.md tells integrators to, independently of the server's own code. */
function signedHeaders(cred: Credentials, method: string, target: string, body = '', opts: { nonce?: string; timestamp?: number } = {}) {
  const timestamp = String(opts.timestamp ?? Math.floor(clock.nowMs() / 1000));
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const canonical = `${method}\n${target}\n${timestamp}\n${nonce}\n${bodyHash}`;
  const signature = createHmac('sha256', cred.secret).update(canonical).digest('hex');
  return { 'X-Key-Id': cred.keyId, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': signature };
}

function signedGet(cred: Credentials, target: string, opts: { nonce?: string; timestamp?: number } = {}) {
  return server.http.get(target).set(signedHeaders(cred, 'GET', target, '', opts));
}

function signedPost(cred: Credentials, target: string, body: unknown, opts: { sendBody?: string } = {}) {
  const text = JSON.stringify(body);
  return server.http
    .post(target)
    .set(signedHeaders(cred, 'POST', target, text))
    .set('Content-Type', 'application/json')
    .send(opts.sendBody ?? text);
}

const inDays = (days: number) => new Date(clock.nowMs() + days * 86_400_000).toISOString();

async function createClient(agent: Awaited<ReturnType<typeof signInAdmin>>, body: Record<string, unknown> = {}) {
  const res = await agent
    .post('/api/v1/api-clients')
    .send({ name: `核心系统-${randomBytes(3).toString('hex')}`, roles: ['fi_officer'], expiresAt: inDays(30), ...body });
  expect(res.status).toBe(201);
  return res.body.data as { client: { id: string; name: string; keyId: string; organisationId: string }; keyId: string; secret: string };
}

async function auditRows(action: string, targetId?: string) {
  return AuditLog.findAll({ where: { action, ...(targetId ? { targetId } : {}) }, order: [['id', 'ASC']], raw: true });
}

describe('management by the institution administrator', () => {
  it('creates a client whose secret is shown once and kept only encrypted', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const created = await createClient(bankAdmin, { ipAllowList: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'] });
    expect(created.keyId).toMatch(/^ak_[0-9a-f]{24}$/);
    expect(created.secret.length).toBeGreaterThanOrEqual(40);
    expect(created.client).toMatchObject({ roles: ['fi_officer'], disabled: false, ipAllowList: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'] });
    const row = await ApiClient.findByPk(created.client.id, { raw: true });
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect(row!.secretEnc).toMatch(/^v1\./);

    const list = await bankAdmin.get('/api/v1/api-clients');
    expect(list.status).toBe(200);
    expect(list.body.data.list.map((c: { id: string }) => c.id)).toContain(created.client.id);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    expect(await auditRows('api_client.create', created.client.id)).toHaveLength(1);
  });

  it('refuses fi_admin and non-institution roles, bad addresses and past expiry', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    for (const roles of [['fi_admin'], ['advisor'], ['platform_admin'], [], ['fi_officer', 'fi_admin']]) {
      const res = await bankAdmin.post('/api/v1/api-clients').send({ name: '越权客户端', roles, expiresAt: inDays(30) });
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    }
    const badIp = await bankAdmin.post('/api/v1/api-clients').send({ name: 'x', roles: ['fi_officer'], expiresAt: inDays(30), ipAllowList: ['10.0.0.300'] });
    expect(badIp.status).toBe(400);
    expect(badIp.body.errorFields[0].field).toBe('ipAllowList.0');
    const past = await bankAdmin.post('/api/v1/api-clients').send({ name: 'x', roles: ['fi_officer'], expiresAt: inDays(-1) });
    expect(past.status).toBe(400);
    const update = await bankAdmin.patch(`/api/v1/api-clients/${(await createClient(bankAdmin)).client.id}`).send({ roles: ['fi_admin'] });
    expect(update.status).toBe(400);
  });

  it('is for institution administrators only', async () => {
    for (const username of ['bank_officer', 'admin', 'advisor', 'gov_city']) {
      const agent = await signInAdmin(server, username);
      const res = await agent.post('/api/v1/api-clients').send({ name: 'x', roles: ['fi_officer'], expiresAt: inDays(30) });
      expect(res.status).toBe(403);
    }
  });

  it("answers 404 for another bank's client", async () => {
    const platform = await signInAdmin(server, 'admin');
    const bank2 = await Organisation.findOne({ where: { name: '西湖商业银行' } });
    const made = await platform
      .post('/api/v1/admin-users')
      .send({ username: 'xihu_admin', displayName: '西湖商行 管理员', role: 'fi_admin', organisationId: bank2!.id, password: DEMO_PASSWORD });
    expect(made.status).toBe(201);
    const otherAdmin = await signInAdmin(server, 'xihu_admin');
    const other = await createClient(otherAdmin);
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    expect((await bankAdmin.patch(`/api/v1/api-clients/${other.client.id}`).send({ name: '改名' })).status).toBe(404);
    expect((await bankAdmin.post(`/api/v1/api-clients/${other.client.id}/disable`)).status).toBe(404);
    expect((await bankAdmin.post(`/api/v1/api-clients/${other.client.id}/rotate`).send({})).status).toBe(404);
    const list = await bankAdmin.get('/api/v1/api-clients?pageSize=100');
    expect(list.body.data.list.map((c: { id: string }) => c.id)).not.toContain(other.client.id);
    // Bank A's client gets nothing of bank B either: the management API is not an officer's.
    const mine = await createClient(bankAdmin);
    const res = await signedPost(mine, `/api/v1/api-clients/${other.client.id}/disable`, {});
    expect(res.status).toBe(403);
    expect((await ApiClient.findByPk(other.client.id))!.disabled).toBe(false);
  });
});

describe('signed requests', () => {
  it('round trip: sign, call as an officer, rotate with a grace period, disable', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const created = await createClient(bankAdmin);
    const cred = { keyId: created.keyId, secret: created.secret };

    const workbench = await signedGet(cred, '/api/v1/workbench');
    expect(workbench.status).toBe(200);
    expect(workbench.body.data.cards.map((c: { key: string }) => c.key)).toContain('authorisedEnterprises');
    const list = await signedGet(cred, '/api/v1/enterprises?current=1&pageSize=20');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual({ list: [], total: 0 });

    // Audited under the client's name, one row per call.
    const calls = (await auditRows('api.call')).filter((r) => String(r.actorId) === created.client.id);
    expect(calls.map((r) => r.targetId)).toEqual(['GET /workbench', 'GET /enterprises']);
    expect(calls[0]!.actorName).toContain(created.client.name);

    // A person's own account is not a machine's: refused, audited.
    const me = await signedGet(cred, '/api/v1/auth/me');
    expect(me.status).toBe(403);

    const rotated = await bankAdmin.post(`/api/v1/api-clients/${created.client.id}/rotate`).send({ graceHours: 2 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.keyId).toBe(cred.keyId);
    const fresh = { keyId: cred.keyId, secret: rotated.body.data.secret as string };
    expect(fresh.secret).not.toBe(cred.secret);
    expect(rotated.body.data.client.previousSecretValidUntil).not.toBeNull();
    expect((await signedGet(cred, '/api/v1/workbench')).status).toBe(200);
    expect((await signedGet(fresh, '/api/v1/workbench')).status).toBe(200);

    clock.advance(2 * 3600_000 + 60_000);
    const old = await signedGet(cred, '/api/v1/workbench');
    expect(old.status).toBe(401);
    expect(old.body.errorCode).toBe('INVALID_SIGNATURE');
    expect((await signedGet(fresh, '/api/v1/workbench')).status).toBe(200);

    const admin2 = await signInAdmin(server, 'bank_admin'); // the first session idled out while the clock moved
    expect((await admin2.post(`/api/v1/api-clients/${created.client.id}/disable`)).status).toBe(200);
    const disabled = await signedGet(fresh, '/api/v1/workbench');
    expect(disabled.status).toBe(401);
    expect(disabled.body.errorCode).toBe('CLIENT_DISABLED');
    const denials = (await auditRows('auth.signed_request', created.client.id)).map((r) => JSON.parse(r.detail!).reason);
    expect(denials).toEqual(['INVALID_SIGNATURE', 'CLIENT_DISABLED']);
    expect(await auditRows('api_client.rotate', created.client.id)).toHaveLength(1);
    expect(await auditRows('api_client.disable', created.client.id)).toHaveLength(1);
  });

  it('sees an enterprise without a grant as absent (404), as an officer does', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    const enterprise = await Enterprise.findOne({ attributes: ['id'] });
    const res = await signedGet(cred, `/api/v1/enterprises/${enterprise!.id}`);
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('NOT_FOUND');
    const officer = await signInAdmin(server, 'bank_officer');
    expect((await officer.get(`/api/v1/enterprises/${enterprise!.id}`)).status).toBe(404);
  });

  it('refuses a replayed nonce, a skewed clock, a changed body, an unknown key and missing headers', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    const nonce = randomBytes(16).toString('hex');
    expect((await signedGet(cred, '/api/v1/workbench', { nonce })).status).toBe(200);
    const replay = await signedGet(cred, '/api/v1/workbench', { nonce });
    expect(replay.status).toBe(401);
    expect(replay.body.errorCode).toBe('NONCE_REPLAYED');

    const now = Math.floor(clock.nowMs() / 1000);
    for (const timestamp of [now - 330, now + 330]) {
      const skewed = await signedGet(cred, '/api/v1/workbench', { timestamp });
      expect(skewed.status).toBe(401);
      expect(skewed.body.errorCode).toBe('TIMESTAMP_SKEWED');
    }
    expect((await signedGet(cred, '/api/v1/workbench', { timestamp: now - 200 })).status).toBe(200);

    // The body is covered: the signed body passes to the route (403: not an officer's), a changed one does not.
    const body = { name: '篡改', roles: ['fi_officer'], expiresAt: inDays(10) };
    expect((await signedPost(cred, '/api/v1/api-clients', body)).status).toBe(403);
    const tampered = await signedPost(cred, '/api/v1/api-clients', body, { sendBody: JSON.stringify({ ...body, name: '另一个' }) });
    expect(tampered.status).toBe(401);
    expect(tampered.body.errorCode).toBe('INVALID_SIGNATURE');

    // The query is covered too.
    const headers = signedHeaders(cred, 'GET', '/api/v1/enterprises?pageSize=5');
    const otherQuery = await server.http.get('/api/v1/enterprises?pageSize=50').set(headers);
    expect(otherQuery.body.errorCode).toBe('INVALID_SIGNATURE');

    const unknown = await signedGet({ keyId: 'ak_000000000000000000000000', secret: 'x' }, '/api/v1/workbench');
    expect(unknown.status).toBe(401);
    expect(unknown.body.errorCode).toBe('UNKNOWN_KEY');
    const wrongSecret = await signedGet({ keyId: cred.keyId, secret: 'not-the-secret' }, '/api/v1/workbench');
    expect(wrongSecret.body.errorCode).toBe('INVALID_SIGNATURE');
    const missing = await server.http.get('/api/v1/workbench').set({ 'X-Key-Id': cred.keyId });
    expect(missing.status).toBe(401);
    expect(missing.body.errorCode).toBe('SIGNATURE_REQUIRED');
    const shortNonce = await signedGet(cred, '/api/v1/workbench', { nonce: 'short' });
    expect(shortNonce.body.errorCode).toBe('INVALID_SIGNATURE');
    // A multipart body is not taken over signed requests.
    const multipart = await server.http
      .post('/api/v1/api-clients')
      .set(signedHeaders(cred, 'POST', '/api/v1/api-clients', 'x'))
      .set('Content-Type', 'multipart/form-data; boundary=x')
      .send('x');
    expect(multipart.status).toBe(415);
  });

  it('refuses an address outside the allow-list and takes one inside it', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const outside = await createClient(bankAdmin, { ipAllowList: ['10.0.0.0/8', '2001:db8::/32'] });
    const res = await signedGet(outside, '/api/v1/workbench');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('IP_NOT_ALLOWED');
    const inside = await createClient(bankAdmin, { ipAllowList: ['127.0.0.0/8', '::1'] });
    expect((await signedGet(inside, '/api/v1/workbench')).status).toBe(200);
    // Narrowing the list acts on the next request.
    expect((await bankAdmin.patch(`/api/v1/api-clients/${inside.client.id}`).send({ ipAllowList: ['192.0.2.1'] })).status).toBe(200);
    expect((await signedGet(inside, '/api/v1/workbench')).body.errorCode).toBe('IP_NOT_ALLOWED');
  });

  it('works with the curl + openssl snippet of docs/integration.md', async () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/integration.md'), 'utf8');
    const script = /```sh\n([\s\S]*?)```/.exec(doc)![1]!;
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    const listener = http.createServer(server.callback);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      // The snippet's clock is the real one: keep the server's (moved by earlier tests) with it.
      clock.reset();
      const run = (env: Record<string, string>) =>
        promisify(execFile)('sh', ['-c', script], { env: { PATH: process.env.PATH!, XYD_BASE: `http://127.0.0.1:${port}`, XYD_KEY_ID: cred.keyId, XYD_SECRET: cred.secret, ...env } });
      const list = JSON.parse((await run({})).stdout);
      expect(list).toMatchObject({ success: true, data: { list: [], total: 0 } });
      // With a body: signed and hashed as sent (403 comes after the signature passed; a bad hash would be 401).
      const post = JSON.parse((await run({ METHOD: 'POST', TARGET: '/api/v1/api-clients', BODY: '{"name":"x","roles":["fi_officer"]}' })).stdout);
      expect(post.errorCode).toBe('FORBIDDEN');
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  }, 60_000);

  it('answers 401, never 500, when a stored secret no longer decrypts', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    // As after a change of API_CLIENT_SECRET_KEY: the ciphertext is intact but not readable under the key.
    const { encryptSecret } = await import('../../server/src/modules/api-clients/service');
    const otherKey = { config: { ...server.app.config, apiClients: { ...server.app.config.apiClients, secretKey: 'z'.repeat(40) } } };
    await ApiClient.update({ secretEnc: encryptSecret(otherKey, cred.keyId, cred.secret) }, { where: { id: cred.client.id } });
    const res = await signedGet(cred, '/api/v1/workbench');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('INVALID_SIGNATURE');
  });

  it('refuses an expired client', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin, { expiresAt: new Date(clock.nowMs() + 3600_000).toISOString() });
    expect((await signedGet(cred, '/api/v1/workbench')).status).toBe(200);
    clock.advance(3600_000 + 1000);
    const res = await signedGet(cred, '/api/v1/workbench');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('CLIENT_EXPIRED');
  });
});

const onMysql = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');
// SQLite serialises writers: the race on the nonce's unique key is real only on a server database.
(onMysql ? describe : describe.skip)('one nonce, 20 requests at once (MariaDB)', () => {
  it('accepts exactly one', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    const headers = signedHeaders(cred, 'GET', '/api/v1/workbench');
    const results = await Promise.all(Array.from({ length: 20 }, () => server.http.get('/api/v1/workbench').set(headers)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401).map((r) => r.body.errorCode)).toEqual(Array(19).fill('NONCE_REPLAYED'));
  }, 60_000);
});

describe('nonce cleanup', () => {
  it('removes a nonce only once the skew window can no longer let it through', async () => {
    const { cleanupSignatureNonces } = await import('../../server/src/modules/api-clients/signature');
    const { ApiClientNonce } = await import('../../server/src/modules/api-clients/models');
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    const nonce = randomBytes(16).toString('hex');
    expect((await signedGet(cred, '/api/v1/workbench', { nonce })).status).toBe(200);
    const kept = () => ApiClientNonce.count({ where: { keyId: cred.keyId, nonce } });
    clock.advance(9 * 60_000);
    await cleanupSignatureNonces(clock.now());
    expect(await kept()).toBe(1);
    clock.advance(2 * 60_000);
    await cleanupSignatureNonces(clock.now());
    expect(await kept()).toBe(0);
  });
});

describe('the organisation', () => {
  // Last: disabling the bank ends its people's sessions too.
  it('disabled stops its clients at once', async () => {
    const bankAdmin = await signInAdmin(server, 'bank_admin');
    const cred = await createClient(bankAdmin);
    expect((await signedGet(cred, '/api/v1/workbench')).status).toBe(200);
    const platform = await signInAdmin(server, 'admin');
    expect((await platform.patch(`/api/v1/organisations/${cred.client.organisationId}`).send({ disabled: true })).status).toBe(200);
    const res = await signedGet(cred, '/api/v1/workbench');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('CLIENT_DISABLED');
    expect(res.body.errorMessage).toContain('机构已停用');
    const denied = await AuditLog.count({ where: { action: 'auth.signed_request', outcome: 'denied', targetId: cred.client.id, at: { [Op.gt]: new Date(0) } } });
    expect(denied).toBe(1);
  });
});

// A second server (models follow it): keep at the end of the file.
describe('rate limit per client', () => {
  let limited: TestServer;
  beforeAll(async () => {
    await server.close();
    limited = await startTestServer({ API_CLIENT_RATE_LIMIT: '3' });
    server = limited;
  });
  it('refuses calls over the limit with 429 and leaves other clients alone', async () => {
    const bankAdmin = await signInAdmin(limited, 'bank_admin');
    const a = await createClient(bankAdmin);
    const b = await createClient(bankAdmin);
    for (let i = 0; i < 3; i += 1) expect((await signedGet(a, '/api/v1/workbench')).status).toBe(200);
    const over = await signedGet(a, '/api/v1/workbench');
    expect(over.status).toBe(429);
    expect(over.body.errorCode).toBe('RATE_LIMITED');
    expect((await signedGet(b, '/api/v1/workbench')).status).toBe(200);
  });
});
