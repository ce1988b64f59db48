import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's security headers, worked out once at start instead of on every answer. With options that are plain
 * values (no per-request functions such as CSP nonces) helmet writes the same headers whatever the request, so
 * its middleware is run once against a recording response and the recorded writes are replayed on each answer.
 */
export function securityHeaders(options: HelmetOptions): Koa.Middleware {
  if (holdsFunction(options)) throw new TypeError('securityHeaders: an option is a function of the request (a CSP nonce?), so the headers cannot be worked out once');
  const set: Array<[string, string | string[]]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, typeof value === 'number' ? String(value) : Array.isArray(value) ? [...value] : (value as string)]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let failure: unknown = null;
  let ran = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error ?? null;
    ran = true;
  });
  if (failure) throw failure;
  if (!ran) throw new Error('helmet did not finish synchronously: its options need the request, so its headers cannot be precomputed');
  return async (ctx, next) => {
    const res = ctx.res;
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    await next();
  };
}

function holdsFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(holdsFunction);
}
