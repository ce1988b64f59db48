import type { RequestConfig, RequestOptions } from '@umijs/max';
import { getRequestInstance, history } from '@umijs/max';
import { ApiError, isApiEnvelope } from '@xyd/shared';
import { message } from 'antd';
import { isLoginPath, loginPathFor } from '@/utils/route';

export const NETWORK_ERROR_MESSAGE = '无法连接服务器，请检查网络后重试';

interface HttpFailure {
  response?: { status: number; data?: unknown };
}

/** Turns an HTTP failure whose body is the envelope into an ApiError; anything else passes through. */
export function toApiError(error: unknown): unknown {
  const response = (error as HttpFailure | undefined)?.response;
  if (response && isApiEnvelope(response.data) && response.data.success === false) {
    return ApiError.fromEnvelope(response.data, response.status);
  }
  return error;
}

/** The user-facing text for any request failure. */
export function errorMessageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.errorCode === 'VALIDATION_FAILED' && error.errorFields.length > 0) {
      return error.errorFields.map((f) => f.message).join('；');
    }
    return error.errorMessage;
  }
  return NETWORK_ERROR_MESSAGE;
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** 128 random bits as hex. getRandomValues, unlike randomUUID, also works when the console is served over plain http. */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every POST creates or changes something, except signing in and out, which carry no lasting result to replay. */
export function isCreatingRequest(method: string | undefined, url: string | undefined): boolean {
  if ((method ?? 'GET').toUpperCase() !== 'POST') return false;
  const path = (url ?? '').split('?')[0];
  return !/\/api\/v1\/auth\//.test(path);
}

type HeaderBag = Record<string, unknown> & { get?: (name: string) => unknown; set?: (name: string, value: string) => void };

function idempotencyKeyOf(headers: HeaderBag | undefined): string | undefined {
  if (!headers) return undefined;
  const value = typeof headers.get === 'function' ? headers.get(IDEMPOTENCY_HEADER) : headers[IDEMPOTENCY_HEADER];
  return typeof value === 'string' && value ? value : undefined;
}

interface AxiosLikeConfig {
  method?: string;
  url?: string;
  headers?: unknown;
  /** Set on the one automatic retry of an unanswered creating request. */
  xydRetried?: boolean;
}

/**
 * A fresh key for each creating call (one call per user action). A key already present is kept: that is the same
 * action sent again — by the retry below, or by a caller that passes its own key.
 */
function addIdempotencyKey<C extends AxiosLikeConfig>(config: C): C {
  if (!isCreatingRequest(config.method, config.url)) return config;
  const headers = (config.headers ?? {}) as HeaderBag;
  if (idempotencyKeyOf(headers)) return config;
  if (typeof headers.set === 'function') headers.set(IDEMPOTENCY_HEADER, newIdempotencyKey());
  else headers[IDEMPOTENCY_HEADER] = newIdempotencyKey();
  return { ...config, headers };
}

/** The console page a request comes from: the server records it as where a read of enterprise data was made. */
export const CONSOLE_PAGE_HEADER = 'X-Console-Page';

/** Names the page the user is on (its path, already URL-encoded, so always a valid header value). */
function addConsolePage<C extends AxiosLikeConfig>(config: C): C {
  if (typeof window === 'undefined') return config;
  const headers = (config.headers ?? {}) as HeaderBag;
  const page = window.location.pathname;
  if (typeof headers.set === 'function') headers.set(CONSOLE_PAGE_HEADER, page);
  else headers[CONSOLE_PAGE_HEADER] = page;
  return { ...config, headers };
}

/**
 * A creating call that got no answer (connection dropped, timeout) may or may not have happened on the server. Send it
 * once more with the same key: the server then either does it once or replays the first result.
 */
function retryUnansweredOnce(error: Error): Promise<Error> {
  const failure = error as { response?: unknown; code?: string; config?: AxiosLikeConfig } | undefined;
  const config = failure?.config;
  if (
    failure &&
    !failure.response &&
    failure.code !== 'ERR_CANCELED' &&
    config &&
    !config.xydRetried &&
    isCreatingRequest(config.method, config.url) &&
    idempotencyKeyOf(config.headers as HeaderBag | undefined)
  ) {
    // Resolving an axios error interceptor with a response turns the failure into that response.
    return getRequestInstance().request({ ...config, xydRetried: true } as never) as unknown as Promise<Error>;
  }
  return Promise.reject(toApiError(error));
}

function sendToLogin() {
  if (!isLoginPath(history.location.pathname)) history.push(loginPathFor(history.location));
}

/**
 * umi request runtime config: the envelope `{success, data, errorCode, errorMessage, errorFields}` is the only response
 * shape; failures show the server's Chinese message, and an ended session goes back to the sign-in page.
 */
export const errorConfig: RequestConfig = {
  withCredentials: true,
  headers: { 'X-Requested-With': 'XMLHttpRequest' },
  errorConfig: {
    // A 2xx whose body still says success: false.
    errorThrower: (body: unknown) => {
      // umi calls this for 2xx answers only.
      if (isApiEnvelope(body) && !body.success) throw ApiError.fromEnvelope(body, 200);
    },
    errorHandler: (error: unknown, opts: RequestOptions) => {
      if (opts?.skipErrorHandler) return;
      // Only an ended session goes to sign-in; a 401 such as a wrong TOTP code on the security page is just shown.
      if (error instanceof ApiError && error.errorCode === 'UNAUTHENTICATED') {
        message.warning(error.message || '登录已过期，请重新登录');
        sendToLogin();
        return;
      }
      message.error(errorMessageOf(error));
    },
  },
  // One argument each: umi treats a two-argument interceptor as (url, options).
  requestInterceptors: [(config: RequestOptions) => addIdempotencyKey(config), (config: RequestOptions) => addConsolePage(config)],
  responseInterceptors: [[(response) => response, retryUnansweredOnce]],
};
