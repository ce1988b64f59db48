import { randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import {
  CREDIT_CATEGORIES,
  CREDIT_CATEGORY_LABELS,
  IMPORT_MAX_BYTES,
  INGEST_MAX_RECORDS,
  type PageResult,
  type TBatchCounts,
  type TCreditCategory,
  type TCurrentUser,
  type TDataSource,
  type TDataSourceWithSecret,
  type TIngestBatch,
  type TIngestResult,
  type TOrganisation,
  type TRowErrorItem,
} from '@xyd/shared';
import { buildApp } from '../app';
import type { AppContext } from '../context';
import { registeredEnterprisesByUscc } from '../modules/enterprises/repository';
import { enqueueJob } from '../jobs/queue';
import { startWorker } from '../jobs/worker';
import { signRequest } from '../modules/api-clients/signature';
import { recordAudit } from '../modules/audit/service';
import { AdminUser } from '../modules/identity/models';
import { SESSION_COOKIE } from '../modules/identity/routes';
import { openSession, revokeSession } from '../modules/identity/sessions';
import {
  WORLD_SOURCES,
  fileCells,
  fileHeader,
  lastCompleteMonth,
  monthKey,
  resolveWorld,
  worldFileRows,
  worldFirm,
  worldOutcome,
  worldMonths,
  worldRowsOf,
  type World,
  type WorldRecord,
  type WorldSource,
  type WorldSourceKey,
} from './world';

/**
 * Loads the demo world through the real pipeline, as the departments would: the platform admin registers the data
 * sources, registration arrives first as CSV files imported by the worker, then the other categories, the large
 * ones as files (one per FILE_ROWS rows) and some as signed pushes of JSON batches (utilities month by month).
 * Nothing is inserted directly: every row is normalised, checked, de-duplicated and stored by the server.
 * The files are as departments send them (`worldFileRows`): a few mistyped rows, which the pipeline rejects with
 * their reasons, and a few rows about firms without a registration, rejected or held as the source is configured.
 *
 * Running it again with the same options changes nothing: records reuse their external ids (so the files come
 * back as duplicates, but for the mistyped and unknown firms' rows, which are rejected and counted again; held
 * rows are duplicates) and pushes reuse their batch ids (so they replay the first answer).
 */

export const FILE_ROWS = 500_000;

export interface LoadWorldOptions {
  enterprises: number;
  months?: number;
  seed?: number;
  /** 'YYYY-MM' (default: the last month that has ended). */
  endMonth?: string;
  /** Rows per imported file (default 500,000), and bytes (default IMPORT_MAX_BYTES): a file ends at whichever comes first. */
  fileRows?: number;
  fileBytes?: number;
  /** Records per pushed batch (default and at most INGEST_MAX_RECORDS). */
  pushRecords?: number;
  /** Concurrent signed senders (default 2). */
  senders?: number;
  /** How often batches are polled, and progress printed (ms). */
  pollMs?: number;
  progressMs?: number;
  log?: (line: string) => void;
  /** Where the CSV files are written before upload (default: the system's temp folder); they are removed after. */
  tmpDir?: string;
}

export interface CategoryTotals extends TBatchCounts {
  category: TCreditCategory;
  /** Rows the world has for this category, and batches that carried them. */
  rows: number;
  batches: number;
  /** Pushed batches answered from an earlier run (nothing written again). */
  replayed: number;
  failed: number;
}

export interface BatchOutcome {
  id: string;
  source: WorldSourceKey;
  category: TCreditCategory;
  origin: 'file' | 'push';
  name: string;
  rows: number;
  status: TIngestBatch['status'];
  counts: TBatchCounts;
  replayed: boolean;
  failureReason: string | null;
  /** The first row errors, when some rows were refused. */
  errors: TRowErrorItem[];
}

export interface WorldLoadSummary {
  world: { enterprises: number; months: number; seed: number; endMonth: string; fingerprint: string };
  sources: Array<{ key: WorldSourceKey; id: string; name: string }>;
  categories: CategoryTotals[];
  batches: BatchOutcome[];
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  failed: BatchOutcome[];
}

/** Something the server refused or could not be reached for; the message names the step. */
export class WorldLoadError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Envelope<T> {
  success: boolean;
  data?: T;
  errorCode?: string;
  errorMessage?: string;
}

async function readEnvelope<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  let body: Envelope<T> | null = null;
  try {
    body = JSON.parse(text) as Envelope<T>;
  } catch {
    body = null;
  }
  if (!res.ok || !body || !body.success) {
    const reason = body?.errorMessage ?? (text.slice(0, 200) || res.statusText);
    throw new WorldLoadError(`${what}失败：${reason}（HTTP ${res.status}${body?.errorCode ? `，${body.errorCode}` : ''}）`, res.status, body?.errorCode ?? null);
  }
  return body.data as T;
}

async function send(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new WorldLoadError(`${what}失败：无法连接 ${new URL(url).origin}（${cause?.code ?? cause?.message ?? (error as Error).message}）`);
  }
}

/** The console API as the platform admin uses it: a session cookie on every call. */
export class ConsoleApi {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
  ) {}

  static withSession(baseUrl: string, token: string): ConsoleApi {
    return new ConsoleApi(baseUrl.replace(/\/+$/, ''), `${SESSION_COOKIE}=${token}`);
  }

  /** Signs in with a password (and a TOTP code where the account has one). */
  static async signIn(baseUrl: string, username: string, password: string, totp?: string): Promise<ConsoleApi> {
    const base = baseUrl.replace(/\/+$/, '');
    const res = await send(
      `${base}/api/v1/auth/admin/login`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, ...(totp ? { totp } : {}) }) },
      `登录 ${base}（账号 ${username}）`,
    );
    const user = await readEnvelope<TCurrentUser>(res, `登录（账号 ${username}）`);
    if (user.mustEnrolTotp) {
      throw new WorldLoadError(`账号 ${username} 尚未绑定动态验证码，不能调用接口：演示环境请在服务端设置 ALLOW_ADMIN_WITHOUT_TOTP=true，或先为该账号绑定动态验证码后用 --totp 登录`);
    }
    if (user.role !== 'platform_admin') throw new WorldLoadError(`账号 ${username} 不是平台管理员（角色 ${user.role}），不能登记数据源`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new WorldLoadError(`以 ${username} 登录失败：服务器没有返回会话 Cookie`);
    return new ConsoleApi(base, cookie.split(';')[0]!);
  }

  private async call<T>(method: string, apiPath: string, what: string, body?: unknown): Promise<T> {
    const res = await send(
      `${this.baseUrl}/api/v1${apiPath}`,
      { method, headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) },
      what,
    );
    return readEnvelope<T>(res, what);
  }

  get<T>(apiPath: string, what: string): Promise<T> {
    return this.call<T>('GET', apiPath, what);
  }

  post<T>(apiPath: string, body: unknown, what: string): Promise<T> {
    return this.call<T>('POST', apiPath, what, body);
  }

  patch<T>(apiPath: string, body: unknown, what: string): Promise<T> {
    return this.call<T>('PATCH', apiPath, what, body);
  }

  /** A multipart upload: text fields and one file, streamed from disk. */
  async upload<T>(apiPath: string, fields: Record<string, string>, file: { path: string; name: string; type: string }, what: string): Promise<T> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    form.set('file', await openAsBlob(file.path, { type: file.type }), file.name);
    const res = await send(`${this.baseUrl}/api/v1${apiPath}`, { method: 'POST', headers: { cookie: this.cookie }, body: form }, what);
    return readEnvelope<T>(res, what);
  }
}

/** A data source's system: signs each push with its key (HMAC, see docs/integration.md). */
export class SourceSender {
  constructor(
    readonly baseUrl: string,
    readonly keyId: string,
    private readonly secret: string,
  ) {}

  async push(category: TCreditCategory, batchId: string, records: readonly WorldRecord[], format: 'json' | 'ndjson' = 'json'): Promise<TIngestResult> {
    const body = format === 'json' ? JSON.stringify(records) : `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
    const target = `/api/v1/ingest/${category}?batchId=${encodeURIComponent(batchId)}`;
    const what = `推送「${CREDIT_CATEGORY_LABELS[category]}」批次 ${batchId}`;
    for (let attempt = 1; ; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(16).toString('hex');
      const res = await send(
        `${this.baseUrl}${target}`,
        {
          method: 'POST',
          headers: {
            'content-type': format === 'json' ? 'application/json' : 'application/x-ndjson',
            'x-key-id': this.keyId,
            'x-timestamp': timestamp,
            'x-nonce': nonce,
            'x-signature': signRequest(this.secret, 'POST', target, timestamp, nonce, body),
          },
          body,
        },
        what,
      );
      // Over the source's rate: wait as told and send again (a new nonce; the same batch id).
      if (res.status === 429 && attempt < 30) {
        await res.arrayBuffer();
        await delay(Math.max(250, Number(res.headers.get('retry-after') ?? 1) * 1000));
        continue;
      }
      return readEnvelope<TIngestResult>(res, what);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Organisations and sources

interface ReadySource {
  key: WorldSourceKey;
  id: string;
  name: string;
  sender: SourceSender;
}

async function findOrganisation(api: ConsoleApi, spec: WorldSource['organisation']): Promise<{ id: string; name: string }> {
  if (!spec) {
    const page = await api.get<PageResult<TOrganisation>>('/organisations?type=platform&pageSize=1', '查找平台运营方');
    const platform = page.list[0];
    if (!platform) throw new WorldLoadError('找不到平台运营方机构：请先初始化演示数据');
    return platform;
  }
  const page = await api.get<PageResult<TOrganisation>>(`/organisations?keyword=${encodeURIComponent(spec.name)}&pageSize=100`, `查找机构「${spec.name}」`);
  const found = page.list.find((o) => o.name === spec.name);
  if (found) return found;
  return api.post<TOrganisation>('/organisations', spec, `新建机构「${spec.name}」`);
}

async function allDataSources(api: ConsoleApi): Promise<TDataSource[]> {
  const list: TDataSource[] = [];
  for (let current = 1; ; current++) {
    const page = await api.get<PageResult<TDataSource>>(`/data-sources?current=${current}&pageSize=100`, '读取数据源列表');
    list.push(...page.list);
    if (page.list.length < 100 || list.length >= page.total) return list;
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Finds or registers each source; an existing one is brought to the world's settings and gets a fresh key. */
async function ensureSources(api: ConsoleApi): Promise<Map<WorldSourceKey, ReadySource>> {
  const existing = await allDataSources(api);
  const ready = new Map<WorldSourceKey, ReadySource>();
  for (const spec of WORLD_SOURCES) {
    const organisation = await findOrganisation(api, spec.organisation);
    const found = existing.find((s) => s.organisationId === organisation.id && s.name === spec.name);
    let keyed: TDataSourceWithSecret;
    if (!found) {
      keyed = await api.post<TDataSourceWithSecret>(
        '/data-sources',
        { organisationId: organisation.id, name: spec.name, categories: spec.categories, regionCodes: spec.regionCodes, unknownUscc: spec.unknownUscc },
        `登记数据源「${spec.name}」`,
      );
    } else {
      if (!sameSet(found.categories, spec.categories) || !sameSet(found.regionCodes, spec.regionCodes) || !found.enabled || found.unknownUscc !== spec.unknownUscc) {
        await api.patch(
          `/data-sources/${found.id}`,
          { categories: spec.categories, regionCodes: spec.regionCodes, unknownUscc: spec.unknownUscc, enabled: true },
          `更新数据源「${spec.name}」`,
        );
      }
      // The secret was shown once, at creation: a new run takes a new key (the old one stops at once).
      keyed = await api.post<TDataSourceWithSecret>(`/data-sources/${found.id}/rotate`, { graceHours: 0 }, `轮换数据源「${spec.name}」的密钥`);
    }
    ready.set(spec.key, { key: spec.key, id: keyed.source.id, name: spec.name, sender: new SourceSender(api.baseUrl, keyed.source.keyId, keyed.secret) });
  }
  return ready;
}

// ---------------------------------------------------------------------------------------------------------------
// Files

const CSV_SPECIAL = /[",\r\n]/;
const csvCell = (cell: string) => (CSV_SPECIAL.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** One CSV file being written (UTF-8 with BOM, CRLF, as Excel saves "CSV UTF-8"), with backpressure. */
class CsvFile {
  rows = 0;
  bytes = 0;
  private buffer = '';
  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
  ) {}

  static open(filePath: string, header: string[]): CsvFile {
    const file = new CsvFile(filePath, createWriteStream(filePath));
    file.buffer = `\uFEFF${header.map(csvCell).join(',')}\r\n`;
    file.bytes = Buffer.byteLength(file.buffer);
    return file;
  }

  async write(cells: string[]): Promise<void> {
    const line = `${cells.map(csvCell).join(',')}\r\n`;
    this.buffer += line;
    this.bytes += Buffer.byteLength(line);
    this.rows += 1;
    if (this.buffer.length >= 64 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Writes a category's rows as one CSV file in file form; answers the number of data rows. */
export async function writeCsvFile(filePath: string, category: TCreditCategory, records: Iterable<WorldRecord>): Promise<number> {
  const file = CsvFile.open(filePath, fileHeader(category));
  for (const record of records) await file.write(fileCells(category, record));
  await file.close();
  return file.rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

interface Watched {
  id: string;
  source: WorldSourceKey;
  category: TCreditCategory;
  name: string;
  rows: number;
  rowsDone: number;
  status: TIngestBatch['status'];
}

/** Queued batches polled per round, oldest first. */
const QUEUED_POLLED = 4;

/** Polls the imported files' batches (getIngestBatch) until each is done or failed. */
class BatchWatcher {
  private readonly pending = new Map<string, Watched>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private failure: Error | null = null;

  constructor(
    private readonly api: ConsoleApi,
    private readonly pollMs: number,
    private readonly onFinished: (watched: Watched, batch: TIngestBatch) => Promise<void>,
  ) {}

  add(watched: Watched): void {
    this.pending.set(watched.id, watched);
    this.loop ??= this.run();
  }

  /** Rows the running imports have read so far. */
  get rowsInFlight(): number {
    let rows = 0;
    for (const w of this.pending.values()) rows += w.rowsDone;
    return rows;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * The batches worth asking about this round: the running ones and the oldest few still queued (files queue far
   * faster than a worker imports them, and a queued batch does not move).
   */
  private due(): Watched[] {
    const due: Watched[] = [];
    let queued = 0;
    for (const watched of this.pending.values()) {
      if (watched.status !== 'queued') due.push(watched);
      else if (queued++ < QUEUED_POLLED) due.push(watched);
    }
    return due;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        for (const watched of this.due()) {
          const batch = await this.api.get<TIngestBatch>(`/ingest-batches/${watched.id}`, `查询导入批次 ${watched.name}`);
          watched.rowsDone = batch.rowsDone;
          watched.status = batch.status;
          if (batch.status === 'done' || batch.status === 'failed') {
            this.pending.delete(watched.id);
            await this.onFinished(watched, batch);
          }
        }
      } catch (error) {
        this.failure = error as Error;
        this.pending.clear();
      }
      if (this.pending.size === 0) {
        for (const wake of this.waiters.splice(0)) wake();
        if (this.failure) break;
      }
      await delay(this.pollMs);
    }
    this.loop = null;
  }

  /** Resolves once every batch added so far has finished. */
  async settled(): Promise<void> {
    if (this.pending.size > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

const formatInt = (n: number) => Math.round(n).toLocaleString('en-US');
const clockOf = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

// ---------------------------------------------------------------------------------------------------------------
// The load

/** What goes by file and what by push, in order; registration goes first, on its own. */
const FILE_PLAN: ReadonlyArray<readonly [WorldSourceKey, TCreditCategory]> = [
  ['tax', 'tax'],
  ['hrss', 'social_security'],
  ['market', 'licence'],
  ['market', 'penalty'],
  ['logistics', 'logistics'],
];
const PUSH_PLAN: ReadonlyArray<readonly [WorldSourceKey, TCreditCategory, string]> = [
  ['court', 'court_case', 'court'],
  ['court', 'blacklist', 'sxbzx'],
  ['tax', 'blacklist', 'sswf'],
  ['market', 'honour', 'honour'],
];

interface PushTask {
  source: WorldSourceKey;
  category: TCreditCategory;
  batchId: string;
  records: WorldRecord[];
  format: 'json' | 'ndjson';
}

/** Records in arrays of `size` (the last may be shorter). */
export function* chunked(records: Iterable<WorldRecord>, size: number): Generator<WorldRecord[]> {
  let chunk: WorldRecord[] = [];
  for (const record of records) {
    chunk.push(record);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Utilities month by month (JSON lines, `util-YYYY-MM-k`), then the event categories (JSON arrays). */
function* pushTasks(world: World, size: number): Generator<PushTask> {
  for (const abs of worldMonths(world)) {
    let k = 0;
    for (const records of chunked(worldRowsOf(world, 'grid', 'utility', { months: [abs] }), size)) {
      yield { source: 'grid', category: 'utility', batchId: `util-${monthKey(abs)}-${k++}.${world.fingerprint}`, records, format: 'ndjson' };
    }
  }
  for (const [source, category, prefix] of PUSH_PLAN) {
    let k = 0;
    for (const records of chunked(worldRowsOf(world, source, category), size)) {
      yield { source, category, batchId: `${prefix}-${k++}.${world.fingerprint}`, records, format: 'json' };
    }
  }
}

const emptyTotals = (category: TCreditCategory): CategoryTotals => ({
  category,
  rows: 0,
  batches: 0,
  replayed: 0,
  failed: 0,
  received: 0,
  accepted: 0,
  duplicate: 0,
  superseded: 0,
  rejected: 0,
  held: 0,
});

/** Loads the world through a console session on a running server (`api`). */
export async function loadWorld(api: ConsoleApi, options: LoadWorldOptions): Promise<WorldLoadSummary> {
  const world = resolveWorld({ enterprises: options.enterprises, months: options.months, seed: options.seed, endMonth: options.endMonth ?? lastCompleteMonth() });
  const fileRows = options.fileRows ?? FILE_ROWS;
  const pushRecords = Math.min(options.pushRecords ?? INGEST_MAX_RECORDS, INGEST_MAX_RECORDS);
  if (!Number.isInteger(fileRows) || fileRows < 1) throw new WorldLoadError(`每个文件的行数（--file-rows）应为正整数，当前为 ${String(fileRows)}`);
  // A row never splits: a file ends before the row that would take it past the limit (the header and one row fit).
  const fileBytes = Math.min(options.fileBytes ?? IMPORT_MAX_BYTES, IMPORT_MAX_BYTES) - 64 * 1024;
  if (!(fileBytes >= 64 * 1024)) throw new WorldLoadError('每个文件的大小上限（--file-mb）至少为 1 MB');
  if (!Number.isInteger(pushRecords) || pushRecords < 1) throw new WorldLoadError(`每批推送条数应为 1 到 ${INGEST_MAX_RECORDS} 的整数`);
  const senders = Math.max(1, options.senders ?? 2);
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();

  log(`demo world: ${formatInt(world.enterprises)} enterprises, ${world.months} months ${monthKey(world.startAbs)}…${world.endMonth}, seed ${world.seed} (world ${world.fingerprint}) → ${api.baseUrl}`);
  const sources = await ensureSources(api);
  log(`data sources: ${[...sources.values()].map((s) => `${s.name} #${s.id}`).join('; ')}`);

  const totals = new Map<TCreditCategory, CategoryTotals>(CREDIT_CATEGORIES.map((c) => [c, emptyTotals(c)]));
  const outcomes: BatchOutcome[] = [];
  let rowsFinished = 0;
  let filesUploaded = 0;
  let pushesSent = 0;

  const finish = (outcome: BatchOutcome) => {
    outcomes.push(outcome);
    const t = totals.get(outcome.category)!;
    t.rows += outcome.rows;
    t.batches += 1;
    if (outcome.replayed) t.replayed += 1;
    if (outcome.status === 'failed') t.failed += 1;
    for (const key of ['received', 'accepted', 'duplicate', 'superseded', 'rejected', 'held'] as const) t[key] += outcome.counts[key];
    rowsFinished += outcome.rows;
  };

  const pollMs = options.pollMs ?? 250;
  const watcher = new BatchWatcher(api, pollMs, async (watched, batch) => {
    let errors: TRowErrorItem[] = [];
    if (batch.counts.rejected > 0) {
      errors = (await api.get<PageResult<TRowErrorItem>>(`/ingest-batches/${batch.id}/errors?pageSize=5`, `读取批次 ${watched.name} 的错误`)).list;
    }
    finish({
      id: batch.id,
      source: watched.source,
      category: watched.category,
      origin: 'file',
      name: watched.name,
      rows: watched.rows,
      status: batch.status,
      counts: batch.counts,
      replayed: false,
      failureReason: batch.failureReason,
      errors,
    });
  });

  const progress = setInterval(() => {
    const elapsed = Date.now() - started;
    const rows = rowsFinished + watcher.rowsInFlight;
    log(
      `[${clockOf(elapsed)}] ${formatInt(rows)} rows through the pipeline (${formatInt(rows / Math.max(1, elapsed / 1000))} rows/s) · files ${filesUploaded} uploaded, ${watcher.inFlight} importing · pushes ${pushesSent} sent`,
    );
  }, options.progressMs ?? 2000);
  progress.unref();

  const tmp = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'xyd-world-'));

  /** Writes a category's file rows into CSV files of `fileRows` rows and uploads each as it is complete. */
  const uploadFiles = async (sourceKey: WorldSourceKey, category: TCreditCategory) => {
    const source = sources.get(sourceKey)!;
    let file: CsvFile | null = null;
    let part = 0;
    const upload = async () => {
      if (!file) return;
      const done = file;
      file = null;
      await done.close();
      const name = path.basename(done.path);
      const batch = await api
        .upload<TIngestBatch>('/ingest-batches', { sourceId: source.id, category }, { path: done.path, name, type: 'text/csv' }, `上传「${CREDIT_CATEGORY_LABELS[category]}」文件 ${name}`)
        .catch((error: unknown) => {
          if (error instanceof WorldLoadError && error.status === 413) {
            throw new WorldLoadError(`${error.message}；文件 ${(done.bytes / 2 ** 20).toFixed(1)} MB，可用 --file-mb 或 --file-rows 把文件分得更小`, 413, error.code);
          }
          throw error;
        });
      filesUploaded += 1;
      await rm(done.path, { force: true });
      watcher.add({ id: batch.id, source: sourceKey, category, name, rows: done.rows, rowsDone: 0, status: batch.status });
    };
    const header = fileHeader(category);
    for (const row of worldFileRows(world, sourceKey, category)) {
      file ??= CsvFile.open(path.join(tmp, `${CREDIT_CATEGORY_LABELS[category]}-${world.fingerprint}-${++part}.csv`), header);
      await file.write(row.cells);
      if (file.rows >= fileRows || file.bytes >= fileBytes) await upload();
    }
    await upload();
  };

  const pushAll = async () => {
    const tasks = pushTasks(world, pushRecords);
    const next = (): PushTask | null => {
      const step = tasks.next();
      return step.done ? null : step.value;
    };
    await Promise.all(
      Array.from({ length: senders }, async () => {
        for (let task = next(); task; task = next()) {
          const result = await sources.get(task.source)!.sender.push(task.category, task.batchId, task.records, task.format);
          pushesSent += 1;
          finish({
            id: result.batch.id,
            source: task.source,
            category: task.category,
            origin: 'push',
            name: task.batchId,
            rows: task.records.length,
            status: result.batch.status,
            counts: result.batch.counts,
            replayed: result.replayed,
            failureReason: result.batch.failureReason,
            errors: result.errors.slice(0, 5),
          });
        }
      }),
    );
  };

  try {
    await uploadFiles('market', 'registration');
    await watcher.settled();
    const registration = totals.get('registration')!;
    if (registration.failed > 0) {
      const reason = outcomes.find((o) => o.category === 'registration' && o.status === 'failed')?.failureReason;
      throw new WorldLoadError(`登记注册数据导入失败，其他数据无法入库：${reason ?? '原因不明'}`);
    }
    log(`registration: ${formatInt(registration.accepted + registration.superseded)} firms stored, ${formatInt(registration.duplicate)} already there`);
    await Promise.all([
      (async () => {
        for (const [source, category] of FILE_PLAN) await uploadFiles(source, category);
      })(),
      pushAll(),
    ]);
    await watcher.settled();
  } finally {
    clearInterval(progress);
    watcher.stop();
    await rm(tmp, { recursive: true, force: true });
  }

  const seconds = (Date.now() - started) / 1000;
  const categories = CREDIT_CATEGORIES.map((c) => totals.get(c)!);
  const summary: WorldLoadSummary = {
    world: { enterprises: world.enterprises, months: world.months, seed: world.seed, endMonth: world.endMonth, fingerprint: world.fingerprint },
    sources: [...sources.values()].map((s) => ({ key: s.key, id: s.id, name: s.name })),
    categories,
    batches: outcomes,
    rows: rowsFinished,
    seconds,
    rowsPerSecond: rowsFinished / Math.max(seconds, 0.001),
    failed: outcomes.filter((o) => o.status === 'failed'),
  };
  for (const line of summaryLines(summary)) log(line);
  return summary;
}

/** The summary as a table, with the first row errors of any batch that refused rows. */
export function summaryLines(summary: WorldLoadSummary): string[] {
  const lines = [
    '',
    '| category | rows | batches | accepted | duplicate | superseded | rejected | held | replayed |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of summary.categories) {
    lines.push(
      `| ${c.category} ${CREDIT_CATEGORY_LABELS[c.category]} | ${formatInt(c.rows)} | ${c.batches} | ${formatInt(c.accepted)} | ${formatInt(c.duplicate)} | ${formatInt(c.superseded)} | ${formatInt(c.rejected)} | ${formatInt(c.held)} | ${c.replayed} |`,
    );
  }
  lines.push(
    '',
    `${formatInt(summary.rows)} rows in ${summary.batches.length} batches, ${summary.seconds.toFixed(1)} s, ${formatInt(summary.rowsPerSecond)} rows/s (world ${summary.world.fingerprint})`,
  );
  if (summary.categories.some((c) => c.replayed > 0)) lines.push('(replayed pushes were sent before with the same batch id: their counts are the first answer, nothing was written again)');
  for (const failed of summary.failed) lines.push(`FAILED ${failed.category} ${failed.name}: ${failed.failureReason ?? ''}`);
  for (const b of summary.batches.filter((o) => o.errors.length > 0).slice(0, 5)) {
    lines.push(`rejected rows in ${b.category} ${b.name}: ${b.errors.map((e) => `row ${e.rowNumber} ${e.reason}`).join('; ')}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// In process

export interface DemoWorldOptions extends LoadWorldOptions {
  /** The platform admin whose session loads the world (default `admin`). */
  username?: string;
  /** Run a job worker for the imports in this call (default true); false when the process already runs one. */
  worker?: boolean;
}

/**
 * Loads the world into this process's database: serves the API on a loopback port, runs a job worker, and drives
 * the pipeline over HTTP with a console session opened for the platform admin (no password needed in process).
 * For `npm start` with the demo (a few hundred firms) and `npm run demo:data` without `--url`.
 */
export async function loadDemoWorld(app: AppContext, options: DemoWorldOptions): Promise<WorldLoadSummary> {
  const username = options.username ?? 'admin';
  const user = await AdminUser.findOne({ where: { username } });
  if (!user || user.role !== 'platform_admin' || user.disabled) {
    throw new WorldLoadError(`找不到可用的平台管理员账号「${username}」：请先初始化演示数据（SEED_DEMO=true）或用 --username 指定`);
  }
  const meta = { ip: '127.0.0.1', requestId: `demo-world-${randomBytes(4).toString('hex')}`, userAgent: 'xyd-demo-data' };
  const { token, sessionId } = await app.db.transaction(async (t) => {
    const limits = { idleMs: app.config.session.consoleIdleMs, absoluteMs: app.config.session.consoleAbsoluteMs };
    const opened = await openSession(t, 'admin', user.id, limits, meta);
    await recordAudit(t, {
      actor: null,
      actorName: 'demo-data',
      action: 'system.demo_world',
      targetType: 'admin_user',
      targetId: user.id,
      outcome: 'success',
      detail: { enterprises: options.enterprises, months: options.months ?? null, seed: options.seed ?? null, endMonth: options.endMonth ?? null },
      meta,
    });
    return { token: opened.token, sessionId: opened.session.id };
  });

  const { koa } = buildApp(app);
  const server = http.createServer(koa.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stopWorker = options.worker === false ? null : startWorker(app, { ...app.config.worker, pollMs: Math.min(app.config.worker.pollMs, 200) });
  try {
    const summary = await loadWorld(ConsoleApi.withSession(baseUrl, token), options);
    await writeWorldOutcomes(app, options);
    // A year of month-end scores, so that each firm's 信用画像 has a history from the start (回溯计算).
    await app.db.transaction((t) => enqueueJob(t, 'credit.backfill-history', { months: 12 }));
    return summary;
  } finally {
    server.closeAllConnections();
    server.close();
    if (stopWorker) await stopWorker();
    await app.db.transaction((t) => revokeSession(t, sessionId, 'demo_world_done'));
  }
}

/**
 * The world's simulated loan outcomes (worldOutcome), stored as observed outcomes for training a candidate scorecard
 * on the platform's own data. Loans do not exist yet, so there is no API that reports outcomes; they are written
 * here directly, replacing earlier demo outcomes of the same firms. In process only (not with `--url`).
 */
export async function writeWorldOutcomes(app: AppContext, options: LoadWorldOptions): Promise<number> {
  const world = resolveWorld({ enterprises: options.enterprises, months: options.months, seed: options.seed, endMonth: options.endMonth ?? lastCompleteMonth() });
  let written = 0;
  for (let start = 0; start < world.enterprises; start += 1000) {
    const firms = Array.from({ length: Math.min(1000, world.enterprises - start) }, (_, i) => worldFirm(world, start + i));
    const known = await registeredEnterprisesByUscc(firms.map((f) => f.uscc));
    const rows = firms.flatMap((firm) => {
      const enterprise = known.get(firm.uscc);
      if (!enterprise) return [];
      const outcome = worldOutcome(world, firm);
      return [{ enterpriseId: enterprise.id, observedOn: outcome.observedOn, defaulted: outcome.defaulted }];
    });
    if (rows.length === 0) continue;
    await app.db.transaction(async (t) => {
      const sequelize = app.db.sequelize;
      await sequelize.query('DELETE FROM credit_outcomes WHERE enterprise_id IN (:ids)', { replacements: { ids: rows.map((r) => r.enterpriseId) }, transaction: t });
      await sequelize.query(
        `INSERT INTO credit_outcomes (enterprise_id, observed_on, defaulted, origin) VALUES ${rows.map(() => "(?, ?, ?, 'demo')").join(',')}`,
        { replacements: rows.flatMap((r) => [r.enterpriseId, r.observedOn, r.defaulted]), transaction: t },
      );
    });
    written += rows.length;
  }
  return written;
}
