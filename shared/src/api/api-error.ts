import type { ApiEnvelope, TFieldError } from './envelope';

/** Codes a client produces itself, beside the server's stable codes (`errors.ts`). */
export const CLIENT_ERROR = {
  NETWORK: 'NETWORK_ERROR',
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const;
export type TClientErrorCode = (typeof CLIENT_ERROR)[keyof typeof CLIENT_ERROR];

export interface ApiErrorInit {
  /** HTTP status; 0 when the server was not reached. */
  status: number;
  errorCode: string;
  errorMessage: string;
  errorFields?: TFieldError[];
  requestId?: string;
}

/**
 * Every failed API call in the console and the mini-program: the envelope's fields plus the HTTP status. Branch on
 * `errorCode`, show `errorMessage` (also the Error's `message`).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly errorFields: TFieldError[];
  readonly requestId: string | undefined;

  constructor(init: ApiErrorInit) {
    super(init.errorMessage);
    this.name = 'ApiError';
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.errorMessage = init.errorMessage;
    this.errorFields = init.errorFields ?? [];
    this.requestId = init.requestId;
  }

  /** From an error envelope; `fallbackMessage` when the body carries none. */
  static fromEnvelope(envelope: ApiEnvelope<unknown>, status: number, fallbackMessage = '请求失败'): ApiError {
    return new ApiError({
      status,
      errorCode: envelope.errorCode || CLIENT_ERROR.BAD_RESPONSE,
      errorMessage: envelope.errorMessage || fallbackMessage,
      errorFields: envelope.errorFields,
      requestId: envelope.requestId,
    });
  }

  /** The server's messages by field name, for showing beside form inputs (first message per field). */
  fieldMessages(): Record<string, string> {
    const messages: Record<string, string> = {};
    for (const { field, message } of this.errorFields) messages[field] ??= message;
    return messages;
  }
}

export function isApiEnvelope(body: unknown): body is ApiEnvelope<unknown> {
  return typeof body === 'object' && body !== null && typeof (body as { success?: unknown }).success === 'boolean';
}
