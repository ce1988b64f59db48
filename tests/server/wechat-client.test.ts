import { inspect } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  assertDevLoginAllowed,
  createDevLoginProvider,
  devCode2Session,
  isFinalWechatError,
  TransportErrcode,
  WechatApiError,
  WechatClient,
  type SubscribeMessage,
  type WechatClientOptions,
} from '../../server/src/wechat';
import { deterministicOpenid, startFakeWechat, type FakeWechat } from '../fake-wechat/server';

// Distinctive, so that a leak into any error text is unmistakable.
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'S3CRET-must-never-leak-7f3a9c';

let fake: FakeWechat;
/** Shared by the client and the fake, so tokens age on both sides together. */
let clock: number;
const now = (): number => clock;
/** Every error a test sees is checked here as well as where it is thrown. */
const seenErrors: unknown[] = [];

beforeAll(async () => {
  fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, now });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  clock = Date.UTC(2025, 0, 1);
});

function newClient(overrides: Partial<WechatClientOptions> = {}): WechatClient {
  return new WechatClient({ appId: APP_ID, appSecret: APP_SECRET, apiBase: fake.url, now, ...overrides });
}

const message: SubscribeMessage = {
  touser: 'oUser000000000000000000000001',
  templateId: 'TPL_application_status',
  page: 'pages/applications/detail?id=42',
  data: { thing1: { value: '流动资金贷款' }, phrase2: { value: '已受理' } },
  miniprogramState: 'trial',
};

/** The rejection of `promise`, asserted to be a WechatApiError. */
async function rejectionOf(promise: Promise<unknown>): Promise<WechatApiError> {
  try {
    await promise;
  } catch (e) {
    seenErrors.push(e);
    expect(e).toBeInstanceOf(WechatApiError);
    return e as WechatApiError;
  }
  throw new Error('expected the call to fail');
}

function expectNoSecretIn(e: unknown): void {
  const texts = [String(e), inspect(e, { depth: 5 }), JSON.stringify(e)];
  if (e instanceof Error) texts.push(e.stack ?? '', e.message);
  for (const text of texts) expect(text).not.toContain(APP_SECRET);
}

describe('code2Session', () => {
  it('exchanges a code for openid and session key, sending the documented query', async () => {
    const session = await newClient().code2Session('code-1');
    expect(session).toEqual({ openid: deterministicOpenid(APP_ID, 'code-1'), sessionKey: expect.any(String) });
    expect(session).not.toHaveProperty('unionid');
    expect(fake.calls.jscode2session).toEqual([
      { appid: APP_ID, secret: APP_SECRET, js_code: 'code-1', grant_type: 'authorization_code' },
    ]);
  });

  it('returns the unionid when WeChat gives one', async () => {
    fake.setOpenid('code-2', { openid: 'oAlice', unionid: 'uAlice' });
    await expect(newClient().code2Session('code-2')).resolves.toEqual({
      openid: 'oAlice',
      unionid: 'uAlice',
      sessionKey: expect.any(String),
    });
  });

  it('treats a reused code (40163) as final', async () => {
    const client = newClient();
    await client.code2Session('once');
    const e = await rejectionOf(client.code2Session('once'));
    expect(e).toMatchObject({ errcode: 40163, endpoint: 'jscode2session', retryable: false });
    expect(e.message).toBe('WeChat jscode2session failed with errcode 40163: js_code already used');
    expect(isFinalWechatError(e)).toBe(true);
  });

  it.each([
    [40029, false],
    [40226, false],
    [45011, true],
    [-1, true],
  ])('classifies errcode %i as retryable=%s', async (errcode, retryable) => {
    fake.failNext('jscode2session', 1, errcode);
    const e = await rejectionOf(newClient().code2Session('c'));
    expect(e).toMatchObject({ errcode, retryable, endpoint: 'jscode2session' });
    expect(e.errmsg).toMatch(/rid: /);
    expect(isFinalWechatError(e)).toBe(!retryable);
  });

  it('reports a wrong appsecret (40125) and a wrong appid (40013) without echoing the secret', async () => {
    const wrongSecret = await rejectionOf(newClient({ appSecret: 'wrong-secret' }).code2Session('c1'));
    expect(wrongSecret.errcode).toBe(40125);
    const wrongAppId = await rejectionOf(newClient({ appId: 'wxother' }).code2Session('c2'));
    expect(wrongAppId.errcode).toBe(40013);
  });

  it('rejects an empty code without calling WeChat', async () => {
    const e = await rejectionOf(newClient().code2Session(''));
    expect(e).toMatchObject({ errcode: 41008, retryable: false });
    expect(fake.calls.jscode2session).toHaveLength(0);
  });

  it('turns a refused connection into a retryable network error that hides the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const e = await rejectionOf(newClient({ apiBase: `http://127.0.0.1:${port}` }).code2Session('c'));
    expect(e).toMatchObject({ errcode: TransportErrcode.network, errmsg: 'ECONNREFUSED', retryable: true });
    expect(e.message).not.toContain('127.0.0.1');
  });
});

describe('access token', () => {
  it('fetches once with the documented body and serves many sends from memory', async () => {
    const client = newClient();
    for (let i = 0; i < 5; i += 1) await client.sendSubscribeMessage(message);
    expect(fake.calls.stable_token).toEqual([
      { grant_type: 'client_credential', appid: APP_ID, secret: APP_SECRET, force_refresh: false },
    ]);
    const tokens = new Set(fake.calls.subscribe_send.map((c) => c.accessToken));
    expect(tokens.size).toBe(1);
  });

  it('shares one in-flight fetch between concurrent callers', async () => {
    const client = newClient();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    await Promise.all(Array.from({ length: 10 }, () => client.sendSubscribeMessage(message)));
    expect(fake.calls.stable_token).toHaveLength(1);
    expect(fake.calls.subscribe_send).toHaveLength(10);
  });

  it('refreshes 5 minutes before expiry, not earlier', async () => {
    const client = newClient();
    const first = await client.getAccessToken();

    clock += (7200 - 301) * 1000;
    expect(await client.getAccessToken()).toBe(first);
    expect(fake.calls.stable_token).toHaveLength(1);

    clock += 2000; // now inside the last 5 minutes, when WeChat renews the stable token too
    const second = await client.getAccessToken();
    expect(second).not.toBe(first);
    expect(fake.calls.stable_token.map((c) => c.force_refresh)).toEqual([false, false]);
  });

  it('keeps using a still-valid token when the early refresh fails', async () => {
    const client = newClient();
    const first = await client.getAccessToken();
    clock += (7200 - 60) * 1000;
    fake.failNext('stable_token', 1, -1);
    expect(await client.getAccessToken()).toBe(first);
  });

  it('fails the send with the stable_token error when there is no token to fall back on', async () => {
    fake.failNext('stable_token', 1, 45009);
    const e = await rejectionOf(newClient().sendSubscribeMessage(message));
    expect(e).toMatchObject({ endpoint: 'stable_token', errcode: 45009, retryable: true });
    expect(fake.calls.subscribe_send).toHaveLength(0);
  });

  it('on 42001 (expired) fetches a new token in normal mode and retries once', async () => {
    const client = newClient();
    await client.sendSubscribeMessage(message);
    fake.expireTokens();

    await expect(client.sendSubscribeMessage(message)).resolves.toEqual({ msgid: expect.any(String) });
    const sends = fake.calls.subscribe_send.map((c) => c.accessToken);
    expect(sends).toHaveLength(3);
    expect(sends[1]).toBe(sends[0]);
    expect(sends[2]).not.toBe(sends[1]);
    expect(fake.calls.stable_token.map((c) => c.force_refresh)).toEqual([false, false]);
  });

  it('on 40001 force-refreshes only when normal mode hands back the refused token', async () => {
    const client = newClient();
    const refused = await client.getAccessToken();
    fake.failNext('subscribe_send', 1, 40001);

    await expect(client.sendSubscribeMessage(message)).resolves.toEqual({ msgid: expect.any(String) });
    expect(fake.calls.stable_token.map((c) => c.force_refresh)).toEqual([false, false, true]);
    const retriedWith = fake.calls.subscribe_send[1]?.accessToken;
    expect(retriedWith).not.toBe(refused);
    expect(await client.getAccessToken()).toBe(retriedWith);
  });

  it('respects the 30 s spacing WeChat imposes on force refreshes', async () => {
    const client = newClient();
    await client.getAccessToken();
    fake.failNext('subscribe_send', 1, 40001);
    await client.sendSubscribeMessage(message);
    expect(fake.calls.stable_token.filter((c) => c.force_refresh)).toHaveLength(1);

    clock += 10_000;
    fake.failNext('subscribe_send', 1, 40001);
    await client.sendSubscribeMessage(message); // the token was fine; WeChat's refusal was a one-off
    expect(fake.calls.stable_token.filter((c) => c.force_refresh)).toHaveLength(1);

    clock += 30_000;
    fake.failNext('subscribe_send', 1, 40014);
    await client.sendSubscribeMessage(message);
    expect(fake.calls.stable_token.filter((c) => c.force_refresh)).toHaveLength(2);
  });

  it('retries a refused token only once', async () => {
    const client = newClient();
    fake.failNext('subscribe_send', 2, 42001);
    const e = await rejectionOf(client.sendSubscribeMessage(message));
    expect(e).toMatchObject({ endpoint: 'subscribe_send', errcode: 42001, retryable: true });
    expect(fake.calls.subscribe_send).toHaveLength(2);
  });

  it('ignores an invalidation of a token that was already replaced', async () => {
    const client = newClient();
    const first = await client.getAccessToken();
    fake.expireTokens();
    client.invalidateAccessToken(first);
    const second = await client.getAccessToken();
    client.invalidateAccessToken(first); // a late caller still holding the old token
    expect(await client.getAccessToken()).toBe(second);
    expect(fake.calls.stable_token).toHaveLength(2);
  });
});

describe('sendSubscribeMessage', () => {
  it('posts the documented body and returns the msgid exactly', async () => {
    const result = await newClient().sendSubscribeMessage(message);
    expect(fake.calls.subscribe_send[0]?.body).toEqual({
      touser: message.touser,
      template_id: message.templateId,
      page: message.page,
      data: message.data,
      miniprogram_state: 'trial',
      lang: 'zh_CN',
    });
    // Beyond Number.MAX_SAFE_INTEGER: a JSON.parse'd number would have been rounded.
    expect(result.msgid).toBe('3248682510344192000');
    expect((await newClient().sendSubscribeMessage(message)).msgid).toBe('3248682510344192001');
  });

  it('leaves out page and miniprogram_state when not given', async () => {
    await newClient().sendSubscribeMessage({ touser: 'oUser', templateId: 'TPL', data: { thing1: { value: 'x' } } });
    expect(fake.calls.subscribe_send[0]?.body).toEqual({
      touser: 'oUser',
      template_id: 'TPL',
      data: { thing1: { value: 'x' } },
      lang: 'zh_CN',
    });
  });

  it.each([
    [43101, 'user has not granted (or refused) this subscription template'],
    [47003, 'template data invalid'],
    [40003, 'invalid openid'],
    [40037, 'invalid template_id'],
  ])('treats errcode %i as final', async (errcode, description) => {
    fake.failNext('subscribe_send', 1, errcode);
    const e = await rejectionOf(newClient().sendSubscribeMessage(message));
    expect(e).toMatchObject({ errcode, endpoint: 'subscribe_send', retryable: false });
    expect(e.message).toBe(`WeChat subscribe_send failed with errcode ${errcode}: ${description}`);
    expect(isFinalWechatError(e)).toBe(true);
    expect(fake.calls.subscribe_send).toHaveLength(1);
  });

  it('gets 40003 and 47003 from the fake itself for a missing touser or an empty value', async () => {
    const client = newClient();
    const noUser = await rejectionOf(client.sendSubscribeMessage({ ...message, touser: '' }));
    expect(noUser.errcode).toBe(40003);
    const emptyValue = await rejectionOf(client.sendSubscribeMessage({ ...message, data: { thing1: { value: '' } } }));
    expect(emptyValue).toMatchObject({ errcode: 47003, errmsg: expect.stringContaining('data.thing1.value') });
  });

  it('treats -1 (system busy) as retryable, and the next send succeeds', async () => {
    const client = newClient();
    fake.failNext('subscribe_send', 1, -1);
    const e = await rejectionOf(client.sendSubscribeMessage(message));
    expect(e).toMatchObject({ errcode: -1, retryable: true });
    expect(isFinalWechatError(e)).toBe(false);
    await expect(client.sendSubscribeMessage(message)).resolves.toEqual({ msgid: expect.any(String) });
    expect(fake.calls.stable_token).toHaveLength(1);
  });

  it('treats a dropped connection as a retryable network error', async () => {
    fake.dropNext('subscribe_send', 1);
    const e = await rejectionOf(newClient().sendSubscribeMessage(message));
    expect(e).toMatchObject({ errcode: TransportErrcode.network, retryable: true });
  });

  it('treats an HTTP 502 as retryable', async () => {
    fake.failHttpNext('subscribe_send', 1, 502);
    const e = await rejectionOf(newClient().sendSubscribeMessage(message));
    expect(e).toMatchObject({ errcode: TransportErrcode.httpStatus, errmsg: 'HTTP 502', retryable: true });
  });

  it('treats a timeout as retryable', async () => {
    fake.hangNext('subscribe_send', 1);
    const e = await rejectionOf(newClient({ timeoutMs: 200 }).sendSubscribeMessage(message));
    expect(e).toMatchObject({ errcode: TransportErrcode.timeout, retryable: true });
  });

  it('keeps the access token out of error text', async () => {
    const client = newClient();
    const token = await client.getAccessToken();
    fake.failNext('subscribe_send', 1, 47003, `argument invalid! access_token=${token}`);
    const e = await rejectionOf(client.sendSubscribeMessage(message));
    for (const text of [e.message, e.errmsg, inspect(e)]) expect(text).not.toContain(token);
  });
});

describe('errors never carry the secret', () => {
  it('even when WeChat echoes it', async () => {
    fake.failNext('stable_token', 1, 40125, `invalid appsecret ${APP_SECRET}`);
    const e = await rejectionOf(newClient().getAccessToken());
    expect(e.errmsg).toContain('[secret]');
  });

  it('in any error seen by this suite', () => {
    expect(seenErrors.length).toBeGreaterThan(20);
    for (const e of seenErrors) expectNoSecretIn(e);
  });
});

describe('development login', () => {
  it('maps a code to a deterministic dev openid, no unionid, a random session key', async () => {
    const a = await devCode2Session('alice');
    const again = await devCode2Session('alice');
    const b = await devCode2Session('bob');
    expect(a.openid).toMatch(/^dev_[0-9a-f]{28}$/);
    expect(again.openid).toBe(a.openid);
    expect(b.openid).not.toBe(a.openid);
    expect(a).not.toHaveProperty('unionid');
    expect(again.sessionKey).not.toBe(a.sessionKey);
  });

  it('rejects an empty code', async () => {
    const e = await rejectionOf(devCode2Session(''));
    expect(e.errcode).toBe(41008);
  });

  it('is refused in production and allowed elsewhere', () => {
    expect(() => assertDevLoginAllowed('production')).toThrow(/NODE_ENV=production/);
    expect(() => createDevLoginProvider('production')).toThrow(/NODE_ENV=production/);
    for (const env of ['development', 'test', undefined]) expect(() => assertDevLoginAllowed(env)).not.toThrow();
    expect(typeof createDevLoginProvider('test').code2Session).toBe('function');
  });
});

describe('the fake itself', () => {
  it('answers 40001 for a token it never issued and 41001 for none', async () => {
    const post = (query: string): Promise<unknown> =>
      fetch(`${fake.url}/cgi-bin/message/subscribe/send${query}`, { method: 'POST', body: '{}' }).then((r) => r.json());
    await expect(post('?access_token=bogus')).resolves.toMatchObject({ errcode: 40001 });
    await expect(post('')).resolves.toMatchObject({ errcode: 41001 });
  });

  it('invalidates earlier tokens on force refresh (40001)', async () => {
    const client = newClient();
    const old = await client.getAccessToken();
    const res = await fetch(`${fake.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: APP_ID, secret: APP_SECRET, force_refresh: true }),
    });
    expect(await res.json()).toMatchObject({ access_token: expect.any(String), expires_in: 7200 });
    const send = await fetch(`${fake.url}/cgi-bin/message/subscribe/send?access_token=${old}`, {
      method: 'POST',
      body: JSON.stringify({ touser: 'o', template_id: 't', data: {} }),
    });
    expect(await send.json()).toMatchObject({ errcode: 40001 });
  });
});
