/**
 * The request path's session cache (server/src/modules/identity/session-cache.ts): an API process reuses the
 * session row it read for SESSION_CACHE_MS, so that a read costs its own query and not a session lookup beside it.
 * A change made through this process (sign-out, a disabled user or organisation, a role change) takes effect on
 * the next request; one written by another process takes effect within SESSION_CACHE_MS.
 */
import { randomBytes } from 'node:crypto';
import { Sequelize } from 'sequelize';
import type TestAgent from 'supertest/lib/agent';
import { loadConfig } from '../../server/src/config';
import { queryCounter } from '../../server/src/db';
import { clock } from '../../server/src/lib/clock';
import { signInAdmin, startTestServer, waitFor, type TestServer } from './helpers';

/** Another process's connection to the same database: its writes pass no model hook of this one. */
function otherProcess(server: TestServer): Sequelize {
  const url = server.app.config.databaseUrl;
  return url.startsWith('sqlite:')
    ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false })
    : new Sequelize(url.replace(/^mariadb:/, 'mysql:'), { logging: false });
}

/** Revokes a user's sessions the way another API process would: a write this process's hooks never see. */
async function revokeElsewhere(server: TestServer, userId: string): Promise<void> {
  const other = otherProcess(server);
  try {
    await other.query("UPDATE sessions SET revoked_at = ?, revoke_reason = 'other_process' WHERE user_kind = 'admin' AND user_id = ?", {
      replacements: [new Date(), userId],
    });
  } finally {
    await other.close();
  }
}

let counter = 0;
/** A fresh officer of the demo bank, signed in, so that disabling it disturbs no other test. */
async function freshOfficer(server: TestServer, admin: TestAgent): Promise<{ id: string; agent: TestAgent; cookie: string }> {
  const orgs = await admin.get('/api/v1/organisations?type=bank');
  const bank = orgs.body.data.list[0];
  const username = `cache_${++counter}_${randomBytes(3).toString('hex')}`;
  const created = await admin
    .post('/api/v1/admin-users')
    .send({ username, displayName: '缓存测试业务员', role: 'fi_officer', organisationId: bank.id, password: 'Officer-pass-2026' });
  expect(created.status).toBe(201);
  const agent = server.agent();
  const login = await agent.post('/api/v1/auth/admin/login').send({ username, password: 'Officer-pass-2026' });
  expect(login.status).toBe(200);
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  return { id: String(created.body.data.id), agent, cookie };
}

async function firstEnterpriseId(server: TestServer): Promise<string> {
  const [[row]] = (await server.app.db.sequelize.query('SELECT id FROM enterprises ORDER BY id LIMIT 1')) as [Array<{ id: string | number }>, unknown];
  return String(row.id);
}

async function queriesOf(n: number, request: () => Promise<unknown>): Promise<number> {
  const before = queryCounter.count;
  for (let i = 0; i < n; i++) await request();
  return queryCounter.count - before;
}

describe('with the default SESSION_CACHE_MS (1 s)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads a session once and reuses it: the detail read costs its own query only', async () => {
    const gov = await signInAdmin(server, 'gov_province');
    const id = await firstEnterpriseId(server);
    await gov.get(`/api/v1/enterprises/${id}`).expect(200);
    // The ten reads fall within one cache period unless the machine stalls; a re-read would add one query, not ten.
    const queries = await queriesOf(10, () => gov.get(`/api/v1/enterprises/${id}`).expect(200));
    expect(queries).toBeLessThanOrEqual(12);
    expect(server.sessions.size).toBeGreaterThan(0);
  });

  it('a sign-out, a disabled user, a role change and a disabled organisation take effect on the next request', async () => {
    const admin = await signInAdmin(server, 'admin');
    const out = await freshOfficer(server, admin);
    await out.agent.get('/api/v1/auth/me').expect(200);
    await out.agent.post('/api/v1/auth/logout').expect(200);
    expect((await server.http.get('/api/v1/auth/me').set('Cookie', out.cookie)).status).toBe(401);

    const disabled = await freshOfficer(server, admin);
    await disabled.agent.get('/api/v1/auth/me').expect(200);
    await admin.patch(`/api/v1/admin-users/${disabled.id}`).send({ disabled: true }).expect(200);
    expect((await disabled.agent.get('/api/v1/auth/me')).status).toBe(401);

    const promoted = await freshOfficer(server, admin);
    expect((await promoted.agent.get('/api/v1/auth/me')).body.data.role).toBe('fi_officer');
    await admin.patch(`/api/v1/admin-users/${promoted.id}`).send({ role: 'fi_admin' }).expect(200);
    // A change of rights ends the user's sessions; the cached one must not outlive it.
    expect((await promoted.agent.get('/api/v1/auth/me')).status).toBe(401);

    const created = await admin.post('/api/v1/organisations').send({ name: `缓存测试银行${randomBytes(3).toString('hex')}`, type: 'bank', regionCode: '330100' });
    expect(created.status).toBe(201);
    const username = `cache_org_${randomBytes(3).toString('hex')}`;
    await admin
      .post('/api/v1/admin-users')
      .send({ username, displayName: '机构停用测试', role: 'fi_officer', organisationId: created.body.data.id, password: 'Officer-pass-2026' })
      .expect(201);
    const member = await signInAdmin(server, username, 'Officer-pass-2026');
    await member.get('/api/v1/auth/me').expect(200);
    await admin.patch(`/api/v1/organisations/${created.body.data.id}`).send({ disabled: true }).expect(200);
    expect((await member.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('a session revoked by another process stops working here within the cache period', async () => {
    const admin = await signInAdmin(server, 'admin');
    const officer = await freshOfficer(server, admin);
    await officer.agent.get('/api/v1/auth/me').expect(200);
    await revokeElsewhere(server, officer.id);
    // No hook of this process saw the write: the cached row lives out its period (1 s), then the session is read again.
    await waitFor('the revoked session to be refused', async () => (await officer.agent.get('/api/v1/auth/me')).status === 401, 30_000, 50);
    expect((await officer.agent.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('keeps no unknown token, so guessing tokens cannot fill the cache', async () => {
    const before = server.sessions.size;
    for (let i = 0; i < 30; i++) {
      const res = await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${randomBytes(32).toString('base64url')}`);
      expect(res.status).toBe(401);
    }
    expect(server.sessions.size).toBeLessThanOrEqual(before);
  });

  it('a read racing a disable never brings the disabled session back (parallel requests)', async () => {
    const admin = await signInAdmin(server, 'admin');
    const officer = await freshOfficer(server, admin);
    await officer.agent.get('/api/v1/auth/me').expect(200);
    const reads = Array.from({ length: 30 }, () => server.http.get('/api/v1/auth/me').set('Cookie', officer.cookie));
    const [disable] = await Promise.all([admin.patch(`/api/v1/admin-users/${officer.id}`).send({ disabled: true }), ...reads]);
    expect(disable.status).toBe(200);
    // Whatever the racing reads saw and kept, nothing after the change's commit may accept the session.
    for (let i = 0; i < 20; i++) expect((await server.http.get('/api/v1/auth/me').set('Cookie', officer.cookie)).status).toBe(401);
  });
});

describe('with SESSION_CACHE_MS=0', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SESSION_CACHE_MS: '0' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads the session on every request, so another process’s revocation holds on the very next one', async () => {
    const gov = await signInAdmin(server, 'gov_province');
    const id = await firstEnterpriseId(server);
    await gov.get(`/api/v1/enterprises/${id}`).expect(200);
    expect(await queriesOf(10, () => gov.get(`/api/v1/enterprises/${id}`).expect(200))).toBeGreaterThanOrEqual(20);
    expect(server.sessions.size).toBe(0);

    const admin = await signInAdmin(server, 'admin');
    const officer = await freshOfficer(server, admin);
    await officer.agent.get('/api/v1/auth/me').expect(200);
    await revokeElsewhere(server, officer.id);
    expect((await officer.agent.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('refuses a cache period outside 0–10,000 ms at start, naming the setting', () => {
    expect(() => loadConfig({ SESSION_CACHE_MS: '-1' } as NodeJS.ProcessEnv)).toThrow(/SESSION_CACHE_MS/);
    expect(() => loadConfig({ SESSION_CACHE_MS: '60000' } as NodeJS.ProcessEnv)).toThrow(/SESSION_CACHE_MS/);
    expect(loadConfig({ SESSION_CACHE_MS: '250' } as NodeJS.ProcessEnv).session.cacheMs).toBe(250);
  });
});

describe('with a long SESSION_CACHE_MS (10 s)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SESSION_CACHE_MS: '10000' });
  });
  afterAll(async () => {
    clock.reset();
    await server.close();
  });
  afterEach(() => clock.reset());

  it('a cached session past its idle or absolute limit is refused on the next request, without a read', async () => {
    const { consoleIdleMs, consoleAbsoluteMs } = server.app.config.session;
    const admin = await signInAdmin(server, 'admin');
    for (const past of [consoleIdleMs, consoleAbsoluteMs]) {
      const officer = await freshOfficer(server, admin);
      await officer.agent.get('/api/v1/auth/me').expect(200);
      clock.advance(past + 1000);
      let status = 0;
      // Within the cache period the session is not read again: the cached one is judged by its time limits.
      expect(await queriesOf(1, async () => (status = (await officer.agent.get('/api/v1/auth/me')).status))).toBe(0);
      expect(status).toBe(401);
      clock.reset();
    }
  });
});
