import { signInAdmin, signInWechat, startTestServer, type TestServer } from './helpers';

/**
 * Every route, fed malformed input by a signed-in caller of each kind, answers with the envelope and a
 * status below 500: bad input is the caller's error, never the server's.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { signInLimit: 10_000 });
});
afterAll(() => server.close());

const BODIES: unknown[] = [{}, [], 'just a string', { username: 42, password: ['x'], code: {}, reason: 7, results: 'x', name: null }];
const PARAMS = ['abc', '-1', '99999999999999999999', '1%27%20OR%201=1'];

it('never answers 500 to malformed input', async () => {
  const admin = await signInAdmin(server, 'admin');
  const advisor = await signInAdmin(server, 'advisor');
  const token = await signInWechat(server);
  const callers = [
    (req: ReturnType<typeof admin.get>) => req,
    (req: ReturnType<typeof admin.get>) => req.set('Authorization', `Bearer ${token}`),
  ];
  const agents = [admin, advisor, server.http];
  const failures: string[] = [];
  // The OpenAPI document is the one JSON answer that is not an envelope.
  const routes = server.registry.layers.filter((layer) => !layer.path.endsWith('/openapi.json')).flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((m) => ({ method: m.toLowerCase() as 'get' | 'post' | 'patch' | 'delete', path: layer.path })),
  );
  for (const { method, path } of routes) {
    const paths = path.includes(':') ? PARAMS.map((p) => path.replace(/:\w+/g, p)) : [path];
    for (const target of paths) {
      for (const agent of agents) {
        for (const wrap of callers) {
          for (const body of method === 'get' || method === 'delete' ? [undefined] : BODIES) {
            const url = method === 'get' ? `${target}?current=-3&pageSize=abc&status=nope&type=x&unread=maybe&parent=12` : target;
            let req = wrap((agent as typeof admin)[method](url));
            if (body !== undefined) req = typeof body === 'string' ? req.set('content-type', 'application/json').send(JSON.stringify(body)) : req.send(body as object);
            const res = await req;
            if (res.status >= 500 || (res.type === 'application/json' && typeof res.body.success !== 'boolean')) {
              failures.push(`${method.toUpperCase()} ${url} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            }
          }
        }
      }
    }
  }
  expect(routes.length).toBeGreaterThan(25);
  expect(failures).toEqual([]);
});
