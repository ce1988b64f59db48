import fs from 'node:fs';
import path from 'node:path';
import Koa from 'koa';
import cors from '@koa/cors';
import serve from 'koa-static';
import { ZHealth } from '@xyd/shared';
import type { AppContext } from './context';
import { ApiRegistry } from './http/registry';
import { route } from './http/route';
import { errorMiddleware } from './middleware/errors';
import { requestMiddleware } from './middleware/request';
import { RateLimiter } from './middleware/rate-limit';
import { crossSiteGuard } from './middleware/cross-site';
import { securityHeaders } from './middleware/security-headers';
import './jobs/definitions';
import { enqueueJob } from './jobs/queue';
import { setAuditVerificationRequester } from './modules/audit/jobs';
import { SessionCache } from './modules/identity/session-cache';
import { SESSION_COOKIE, identityRoutes } from './modules/identity/routes';
import { organisationRoutes } from './modules/organisations/routes';
import { enterpriseRoutes } from './modules/enterprises/routes';
import { notificationRoutes } from './modules/notifications/routes';
import { auditRoutes } from './modules/audit/routes';
import { regionRoutes } from './modules/regions/routes';
import { workbenchRoutes } from './modules/workbench/routes';
import { jobRoutes } from './modules/jobs/routes';
import { apiClientRoutes } from './modules/api-clients/routes';
import { creditDataRoutes } from './modules/credit-data/routes';
import { dataSourceCaller } from './modules/credit-data/sources';
import './modules/credit-data/jobs';
import './modules/credit-engine/jobs';
import './modules/matching/jobs';
import './modules/financing/jobs';
import { creditEngineRoutes } from './modules/credit-engine/routes';
import { matchingRoutes } from './modules/matching/routes';
import { financingRoutes } from './modules/financing/routes';
import { calendarRoutes } from './modules/calendar/routes';
import { apiClientCaller } from './modules/api-clients/service';
import { isSignedRequest } from './modules/api-clients/signature';

export const VERSION = '0.1.0';

export interface BuildOptions {
  /** Sign-in attempts per address per minute. */
  signInLimit?: number;
}

/** Serves a single-page app from `dir` under `prefix`, answering index.html for client-side routes. */
function spa(prefix: string, dir: string): Koa.Middleware {
  const files = serve(dir, { index: 'index.html', maxage: 0 });
  return async (ctx, next) => {
    if (ctx.path !== prefix.slice(0, -1) && !ctx.path.startsWith(prefix)) return next();
    if (ctx.path === prefix.slice(0, -1)) return ctx.redirect(prefix);
    const original = ctx.path;
    ctx.path = original.slice(prefix.length - 1);
    await files(ctx, async () => undefined);
    if (ctx.body === undefined && ctx.method === 'GET' && !path.extname(ctx.path)) {
      ctx.path = '/index.html';
      await files(ctx, async () => undefined);
    }
    ctx.path = original;
    if (ctx.body === undefined) return next();
  };
}

function docsPage(): Koa.Middleware {
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const files = serve(assets);
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>信易贷 API 文档</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script><script src="/api/docs/init.js"></script></body></html>`;
  const init = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui' });`;
  return async (ctx, next) => {
    if (ctx.path === '/api/docs' || ctx.path === '/api/docs/') {
      ctx.type = 'html';
      ctx.body = html;
      return;
    }
    if (ctx.path === '/api/docs/init.js') {
      ctx.type = 'application/javascript';
      ctx.body = init;
      return;
    }
    if (ctx.path.startsWith('/api/docs/')) {
      const original = ctx.path;
      ctx.path = original.slice('/api/docs'.length);
      await files(ctx, async () => undefined);
      ctx.path = original;
      if (ctx.body !== undefined) return;
    }
    await next();
  };
}

export function buildApp(app: AppContext, options: BuildOptions = {}): { koa: Koa; registry: ApiRegistry; sessions: SessionCache } {
  const koa = new Koa({ proxy: app.config.trustProxy, maxIpsCount: app.config.trustProxyHops });
  const registry = new ApiRegistry(app);
  const signInLimiter = new RateLimiter(options.signInLimit ?? 30, 60_000);

  registry.add(
    route({
      method: 'get',
      path: '/health',
      operationId: 'getHealth',
      summary: '健康检查：状态与所用数据库',
      tags: ['系统'],
      auth: 'public',
      response: ZHealth,
      handler: async () => {
        await app.db.sequelize.query('SELECT 1');
        return { status: 'ok' as const, database: app.db.dialect, version: VERSION };
      },
    }),
    ...identityRoutes(app, signInLimiter),
    ...organisationRoutes(app),
    ...regionRoutes(),
    ...enterpriseRoutes(app),
    ...notificationRoutes(app),
    ...auditRoutes(),
    ...workbenchRoutes(),
    ...jobRoutes(app),
    ...apiClientRoutes(app),
    ...creditDataRoutes(app),
    ...creditEngineRoutes(app),
    ...matchingRoutes(app),
    ...financingRoutes(app),
    ...calendarRoutes(app),
  );
  // POST /audit-logs/verify asks the worker for a run; the request itself never walks the chain.
  setAuditVerificationRequester(async ({ full }) => {
    await enqueueJob(undefined, full ? 'audit.verify-full' : 'audit.verify', null);
  });
  let openapi: object | null = null;
  registry.router.get('/openapi.json', (ctx) => {
    openapi ??= registry.openApiDocument(VERSION);
    ctx.body = openapi;
  });

  const allowed = new Set(app.config.corsOrigins);
  koa.use(requestMiddleware(app.logger));
  koa.use(errorMiddleware(app.logger));
  koa.use(
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          // Taro's H5 upload reads the chosen photo back through its blob: URL.
          connectSrc: ["'self'", 'blob:'],
          upgradeInsecureRequests: null,
        },
      },
      hsts: app.config.publicUrl.startsWith('https://'),
    }),
  );
  koa.use(
    cors({
      // Only listed origins get CORS headers; with credentials a wildcard would hand the cookie to anyone.
      origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
      credentials: true,
      allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Request-Id'],
    }),
  );
  koa.use(crossSiteGuard(app.config.publicUrl, app.config.corsOrigins));
  const secureCookies = app.config.publicUrl.startsWith('https://');
  const sessions = new SessionCache(app.config.session.cacheMs);
  // Institutions' systems sign their requests; the registry verifies them per route (it needs the raw body).
  registry.acceptSigned(apiClientCaller(app), dataSourceCaller(app));
  koa.use(async (ctx, next) => {
    // TLS ends at the proxy (config requires TRUST_PROXY with an https PUBLIC_URL): the session cookie is Secure.
    if (secureCookies) (ctx.cookies as unknown as { secure: boolean }).secure = true;
    if (ctx.path.startsWith('/api/v1/') && isSignedRequest(ctx)) {
      // A signed request is its own credential: no session is looked up or refreshed beside it.
      ctx.state.actor = null;
    } else if (ctx.path.startsWith('/api/v1/')) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      const token = bearer ?? ctx.cookies.get(SESSION_COOKIE);
      ctx.state.actor = token ? await sessions.authenticate(token) : null;
    }
    await next();
  });
  koa.use(docsPage());
  koa.use(registry.routes());
  if (fs.existsSync(app.config.staticAdminDir)) koa.use(spa('/admin/', app.config.staticAdminDir));
  if (fs.existsSync(app.config.staticH5Dir)) koa.use(spa('/h5/', app.config.staticH5Dir));
  koa.use(async (ctx, next) => {
    if (ctx.path === '/') return ctx.redirect('/admin/');
    await next();
  });
  return { koa, registry, sessions };
}
