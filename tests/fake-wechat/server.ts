/**
 * A fake of WeChat's server API for tests and the demo: jscode2session, stable_token and subscribeMessage.send,
 * with WeChat's request and response shapes and errcodes, plus knobs to inject failures.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Jscode2SessionQuery,
  Jscode2SessionResponse,
  StableTokenRequest,
  StableTokenResponse,
  SubscribeSendRequest,
  WechatEndpoint,
  WechatErrorBody,
} from '../../server/src/wechat/wire';

export type FakeEndpoint = WechatEndpoint;

export const FAKE_APP_ID = 'wxfake0000000000';
export const FAKE_APP_SECRET = 'fake-app-secret-0123456789abcdef';

export interface FakeWechatOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Lifetime of issued access tokens; WeChat's is 7200. */
  tokenTtlSeconds?: number;
  appId?: string;
  appSecret?: string;
  /** The fake's clock (ms), to expire tokens without waiting. */
  now?: () => number;
}

/** What each endpoint received, exactly as sent (possibly malformed, hence Partial). */
export type Jscode2SessionCall = Partial<Record<keyof Jscode2SessionQuery, string>>;
export type StableTokenCall = Partial<StableTokenRequest>;
export interface SubscribeSendCall {
  /** '' when the query had none. */
  accessToken: string;
  body: Partial<SubscribeSendRequest>;
}

export interface FakeWechatCalls {
  jscode2session: Jscode2SessionCall[];
  stable_token: StableTokenCall[];
  subscribe_send: SubscribeSendCall[];
}

export interface FakeIdentity {
  openid: string;
  unionid?: string;
}

export interface FakeWechat {
  /** Base URL, without trailing slash: pass it as the client's apiBase. */
  readonly url: string;
  readonly appId: string;
  readonly appSecret: string;
  /** Arrays are kept (and emptied in place by reset), so references stay live. */
  readonly calls: FakeWechatCalls;
  close(): Promise<void>;
  /** The next `count` requests to `endpoint` answer `{ errcode, errmsg }` (HTTP 200, as WeChat does). */
  failNext(endpoint: FakeEndpoint, count: number, errcode: number, errmsg?: string): void;
  /** The next `count` requests answer this HTTP status with a non-JSON body. */
  failHttpNext(endpoint: FakeEndpoint, count: number, status: number): void;
  /** The next `count` requests have their connection destroyed without an answer. */
  dropNext(endpoint: FakeEndpoint, count: number): void;
  /** The next `count` requests never get an answer (until close). */
  hangNext(endpoint: FakeEndpoint, count: number): void;
  /** Forgets calls, injected failures, used codes, identities and tokens; msgids start again. */
  reset(): void;
  /** Every token issued so far answers 42001 from now on. */
  expireTokens(): void;
  /** The identity a code resolves to; other codes get a deterministic openid and no unionid. */
  setOpenid(code: string, identity: FakeIdentity): void;
}

type Fault =
  | { kind: 'errcode'; errcode: number; errmsg: string }
  | { kind: 'http'; status: number }
  | { kind: 'drop' }
  | { kind: 'hang' };

interface IssuedToken {
  expiresAt: number;
  /** superseded: a force refresh replaced it (40001); expired: expireTokens() (42001). */
  state: 'valid' | 'superseded' | 'expired';
}

/** What the fake does with a request: answer it, destroy its connection, or leave it hanging. */
type Answer =
  { kind: 'reply'; status: number; contentType: string; body: string } | { kind: 'drop' } | { kind: 'hang' };

const PATHS: Readonly<Record<string, FakeEndpoint>> = {
  '/sns/jscode2session': 'jscode2session',
  '/cgi-bin/stable_token': 'stable_token',
  '/cgi-bin/message/subscribe/send': 'subscribe_send',
};

/** WeChat's default errmsg for the errcodes the fake produces or is asked to inject. */
const ERRMSGS: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40226: 'code blocked',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  43101: 'user refuse to accept the msg',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  47001: 'data format error',
  47003: 'argument invalid!',
};

const MINIPROGRAM_STATES: ReadonlySet<string> = new Set(['developer', 'trial', 'formal']);
const LANGS: ReadonlySet<string> = new Set(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']);
const MAX_BODY_BYTES = 1 << 20;

export async function startFakeWechat(options: FakeWechatOptions = {}): Promise<FakeWechat> {
  const appId = options.appId ?? FAKE_APP_ID;
  const appSecret = options.appSecret ?? FAKE_APP_SECRET;
  const ttlMs = (options.tokenTtlSeconds ?? 7200) * 1000;
  // WeChat renews a stable token 5 minutes before expiry; short test lifetimes renew at half-life.
  const renewMarginMs = Math.min(5 * 60_000, ttlMs / 2);
  const now = options.now ?? Date.now;

  const calls: FakeWechatCalls = { jscode2session: [], stable_token: [], subscribe_send: [] };
  const faults: Record<FakeEndpoint, Fault[]> = { jscode2session: [], stable_token: [], subscribe_send: [] };
  const usedCodes = new Set<string>();
  const identities = new Map<string, FakeIdentity>();
  const tokens = new Map<string, IssuedToken>();
  let currentToken: string | undefined;
  let tokenSerial = 0;
  const FIRST_MSGID = 3248682510344192000n;
  let nextMsgid = FIRST_MSGID;

  function wechatError(errcode: number, errmsg?: string): Answer {
    const text = `${errmsg ?? ERRMSGS[errcode] ?? 'error'}, rid: ${randomBytes(4).toString('hex')}`;
    return json({ errcode, errmsg: text });
  }

  function issueToken(): { token: string; expiresAt: number } {
    tokenSerial += 1;
    const token = `${tokenSerial}_${randomBytes(48).toString('base64url')}`;
    const expiresAt = now() + ttlMs;
    tokens.set(token, { expiresAt, state: 'valid' });
    currentToken = token;
    return { token, expiresAt };
  }

  function handleJscode2Session(url: URL): Answer {
    const q = url.searchParams;
    const call: Jscode2SessionCall = {};
    for (const key of ['appid', 'secret', 'js_code', 'grant_type'] as const) {
      const value = q.get(key);
      if (value !== null) call[key] = value;
    }
    calls.jscode2session.push(call);
    const fault = takeFault('jscode2session');
    if (fault) return fault;
    if (!call.appid) return wechatError(41002);
    if (!call.secret) return wechatError(41004);
    if (!call.js_code) return wechatError(41008);
    if (call.appid !== appId) return wechatError(40013);
    if (call.secret !== appSecret) return wechatError(40125);
    if (call.grant_type !== 'authorization_code') return wechatError(40002);
    if (usedCodes.has(call.js_code)) return wechatError(40163);
    usedCodes.add(call.js_code);
    const identity = identities.get(call.js_code) ?? { openid: deterministicOpenid(appId, call.js_code) };
    const answer: Jscode2SessionResponse = {
      openid: identity.openid,
      session_key: randomBytes(16).toString('base64'),
      ...(identity.unionid !== undefined && { unionid: identity.unionid }),
    };
    // WeChat really answers this endpoint as text/plain; clients must not rely on the content type.
    return reply(200, 'text/plain', JSON.stringify(answer));
  }

  function handleStableToken(body: unknown): Answer {
    if (!isObject(body)) {
      calls.stable_token.push({});
      return takeFault('stable_token') ?? wechatError(47001);
    }
    const call = body as StableTokenCall; // recorded as received; every field is checked below before use
    calls.stable_token.push(call);
    const fault = takeFault('stable_token');
    if (fault) return fault;
    if (body.grant_type !== 'client_credential') return wechatError(40002);
    if (typeof body.appid !== 'string' || !body.appid) return wechatError(41002);
    if (typeof body.secret !== 'string' || !body.secret) return wechatError(41004);
    if (body.appid !== appId) return wechatError(40013);
    if (body.secret !== appSecret) return wechatError(40125);
    if (body.force_refresh !== undefined && typeof body.force_refresh !== 'boolean') return wechatError(47001);

    let issued: { token: string; expiresAt: number };
    const current = currentToken === undefined ? undefined : tokens.get(currentToken);
    if (body.force_refresh === true) {
      // Force refresh invalidates every earlier token.
      for (const t of tokens.values()) if (t.state === 'valid') t.state = 'superseded';
      issued = issueToken();
    } else if (currentToken !== undefined && current?.state === 'valid' && current.expiresAt - now() > renewMarginMs) {
      issued = { token: currentToken, expiresAt: current.expiresAt };
    } else {
      // Normal-mode renewal: the previous token stays usable until its own expiry.
      issued = issueToken();
    }
    const answer: StableTokenResponse = {
      access_token: issued.token,
      expires_in: Math.floor((issued.expiresAt - now()) / 1000),
    };
    return json(answer);
  }

  function checkToken(accessToken: string): Answer | undefined {
    if (!accessToken) return wechatError(41001);
    const token = tokens.get(accessToken);
    if (!token || token.state === 'superseded') return wechatError(40001);
    if (token.state === 'expired' || now() >= token.expiresAt) return wechatError(42001);
    return undefined;
  }

  function handleSubscribeSend(url: URL, body: unknown): Answer {
    const accessToken = url.searchParams.get('access_token') ?? '';
    // Recorded as received; every field is checked below before use.
    calls.subscribe_send.push({ accessToken, body: isObject(body) ? (body as Partial<SubscribeSendRequest>) : {} });
    const fault = takeFault('subscribe_send');
    if (fault) return fault;
    const tokenError = checkToken(accessToken);
    if (tokenError) return tokenError;
    if (!isObject(body)) return wechatError(47001);
    if (typeof body.touser !== 'string' || !body.touser) return wechatError(40003);
    if (typeof body.template_id !== 'string' || !body.template_id) return wechatError(40037);
    if (body.page !== undefined && typeof body.page !== 'string') return wechatError(47003, 'argument invalid! page');
    if (!isObject(body.data)) return wechatError(47003, 'argument invalid! data is empty');
    for (const [key, item] of Object.entries(body.data)) {
      if (!isObject(item) || typeof item.value !== 'string' || item.value === '') {
        return wechatError(47003, `argument invalid! data.${key}.value is empty`);
      }
    }
    const state = body.miniprogram_state;
    if (state !== undefined && (typeof state !== 'string' || !MINIPROGRAM_STATES.has(state))) {
      return wechatError(47003, 'argument invalid! miniprogram_state');
    }
    if (body.lang !== undefined && (typeof body.lang !== 'string' || !LANGS.has(body.lang))) {
      return wechatError(47003, 'argument invalid! lang');
    }
    const msgid = nextMsgid;
    nextMsgid += 1n;
    // Written by hand: msgid is a 64-bit integer that JSON.stringify cannot produce from a bigint.
    return reply(200, JSON_TYPE, `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`);
  }

  function takeFault(endpoint: FakeEndpoint): Answer | undefined {
    const fault = faults[endpoint].shift();
    if (!fault) return undefined;
    switch (fault.kind) {
      case 'errcode':
        return json({ errcode: fault.errcode, errmsg: fault.errmsg });
      case 'http':
        return reply(fault.status, 'text/html', `<html><body>${fault.status}</body></html>`);
      case 'drop':
      case 'hang':
        return fault;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-wechat');
    const endpoint = PATHS[url.pathname];
    if (!endpoint) {
      send(req, res, reply(404, 'text/plain', 'not found'));
      return;
    }
    let answer: Answer;
    if (endpoint === 'jscode2session') {
      answer = req.method === 'GET' ? handleJscode2Session(url) : wechatError(43001);
    } else if (req.method !== 'POST') {
      answer = wechatError(43002);
    } else {
      const body = parseJson(await readBody(req));
      answer = endpoint === 'stable_token' ? handleStableToken(body) : handleSubscribeSend(url, body);
    }
    send(req, res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(req, res, wechatError(-1));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo; // a TCP listener always has an AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  function queue(endpoint: FakeEndpoint, count: number, fault: Fault): void {
    for (let i = 0; i < count; i += 1) faults[endpoint].push(fault);
  }

  return {
    url: `http://${host}:${address.port}`,
    appId,
    appSecret,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging requests and keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
    failNext(endpoint, count, errcode, errmsg) {
      const text = `${errmsg ?? ERRMSGS[errcode] ?? 'error'}, rid: ${randomBytes(4).toString('hex')}`;
      queue(endpoint, count, { kind: 'errcode', errcode, errmsg: text });
    },
    failHttpNext(endpoint, count, status) {
      queue(endpoint, count, { kind: 'http', status });
    },
    dropNext(endpoint, count) {
      queue(endpoint, count, { kind: 'drop' });
    },
    hangNext(endpoint, count) {
      queue(endpoint, count, { kind: 'hang' });
    },
    reset() {
      for (const endpoint of Object.values(PATHS)) {
        calls[endpoint].length = 0;
        faults[endpoint].length = 0;
      }
      usedCodes.clear();
      identities.clear();
      tokens.clear();
      currentToken = undefined;
      nextMsgid = FIRST_MSGID;
    },
    expireTokens() {
      for (const t of tokens.values()) t.state = 'expired';
      currentToken = undefined;
    },
    setOpenid(code, identity) {
      identities.set(code, { ...identity });
    },
  };
}

/** Like a real openid: 28 characters starting with 'o', stable per appid and code. */
export function deterministicOpenid(appId: string, code: string): string {
  return 'o' + createHash('sha256').update(`${appId}:${code}`).digest('base64url').slice(0, 27);
}

const JSON_TYPE = 'application/json; encoding=utf-8';

function reply(status: number, contentType: string, body: string): Answer {
  return { kind: 'reply', status, contentType, body };
}

function json(body: WechatErrorBody & object): Answer {
  return reply(200, JSON_TYPE, JSON.stringify(body));
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  switch (answer.kind) {
    case 'reply':
      res.writeHead(answer.status, { 'content-type': answer.contentType });
      res.end(answer.body);
      return;
    case 'drop':
      req.socket.destroy();
      return;
    case 'hang':
      return; // released by close()
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
