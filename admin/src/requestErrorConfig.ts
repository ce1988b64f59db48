import type { RequestConfig, RequestOptions } from '@umijs/max';
import { history } from '@umijs/max';
import type { ApiEnvelope, TFieldError } from '@xyd/shared';
import { message } from 'antd';
import { isLoginPath, loginPathFor } from '@/utils/route';

/** A failure the server explained with the envelope: branch on `code`, show `message`. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly fields: TFieldError[];

  constructor(envelope: ApiEnvelope<unknown>, status?: number) {
    super(envelope.errorMessage || '请求失败');
    this.name = 'ApiError';
    this.code = envelope.errorCode || 'UNKNOWN';
    this.status = status;
    this.fields = envelope.errorFields ?? [];
  }
}

export const NETWORK_ERROR_MESSAGE = '无法连接服务器，请检查网络后重试';

function isEnvelope(body: unknown): body is ApiEnvelope<unknown> {
  return typeof body === 'object' && body !== null && 'success' in body;
}

interface HttpFailure {
  response?: { status: number; data?: unknown };
}

/** Turns an HTTP failure whose body is the envelope into an ApiError; anything else passes through. */
export function toApiError(error: unknown): unknown {
  const response = (error as HttpFailure | undefined)?.response;
  if (response && isEnvelope(response.data) && response.data.success === false) {
    return new ApiError(response.data, response.status);
  }
  return error;
}

/** The user-facing text for any request failure. */
export function errorMessageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'VALIDATION_FAILED' && error.fields.length > 0) {
      return error.fields.map((f) => f.message).join('；');
    }
    return error.message;
  }
  return NETWORK_ERROR_MESSAGE;
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
      if (isEnvelope(body) && !body.success) throw new ApiError(body);
    },
    errorHandler: (error: unknown, opts: RequestOptions) => {
      if (opts?.skipErrorHandler) return;
      // Only an ended session goes to sign-in; a 401 such as a wrong TOTP code on the security page is just shown.
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
        message.warning(error.message || '登录已过期，请重新登录');
        sendToLogin();
        return;
      }
      message.error(errorMessageOf(error));
    },
  },
  responseInterceptors: [
    [(response) => response, (error: unknown) => Promise.reject(toApiError(error))],
  ],
};
