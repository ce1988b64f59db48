import { AdminUser, WechatUser } from '../../server/src/modules/identity/models';
import { SubscriptionGrant } from '../../server/src/modules/notifications/models';
import { currentTotp } from '../../server/src/modules/identity/totp';
import { DEMO_PASSWORD, clock, signInAdmin, startTestServer, type TestServer } from './helpers';

/**
 * Races on sign-in and first-time rows. They are meant for MySQL/MariaDB (row locks, gap locks, deadlocks);
 * on SQLite transactions are serialised, which still checks the counting logic, so they run there too.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
});
afterAll(() => server.close());
afterEach(() => clock.reset());

// Parallel argon2 checks on a busy two-core machine.
jest.setTimeout(120_000);

const login = (body: object) => server.http.post('/api/v1/auth/admin/login').send(body);
const parallel = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

describe('console lockout under concurrency', () => {
  it('locks the account after eight parallel wrong passwords, and the right password is then refused', async () => {
    const answers = await parallel(8, () => login({ username: 'gov_city', password: 'Wrong-password-1' }));
    const codes = answers.map((r) => `${r.status} ${r.body.errorCode}`).sort();
    // Exactly the first four failures stay under the limit; the fifth locks and the rest find the lock.
    expect(codes).toEqual([...Array(4).fill('401 INVALID_CREDENTIALS'), ...Array(4).fill('429 ACCOUNT_LOCKED')]);
    const user = await AdminUser.findOne({ where: { username: 'gov_city' } });
    expect(new Date(user!.lockedUntil!).getTime()).toBeGreaterThan(clock.nowMs());
    const right = await login({ username: 'gov_city', password: DEMO_PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.errorCode).toBe('ACCOUNT_LOCKED');
  });

  it('locks an unknown username the same way', async () => {
    const answers = await parallel(8, () => login({ username: 'ghost_user', password: 'Wrong-password-1' }));
    const codes = answers.map((r) => `${r.status} ${r.body.errorCode}`).sort();
    expect(codes).toEqual([...Array(4).fill('401 INVALID_CREDENTIALS'), ...Array(4).fill('429 ACCOUNT_LOCKED')]);
    expect((await login({ username: 'ghost_user', password: DEMO_PASSWORD })).body.errorCode).toBe('ACCOUNT_LOCKED');
  });

  it('accepts one TOTP code for one sign-in only, however many race', async () => {
    const agent = await signInAdmin(server, 'agency');
    const secret = (await agent.post('/api/v1/auth/totp/enrol')).body.data.secret as string;
    await agent.post('/api/v1/auth/totp/confirm').send({ code: currentTotp(secret, clock.nowMs()) }).expect(200);
    clock.advance(30_000);
    const totp = currentTotp(secret, clock.nowMs());
    const answers = await parallel(5, () => login({ username: 'agency', password: DEMO_PASSWORD, totp }));
    expect(answers.map((r) => `${r.status} ${r.body.errorCode ?? ''}`).sort()).toEqual(['200 ', ...Array(4).fill('401 TOTP_INVALID')]);
  });
});

describe('first-time rows under concurrency', () => {
  it('answers ten concurrent first WeChat sign-ins of one identity with one user', async () => {
    // A warm server: the first burst after start is spread out by cold code paths and would hide the race.
    await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-concurrent-warm-up' }).expect(200);
    for (const code of ['dev-concurrent-first-a', 'dev-concurrent-first-b', 'dev-concurrent-first-c']) {
      const answers = await parallel(10, () => server.http.post('/api/v1/auth/wechat/login').send({ code }));
      expect(answers.map((r) => `${r.status} ${r.body.errorMessage ?? ''}`)).toEqual(Array(10).fill('200 '));
      const ids = new Set(answers.map((r) => r.body.data.user.id as string));
      expect(ids.size).toBe(1);
      const users = await WechatUser.findAll({ where: { id: [...ids] } });
      expect(users).toHaveLength(1);
      expect(await WechatUser.count({ where: { openid: users[0].openid } })).toBe(1);
    }
  });

  it('answers ten concurrent first subscription reports with one grant that counts all ten', async () => {
    const signedIn = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-concurrent-subscriber' }).expect(200);
    const { token, user } = signedIn.body.data as { token: string; user: { id: string } };
    const templateId = server.app.config.wechat.templates[0].templateId;
    const answers = await parallel(10, () =>
      server.http.post('/api/v1/wechat/subscriptions').set('Authorization', `Bearer ${token}`).send({ results: { [templateId]: 'accept' } }),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const grants = await SubscriptionGrant.findAll({ where: { wechatUserId: user.id } });
    expect(grants).toHaveLength(1);
    expect(grants[0].remaining).toBe(10);
    expect(Math.max(...answers.map((r) => r.body.data.granted[templateId] as number))).toBe(10);
  });
});
