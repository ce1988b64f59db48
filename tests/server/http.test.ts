import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEMO_PASSWORD, signInAdmin, signInWechat, startTestServer, submitVerification, verificationFields, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CORS_ORIGINS: 'https://console.example.gov.cn' }, { signInLimit: 5 });
});
afterAll(() => server.close());

describe('HTTP hygiene', () => {
  it('sends security headers and a request id', async () => {
    const res = await server.http.get('/api/v1/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS only for listed origins, never with a wildcard', async () => {
    const listed = await server.http.options('/api/v1/auth/me').set('Origin', 'https://console.example.gov.cn').set('Access-Control-Request-Method', 'GET');
    expect(listed.headers['access-control-allow-origin']).toBe('https://console.example.gov.cn');
    expect(listed.headers['access-control-allow-credentials']).toBe('true');
    const other = await server.http.get('/api/v1/health').set('Origin', 'https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('rate-limits sign-in attempts from one address', async () => {
    const attempts = [];
    for (let i = 0; i < 6; i++) attempts.push(await server.http.post('/api/v1/auth/admin/login').send({ username: `nobody${i}`, password: 'x' }));
    expect(attempts.slice(0, 5).every((r) => r.status === 401)).toBe(true);
    expect(attempts[5].status).toBe(429);
    expect(attempts[5].body.errorCode).toBe('RATE_LIMITED');
  });

  it('refuses a JSON body over the limit with 413', async () => {
    const token = await signInWechat(server);
    const res = await server.http
      .post('/api/v1/wechat/subscriptions')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ results: { a: 'x'.repeat(1_100_000) } }));
    expect(res.status).toBe(413);
    expect(res.body.errorCode).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('password change', () => {
  it('checks the old password, applies the policy and ends the other sessions', async () => {
    const limitless = await startTestServer({}, { signInLimit: 100 });
    try {
      const elsewhere = await signInAdmin(limitless, 'gov_city');
      const here = await signInAdmin(limitless, 'gov_city');
      const wrongOld = await here.post('/api/v1/auth/password').send({ oldPassword: 'nope', newPassword: 'Another-pass-2026' });
      expect(wrongOld.status).toBe(400);
      expect(wrongOld.body.errorFields[0].field).toBe('oldPassword');
      const weak = await here.post('/api/v1/auth/password').send({ oldPassword: DEMO_PASSWORD, newPassword: 'alllowercase-letters' });
      expect(weak.body.errorFields[0]).toEqual({ field: 'newPassword', message: '密码须包含大写字母、小写字母、数字、符号中的至少三类' });
      await here.post('/api/v1/auth/password').send({ oldPassword: DEMO_PASSWORD, newPassword: 'Another-pass-2026' }).expect(200);
      expect((await here.get('/api/v1/auth/me')).status).toBe(200);
      expect((await elsewhere.get('/api/v1/auth/me')).status).toBe(401);
      await signInAdmin(limitless, 'gov_city', 'Another-pass-2026');
    } finally {
      await limitless.close();
    }
  });
});

describe('audit verify command', () => {
  it('reports an intact chain on a seeded database', () => {
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '../../server/src/commands/verify-audit.ts')], {
      env: { ...process.env, DATABASE_URL: server.app.config.databaseUrl, NODE_ENV: 'test' },
      encoding: 'utf8',
    });
    expect(out).toMatch(/audit chain intact: \d+ rows checked/);
  });
});

describe('logs', () => {
  it('carry no passwords, tokens, login codes or identity numbers', async () => {
    const lines: string[] = [];
    const logged = await startTestServer({ LOG_LEVEL: 'debug' }, { logLines: lines, signInLimit: 100 });
    try {
      const { demoEnterprises } = await import('../../server/src/seed/demo');
      const e = demoEnterprises()[3];
      await logged.http.post('/api/v1/auth/admin/login').send({ username: 'admin', password: 'Wrong-secret-pass-1' });
      const ok = await logged.http.post('/api/v1/auth/admin/login').send({ username: 'admin', password: DEMO_PASSWORD });
      const cookie = String(ok.headers['set-cookie']).split(';')[0];
      await logged.http.get('/api/v1/auth/me').set('Cookie', cookie);
      const login = await logged.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-logcheck-code-123' });
      const token = login.body.data.token as string;
      await submitVerification(logged, token, verificationFields(e)).expect(201);
      const text = lines.join('\n');
      expect(lines.length).toBeGreaterThan(4);
      for (const secret of ['Wrong-secret-pass-1', DEMO_PASSWORD, cookie.split('=')[1], token, 'dev-logcheck-code-123', e.legalRepIdNumber]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await logged.close();
    }
  });
});
