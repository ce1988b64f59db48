import type { TErrorCode, TFieldError } from '@xyd/shared';

/** Application errors know nothing about HTTP; middleware/errors.ts maps each code to a status. */
export class AppError extends Error {
  constructor(
    readonly code: TErrorCode,
    message: string,
    readonly fields?: TFieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields?: TFieldError[]) {
    super('VALIDATION_FAILED', message, fields);
  }

  /** One field's problem, named as the form shows it. */
  static of(field: string, message: string): ValidationError {
    return new ValidationError(message, [{ field, message }]);
  }
}
export class NotFoundError extends AppError {
  constructor(message = '记录不存在或无权访问') {
    super('NOT_FOUND', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = '当前角色无权执行此操作') {
    super('FORBIDDEN', message);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, code: 'CONFLICT' | 'IDEMPOTENCY_CONFLICT' = 'CONFLICT') {
    super(code, message);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = '请先登录', code: 'UNAUTHENTICATED' | 'INVALID_CREDENTIALS' | 'TOTP_REQUIRED' | 'TOTP_INVALID' = 'UNAUTHENTICATED') {
    super(code, message);
  }
}
export class RateLimitedError extends AppError {
  constructor(message: string, code: 'RATE_LIMITED' | 'ACCOUNT_LOCKED' = 'RATE_LIMITED') {
    super(code, message);
  }
}
export class UpstreamError extends AppError {
  constructor(message: string) {
    super('UPSTREAM_FAILED', message);
  }
}
