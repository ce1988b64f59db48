/**
 * `npm run bench [-- --json FILE]`: throughput of hot read paths, each beside a baseline measured in the same run
 * (the same rows read with a raw SQL query on a raw driver connection), so the ratio holds on a noisy machine.
 * Each figure is measured with one client in series and with 16 concurrent clients (HTTP load comes from a separate
 * process, tests/bench/load.js; the raw baselines run in this process); the queries each request
 * costs are counted with Sequelize's query hooks. Uses the embedded database unless DATABASE_URL points at MySQL.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../server/helpers';
import { queryCounter } from '../../server/src/db';
import { benchIngest, ingestTable, type IngestFigure } from './ingest';
import { benchCredit, creditTable } from './credit';
import { benchMatching, matchingTable } from './matching';
import { benchReport, reportTable } from './report';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
/**
 * Each figure is measured after the same load has run for this long on both sides: a fresh process answers at
 * about half its steady rate while V8 is still compiling the request path, and a server runs for days.
 */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2000);
const CONCURRENCY = [1, 16];

/** One figure beside its baseline (the ingest figures add their own fields, such as peak RSS). */
type Figure = IngestFigure & { queriesPerRequest?: number; clients?: number; loadGeneratorCpuMicrosPerRequest?: number };

/** Runs `op` from `clients` loops for the duration; returns operations per second and latency percentiles (ms). */
async function measure(clients: number, op: () => Promise<unknown>, durationMs = DURATION_MS): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const deadline = Date.now() + durationMs;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        await op();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const elapsed = Date.now() - started;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: (latencies.length * 1000) / elapsed, p50: pick(0.5), p99: pick(0.99) };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** HTTP load from a separate process (tests/bench/load.js says why it writes raw requests), as a real client. */
function load(
  port: number,
  path: string,
  cookie: string,
  clients: number,
  durationMs = DURATION_MS,
): Promise<{ perSecond: number; p50: number; p99: number; clientCpuMicrosPerRequest: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'load.js')], {
      env: { ...process.env, PORT: String(port), PATH: path, COOKIE: cookie, CLIENTS: String(clients), DURATION_MS: String(durationMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}

function get(port: number, path: string, cookie: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { cookie }, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** A raw driver connection pool beside the server's, for the baselines. */
async function rawClient(server: TestServer): Promise<{ query(sql: string, params?: unknown[]): Promise<unknown>; close(): Promise<void> }> {
  const url = server.app.config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    const db = new sqlite3.Database(url.slice('sqlite:'.length));
    return {
      query: (sql, params = []) => new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)))),
      close: () => new Promise((resolve) => db.close(() => resolve())),
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const pool = mysql.createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 16 });
  return { query: (sql, params = []) => pool.query(sql, params), close: () => pool.end() };
}

async function main(): Promise<void> {
  const jsonAt = process.argv.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : null;
  // BENCH_ONLY=credit runs the credit engine's figures alone.
  if (process.env.BENCH_ONLY === 'credit') {
    const credit = await benchCredit();
    for (const line of creditTable(credit)) console.log(line);
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify({ at: new Date().toISOString(), figures: credit }, null, 2)}\n`);
    return;
  }
  // BENCH_ONLY=matching runs the matcher's figures alone (in process, no database).
  if (process.env.BENCH_ONLY === 'matching') {
    const matching = benchMatching();
    for (const line of matchingTable(matching)) console.log(line);
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify({ at: new Date().toISOString(), figures: matching }, null, 2)}\n`);
    return;
  }
  // BENCH_ONLY=report renders the credit report PDF alone (in process, no database).
  if (process.env.BENCH_ONLY === 'report') {
    const report = await benchReport();
    for (const line of reportTable(report)) console.log(line);
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify({ at: new Date().toISOString(), figures: report }, null, 2)}\n`);
    return;
  }
  // Pushes in the ingest figures go as fast as the pipeline takes them, not at the per-source rate limit.
  const server = await startTestServer({ API_CLIENT_RATE_LIMIT: '1000000' }, { signInLimit: 1_000_000 });
  const listener = http.createServer(server.callback).listen(0);
  await new Promise((r) => listener.once('listening', r));
  const port = (listener.address() as AddressInfo).port;
  const login = await server.http.post('/api/v1/auth/admin/login').send({ username: 'gov_province', password: 'Xyd-Demo-2026!' });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const sequelize = server.app.db.sequelize;
  const [[one]] = (await sequelize.query('SELECT id FROM enterprises ORDER BY id LIMIT 1')) as [Array<{ id: string | number }>, unknown];
  const raw = await rawClient(server);
  const memBefore = process.memoryUsage().rss;

  const queriesFor = async (path: string, as: string): Promise<number> => {
    await get(port, path, as); // warm caches
    const before = queryCounter.count;
    const n = 20;
    for (let i = 0; i < n; i++) await get(port, path, as);
    return (queryCounter.count - before) / n;
  };

  const cases: Array<{ name: string; path: string; baselineName: string; baseline: () => Promise<unknown> }> = [
    {
      name: 'GET /enterprises/:id',
      path: `/api/v1/enterprises/${one.id}`,
      baselineName: 'raw SELECT by primary key',
      baseline: () => raw.query('SELECT * FROM enterprises WHERE id = ?', [one.id]),
    },
    {
      name: 'GET /enterprises?pageSize=20',
      path: '/api/v1/enterprises?pageSize=20',
      baselineName: 'raw SELECT of the same page',
      baseline: () => raw.query("SELECT * FROM enterprises WHERE region_code LIKE '33%' ORDER BY name LIMIT 20"),
    },
    { name: 'GET /health', path: '/api/v1/health', baselineName: 'raw SELECT 1', baseline: () => raw.query('SELECT 1') },
  ];

  const figures: Record<string, Figure> = {};
  for (const c of cases) {
    const as = c.name === 'GET /health' ? '' : cookie;
    const perRequest = await queriesFor(c.path, as);
    for (const clients of CONCURRENCY) {
      if (WARMUP_MS > 0) {
        await measure(clients, c.baseline, WARMUP_MS);
        await load(port, c.path, as, clients, WARMUP_MS);
      }
      const base = await measure(clients, c.baseline);
      const value = await load(port, c.path, as, clients);
      figures[`${c.name} (${clients} client${clients > 1 ? 's' : ''})`] = {
        value: Math.round(value.perSecond),
        unit: 'req/s',
        baseline: Math.round(base.perSecond),
        baselineName: c.baselineName,
        ratio: Number((value.perSecond / base.perSecond).toFixed(3)),
        p50: Number(value.p50.toFixed(2)),
        p99: Number(value.p99.toFixed(2)),
        queriesPerRequest: perRequest,
        clients,
        loadGeneratorCpuMicrosPerRequest: Number(value.clientCpuMicrosPerRequest.toFixed(1)),
      };
    }
  }

  // Last, so that the rows it adds do not change the read figures above.
  const ingest = await benchIngest(server);

  console.log(`\nbench on ${server.app.db.dialect}, ${DURATION_MS} ms per figure after ${WARMUP_MS} ms of warm-up\n`);
  console.log('| path | clients | req/s | p50 ms | p99 ms | queries/request | load generator CPU µs/request | baseline | baseline/s | ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, f] of Object.entries(figures)) {
    console.log(
      `| ${name.replace(/ \(\d+ clients?\)$/, '')} | ${f.clients} | ${f.value} | ${f.p50} | ${f.p99} | ${f.queriesPerRequest} | ${f.loadGeneratorCpuMicrosPerRequest} | ${f.baselineName} | ${f.baseline} | ${f.ratio} |`,
    );
  }
  for (const line of ingestTable(ingest)) console.log(line);
  const rssAfter = process.memoryUsage().rss;
  console.log(`\nRSS ${(memBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssAfter / 2 ** 20).toFixed(0)} MiB after`);
  listener.close();
  agent.destroy();
  await raw.close();
  const dialect = server.app.db.dialect;
  await server.close();

  // On a server of its own (models follow the last server started), after the first is closed.
  const credit = process.env.BENCH_CREDIT === '0' ? {} : await benchCredit();
  for (const line of creditTable(credit)) console.log(line);
  const matching = process.env.BENCH_MATCHING === '0' ? {} : benchMatching();
  for (const line of matchingTable(matching)) console.log(line);
  const report = process.env.BENCH_REPORT === '0' ? {} : await benchReport();
  for (const line of reportTable(report)) console.log(line);
  if (jsonFile) {
    const out = {
      dialect,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      at: new Date().toISOString(),
      figures: { ...figures, ...ingest, ...credit, ...matching, ...report, 'RSS after bench': { value: Math.round(rssAfter / 2 ** 20), unit: 'MiB', baseline: Math.round(memBefore / 2 ** 20), ratio: Number((rssAfter / memBefore).toFixed(3)) } },
    };
    fs.writeFileSync(jsonFile, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`figures written to ${jsonFile}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message).slice(0, 4000) : error);
  process.exit(1);
});
