import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type Koa from 'koa';
import Router from '@koa/router';
import { z, type ZodType } from 'zod';
import { ERROR_STATUS, ROLE_LABELS, type TFieldError } from '@xyd/shared';
import { AppError, ForbiddenError, UnauthenticatedError, ValidationError } from '../lib/errors';
import { withIdempotency } from '../middleware/idempotency';
import { assertWellFormed, parseBody, removeUploads } from './body';
import { buildOpenApiDocument } from './openapi';
import type { AppContext } from '../context';
import { recordAuditAlone } from '../modules/audit/service';
import { callerKindOf, type Actor } from '../modules/identity/actor';
import { isSignedRequest, verifySignedRequest, type SignedCaller } from '../modules/api-clients/signature';
import { callersOf, type RequestMeta, type RouteSpec, type UploadedPart } from './route';

export function requestMeta(ctx: Koa.Context): RequestMeta {
  return { ip: ctx.ip || null, requestId: String(ctx.state.requestId ?? ''), userAgent: ctx.get('user-agent') || null, page: pageOf(ctx) };
}

/** The console page a call came from (the console sends `X-Console-Page`), else the API path; at most 200 characters. */
function pageOf(ctx: Koa.Context): string {
  const page = ctx.get('x-console-page');
  return (page && /^\/[\w\-/.?=&%]{0,199}$/.test(page) ? page : ctx.path).slice(0, 200);
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
  const wrongKind =
    (spec.auth === 'admin' && actor.kind !== 'admin') ||
    (spec.auth === 'wechat' && actor.kind !== 'wechat') ||
    (spec.auth === 'source' && actor.kind !== 'source');
  const wrongRole = spec.roles && (actor.kind !== 'admin' || !spec.roles.includes(actor.role));
  const wrongCaller = !callersOf(spec).includes(callerKindOf(actor));
  if (wrongKind || wrongRole || wrongCaller) {
    await recordAuditAlone(app.db, {
      actor,
      action: 'access.denied',
      targetType: 'route',
      targetId: `${spec.method.toUpperCase()} ${spec.path}`.slice(0, 64),
      outcome: 'denied',
      meta: requestMeta(ctx),
    });
    const who = actor.kind === 'admin' ? (actor.client ? '接口客户端' : ROLE_LABELS[actor.role]) : actor.kind === 'source' ? '数据源' : '企业用户';
    throw new ForbiddenError(`${who}无权执行此操作`);
  }
}

/** The signed bytes are the body: parsed here as JSON, never read from the stream a second time. */
function useSignedBody(ctx: Koa.Context, raw: Buffer): void {
  if (raw.length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('请求格式不正确：JSON 无法解析');
  }
  (ctx.request as unknown as { body?: unknown }).body = parsed;
}

/**
 * One audit row per signed call, under the client's name: the institution's systems leave the same trail as its
 * officers (whose state changes the services audit as well). A failed write is logged, never the call's answer.
 */
async function recordSignedCall(app: AppContext, actor: Actor, routeName: string, keyId: string, ctx: Koa.Context, failure: unknown): Promise<void> {
  const code = failure instanceof AppError ? failure.code : null;
  const status = code ? ERROR_STATUS[code] : failure ? null : ctx.status;
  try {
    await recordAuditAlone(app.db, {
      actor,
      action: 'api.call',
      targetType: 'route',
      targetId: routeName,
      outcome: failure ? 'failure' : 'success',
      detail: { keyId, status, errorCode: code, error: failure && !code ? (failure as Error).name : undefined, path: ctx.path.slice(0, 200) },
      meta: requestMeta(ctx),
    });
  } catch (error) {
    app.logger.error({ err: error, keyId, route: routeName }, 'audit of a signed call failed');
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

/** The uploaded files' SHA-256, streamed (an import file may be gigabytes), for the idempotency fingerprint. */
async function fileFingerprint(files: Record<string, UploadedPart>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(files).map(async ([name, f]) => {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(f.filepath)) hash.update(chunk as Buffer);
      return [name, hash.digest('hex')] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** `/enterprises/:id` → `enterprises`; matched without case, as the router matches paths. */
function segmentOf(path: string): string {
  const end = path.indexOf('/', 1);
  return path.slice(1, end < 0 ? undefined : end).toLowerCase();
}

/**
 * Mounts route specs on a router under /api/v1 and keeps them for the OpenAPI document, so that every
 * route is documented by the same schemas that validate it.
 */
export class ApiRegistry {
  /** Routes outside the specs (the OpenAPI document); also answers paths no segment router knows. */
  readonly router = new Router({ prefix: '/api/v1' });
  /**
   * One router per first path segment (`/enterprises/...`, `/me/...`): a request is matched against the dozen
   * routes of its segment instead of every route of the API (the router tests each route's pattern in turn).
   */
  private readonly segmentRouters = new Map<string, Router>();
  private dispatch: Map<string, Koa.Middleware> | null = null;
  private readonly specs: RouteSpec[] = [];
  /** Kinds of system that sign requests (API clients; data sources next): one verifier, a key lookup each. */
  private readonly signedCallers: SignedCaller[] = [];

  constructor(private readonly app: AppContext) {}

  acceptSigned(...callers: SignedCaller[]): void {
    this.signedCallers.push(...callers);
  }

  add(...specs: RouteSpec[]): void {
    for (const spec of specs) {
      if (this.specs.some((other) => other.operationId === spec.operationId)) throw new Error(`operationId used twice: ${spec.operationId}`);
      this.specs.push(spec);
      this.routerOf(spec.path)[spec.method](spec.path, async (ctx) => {
        const routeName = `${spec.method.toUpperCase()} ${spec.path}`.slice(0, 64);
        // A signed request is its own credential (a session alongside it is ignored); verifying it reads the raw body.
        const signed = isSignedRequest(ctx) ? await verifySignedRequest(this.app.db, ctx, this.signedCallers, requestMeta(ctx), routeName) : null;
        const actor = signed?.actor ?? (ctx.state.actor as Actor | undefined) ?? null;
        await authorise(this.app, spec, actor, ctx);
        let failure: unknown = null;
        try {
          // Only now, for a caller allowed here, is the body read (multipart only where the route takes files).
          if (signed && !spec.rawBody) useSignedBody(ctx, signed.body);
          else if (!signed) await parseBody(ctx, spec, this.app.config.uploadTmpDir);
          const rawBody = (ctx.request as unknown as { body?: unknown }).body;
          assertWellFormed(ctx.params, 'params');
          assertWellFormed(ctx.query, 'query');
          assertWellFormed(rawBody, 'body');
          const params = parse(spec.params, ctx.params, 'params');
          const query = parse(spec.query, ctx.query, 'query');
          const body = parse(spec.body, rawBody, 'body');
          const files = collectFiles(ctx, spec);
          const input = { params, query, body, files, raw: spec.rawBody ? (signed?.body ?? null) : null, actor, meta: requestMeta(ctx) };
          const execute = async () => {
            const data = await spec.handler(input, ctx);
            return { status: spec.status ?? 200, body: { success: true, data: data ?? null } };
          };
          if (spec.binary) {
            await spec.handler(input, ctx);
            return;
          }
          const result = spec.idempotent
            ? await withIdempotency(this.app.db, ctx, actor ? `${actor.kind}:${actor.id}` : `ip:${ctx.ip}`, { body: body ?? null, files: await fileFingerprint(files) }, execute)
            : await execute();
          ctx.status = result.status;
          ctx.body = result.body;
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          await removeUploads(ctx);
          if (signed) await recordSignedCall(this.app, actor!, routeName, signed.keyId, ctx, failure);
        }
      });
    }
  }

  /** Every mounted route (the specs' and the OpenAPI document's), as the router holds them. */
  get layers(): Router['stack'] {
    return [this.router, ...this.segmentRouters.values()].flatMap((router) => router.stack);
  }

  /** The middleware serving /api/v1: the request's segment router, with its 405/501 answers, else the rest. */
  routes(): Koa.Middleware {
    const served = (router: Router): Koa.Middleware => {
      const routes = router.routes();
      const allowed = router.allowedMethods();
      return (ctx, next) => routes(ctx as never, () => allowed(ctx as never, next)) as Promise<void>;
    };
    const rest = served(this.router);
    return (ctx, next) => {
      // Built at the first request, once every route is added.
      this.dispatch ??= new Map([...this.segmentRouters].map(([segment, router]) => [segment, served(router)]));
      const segment = ctx.path.startsWith('/api/v1/') ? segmentOf(ctx.path.slice('/api/v1'.length)) : null;
      return ((segment !== null && this.dispatch.get(segment)) || rest)(ctx, next);
    };
  }

  private routerOf(path: string): Router {
    if (this.dispatch) throw new Error(`route added after the first request: ${path}`);
    const segment = segmentOf(path);
    if (segment.startsWith(':')) throw new Error(`a route's first segment must be literal: ${path}`);
    let router = this.segmentRouters.get(segment);
    if (!router) {
      router = new Router({ prefix: '/api/v1' });
      this.segmentRouters.set(segment, router);
    }
    return router;
  }

  openApiDocument(version: string): object {
    return buildOpenApiDocument(this.specs, { version });
  }
}
