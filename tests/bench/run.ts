/**
 * `npm run bench`: request throughput of hot read paths, each beside a baseline measured in the same run
 * (the same rows read with a raw SQL query on the same connection), so the ratio holds on a noisy machine.
 * Uses the embedded database unless DATABASE_URL points at MySQL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, signInAdmin } from '../server/helpers';
import { Enterprise } from '../../server/src/modules/enterprises/models';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);

async function measure(name: string, op: () => Promise<unknown>): Promise<number> {
  const deadline = Date.now() + DURATION_MS;
  let n = 0;
  while (Date.now() < deadline) {
    await op();
    n++;
  }
  const perSecond = (n * 1000) / DURATION_MS;
  return perSecond;
}

function get(port: number, path: string, cookie: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const server = await startTestServer();
  const listener = http.createServer(server.callback).listen(0);
  await new Promise((r) => listener.once('listening', r));
  const port = (listener.address() as AddressInfo).port;
  const agent = await signInAdmin(server, 'gov_province');
  const login = await agent.post('/api/v1/auth/admin/login').send({ username: 'gov_province', password: 'Xyd-Demo-2026!' });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const one = await Enterprise.findOne({ raw: true });
  const sequelize = server.app.db.sequelize;
  const memBefore = process.memoryUsage().rss;

  const rows: Array<[string, number, string, number]> = [];
  const rawPk = await measure('raw', () => sequelize.query('SELECT * FROM enterprises WHERE id = ?', { replacements: [one!.id] }));
  const detail = await measure('detail', () => get(port, `/api/v1/enterprises/${one!.id}`, cookie));
  rows.push(['GET /enterprises/:id (auth, scope, members)', detail, 'raw SELECT by primary key', rawPk]);
  const rawPage = await measure('raw page', () => sequelize.query("SELECT * FROM enterprises WHERE region_code LIKE '33%' ORDER BY name LIMIT 20"));
  const list = await measure('list', () => get(port, '/api/v1/enterprises?pageSize=20', cookie));
  rows.push(['GET /enterprises?pageSize=20 (scoped list + count)', list, 'raw SELECT of the same page', rawPage]);
  const health = await measure('health', () => get(port, '/api/v1/health', ''));
  const rawOne = await measure('raw select 1', () => sequelize.query('SELECT 1'));
  rows.push(['GET /health (full middleware stack)', health, 'raw SELECT 1', rawOne]);

  console.log(`\nbench on ${server.app.db.dialect}, ${DURATION_MS} ms per figure, one client in series\n`);
  console.log('| path | req/s | baseline | baseline/s | ratio |');
  console.log('|---|---|---|---|---|');
  for (const [name, value, base, baseValue] of rows) {
    console.log(`| ${name} | ${value.toFixed(0)} | ${base} | ${baseValue.toFixed(0)} | ${(value / baseValue).toFixed(3)} |`);
  }
  console.log(`\nRSS ${(memBefore / 2 ** 20).toFixed(0)} MiB before, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after`);
  listener.close();
  await server.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
