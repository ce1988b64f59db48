import type { WechatLoginProvider, WechatSession } from './dev-login';
import { TOKEN_REJECTED_ERRCODES, TransportErrcode, WechatApiError } from './errors';
import type {
  Jscode2SessionQuery,
  MiniprogramState,
  StableTokenRequest,
  SubscribeSendRequest,
  WechatEndpoint,
} from './wire';

export interface WechatLogger {
  warn(obj: object, msg: string): void;
}

export interface WechatClientOptions {
  appId: string;
  appSecret: string;
  /** e.g. https://api.weixin.qq.com, or the fake server's URL in tests and demos. */
  apiBase: string;
  fetchImpl?: typeof fetch;
  /** Milliseconds since the epoch; injectable so tests can move the token clock. */
  now?: () => number;
  /** Per request, including reading the body. */
  timeoutMs?: number;
  logger?: WechatLogger;
}

export interface SubscribeMessage {
  /** The recipient's openid. */
  touser: string;
  templateId: string;
  /** Mini-program page opened from the message, with its query (e.g. `pages/applications/detail?id=42`). */
  page?: string;
  data: Record<string, { value: string }>;
  /** WeChat defaults to 'formal'; developer and trial builds need their own value. */
  miniprogramState?: MiniprogramState;
}

export interface SubscribeSendResult {
  /** Decimal string: WeChat's msgid is a 64-bit integer that Number would round. */
  msgid?: string;
}

interface CachedToken {
  value: string;
  /** When we stop using it and fetch again (before WeChat's expiry). */
  refreshAt: number;
  expiresAt: number;
}

type WireBody = Record<string, unknown>;

const DEFAULT_TIMEOUT_MS = 5_000;
/** WeChat renews a stable token 5 minutes before it expires; refreshing at the same point picks up the new one. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** WeChat's limit on force_refresh: at most 20 a day and 30 s apart. */
const FORCE_REFRESH_MIN_INTERVAL_MS = 30_000;

/** Server-side client for WeChat's login, access token and subscription message APIs. */
export class WechatClient implements WechatLoginProvider {
  private readonly appId: string;
  private readonly appSecret: string;
  private readonly apiBase: string;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly logger: WechatLogger | undefined;

  private token: CachedToken | undefined;
  private tokenInFlight: Promise<string> | undefined;
  /** The token WeChat last refused; if stable_token hands it back again, a force refresh is due. */
  private rejectedToken: string | undefined;
  private lastForceRefreshAt: number | undefined;

  constructor(options: WechatClientOptions) {
    if (!options.appId || !options.appSecret) {
      throw new Error('WechatClient needs an appId and an appSecret; without them use the development login mode');
    }
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    this.apiBase = options.apiBase.replace(/\/+$/, '');
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logger = options.logger;
  }

  /** Exchanges a `wx.login` code for the user's identity. A code works once: never retry with the same code. */
  async code2Session(code: string): Promise<WechatSession> {
    if (!code) {
      throw new WechatApiError({ endpoint: 'jscode2session', errcode: 41008, errmsg: 'missing code' });
    }
    const query: Jscode2SessionQuery = {
      appid: this.appId,
      secret: this.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    };
    // This URL holds the secret: it goes to fetch and nowhere else (no errors, no logs).
    const url = `${this.apiBase}/sns/jscode2session?${new URLSearchParams({ ...query }).toString()}`;
    const { body } = await this.call('jscode2session', url, { method: 'GET' });
    const openid = stringField(body, 'openid');
    const sessionKey = stringField(body, 'session_key');
    if (!openid || !sessionKey) throw this.badResponse('jscode2session', 'openid or session_key missing');
    const unionid = stringField(body, 'unionid');
    return unionid ? { openid, unionid, sessionKey } : { openid, sessionKey };
  }

  /** A valid access token, from memory when possible; concurrent callers share one fetch. */
  getAccessToken(): Promise<string> {
    const cached = this.token;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.value);
    if (!this.tokenInFlight) {
      this.tokenInFlight = this.refreshAccessToken().finally(() => {
        this.tokenInFlight = undefined;
      });
    }
    return this.tokenInFlight;
  }

  /**
   * Drops a token WeChat refused. Pass the refused token so that a caller holding a stale one does not throw away
   * a newer token that another caller already fetched.
   */
  invalidateAccessToken(rejectedToken?: string): void {
    const current = this.token?.value;
    const target = rejectedToken ?? current;
    if (target === undefined) return;
    if (current !== undefined && current !== target) return;
    this.token = undefined;
    this.rejectedToken = target;
  }

  /** Sends a subscription message; on a refused token fetches a fresh one and retries exactly once. */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<SubscribeSendResult> {
    const body: SubscribeSendRequest = {
      touser: message.touser,
      template_id: message.templateId,
      ...(message.page !== undefined && { page: message.page }),
      data: message.data,
      ...(message.miniprogramState !== undefined && { miniprogram_state: message.miniprogramState }),
      lang: 'zh_CN',
    };
    const token = await this.getAccessToken();
    try {
      return await this.postSubscribeMessage(token, body);
    } catch (e) {
      if (!(e instanceof WechatApiError) || !TOKEN_REJECTED_ERRCODES.has(e.errcode)) throw e;
      this.logger?.warn(
        { endpoint: e.endpoint, errcode: e.errcode },
        'WeChat refused the access token; fetching a fresh one and retrying once',
      );
      this.invalidateAccessToken(token);
      return this.postSubscribeMessage(await this.getAccessToken(), body);
    }
  }

  private async postSubscribeMessage(token: string, body: SubscribeSendRequest): Promise<SubscribeSendResult> {
    const url = `${this.apiBase}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`;
    const { text } = await this.call('subscribe_send', url, jsonPost(body), token);
    const msgid = /"msgid"\s*:\s*"?(\d+)/.exec(text)?.[1];
    return msgid === undefined ? {} : { msgid };
  }

  private async refreshAccessToken(): Promise<string> {
    try {
      let fetched = await this.requestStableToken(false);
      // Normal mode first: after an expiry or another process's force refresh it already returns a new token,
      // without spending one of the 20 daily force refreshes (nor invalidating other processes' tokens).
      if (this.rejectedToken !== undefined && fetched.value === this.rejectedToken) {
        const last = this.lastForceRefreshAt;
        if (last === undefined || this.now() - last >= FORCE_REFRESH_MIN_INTERVAL_MS) {
          this.lastForceRefreshAt = this.now();
          fetched = await this.requestStableToken(true);
        } else {
          this.logger?.warn(
            { endpoint: 'stable_token' },
            'WeChat returned the refused access token again; force refresh skipped (less than 30 s since the last)',
          );
        }
      }
      this.rejectedToken = undefined;
      this.token = fetched;
      return fetched.value;
    } catch (e) {
      // Refreshing early leaves a window in which the old token still works: use it rather than fail.
      const cached = this.token;
      if (e instanceof WechatApiError && e.retryable && cached && this.now() < cached.expiresAt) {
        this.logger?.warn(
          { endpoint: e.endpoint, errcode: e.errcode },
          'access token refresh failed; using the cached token until it expires',
        );
        return cached.value;
      }
      throw e;
    }
  }

  private async requestStableToken(forceRefresh: boolean): Promise<CachedToken> {
    const request: StableTokenRequest = {
      grant_type: 'client_credential',
      appid: this.appId,
      secret: this.appSecret,
      force_refresh: forceRefresh,
    };
    const { body } = await this.call('stable_token', `${this.apiBase}/cgi-bin/stable_token`, jsonPost(request));
    const value = stringField(body, 'access_token');
    const expiresIn = body.expires_in;
    if (!value || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw this.badResponse('stable_token', 'access_token or expires_in missing');
    }
    const now = this.now();
    const lifetimeMs = expiresIn * 1000;
    const expiresAt = now + lifetimeMs;
    // Short-lived tokens (tests, demos) still get half their life before a refresh.
    return { value, expiresAt, refreshAt: expiresAt - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2) };
  }

  /** One HTTP exchange; every failure becomes a WechatApiError whose text holds neither the secret nor a token. */
  private async call(
    endpoint: WechatEndpoint,
    url: string,
    init: RequestInit,
    token?: string,
  ): Promise<{ body: WireBody; text: string }> {
    let text: string;
    let status: number;
    try {
      const response = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (e) {
      // The cause is dropped on purpose: its message may quote the URL, which can hold the secret or a token.
      const name = property(e, 'name');
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new WechatApiError({
        endpoint,
        errcode: timedOut ? TransportErrcode.timeout : TransportErrcode.network,
        errmsg: timedOut ? `no answer within ${this.timeoutMs} ms` : networkErrorCode(e),
      });
    }
    if (status < 200 || status > 299) {
      throw new WechatApiError({ endpoint, errcode: TransportErrcode.httpStatus, errmsg: `HTTP ${status}` });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.badResponse(endpoint, 'response is not JSON');
    }
    if (!isWireBody(parsed)) throw this.badResponse(endpoint, 'response is not a JSON object');
    const errcode = parsed.errcode ?? 0;
    if (typeof errcode !== 'number') throw this.badResponse(endpoint, 'errcode is not a number');
    if (errcode !== 0) {
      const errmsg = typeof parsed.errmsg === 'string' ? parsed.errmsg : '';
      throw new WechatApiError({ endpoint, errcode, errmsg: this.redact(errmsg, token) });
    }
    return { body: parsed, text };
  }

  private badResponse(endpoint: WechatEndpoint, detail: string): WechatApiError {
    return new WechatApiError({ endpoint, errcode: TransportErrcode.badResponse, errmsg: detail });
  }

  /** WeChat does not echo secrets today; this keeps it that way if it ever starts. */
  private redact(text: string, token: string | undefined): string {
    let out = text.split(this.appSecret).join('[secret]');
    if (token) out = out.split(token).join('[access_token]');
    return out;
  }
}

function jsonPost(body: object): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function isWireBody(value: unknown): value is WireBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(body: WireBody, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Duck-typed rather than `instanceof Error`: fetch's errors come from Node's own realm, which is not the realm of
 * code running inside a vm context (jest's test environment, for one).
 */
function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The system error code (ECONNREFUSED, ECONNRESET…) of a failed fetch, without its message. */
function networkErrorCode(e: unknown): string {
  const code = property(property(e, 'cause'), 'code');
  return typeof code === 'string' ? code : 'fetch failed';
}
