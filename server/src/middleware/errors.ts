import type Koa from 'koa';
import {
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  TimeoutError,
  UniqueConstraintError,
  ValidationError as SequelizeValidationError,
} from 'sequelize';
import { isRetryableTransactionError } from '../db';
import { ERROR_STATUS, type ApiEnvelope } from '@xyd/shared';
import { AppError } from '../lib/errors';
import type { Logger } from '../lib/logger';

/**
 * The outermost middleware: every error leaves as the envelope with a stable code. Application errors
 * carry their own message; anything unknown is logged and answered with a generic 500.
 */
export function errorMiddleware(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) {
        throw new AppError('NOT_FOUND', `接口不存在：${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const requestId = String(ctx.state.requestId ?? '');
      let body: ApiEnvelope<never>;
      const mapped = error instanceof AppError ? null : databaseError(error);
      if (error instanceof AppError) {
        ctx.status = ERROR_STATUS[error.code];
        body = { success: false, errorCode: error.code, errorMessage: error.message, errorFields: error.fields, requestId };
      } else if (mapped) {
        ctx.status = ERROR_STATUS[mapped.code];
        if (mapped.code === 'SERVICE_UNAVAILABLE') logger.error({ err: error, requestId }, 'database unavailable');
        else logger.warn({ err: { name: (error as Error).name, message: (error as Error).message }, requestId }, 'database refused the write');
        body = { success: false, errorCode: mapped.code, errorMessage: mapped.message, requestId };
      } else if (isHttpError(error) && error.status < 500) {
        // Errors raised by the body parser and other middleware (size limits, malformed JSON).
        const tooLarge = error.status === 413;
        ctx.status = error.status;
        body = {
          success: false,
          errorCode: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED',
          errorMessage: tooLarge ? '请求内容过大（上传文件不能超过 5 MB）' : `请求格式不正确：${error.expose ? error.message : '无法解析请求体'}`,
          requestId,
        };
      } else {
        logger.error({ err: error, requestId, method: ctx.method, path: ctx.path }, 'unhandled error');
        ctx.status = 500;
        body = { success: false, errorCode: 'INTERNAL', errorMessage: '服务器内部错误，请稍后重试', requestId };
      }
      ctx.body = body;
    }
  };
}

const UNIQUE_LABELS: Record<string, string> = {
  name: '名称',
  username: '用户名',
  openid: '微信用户',
  uscc: '统一社会信用代码',
};

/**
 * Database refusals that reach this far are the client's conflict or bad value, or a database that is busy or
 * down; none of them is a 500. Services catch them first where they can say more.
 */
export function databaseError(error: unknown): { code: 'CONFLICT' | 'VALIDATION_FAILED' | 'SERVICE_UNAVAILABLE'; message: string } | null {
  if (error instanceof UniqueConstraintError) {
    const fields = Object.keys(error.fields ?? {}).map((f) => UNIQUE_LABELS[f] ?? f);
    return { code: 'CONFLICT', message: fields.length ? `记录已存在（${fields.join('、')}重复）` : '记录已存在，不能重复创建' };
  }
  if (error instanceof ForeignKeyConstraintError) return { code: 'CONFLICT', message: '关联的记录不存在或仍被引用' };
  if (error instanceof SequelizeValidationError) return { code: 'VALIDATION_FAILED', message: '数据不符合要求，请检查后重试' };
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    return { code: 'SERVICE_UNAVAILABLE', message: '数据库暂时不可用，请稍后重试' };
  }
  if (error instanceof DatabaseError) {
    if (isRetryableTransactionError(error)) return { code: 'SERVICE_UNAVAILABLE', message: '系统繁忙（并发冲突），请稍后重试' };
    const code = (error.parent as { code?: string } | undefined)?.code ?? '';
    if (code === 'ER_DATA_TOO_LONG') return { code: 'VALIDATION_FAILED', message: '内容过长，超出允许的长度' };
    if (/^ER_(TRUNCATED_WRONG_VALUE|WARN_DATA_OUT_OF_RANGE|BAD_NULL_ERROR|INVALID_CHARACTER_STRING|WRONG_VALUE|DATA_OUT_OF_RANGE)/.test(code) || code === 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD') {
      return { code: 'VALIDATION_FAILED', message: '数据格式不正确或超出范围' };
    }
    if (code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH' || code === 'SQLITE_CONSTRAINT') return { code: 'VALIDATION_FAILED', message: '数据不符合要求，请检查后重试' };
    return { code: 'SERVICE_UNAVAILABLE', message: '数据库暂时无法处理该请求，请稍后重试' };
  }
  return null;
}

interface HttpLikeError {
  status: number;
  expose?: boolean;
  message: string;
}

function isHttpError(error: unknown): error is HttpLikeError {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') {
    (error as { status: number }).status = status;
    return true;
  }
  // formidable reports size limits with its own codes (1009 maxFileSize, 1016 maxTotalFileSize).
  const code = (error as { code?: unknown }).code;
  if (code === 1009 || code === 1016 || code === 1015) {
    (error as { status: number }).status = 413;
    return true;
  }
  return false;
}
