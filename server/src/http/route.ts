import type Koa from 'koa';
import type { z, ZodType } from 'zod';
import type { TAdminRole } from '@xyd/shared';
import type { Actor } from '../modules/identity/actor';

/** `source`: a data source's signed request only (modules/credit-data). */
export type AuthRequirement = 'public' | 'signed-in' | 'admin' | 'wechat' | 'source';

/**
 * Kinds of caller: a person with a session (console cookie or mini-program bearer), or an institution's system
 * signing its requests with an API client key (X-Key-Id …, modules/api-clients/signature.ts).
 */
export type CallerKind = 'person' | 'api-client' | 'data-source';

export interface UploadedPart {
  fieldName: string;
  filepath: string;
  originalFilename: string | null;
  size: number;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  files: Record<string, UploadedPart>;
  /** The signed bytes, for routes with `rawBody` (the handler parses them itself). */
  raw: Buffer | null;
  actor: Actor | null;
  meta: RequestMeta;
}

export interface RequestMeta {
  ip: string | null;
  requestId: string;
  userAgent: string | null;
  /** The console page the call came from (its `X-Console-Page` header), else the API path: for the data access log. */
  page?: string;
}

/**
 * One route: its auth, its zod schemas (which validate the request and generate the OpenAPI document) and a
 * handler that gets parsed input. The handler returns the envelope's `data`; `ctx` is there only for the few
 * routes that set cookies or stream bytes.
 */
export interface RouteSpec<
  P extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  B extends ZodType = ZodType,
  R extends ZodType = ZodType,
> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  /** Stable name of the operation in the OpenAPI document and in the generated clients (`getEnterprise`). */
  operationId: string;
  summary: string;
  tags: string[];
  auth: AuthRequirement;
  roles?: readonly TAdminRole[];
  /**
   * Which kinds of caller may call it. Default (`callersOf`): console routes (`auth: 'admin'`) outside /auth/ also
   * take API clients, which act as an officer and meet the same role checks; everything else only people.
   */
  callers?: readonly CallerKind[];
  params?: P;
  query?: Q;
  body?: B;
  /** multipart/form-data: `body` validates the text fields, `files` lists the file fields; files up to `maxFileBytes` (default 5 MB). */
  multipart?: { files: Record<string, string>; maxFileBytes?: number };
  response?: R;
  /** A signed request's body is handed over as bytes (`input.raw`), not parsed as JSON (JSON lines, large batches). */
  rawBody?: { mediaTypes: readonly string[]; description: string };
  /** Binary responses (images) describe their media type instead of a JSON schema. */
  binary?: string;
  status?: number;
  idempotent?: boolean;
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>, ctx: Koa.Context) => Promise<z.infer<R> | void>;
}

export function route<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType>(
  spec: RouteSpec<P, Q, B, R>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** The kinds of caller a route takes (see `RouteSpec.callers`). */
export function callersOf(spec: Pick<RouteSpec, 'auth' | 'path' | 'callers'>): readonly CallerKind[] {
  if (spec.callers) return spec.callers;
  if (spec.auth === 'source') return ['data-source'];
  // A person's own account (sign-in, sessions, password, TOTP) is never a machine's business.
  return spec.auth === 'admin' && !spec.path.startsWith('/auth/') ? ['person', 'api-client'] : ['person'];
}
