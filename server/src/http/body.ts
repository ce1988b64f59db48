import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type Koa from 'koa';
import { koaBody } from 'koa-body';
import { AppError, ValidationError } from '../lib/errors';
import type { RouteSpec } from './route';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const MAX_MULTIPART_FIELDS = 30;

const jsonParser = koaBody({ multipart: false, urlencoded: false, text: false, json: true, jsonLimit: '1mb' });
const multipartParsers = new Map<string, Koa.Middleware>();

/** Uploads go to their own folder (UPLOAD_TMP_DIR), so that nothing left behind can hide among other temp files. */
function multipartParser(uploadDir: string, maxFileBytes: number): Koa.Middleware {
  const key = `${maxFileBytes}:${uploadDir}`;
  let parser = multipartParsers.get(key);
  if (!parser) {
    mkdirSync(uploadDir, { recursive: true });
    parser = koaBody({
      multipart: true,
      urlencoded: false,
      text: false,
      json: true,
      jsonLimit: '1mb',
      formidable: {
        uploadDir,
        maxFileSize: maxFileBytes,
        maxTotalFileSize: maxFileBytes * 3,
        maxFiles: 3,
        maxFields: MAX_MULTIPART_FIELDS,
        maxFieldsSize: 256 * 1024,
        allowEmptyFiles: false,
        minFileSize: 1,
      },
    });
    multipartParsers.set(key, parser);
  }
  return parser;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ENCODINGS = new Set(['identity', 'gzip', 'deflate', 'br']);

function hasBody(ctx: Koa.Context): boolean {
  const length = ctx.get('content-length');
  if (length) return Number(length) > 0;
  return Boolean(ctx.get('transfer-encoding'));
}

/** formidable's error codes (formidable/src/FormidableError.js) that mean "too large" rather than "malformed". */
const FORMIDABLE_TOO_LARGE = new Set([1009, 1015, 1016, 1017]);
const FORMIDABLE_TOO_MANY = new Set([1007, 1008, 1013, 1015]);

/**
 * Parses the body a route declares, after authentication: JSON for every route, multipart only for the
 * routes that take files. State-changing requests must be JSON (or the declared multipart), which together
 * with the origin check stops cross-site form posts. Any parser failure is the client's (400/413/415).
 */
export async function parseBody(ctx: Koa.Context, spec: RouteSpec, uploadDir: string): Promise<void> {
  if (!hasBody(ctx)) return;
  const encoding = (ctx.get('content-encoding') || 'identity').toLowerCase().trim();
  if (!ENCODINGS.has(encoding)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `不支持的 Content-Encoding：${encoding.slice(0, 32)}`);
  const json = ctx.is('application/json', 'application/*+json');
  const multipart = ctx.is('multipart/form-data');
  if (spec.multipart ? !json && !multipart : !json) {
    if (!UNSAFE.has(ctx.method)) return; // a body on GET is ignored, never parsed
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      spec.multipart ? '请求格式不正确：请以 multipart/form-data 或 application/json 提交' : '请求格式不正确：只接受 application/json',
    );
  }
  if (multipart && !/boundary=/i.test(ctx.get('content-type'))) {
    throw new ValidationError('请求格式不正确：multipart 请求缺少 boundary');
  }
  try {
    const maxFileBytes = spec.multipart?.maxFileBytes ?? MAX_UPLOAD_BYTES;
    await (multipart ? multipartParser(uploadDir, maxFileBytes) : jsonParser)(ctx, async () => undefined);
  } catch (error) {
    await removeUploads(ctx);
    throw bodyError(error, spec.multipart?.maxFileBytes ?? MAX_UPLOAD_BYTES);
  }
}

const sizeText = (bytes: number) => (bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);

function bodyError(error: unknown, maxFileBytes: number): AppError {
  if (error instanceof AppError) return error;
  const e = error as { status?: number; statusCode?: number; code?: unknown; httpCode?: number; type?: string; message?: string };
  const code = typeof e.code === 'number' ? e.code : null;
  const status = e.status ?? e.statusCode ?? e.httpCode;
  if (code !== null && FORMIDABLE_TOO_MANY.has(code)) return new AppError('PAYLOAD_TOO_LARGE', `请求内容过多（最多 3 个文件、${MAX_MULTIPART_FIELDS} 个字段）`);
  if (status === 413 || (code !== null && FORMIDABLE_TOO_LARGE.has(code)) || e.type === 'entity.too.large') {
    return new AppError('PAYLOAD_TOO_LARGE', `请求内容过大（上传文件不能超过 ${sizeText(maxFileBytes)}）`);
  }
  if (status === 415 || e.type === 'encoding.unsupported') return new AppError('UNSUPPORTED_MEDIA_TYPE', '不支持的请求编码');
  if (code === 1010) return new ValidationError('上传的文件为空');
  return new ValidationError(e.type === 'entity.parse.failed' ? '请求格式不正确：JSON 无法解析' : '请求格式不正确：无法解析请求体');
}

/** Temp files of a multipart request are removed once the request is done, whatever happened. */
export async function removeUploads(ctx: Koa.Context): Promise<void> {
  const files = (ctx.request as unknown as { files?: Record<string, unknown> }).files;
  if (!files) return;
  const paths: string[] = [];
  for (const value of Object.values(files)) {
    for (const file of Array.isArray(value) ? value : [value]) {
      const filepath = (file as { filepath?: string } | undefined)?.filepath;
      if (filepath) paths.push(filepath);
    }
  }
  await Promise.all(paths.map((p) => unlink(p).catch(() => undefined)));
}

/** Strings that cannot be stored faithfully: lone UTF-16 surrogates and NUL. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function badString(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

/** The same text with NUL and lone surrogates replaced by U+FFFD, for echoing bad input back in an error report. */
export function storableText(value: string): string {
  return badString(value) ? value.replace(/\u0000/g, '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD') : value;
}

/** Every string (and key) of params, query and body must be well-formed Unicode without NUL. */
export function assertWellFormed(value: unknown, location: string): void {
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 32) return;
    if (typeof v === 'string') {
      if (badString(v)) {
        throw new ValidationError(`${path}: 包含无效字符（不完整的 Unicode 字符或空字符）`, [
          { field: path, message: '包含无效字符（不完整的 Unicode 字符或空字符）' },
        ]);
      }
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}.${i}`, depth + 1));
      return;
    }
    if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (badString(key)) {
          throw new ValidationError(`${location}: 字段名包含无效字符`, [{ field: location, message: '字段名包含无效字符' }]);
        }
        walk(item, path === location ? key : `${path}.${key}`, depth + 1);
      }
    }
  };
  walk(value, location, 0);
}
