import type { WechatEndpoint } from './wire';

/**
 * errcodes for failures that never produced a WeChat answer. Negative and far from WeChat's own -1 ("system busy")
 * so that logs and metrics can tell them apart.
 */
export const TransportErrcode = {
  network: -1000,
  timeout: -1001,
  httpStatus: -1002,
  badResponse: -1003,
} as const;

/** English descriptions of the errcodes we meet; WeChat's own errmsg stays in `errmsg` (it carries the rid). */
const DESCRIPTIONS: Readonly<Record<number, string>> = {
  [-1]: 'WeChat system busy',
  [TransportErrcode.network]: 'network failure',
  [TransportErrcode.timeout]: 'request timed out',
  [TransportErrcode.httpStatus]: 'unexpected HTTP status',
  [TransportErrcode.badResponse]: 'unreadable response',
  40001: 'access_token invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid js_code',
  40037: 'invalid template_id',
  40125: 'invalid appsecret',
  40163: 'js_code already used',
  40164: 'caller IP not in the WeChat whitelist',
  40226: 'login blocked: high-risk user',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'js_code missing',
  41030: 'invalid page',
  42001: 'access_token expired',
  43101: 'user has not granted (or refused) this subscription template',
  43107: 'subscription messages banned for this account or template',
  43108: 'concurrent sends to the same user',
  45009: 'daily API quota reached',
  45011: 'API minute quota reached',
  45168: 'message contains sensitive words',
  47001: 'malformed request body',
  47003: 'template data invalid',
};

/**
 * Errcodes worth trying again later. Besides transient failures (busy, quotas, concurrency, transport) this holds
 * the token and credential errors: they mean our configuration or WeChat's token store is wrong, not the message,
 * so an outbox should keep the message and back off rather than drop it. Every other errcode is final.
 */
const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set<number>([
  -1,
  TransportErrcode.network,
  TransportErrcode.timeout,
  TransportErrcode.httpStatus,
  TransportErrcode.badResponse,
  43108,
  45009,
  45011,
  40001,
  40014,
  42001,
  40013,
  40125,
  40164,
  41002,
  41004,
]);

/** Errcodes by which WeChat rejects the access_token itself; the client refetches the token and retries once. */
export const TOKEN_REJECTED_ERRCODES: ReadonlySet<number> = new Set<number>([40001, 40014, 42001]);

export function isRetryableErrcode(errcode: number): boolean {
  return RETRYABLE_ERRCODES.has(errcode);
}

export interface WechatApiErrorInit {
  endpoint: WechatEndpoint;
  errcode: number;
  errmsg: string;
}

/** A WeChat call that failed, either with WeChat's errcode or with one of `TransportErrcode`. */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  readonly errcode: number;
  /** WeChat's errmsg (or a transport detail), with secrets and tokens removed. */
  readonly errmsg: string;
  readonly endpoint: WechatEndpoint;
  readonly retryable: boolean;

  constructor(init: WechatApiErrorInit) {
    const description = DESCRIPTIONS[init.errcode] ?? init.errmsg;
    super(`WeChat ${init.endpoint} failed with errcode ${init.errcode}: ${description}`);
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.endpoint = init.endpoint;
    this.retryable = isRetryableErrcode(init.errcode);
  }
}

/** True when retrying the same call cannot succeed (e.g. 43101, 47003, 40029); false for anything else. */
export function isFinalWechatError(e: unknown): e is WechatApiError {
  return e instanceof WechatApiError && !e.retryable;
}
