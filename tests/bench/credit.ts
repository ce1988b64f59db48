/**
 * The credit engine part of `npm run bench`, on a server (database) of its own:
 * - pure scoring of one firm in process (features + score + reasons), p50 and p99;
 * - the full recompute (`credit.recompute-all`'s loop) over a world of BENCH_CREDIT_ENTERPRISES firms (default
 *   20,000 on MySQL, 2,000 on SQLite) with 24 months of records, in firms/s: the first run writes every score, the
 *   second finds nothing changed. Beside it, the same reads (the batch's enterprise rows and current records) by a
 *   raw driver, without scoring, in the same run;
 * - the time from a committed 10,000-row batch (penalties pushed by a data source) to all of its warnings being
 *   visible, with a worker running on its normal schedule.
 * The world is written straight into the tables (bench setup, not measured): the pipeline's own rate is the ingest
 * bench's figure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZProductTerms, addDays, canonicalCreditContent, normaliseCreditRow, shanghaiDate, type PageResult, type TCreditCategory, type TDataSourceWithSecret, type TOrganisation } from '@xyd/shared';
import { CREDIT_RECORD_COLUMNS } from '../../server/src/modules/credit-data/ingest';
import { recomputeAll, RECOMPUTE_BATCH } from '../../server/src/modules/credit-engine/jobs';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { startWorker } from '../../server/src/jobs/worker';
import { newId } from '../../server/src/lib/ids';
import { industryByCode } from '@xyd/shared';
import { ConsoleApi, SourceSender } from '../../server/src/seed/load-world';
import { lastCompleteMonth, resolveWorld, worldRows, type World } from '../../server/src/seed/world';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../server/helpers';
import { AdminUser, Organisation } from '../../server/src/modules/identity/models';
import { FinancingNeed, Product, ProductRevision } from '../../server/src/modules/matching/models';
import { rematchProductBatch } from '../../server/src/modules/matching/run';
import { benchPureScoring } from './credit-score';
import type { IngestFigure } from './ingest';

const SCORED: TCreditCategory[] = ['licence', 'penalty', 'blacklist', 'honour', 'tax', 'social_security', 'utility', 'court_case'];
const WARNING_ROWS = 10_000;

async function insertWorld(server: TestServer, world: World, log: (line: string) => void): Promise<Map<string, string>> {
  const sequelize = server.app.db.sequelize;
  // The world's first firms are the demo's, already seeded: their rows attach to the existing ones.
  const existing = (await Enterprise.findAll({ attributes: ['id', 'uscc'], raw: true })) as Array<{ id: unknown; uscc: string }>;
  const ids = new Map<string, string>(existing.map((e) => [e.uscc, String(e.id)]));
  let batch: Array<Parameters<typeof Enterprise.bulkCreate>[0][number]> = [];
  const flushFirms = async () => {
    if (batch.length) await Enterprise.bulkCreate(batch);
    batch = [];
  };
  for (const row of worldRows(world, 'registration')) {
    const n = normaliseCreditRow('registration', row.record, 'push');
    if (!n.ok || ids.has(n.record.uscc)) continue;
    const p = n.record.payload as Record<string, string | number>;
    const id = newId();
    ids.set(n.record.uscc, id);
    batch.push({
      id,
      uscc: n.record.uscc,
      name: String(p.name),
      legalRepName: String(p.legalRepName),
      legalRepIdHmac: '',
      legalRepIdMasked: '',
      registeredCapitalFen: String(p.registeredCapitalFen),
      establishedOn: String(p.establishedOn),
      industryCode: String(p.industryCode),
      industryName: industryByCode(String(p.industryCode))?.name ?? '',
      regionCode: String(p.regionCode),
      scale: p.scale as 'small',
      status: p.status as 'active',
      address: null,
      businessScope: null,
    });
    if (batch.length >= 1000) await flushFirms();
  }
  await flushFirms();
  const columns = CREDIT_RECORD_COLUMNS.join(',');
  const tuple = `(${CREDIT_RECORD_COLUMNS.map(() => '?').join(',')})`;
  const now = new Date();
  let params: unknown[] = [];
  let rows = 0;
  let inChunk = 0;
  const flush = async () => {
    if (inChunk === 0) return;
    await sequelize.query(`INSERT INTO credit_records (${columns}) VALUES ${Array(inChunk).fill(tuple).join(',')}`, { replacements: params });
    params = [];
    inChunk = 0;
  };
  for (const category of SCORED) {
    for (const row of worldRows(world, category)) {
      const n = normaliseCreditRow(category, row.record, 'push');
      const enterpriseId = n.ok ? ids.get(n.record.uscc) : undefined;
      if (!n.ok || !enterpriseId) continue;
      const r = n.record;
      rows += 1;
      params.push(
        newId(),
        enterpriseId,
        r.uscc,
        category,
        '1',
        r.externalId,
        r.period,
        r.occurredOn,
        r.endsOn,
        r.adverse,
        category === 'penalty' && Boolean((r.payload as { corrected?: boolean }).corrected),
        JSON.stringify(r.payload),
        createHash('sha256').update(canonicalCreditContent(r)).digest('hex'),
        1,
        '1',
        rows,
        now,
      );
      if (++inChunk >= 1000) await flush();
    }
  }
  await flush();
  log(`credit bench world: ${ids.size.toLocaleString('en-US')} firms, ${rows.toLocaleString('en-US')} records (24 months)`);
  return ids;
}

/** The reads of one recompute batch, by a raw driver: enterprise rows and current records, not parsed or scored. */
async function rawReadRate(server: TestServer): Promise<number> {
  const sequelize = server.app.db.sequelize;
  const [all] = (await sequelize.query('SELECT id FROM enterprises ORDER BY id')) as [Array<{ id: unknown }>, unknown];
  const ids = all.map((r) => String(r.id));
  const raw = await rawQuery(server);
  try {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ids.length; i += RECOMPUTE_BATCH) {
      const slice = ids.slice(i, i + RECOMPUTE_BATCH);
      const marks = slice.map(() => '?').join(',');
      await raw(`SELECT * FROM enterprises WHERE id IN (${marks})`, slice);
      await raw(
        `SELECT id, enterprise_id, source_id, external_id, category, period, occurred_on, ends_on, adverse, corrected, disputed, payload FROM credit_records
         WHERE enterprise_id IN (${marks}) AND is_current = 1 AND expired_at IS NULL AND category NOT IN ('registration', 'logistics')`,
        slice,
      );
    }
    return ids.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    await raw.close();
  }
}

type RawQuery = ((sql: string, params: unknown[]) => Promise<unknown>) & { close(): Promise<void> };

async function rawQuery(server: TestServer): Promise<RawQuery> {
  const url = server.app.config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    const db = new sqlite3.Database(url.slice('sqlite:'.length));
    const run = ((sql: string, params: unknown[]) => new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows))))) as RawQuery;
    run.close = () => new Promise((resolve) => db.close(() => resolve()));
    return run;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const connection = await mysql.createConnection({ uri: url.replace(/^mariadb:/, 'mysql:') });
  const run = (async (sql: string, params: unknown[]) => (await connection.query(sql, params))[0]) as RawQuery;
  run.close = () => connection.end();
  return run;
}

/** Penalty rows for the first firms, recent, every one of a severity that raises a warning. */
function penaltyRows(world: World, ids: Map<string, string>, count: number): Array<Record<string, unknown>> {
  const usccs = [...ids.keys()];
  const today = shanghaiDate(new Date());
  return Array.from({ length: count }, (_, i) => ({
    uscc: usccs[i % usccs.length],
    externalId: `BENCH-PEN-${world.seed}-${i}`,
    decisionNo: `基准处罚〔2026〕${i}号`,
    cause: '未按规定公示年度报告',
    penaltyType: 'fine',
    amountFen: 100_000 + i,
    severity: i % 3 === 0 ? 'serious' : 'general',
    decidedOn: addDays(today, -(i % 30) - 1),
    decidedBy: '杭州市市场监督管理局',
    corrected: false,
    correctedOn: null,
  }));
}

export async function benchCredit(log: (line: string) => void = (line) => console.log(line)): Promise<Record<string, IngestFigure>> {
  const figures: Record<string, IngestFigure> = {};
  const pure = benchPureScoring();
  figures['pure scoring of one firm'] = {
    value: Math.round(pure.perSecond),
    unit: 'firms/s',
    baseline: 0,
    baselineName: `in process, ${pure.records} records`,
    ratio: 0,
    p50: Number((pure.p50Us / 1000).toFixed(4)),
    p99: Number((pure.p99Us / 1000).toFixed(4)),
  };

  const server = await startTestServer({ API_CLIENT_RATE_LIMIT: '1000000', CREDIT_SCORE_INTERVAL_MS: '1000', OUTBOX_INTERVAL_MS: process.env.BENCH_OUTBOX_MS ?? '2000' }, { signInLimit: 1_000_000 });
  try {
    const mysql = server.app.db.dialect === 'mysql';
    const enterprises = Number(process.env.BENCH_CREDIT_ENTERPRISES ?? (mysql ? 20_000 : 2_000));
    const world = resolveWorld({ enterprises, months: 24, seed: 2027, endMonth: lastCompleteMonth() });
    const ids = await insertWorld(server, world, log);
    const total = await Enterprise.count();

    const baseline = await rawReadRate(server);
    for (const [label, run] of [
      ['first: every score written', 1],
      ['again: nothing changed', 2],
    ] as const) {
      const t0 = process.hrtime.bigint();
      const outcome = await recomputeAll(server.app, {});
      const perSecond = outcome.scored / (Number(process.hrtime.bigint() - t0) / 1e9);
      figures[`full recompute (${label})`] = {
        value: Math.round(perSecond),
        unit: 'firms/s',
        baseline: Math.round(baseline),
        baselineName: 'raw read of the same enterprise rows and records',
        ratio: Number((perSecond / baseline).toFixed(3)),
        firms: total,
        written: outcome.written,
        run,
      };
    }

    figures['re-match needs after a product edit (worker path)'] = await benchRematch(server, [...ids.values()], baseline, log);

    // A 10,000-row batch of penalties, pushed by a data source while a worker runs on its schedule.
    const listener = http.createServer(server.callback).listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    const stop = startWorker(server.app, { ...server.app.config.worker, pollMs: 100 });
    try {
      const api = await ConsoleApi.signIn(base, 'admin', DEMO_PASSWORD);
      const orgs = await api.get<PageResult<TOrganisation>>(`/organisations?keyword=${encodeURIComponent('浙江省发展和改革委员会')}`, '查找机构');
      const source = await api.post<TDataSourceWithSecret>(
        '/data-sources',
        { organisationId: orgs.list[0]!.id, name: 'bench 行政处罚', categories: ['penalty'], regionCodes: ['330000'], unknownUscc: 'reject' },
        '登记数据源',
      );
      const sender = new SourceSender(base, source.source.keyId, source.secret);
      const rows = penaltyRows(world, ids, WARNING_ROWS);
      const sent = Date.now();
      const tag = randomBytes(3).toString('hex');
      for (let i = 0; i < rows.length; i += 5000) await sender.push('penalty', `bench-${tag}-${i}`, rows.slice(i, i + 5000) as never);
      const committed = Date.now();
      const sequelize = server.app.db.sequelize;
      let visible = 0;
      while (visible < rows.length) {
        const [[row]] = (await sequelize.query("SELECT COUNT(*) AS n FROM credit_warnings WHERE rule = 'penalty' AND cause_key LIKE 'penalty:%BENCH-PEN-%'")) as [Array<{ n: unknown }>, unknown];
        visible = Number(row!.n);
        if (Date.now() - committed > 300_000) throw new Error(`only ${visible} of ${rows.length} warnings after 300 s`);
        if (visible < rows.length) await new Promise((r) => setTimeout(r, 50));
      }
      const latency = (Date.now() - committed) / 1000;
      figures['10k-row batch → its warnings visible'] = {
        value: Number(latency.toFixed(2)),
        unit: 's',
        baseline: Number(((committed - sent) / 1000).toFixed(2)),
        baselineName: 'the push of the batch itself (s)',
        ratio: Number((latency / ((committed - sent) / 1000)).toFixed(3)),
        warnings: rows.length,
        firms: Math.min(rows.length, ids.size),
        scoreIntervalMs: server.app.config.credit.scoreIntervalMs,
      };
    } finally {
      await stop();
      listener.close();
    }
  } finally {
    await server.close();
  }
  return figures;
}

/**
 * `matching.rematch-product`'s loop over one open need per firm after a product edit: each batch of 200 needs reads
 * its firms' rows and records, scores them for their profile, evaluates the product and writes the changed rows.
 * Baseline: the raw read of the same firms' rows and records (the recompute's baseline), in firms/s.
 */
async function benchRematch(server: TestServer, enterpriseIds: string[], rawFirmsPerSecond: number, log: (line: string) => void): Promise<IngestFigure> {
  const count = Math.min(enterpriseIds.length, Number(process.env.BENCH_REMATCH_NEEDS ?? 20_000));
  const now = new Date();
  const today = shanghaiDate(now);
  const advisor = await AdminUser.findOne({ where: { username: 'advisor' } });
  for (let i = 0; i < count; i += 1000) {
    await FinancingNeed.bulkCreate(
      enterpriseIds.slice(i, Math.min(count, i + 1000)).map((enterpriseId, j) => ({
        id: newId(),
        enterpriseId,
        regionCode: '330106',
        submittedBy: advisor!.id,
        amountFen: (50 + ((i + j) % 10) * 50) * 1_000_000,
        termMonths: 12,
        purpose: 'working_capital' as const,
        guaranteeMethods: 'credit',
        maxRateBp: 600,
        urgency: 'month' as const,
        note: '',
        status: 'reviewing' as const,
        advisorId: advisor!.id,
        assignedAt: now,
        submittedAt: now,
        updatedAt: now,
        clockFrom: today,
        dueOn: addDays(today, 5),
        dueConfirmed: true,
        matchedAt: now,
        version: 1,
      })),
    );
  }
  const org = await Organisation.findOne({ where: { name: '钱塘农村商业银行' } });
  const terms = ZProductTerms.parse({
    name: 'bench 信用贷',
    type: 'credit',
    amountMinFen: 10_000_000,
    amountMaxFen: 300_000_000,
    termMinMonths: 6,
    termMaxMonths: 36,
    rateMinBp: 380,
    rateMaxBp: 560,
    guaranteeMethods: ['credit'],
    repaymentMethods: ['interest_first'],
    turnaroundDays: 5,
    criteria: { regionCodes: ['330000'], minRating: 'BBB', penaltyLimit: { maxSeverity: 'general', months: 24 } },
  });
  const productId = newId();
  const revisionId = newId();
  await ProductRevision.create({ id: revisionId, productId, revision: 1, terms: JSON.stringify(terms), wasPublished: true, createdBy: advisor!.id, createdByName: 'bench', createdAt: now });
  await Product.create({
    id: productId,
    institutionId: org!.id,
    status: 'published',
    revision: 1,
    revisionId,
    name: terms.name,
    type: terms.type,
    amountMinFen: terms.amountMinFen,
    amountMaxFen: terms.amountMaxFen,
    termMinMonths: terms.termMinMonths,
    termMaxMonths: terms.termMaxMonths,
    rateMinBp: terms.rateMinBp,
    guaranteeMethods: 'credit',
    publishedAt: now,
    createdBy: advisor!.id,
    createdAt: now,
    updatedAt: now,
  });
  const t0 = process.hrtime.bigint();
  let cursor: string | null = null;
  let needs = 0;
  let fits = 0;
  for (;;) {
    const batch = await rematchProductBatch(server.app, productId, cursor);
    if (batch.lastId === null) break;
    cursor = batch.lastId;
    needs += batch.needs;
    fits += batch.newFits;
  }
  const perSecond = needs / (Number(process.hrtime.bigint() - t0) / 1e9);
  log(`re-match bench: ${needs} needs, ${fits} new fits`);
  return {
    value: Math.round(perSecond),
    unit: 'needs/s',
    baseline: Math.round(rawFirmsPerSecond),
    baselineName: 'raw read of the same firms’ rows and records (firms/s)',
    ratio: Number((perSecond / rawFirmsPerSecond).toFixed(3)),
    needs,
    newFits: fits,
  };
}

export function creditTable(figures: Record<string, IngestFigure>): string[] {
  const lines = ['\n| credit engine | value | p50 ms | p99 ms | baseline | baseline value | ratio |', '|---|---|---|---|---|---|---|'];
  for (const [name, f] of Object.entries(figures)) {
    lines.push(`| ${name} | ${f.value} ${f.unit} | ${f.p50 ?? ''} | ${f.p99 ?? ''} | ${f.baselineName} | ${f.baseline || ''} | ${f.ratio || ''} |`);
  }
  return lines;
}
