import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import helmet, { type HelmetOptions } from 'helmet';
import { securityHeaders } from '../../server/src/middleware/security-headers';

/** The headers a server answers GET / with (date and connection headers left out). */
async function headersOf(handler: http.RequestListener): Promise<Record<string, unknown>> {
  const server = http.createServer(handler).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => { res.resume(); resolve(res.headers); }).on('error', reject),
    );
    const { date: _d, connection: _c, 'keep-alive': _k, 'content-length': _l, 'content-type': _t, ...rest } = headers;
    return rest;
  } finally {
    server.close();
  }
}

const options: HelmetOptions[] = [
  {},
  {
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null } },
    hsts: true,
  },
  { hsts: false, frameguard: { action: 'deny' }, crossOriginEmbedderPolicy: true },
];

describe('precomputed security headers', () => {
  it.each(options.map((o, i) => [i, o] as const))('answer what helmet itself writes (options %i)', async (_i, o) => {
    const koa = new Koa();
    koa.use(securityHeaders(o));
    koa.use((ctx) => {
      ctx.body = 'ok';
    });
    const helmetAlone = helmet(o);
    const expected = await headersOf((req, res) => {
      res.setHeader('X-Powered-By', 'Express');
      helmetAlone(req, res, () => res.end('ok'));
    });
    expect(Object.keys(expected).length).toBeGreaterThan(8);
    expect(await headersOf(koa.callback())).toEqual(expected);
  });

  it('refuse options that depend on the request', () => {
    const nonce = () => "'nonce-abc'";
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", nonce] } } })).toThrow(/function of the request/);
  });
});
