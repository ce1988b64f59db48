/**
 * The ingest part of `npm run bench`: the import pipeline's rows/s (upload → file store → job → parse → normalise →
 * de-duplicate → insert) for a tax CSV of BENCH_INGEST_ROWS rows (default 1,000,000 on MySQL, 100,000 on SQLite;
 * 0 skips), and pushes through POST /ingest/tax from 4 concurrent signed senders. Both beside the same rows written
 * by a raw driver as multi-row INSERTs of 1,000 rows into a table of credit_records' shape, in the same run.
 * Peak RSS of the process that runs the import is measured for a tenth of the rows and for all of them: it should
 * not grow with the file. On MySQL the worker is a process of its own (peak from /proc VmHWM); on SQLite, where one
 * process owns the file, it runs in the bench process (sampled every 100 ms).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { canonicalCreditContent, normaliseCreditRow, type PageResult, type TDataSourceWithSecret, type TIngestBatch, type TOrganisation } from '@xyd/shared';
import { CREDIT_RECORD_COLUMNS } from '../../server/src/modules/credit-data/ingest';
import { startWorker } from '../../server/src/jobs/worker';
import { ConsoleApi, SourceSender, chunked, writeCsvFile } from '../../server/src/seed/load-world';
import { lastCompleteMonth, resolveWorld, worldRows, type World, type WorldRecord } from '../../server/src/seed/world';
import { DEMO_PASSWORD, type TestServer } from '../server/helpers';

export interface IngestFigure {
  value: number;
  unit: string;
  baseline: number;
  baselineName: string;
  ratio: number;
  p50?: number;
  p99?: number;
  [extra: string]: unknown;
}

const ROOT = path.resolve(__dirname, '..', '..');
const MONTHS = 36;
const RAW_ROWS_PER_STATEMENT = 1000;
const PUSH_SENDERS = 4;
const PUSH_BATCH = 1000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const rowsLabel = (rows: number) => (rows >= 1_000_000 && rows % 100_000 === 0 ? `${rows / 1_000_000}M` : rows >= 1000 && rows % 1000 === 0 ? `${rows / 1000}k` : String(rows));

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}

const taxRecords = (world: World, skip: number, n: number): Generator<WorldRecord> =>
  take(
    (function* () {
      let i = 0;
      for (const row of worldRows(world, 'tax')) if (i++ >= skip) yield row.record;
    })(),
    n,
  );

// ---- the raw baseline ------------------------------------------------------------------------------------------

interface RawDb {
  run(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function rawDb(url: string): Promise<RawDb> {
  if (url.startsWith('sqlite:')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    const db = new sqlite3.Database(url.slice('sqlite:'.length));
    db.configure('busyTimeout', 30_000);
    return {
      run: (sql, params = []) => new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve()))),
      close: () => new Promise((resolve) => db.close(() => resolve())),
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const connection = await mysql.createConnection({ uri: url.replace(/^mariadb:/, 'mysql:') });
  return {
    run: async (sql, params = []) => {
      await connection.query(sql, params);
    },
    close: () => connection.end(),
  };
}

/** The same columns as the pipeline writes. */
const RAW_COLUMNS = CREDIT_RECORD_COLUMNS;

/** bench_raw: credit_records' columns and indexes (LIKE on MySQL; the stored schema, renamed, on SQLite). */
async function createRawTable(server: TestServer, raw: RawDb): Promise<void> {
  const sequelize = server.app.db.sequelize;
  await raw.run('DROP TABLE IF EXISTS bench_raw');
  if (server.app.db.dialect === 'mysql') {
    await raw.run('CREATE TABLE bench_raw LIKE credit_records');
    return;
  }
  const [rows] = (await sequelize.query("SELECT sql FROM sqlite_master WHERE tbl_name = 'credit_records' AND sql IS NOT NULL ORDER BY type DESC")) as [
    Array<{ sql: string }>,
    unknown,
  ];
  for (const { sql } of rows) await raw.run(sql.replace(/credit_records/g, 'bench_raw'));
}

/** The same rows as stored records, inserted RAW_ROWS_PER_STATEMENT at a time; only the statements are timed. */
async function rawInsertRate(server: TestServer, records: Iterable<WorldRecord>): Promise<{ rows: number; perSecond: number }> {
  const raw = await rawDb(server.app.config.databaseUrl);
  const quote = server.app.db.dialect === 'mysql' ? (c: string) => `\`${c}\`` : (c: string) => `"${c}"`;
  try {
    await createRawTable(server, raw);
    const head = `INSERT INTO bench_raw (${RAW_COLUMNS.map(quote).join(',')}) VALUES `;
    const tuple = `(${RAW_COLUMNS.map(() => '?').join(',')})`;
    let rows = 0;
    let elapsedNs = 0n;
    let params: unknown[] = [];
    let inChunk = 0;
    const flush = async () => {
      if (inChunk === 0) return;
      const sql = head + Array(inChunk).fill(tuple).join(',');
      const t0 = process.hrtime.bigint();
      await raw.run(sql, params);
      elapsedNs += process.hrtime.bigint() - t0;
      params = [];
      inChunk = 0;
    };
    const now = new Date();
    for (const record of records) {
      const normalised = normaliseCreditRow('tax', record, 'push');
      if (!normalised.ok) throw new Error(`bench row refused: ${JSON.stringify(normalised.errors)}`);
      const r = normalised.record;
      rows += 1;
      params.push(
        String(1_000_000_000 + rows),
        String(1_000 + (rows % 50_000)),
        r.uscc,
        'tax',
        '1',
        r.externalId,
        r.period,
        r.occurredOn,
        r.endsOn,
        r.adverse,
        false,
        JSON.stringify(r.payload),
        createHash('sha256').update(canonicalCreditContent(r)).digest('hex'),
        1,
        '1',
        rows,
        server.app.db.dialect === 'mysql' ? now : now.toISOString(),
      );
      if (++inChunk >= RAW_ROWS_PER_STATEMENT) await flush();
    }
    await flush();
    await raw.run('DROP TABLE bench_raw');
    return { rows, perSecond: rows / (Number(elapsedNs) / 1e9) };
  } finally {
    await raw.close();
  }
}

// ---- the worker whose memory is measured -----------------------------------------------------------------------

interface BenchWorker {
  scope: string;
  /** Peak RSS (MiB) since the worker started. */
  peakMb(): number;
  stop(): Promise<void>;
}

function peakFromProc(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

async function startBenchWorker(server: TestServer): Promise<BenchWorker> {
  const config = server.app.config;
  if (server.app.db.dialect === 'mysql' && config.fileStore.kind === 'local') {
    // The real worker entry (`npm run worker`), started with this process's loaders (swc for TypeScript).
    const child = spawn(process.execPath, [...process.execArgv, path.join(ROOT, 'server/src/worker.ts')], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: config.databaseUrl, FILE_STORE: 'local', FILE_STORE_DIR: config.fileStore.dir, WORKER_POLL_MS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench worker did not start within 120 s')), 120_000);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out = (out + chunk.toString()).slice(-10_000);
        if (out.includes('job worker started')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bench worker exited with ${code}: ${errors}`));
      });
    });
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, peakFromProc(child.pid!) ?? 0)), 100);
    return {
      scope: 'worker process (server/src/worker.ts), VmHWM',
      peakMb: () => Math.max(peak, peakFromProc(child.pid!) ?? 0),
      async stop() {
        peak = Math.max(peak, peakFromProc(child.pid!) ?? 0);
        clearInterval(sample);
        child.kill('SIGTERM');
        if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      },
    };
  }
  const stop = startWorker(server.app, { pollMs: 100, concurrency: 1 });
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    scope: 'bench process (API and worker in one process on SQLite), sampled every 100 ms',
    peakMb: () => mib(Math.max(peak, process.memoryUsage().rss)),
    async stop() {
      clearInterval(sample);
      await stop();
    },
  };
}

// ---- the pipeline ----------------------------------------------------------------------------------------------

async function waitForBatch(api: ConsoleApi, id: string): Promise<TIngestBatch> {
  for (;;) {
    const batch = await api.get<TIngestBatch>(`/ingest-batches/${id}`, '查询导入批次');
    if (batch.status === 'failed') throw new Error(`import ${id} failed: ${batch.failureReason}`);
    if (batch.status === 'done') return batch;
    await delay(200);
  }
}

/** Uploads a file (startCreditImport), waits for its import, and answers rows/s from the upload to the last committed chunk. */
async function importFile(api: ConsoleApi, sourceId: string, category: 'registration' | 'tax', file: string): Promise<{ batch: TIngestBatch; perSecond: number; seconds: number }> {
  const t0 = Date.now();
  const name = path.basename(file);
  const queued = await api.upload<TIngestBatch>('/ingest-batches', { sourceId, category }, { path: file, name, type: 'text/csv' }, `上传 ${name}`);
  const batch = await waitForBatch(api, queued.id);
  const seconds = (Date.now() - t0) / 1000;
  if (batch.counts.rejected > 0) throw new Error(`import ${batch.id} rejected ${batch.counts.rejected} rows`);
  return { batch, perSecond: batch.counts.received / seconds, seconds };
}

async function createSource(api: ConsoleApi, organisationId: string, name: string, categories: string[]): Promise<TDataSourceWithSecret> {
  return api.post<TDataSourceWithSecret>('/data-sources', { organisationId, name, categories, regionCodes: ['330000'], unknownUscc: 'reject' }, `登记数据源 ${name}`);
}

export async function benchIngest(server: TestServer, log: (line: string) => void = (line) => console.log(line)): Promise<Record<string, IngestFigure>> {
  const mysql = server.app.db.dialect === 'mysql';
  const rows = Number(process.env.BENCH_INGEST_ROWS ?? (mysql ? 1_000_000 : 100_000));
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`BENCH_INGEST_ROWS should be a whole number of rows, not ${process.env.BENCH_INGEST_ROWS}`);
  if (rows === 0) {
    log('ingest bench skipped (BENCH_INGEST_ROWS=0)');
    return {};
  }
  const pushRows = Number(process.env.BENCH_PUSH_ROWS ?? Math.min(200_000, Math.max(PUSH_SENDERS * PUSH_BATCH, Math.round(rows / 5))));
  const smallRows = Math.max(1000, Math.round(rows / 10));
  log(
    `\ningest bench on ${server.app.db.dialect}: ${rows.toLocaleString('en-US')} tax rows (BENCH_INGEST_ROWS; default 1,000,000 on MySQL, 100,000 on SQLite), ` +
      `${pushRows.toLocaleString('en-US')} pushed rows (BENCH_PUSH_ROWS)`,
  );

  // Firms enough for the rows (36 months each; young firms report fewer), registered through the pipeline first.
  const world = resolveWorld({ enterprises: Math.ceil((rows / MONTHS) * 1.1) + 20, months: MONTHS, seed: 4754, endMonth: lastCompleteMonth() });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-bench-ingest-'));
  const listener = http.createServer(server.callback).listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  const figures: Record<string, IngestFigure> = {};
  try {
    const api = await ConsoleApi.signIn(base, 'admin', DEMO_PASSWORD);
    const orgs = await api.get<PageResult<TOrganisation>>(`/organisations?keyword=${encodeURIComponent('浙江省发展和改革委员会')}`, '查找机构');
    const orgId = orgs.list[0]!.id;
    const registrar = await createSource(api, orgId, 'bench 登记注册', ['registration']);
    const smallSource = await createSource(api, orgId, 'bench 纳税 小文件', ['tax']);
    const fullSource = await createSource(api, orgId, 'bench 纳税 大文件', ['tax']);

    const registrationCsv = path.join(tmp, 'registration.csv');
    await writeCsvFile(registrationCsv, 'registration', (function* () {
      for (const row of worldRows(world, 'registration')) yield row.record;
    })());
    const smallCsv = path.join(tmp, `tax-${smallRows}.csv`);
    const fullCsv = path.join(tmp, `tax-${rows}.csv`);
    const written = await writeCsvFile(fullCsv, 'tax', taxRecords(world, 0, rows));
    if (written < rows) throw new Error(`the bench world has only ${written} tax rows`);
    await writeCsvFile(smallCsv, 'tax', taxRecords(world, 0, smallRows));
    const fullMb = mib(fs.statSync(fullCsv).size);
    log(`  files written: ${world.enterprises.toLocaleString('en-US')} registrations, tax ${smallRows.toLocaleString('en-US')} rows (${mib(fs.statSync(smallCsv).size)} MiB) and ${rows.toLocaleString('en-US')} rows (${fullMb} MiB)`);

    let worker = await startBenchWorker(server);
    const registered = await importFile(api, registrar.source.id, 'registration', registrationCsv);
    log(`  registration: ${registered.batch.counts.accepted.toLocaleString('en-US')} firms in ${registered.seconds.toFixed(1)} s`);
    await worker.stop();

    // A tenth of the rows, then all of them, each on a fresh worker so that its peak is its own.
    worker = await startBenchWorker(server);
    const small = await importFile(api, smallSource.source.id, 'tax', smallCsv);
    const smallPeak = worker.peakMb();
    await worker.stop();
    log(`  import ${rowsLabel(smallRows)}: ${Math.round(small.perSecond)} rows/s, peak RSS ${smallPeak} MiB`);
    worker = await startBenchWorker(server);
    const full = await importFile(api, fullSource.source.id, 'tax', fullCsv);
    const fullPeak = worker.peakMb();
    const scope = worker.scope;
    await worker.stop();
    log(`  import ${rowsLabel(rows)}: ${Math.round(full.perSecond)} rows/s, peak RSS ${fullPeak} MiB`);

    const rawRate = await rawInsertRate(server, taxRecords(world, 0, rows));
    log(`  raw INSERT: ${Math.round(rawRate.perSecond)} rows/s`);
    figures[`ingest ${rowsLabel(rows)} rows`] = {
      value: Math.round(full.perSecond),
      unit: 'rows/s',
      baseline: Math.round(rawRate.perSecond),
      baselineName: `raw ${mysql ? 'mysql2' : 'sqlite3'} multi-row INSERT (${RAW_ROWS_PER_STATEMENT} rows/statement) into bench_raw (credit_records' shape)`,
      ratio: Number((full.perSecond / rawRate.perSecond).toFixed(3)),
      rows,
      seconds: Number(full.seconds.toFixed(1)),
      peakRssMb: fullPeak,
      [`peakRssMbAt${rowsLabel(smallRows)}`]: smallPeak,
      [`rowsPerSecondAt${rowsLabel(smallRows)}`]: Math.round(small.perSecond),
      rssScope: scope,
      fileMb: fullMb,
    };

    // Pushes: 4 sources (a tax office each, so each has its own rate limit), 1,000 records a batch, new rows for each.
    worker = await startBenchWorker(server);
    const senders = await Promise.all(
      Array.from({ length: PUSH_SENDERS }, async (_, i) => {
        const source = await createSource(api, orgId, `bench 推送 ${i + 1}`, ['tax']);
        return new SourceSender(base, source.source.keyId, source.secret);
      }),
    );
    const batches = chunked(taxRecords(world, 0, pushRows), PUSH_BATCH);
    const latencies: number[] = [];
    let pushed = 0;
    let k = 0;
    const t0 = Date.now();
    await Promise.all(
      senders.map(async (sender) => {
        for (let step = batches.next(); !step.done; step = batches.next()) {
          const t = process.hrtime.bigint();
          const result = await sender.push('tax', `bench-${k++}`, step.value);
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (result.batch.counts.accepted !== step.value.length) throw new Error(`push accepted ${result.batch.counts.accepted} of ${step.value.length}`);
          pushed += step.value.length;
        }
      }),
    );
    const pushSeconds = (Date.now() - t0) / 1000;
    await worker.stop();
    latencies.sort((a, b) => a - b);
    const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    figures[`push ${PUSH_SENDERS} senders`] = {
      value: Math.round(pushed / pushSeconds),
      unit: 'rows/s',
      baseline: Math.round(rawRate.perSecond),
      baselineName: `raw multi-row INSERT (${RAW_ROWS_PER_STATEMENT} rows/statement), as above`,
      ratio: Number((pushed / pushSeconds / rawRate.perSecond).toFixed(3)),
      p50: Number(pick(0.5).toFixed(1)),
      p99: Number(pick(0.99).toFixed(1)),
      rows: pushed,
      senders: PUSH_SENDERS,
      recordsPerBatch: PUSH_BATCH,
      latencyUnit: 'ms per batch',
    };
    log(`  push: ${figures[`push ${PUSH_SENDERS} senders`]!.value} rows/s (p50 ${pick(0.5).toFixed(0)} ms, p99 ${pick(0.99).toFixed(0)} ms per batch)`);
  } finally {
    listener.closeAllConnections();
    listener.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return figures;
}

/** The ingest figures as a table, in the bench's style. */
export function ingestTable(figures: Record<string, IngestFigure>): string[] {
  const lines = ['', '| ingest | rows/s | p50 ms | p99 ms | peak RSS MiB | baseline | baseline rows/s | ratio |', '|---|---|---|---|---|---|---|---|'];
  for (const [name, f] of Object.entries(figures)) {
    lines.push(`| ${name} | ${f.value} | ${f.p50 ?? ''} | ${f.p99 ?? ''} | ${f.peakRssMb ?? ''} | ${f.baselineName} | ${f.baseline} | ${f.ratio} |`);
  }
  return lines;
}
