import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Koa from 'koa';
import Router from '@koa/router';
import { z, type ZodType } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { ZErrorEnvelope, ROLE_LABELS, type TFieldError } from '@xyd/shared';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../lib/errors';
import { withIdempotency } from '../middleware/idempotency';
import { assertWellFormed, parseBody, removeUploads } from './body';
import type { AppContext } from '../context';
import { recordAuditAlone } from '../modules/audit/service';
import type { Actor } from '../modules/identity/actor';
import type { RequestMeta, RouteSpec, UploadedPart } from './route';

export function requestMeta(ctx: Koa.Context): RequestMeta {
  return { ip: ctx.ip || null, requestId: String(ctx.state.requestId ?? ''), userAgent: ctx.get('user-agent') || null };
}

function fieldErrors(error: z.ZodError, location: string): TFieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : location,
    message: issue.message,
  }));
}

function parse<T extends ZodType>(schema: T | undefined, value: unknown, location: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const fields = fieldErrors(result.error, location);
    throw new ValidationError(fields.map((f) => `${f.field}: ${f.message}`).join('；'), fields);
  }
  return result.data as z.infer<T>;
}

/** Endpoints (method and path) that a console session still enrolling TOTP may call, its own sessions included. */
const ENROLMENT_PATHS = new Set([
  'get /auth/me',
  'post /auth/logout',
  'post /auth/totp/enrol',
  'post /auth/totp/confirm',
  'get /auth/sessions',
  'delete /auth/sessions/:id',
]);

async function authorise(app: AppContext, spec: RouteSpec, actor: Actor | null, ctx: Koa.Context): Promise<void> {
  if (spec.auth === 'public') return;
  if (!actor) throw new UnauthenticatedError('请先登录或登录已过期');
  if (actor.kind === 'admin' && actor.mustEnrolTotp && !ENROLMENT_PATHS.has(`${spec.method} ${spec.path}`)) {
    throw new ForbiddenError('请先绑定动态验证码（TOTP）后再使用其他功能');
  }
  const wrongKind = (spec.auth === 'admin' && actor.kind !== 'admin') || (spec.auth === 'wechat' && actor.kind !== 'wechat');
  const wrongRole = spec.roles && (actor.kind !== 'admin' || !spec.roles.includes(actor.role));
  if (wrongKind || wrongRole) {
    await recordAuditAlone(app.db, {
      actor,
      action: 'access.denied',
      targetType: 'route',
      targetId: `${spec.method.toUpperCase()} ${spec.path}`.slice(0, 64),
      outcome: 'denied',
      meta: requestMeta(ctx),
    });
    const who = actor.kind === 'admin' ? ROLE_LABELS[actor.role] : '企业用户';
    throw new ForbiddenError(`${who}无权执行此操作`);
  }
}

function collectFiles(ctx: Koa.Context, spec: RouteSpec): Record<string, UploadedPart> {
  const files: Record<string, UploadedPart> = {};
  const raw = (ctx.request as unknown as { files?: Record<string, unknown> }).files ?? {};
  for (const name of Object.keys(spec.multipart?.files ?? {})) {
    const value = raw[name];
    const file = (Array.isArray(value) ? value[0] : value) as
      | { filepath: string; originalFilename: string | null; size: number }
      | undefined;
    if (file) files[name] = { fieldName: name, filepath: file.filepath, originalFilename: file.originalFilename, size: file.size };
  }
  return files;
}

function fileFingerprint(files: Record<string, UploadedPart>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([name, f]) => [name, createHash('sha256').update(readFileSync(f.filepath)).digest('hex')]),
  );
}

/**
 * Mounts route specs on a router under /api/v1 and keeps them for the OpenAPI document, so that every
 * route is documented by the same schemas that validate it.
 */
export class ApiRegistry {
  readonly router = new Router({ prefix: '/api/v1' });
  private readonly specs: RouteSpec[] = [];

  constructor(private readonly app: AppContext) {}

  add(...specs: RouteSpec[]): void {
    for (const spec of specs) {
      this.specs.push(spec);
      this.router[spec.method](spec.path, async (ctx) => {
        const actor = (ctx.state.actor as Actor | undefined) ?? null;
        await authorise(this.app, spec, actor, ctx);
        try {
          // Only now, for a caller allowed here, is the body read (multipart only where the route takes files).
          await parseBody(ctx, spec, this.app.config.uploadTmpDir);
          const rawBody = (ctx.request as unknown as { body?: unknown }).body;
          assertWellFormed(ctx.params, 'params');
          assertWellFormed(ctx.query, 'query');
          assertWellFormed(rawBody, 'body');
          const params = parse(spec.params, ctx.params, 'params');
          const query = parse(spec.query, ctx.query, 'query');
          const body = parse(spec.body, rawBody, 'body');
          const files = collectFiles(ctx, spec);
          const input = { params, query, body, files, actor, meta: requestMeta(ctx) };
          const execute = async () => {
            const data = await spec.handler(input, ctx);
            return { status: spec.status ?? 200, body: { success: true, data: data ?? null } };
          };
          if (spec.binary) {
            await spec.handler(input, ctx);
            return;
          }
          const result = spec.idempotent
            ? await withIdempotency(this.app.db, ctx, actor ? `${actor.kind}:${actor.id}` : `ip:${ctx.ip}`, { body: body ?? null, files: fileFingerprint(files) }, execute)
            : await execute();
          ctx.status = result.status;
          ctx.body = result.body;
        } finally {
          await removeUploads(ctx);
        }
      });
    }
  }

  openApiDocument(version: string): object {
    const registry = new OpenAPIRegistry();
    registry.registerComponent('securitySchemes', 'cookie', { type: 'apiKey', in: 'cookie', name: 'xyd_sid' });
    registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
    for (const spec of this.specs) {
      const responses: Record<string, { description: string; content?: Record<string, { schema: ZodType | object }> }> = {};
      const ok = String(spec.status ?? 200);
      if (spec.binary) {
        responses[ok] = { description: spec.binary, content: { [spec.binary]: { schema: { type: 'string', format: 'binary' } } } };
      } else {
        responses[ok] = {
          description: '成功',
          content: { 'application/json': { schema: z.object({ success: z.literal(true), data: spec.response ?? z.null() }) } },
        };
      }
      const errorContent = { 'application/json': { schema: ZErrorEnvelope } };
      responses['400'] = { description: '请求参数不正确（errorFields 指明字段）', content: errorContent };
      if (spec.auth !== 'public') {
        responses['401'] = { description: '未登录或登录已过期', content: errorContent };
        responses['403'] = { description: '角色无权执行此操作', content: errorContent };
      }
      if (spec.path.includes(':')) responses['404'] = { description: '不存在或不在可见范围内', content: errorContent };
      if (spec.idempotent) responses['409'] = { description: 'Idempotency-Key 冲突或状态冲突', content: errorContent };
      const bodyContent = spec.body
        ? spec.multipart
          ? {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: Object.fromEntries(Object.entries(spec.multipart.files).map(([k, d]) => [k, { type: 'string', format: 'binary', description: d }])),
                  description: '文本字段见 JSON 模式；文件字段如上',
                },
              },
              'application/json': { schema: spec.body },
            }
          : { 'application/json': { schema: spec.body } }
        : undefined;
      registry.registerPath({
        method: spec.method,
        path: `/api/v1${spec.path.replace(/:(\w+)/g, '{$1}')}`,
        summary: spec.summary,
        tags: spec.tags,
        description: spec.roles ? `角色：${spec.roles.map((r) => ROLE_LABELS[r]).join('、')}` : undefined,
        security: spec.auth === 'public' ? [] : [{ cookie: [] }, { bearer: [] }],
        request: {
          params: spec.params as never,
          query: spec.query as never,
          body: bodyContent ? { content: bodyContent as never } : undefined,
          headers: spec.idempotent ? (z.object({ 'Idempotency-Key': z.string().optional() }) as never) : undefined,
        },
        responses: responses as never,
      });
    }
    return new OpenApiGeneratorV3(registry.definitions).generateDocument({
      openapi: '3.0.3',
      info: { title: '信易贷 API', version, description: '全国中小企业融资综合信用服务平台 API。所有响应均为 { success, data, errorCode, errorMessage } 信封。' },
      servers: [{ url: '/' }],
    });
  }
}
