import type Koa from 'koa';
import { ForbiddenError } from '../lib/errors';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * State-changing API calls from another site are refused: the browser's `Origin` (or, without it,
 * `Sec-Fetch-Site`) must be this server's own origin, the public URL, or one of the CORS allow-list.
 * Clients that are not browsers (the mini-program, institutions' systems) send neither header.
 */
export function crossSiteGuard(publicUrl: string, allowedOrigins: string[]): Koa.Middleware {
  const allowed = new Set([new URL(publicUrl).origin, ...allowedOrigins]);
  return async (ctx, next) => {
    if (UNSAFE.has(ctx.method) && ctx.path.startsWith('/api/')) {
      const origin = ctx.get('origin');
      const self = `${ctx.protocol}://${ctx.host}`;
      if (origin) {
        if (origin !== self && !allowed.has(origin)) throw new ForbiddenError('跨站请求被拒绝：请求来源不在允许列表中');
      } else {
        const site = ctx.get('sec-fetch-site');
        if (site && site !== 'same-origin' && site !== 'none') throw new ForbiddenError('跨站请求被拒绝：请从本站页面发起操作');
      }
    }
    await next();
  };
}
