import type Koa from 'koa';
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
      if (error instanceof AppError) {
        ctx.status = ERROR_STATUS[error.code];
        body = { success: false, errorCode: error.code, errorMessage: error.message, errorFields: error.fields, requestId };
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
