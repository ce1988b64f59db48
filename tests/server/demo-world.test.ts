import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import {
  CREDIT_CATEGORIES,
  canonicalCreditContent,
  creditHeaderMap,
  normaliseCreditRow,
  type TCreditCategory,
  type TCreditRecordSummary,
  type TNormaliseResult,
  type TRowErrorItem,
} from '@xyd/shared';
import { startWorker } from '../../server/src/jobs/worker';
import { computeQuality, readQuality } from '../../server/src/modules/credit-data/quality';
import { findRegion } from '../../server/src/modules/regions/service';
import { ConsoleApi, loadDemoWorld, loadWorld, type WorldLoadSummary } from '../../server/src/seed/load-world';
import {
  INDUSTRY_PROFILES,
  WORLD_DEFECT_KINDS,
  WORLD_DISTRICTS,
  WORLD_SOURCES,
  WorldOptionsError,
  fileCells,
  fileHeader,
  monthKey,
  resolveWorld,
  worldFileRows,
  worldFirm,
  worldLastSentAbs,
  worldRows,
  worldRowsOf,
  type World,
  type WorldDefectKind,
  type WorldSourceKey,
} from '../../server/src/seed/world';
import { DEMO_PASSWORD, signInAdmin, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * The demo world generator: the seeded model (deterministic, valid in both forms, realistic shares, declines that
 * show in utilities before arrears; files with a few mistyped rows and unregistered firms beside intact good rows;
 * a source that went silent) and a tiny world loaded through the real pipeline (files on the worker and signed
 * pushes), twice, on the test database (SQLite, or MariaDB with DATABASE_URL=mysql://…).
 */

const END = '2026-06';

/** What goes by file: registration first, then the large categories. */
const FILES: ReadonlyArray<readonly [WorldSourceKey, TCreditCategory]> = [
  ['market', 'registration'],
  ['tax', 'tax'],
  ['hrss', 'social_security'],
  ['market', 'licence'],
  ['market', 'penalty'],
  ['logistics', 'logistics'],
];

/** The reason the pipeline gives for each kind of mistake (the field's label comes first). */
const REASON_OF: Record<WorldDefectKind, RegExp> = {
  uscc_check: /^「统一社会信用代码」校验位不正确：第 18 位应为“.”，实际为“.”/,
  letter_o: /^「[^」]+（元）」应为金额（元），如 1,234\.56$/,
  three_decimals: /^「[^」]+（元）」应为金额，最多两位小数$/,
  bad_month: /^「[^」]+」\d{4}-13(-\d{2})? 不是有效(的年月|日期)$/,
  missing_cell: /^「[^」]+」不能为空$/,
  unknown_label: /^「[^」]+」(应为以下之一：|应为 是 或 否$)/,
};
const UNREGISTERED_REASON = /^该统一社会信用代码尚无登记注册信息/;

const policyOf = (source: WorldSourceKey) => WORLD_SOURCES.find((s) => s.key === source)!.unknownUscc;

/** A file row read as the import reads it: cells under their column keys. */
function readFileRow(category: TCreditCategory, cells: readonly string[]): TNormaliseResult {
  const keys = fileHeader(category).map((label) => creditHeaderMap(category).get(label)!);
  return normaliseCreditRow(category, Object.fromEntries(keys.map((key, i) => [key, cells[i]])), 'file');
}

interface FileCounts {
  rows: number;
  clean: number;
  mistyped: number;
  unregistered: number;
  kinds: Set<WorldDefectKind>;
}

function fileCounts(world: World, source: WorldSourceKey, category: TCreditCategory): FileCounts {
  const counts: FileCounts = { rows: 0, clean: 0, mistyped: 0, unregistered: 0, kinds: new Set() };
  for (const row of worldFileRows(world, source, category)) {
    counts.rows += 1;
    if (row.defect) {
      counts.mistyped += 1;
      counts.kinds.add(row.defect.kind);
    } else if (row.unregistered) counts.unregistered += 1;
    else counts.clean += 1;
  }
  return counts;
}

function hashOf(world: World): string {
  const hash = createHash('sha256');
  for (const category of CREDIT_CATEGORIES) for (const row of worldRows(world, category)) hash.update(`${row.source}|${category}|${JSON.stringify(row.record)}\n`);
  return hash.digest('hex');
}

function fileHashOf(world: World): string {
  const hash = createHash('sha256');
  for (const [source, category] of FILES) for (const row of worldFileRows(world, source, category)) hash.update(`${source}|${category}|${JSON.stringify(row)}\n`);
  return hash.digest('hex');
}

function firmsWith(world: World, category: TCreditCategory): Set<string> {
  const firms = new Set<string>();
  for (const row of worldRows(world, category)) firms.add(row.record.uscc as string);
  return firms;
}

describe('world model', () => {
  it('is a pure function of its options, and a smaller world is a prefix of a larger one', () => {
    const options = { enterprises: 120, months: 12, seed: 11, endMonth: END };
    const first = hashOf(resolveWorld(options));
    expect(hashOf(resolveWorld(options))).toBe(first);
    expect(hashOf(resolveWorld({ ...options, seed: 12 }))).not.toBe(first);
    // The files, mistakes and unregistered firms included, too.
    const firstFiles = fileHashOf(resolveWorld(options));
    expect(fileHashOf(resolveWorld(options))).toBe(firstFiles);
    expect(fileHashOf(resolveWorld({ ...options, seed: 12 }))).not.toBe(firstFiles);

    const small = resolveWorld({ ...options, enterprises: 40 });
    const large = resolveWorld(options);
    for (const i of [0, 7, 39]) expect(JSON.stringify(worldFirm(small, i))).toBe(JSON.stringify(worldFirm(large, i)));
    const smallTax = [...worldRows(small, 'tax')].map((r) => JSON.stringify(r.record));
    const largeTax = new Set([...worldRows(large, 'tax')].map((r) => JSON.stringify(r.record)));
    expect(smallTax.length).toBeGreaterThan(0);
    expect(smallTax.every((row) => largeTax.has(row))).toBe(true);
    expect(resolveWorld(options).fingerprint).not.toBe(small.fingerprint);
  });

  it('makes rows that the normaliser accepts in push and file form, as the same record', () => {
    const world = resolveWorld({ enterprises: 150, months: 6, seed: 3, endMonth: END });
    for (const category of CREDIT_CATEGORIES) {
      const keys = fileHeader(category).map((label) => creditHeaderMap(category).get(label)!);
      let rows = 0;
      for (const { record } of worldRows(world, category)) {
        rows += 1;
        const pushed = normaliseCreditRow(category, record, 'push');
        const cells = fileCells(category, record);
        const filed = normaliseCreditRow(category, Object.fromEntries(keys.map((key, i) => [key, cells[i]])), 'file');
        if (!pushed.ok || !filed.ok) throw new Error(`${category} row refused: ${JSON.stringify(record)} ${JSON.stringify(pushed.ok ? filed : pushed)}`);
        expect(canonicalCreditContent(filed.record)).toBe(canonicalCreditContent(pushed.record));
      }
      expect(rows).toBeGreaterThan(0);
    }
  });

  it('places firms in real districts and GB/T 4754 小类, with unique codes', () => {
    for (const d of WORLD_DISTRICTS) expect(findRegion(d.code)?.level).toBe('district');
    for (const d of WORLD_DISTRICTS) expect(findRegion(d.code)?.name).toBe(d.name);
    const world = resolveWorld({ enterprises: 5000, months: 1, seed: 2026, endMonth: END });
    const codes = new Set<string>();
    for (let i = 0; i < world.enterprises; i++) {
      const firm = worldFirm(world, i);
      expect(firm.profile.codes).toContain(firm.industryCode);
      codes.add(firm.uscc);
    }
    expect(codes.size).toBe(world.enterprises);
    expect(INDUSTRY_PROFILES.length).toBeGreaterThanOrEqual(12);
  });

  it('has the shares of a real province: penalties, blacklists, honours, lawsuits, declines', () => {
    const world = resolveWorld({ enterprises: 3000, months: 36, seed: 2026, endMonth: END });
    const share = (category: TCreditCategory) => firmsWith(world, category).size / world.enterprises;
    expect(share('penalty')).toBeGreaterThanOrEqual(0.05);
    expect(share('penalty')).toBeLessThanOrEqual(0.12);
    expect(share('blacklist')).toBeGreaterThanOrEqual(0.003);
    expect(share('blacklist')).toBeLessThanOrEqual(0.02);
    expect(share('honour')).toBeGreaterThanOrEqual(0.03);
    expect(share('honour')).toBeLessThanOrEqual(0.08);
    expect(share('court_case')).toBeGreaterThanOrEqual(0.04);
    expect(share('court_case')).toBeLessThanOrEqual(0.09);
    let declining = 0;
    for (let i = 0; i < world.enterprises; i++) if (worldFirm(world, i).decline) declining += 1;
    expect(declining / world.enterprises).toBeGreaterThanOrEqual(0.05);
    expect(declining / world.enterprises).toBeLessThanOrEqual(0.09);
    // Some penalties were repaired (信用修复), and every severity occurs.
    const penalties = [...worldRows(world, 'penalty')].map((r) => r.record);
    expect(penalties.some((p) => p.corrected === true)).toBe(true);
    expect(new Set(penalties.map((p) => p.severity))).toEqual(new Set(['minor', 'general', 'serious', 'severe']));
    // Receipts only for trade and logistics firms.
    for (const row of worldRows(world, 'logistics')) expect(['wholesale', 'retail', 'logistics']).toContain(worldFirm(world, firmIndex(world, row.record.uscc as string)).profile.key);
  });

  it('shows a decline in utilities and headcount first and arrears 3–6 months later', () => {
    const world = resolveWorld({ enterprises: 2000, months: 36, seed: 2026, endMonth: END });
    const decliners = new Map<string, { startAbs: number; arrearsAbs: number }>();
    for (let i = 0; i < world.enterprises; i++) {
      const firm = worldFirm(world, i);
      if (firm.decline && firm.decline.arrearsAbs <= world.endAbs) decliners.set(firm.uscc, firm.decline);
    }
    expect(decliners.size).toBeGreaterThan(50);
    const abs = (period: string) => Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
    const electricity = new Map<string, number>();
    const insured = new Map<string, number>();
    const firstArrears = new Map<string, number>();
    const noteArrears = (uscc: string, period: string, arrears: number) => {
      if (arrears > 0 && decliners.has(uscc)) firstArrears.set(uscc, Math.min(firstArrears.get(uscc) ?? Infinity, abs(period)));
    };
    for (const { record } of worldRows(world, 'utility')) {
      electricity.set(`${record.uscc}|${abs(record.period as string)}`, record.electricityKwh as number);
      noteArrears(record.uscc as string, record.period as string, record.arrearsFen as number);
    }
    for (const { record } of worldRows(world, 'social_security')) {
      insured.set(`${record.uscc}|${abs(record.period as string)}`, record.insuredHeadcount as number);
      noteArrears(record.uscc as string, record.period as string, record.arrearsFen as number);
    }
    for (const { record } of worldRows(world, 'tax')) noteArrears(record.uscc as string, record.period as string, record.arrearsFen as number);

    const electricityFall: number[] = [];
    const staffFall: number[] = [];
    for (const [uscc, decline] of decliners) {
      // No arrears while only the activity falls; they come 3–6 months after the fall began.
      expect(firstArrears.get(uscc)).toBe(decline.arrearsAbs);
      expect(decline.arrearsAbs - decline.startAbs).toBeGreaterThanOrEqual(3);
      expect(decline.arrearsAbs - decline.startAbs).toBeLessThanOrEqual(6);
      // The month before the arrears against the same month a year earlier, before the fall (no season in it).
      const before = decline.arrearsAbs - 1;
      const kwh = electricity.get(`${uscc}|${before}`);
      const kwhYearEarlier = electricity.get(`${uscc}|${before - 12}`);
      if (kwh !== undefined && kwhYearEarlier !== undefined) {
        electricityFall.push(kwh / kwhYearEarlier);
        expect(kwh / kwhYearEarlier).toBeLessThan(0.95);
      }
      const staff = insured.get(`${uscc}|${before}`);
      const staffYearEarlier = insured.get(`${uscc}|${before - 12}`);
      if (staff !== undefined && staffYearEarlier !== undefined) staffFall.push(staff / staffYearEarlier);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    expect(electricityFall.length).toBeGreaterThan(30);
    expect(median(electricityFall)).toBeLessThan(0.75);
    expect(median(staffFall)).toBeLessThan(0.9);
  });

  it('sends files with a few mistyped rows, each refused with a clear reason, beside the good rows unchanged', () => {
    const world = resolveWorld({ enterprises: 3000, months: 12, seed: 2026, endMonth: END });
    const kinds = new Set<WorldDefectKind>();
    for (const [source, category] of FILES) {
      const clean = [...worldRowsOf(world, source, category)];
      const goodIds = new Set(clean.map((r) => r.externalId));
      const copyIds = new Set<string>();
      let k = 0;
      let mistyped = 0;
      for (const row of worldFileRows(world, source, category)) {
        if (row.defect) {
          mistyped += 1;
          kinds.add(row.defect.kind);
          // A copy under an id of its own: it can never replace or add a good record.
          expect(row.cells[1]).toBe(row.record.externalId);
          expect(goodIds.has(row.record.externalId as string)).toBe(false);
          expect(copyIds.has(row.record.externalId as string)).toBe(false);
          copyIds.add(row.record.externalId as string);
          const read = readFileRow(category, row.cells);
          if (read.ok) throw new Error(`${category} ${row.defect.kind} row was accepted: ${row.cells.join(',')}`);
          expect(read.errors.map((e) => e.field)).toEqual([row.defect.field]);
          expect(read.errors[0]!.reason).toMatch(REASON_OF[row.defect.kind]);
          expect(read.errors[0]!.value).toBe(row.defect.cell);
          continue;
        }
        if (row.unregistered) continue;
        // The clean rows are the world's rows, in order, cell for cell.
        const want = clean[k++];
        if (JSON.stringify(row.record) !== JSON.stringify(want) || JSON.stringify(row.cells) !== JSON.stringify(want && fileCells(category, want))) {
          throw new Error(`${category} clean row ${k} differs from the world's: ${row.cells.join(',')}`);
        }
      }
      expect(k).toBe(clean.length);
      // About one row in 160 (0.3–1%).
      expect(mistyped / clean.length).toBeGreaterThanOrEqual(0.003);
      expect(mistyped / clean.length).toBeLessThanOrEqual(0.01);
    }
    expect([...kinds].sort()).toEqual([...WORLD_DEFECT_KINDS].sort());
  });

  it('sends a handful of monthly rows about firms that have no registration, with codes that check', () => {
    const world = resolveWorld({ enterprises: 3000, months: 12, seed: 2026, endMonth: END });
    const registered = firmsWith(world, 'registration');
    for (const [source, category] of FILES) {
      const counts = fileCounts(world, source, category);
      if (category !== 'tax' && category !== 'social_security') {
        expect(counts.unregistered).toBe(0);
        continue;
      }
      expect(counts.unregistered / counts.clean).toBeGreaterThan(0);
      expect(counts.unregistered / counts.clean).toBeLessThanOrEqual(0.003);
      for (const row of worldFileRows(world, source, category)) {
        if (!row.unregistered) continue;
        const read = readFileRow(category, row.cells);
        expect(read.ok).toBe(true);
        expect(registered.has(row.record.uscc as string)).toBe(false);
      }
    }
    // Held by the source that holds, rejected by the others.
    expect(policyOf('hrss')).toBe('hold');
    expect(policyOf('tax')).toBe('reject');
  });

  it('keeps the stories: the first eight firms and the declining firms’ arrears are sent intact', () => {
    const world = resolveWorld({ enterprises: 300, months: 24, seed: 2026, endMonth: END });
    const decliners = new Set<string>();
    for (let i = 0; i < world.enterprises; i++) {
      const firm = worldFirm(world, i);
      if (firm.decline && firm.decline.arrearsAbs <= world.endAbs) decliners.add(firm.uscc);
    }
    expect(decliners.size).toBeGreaterThan(5);
    const stories = new Set(Array.from({ length: 8 }, (_, i) => worldFirm(world, i).uscc));
    for (const [source, category] of FILES) {
      const sent = new Set<string>();
      for (const row of worldFileRows(world, source, category)) if (!row.defect && !row.unregistered) sent.add(JSON.stringify(row.cells));
      let checked = 0;
      for (const record of worldRowsOf(world, source, category)) {
        const uscc = record.uscc as string;
        if (!stories.has(uscc) && !(decliners.has(uscc) && Number(record.arrearsFen ?? 0) > 0)) continue;
        expect(sent.has(JSON.stringify(fileCells(category, record)))).toBe(true);
        checked += 1;
      }
      if (category !== 'logistics') expect(checked).toBeGreaterThan(0);
    }
  });

  it('has a source that stopped sending three months before the end, while the others still send', () => {
    const world = resolveWorld({ enterprises: 300, months: 24, seed: 2026, endMonth: END });
    expect(monthKey(worldLastSentAbs(world, 'logistics'))).toBe('2026-03');
    const issued = [...worldRowsOf(world, 'logistics', 'logistics')].map((r) => r.issuedOn as string).sort();
    expect(issued.length).toBeGreaterThan(100);
    expect(issued.at(-1)! <= '2026-03-31').toBe(true);
    expect(issued.at(-1)! >= '2026-03-01').toBe(true);
    const fileIssued = [...worldFileRows(world, 'logistics', 'logistics')].filter((r) => !r.defect).map((r) => r.record.issuedOn as string);
    expect(fileIssued.every((d) => d <= '2026-03-31')).toBe(true);
    for (const category of ['tax', 'social_security', 'utility'] as const) {
      const periods = [...worldRows(world, category)].map((r) => r.record.period as string);
      expect(periods.reduce((a, b) => (a > b ? a : b))).toBe(END);
    }
  });

  it('refuses options that make no world, naming the option in Chinese', () => {
    expect(() => resolveWorld({ enterprises: 0, endMonth: END })).toThrow(WorldOptionsError);
    expect(() => resolveWorld({ enterprises: 0, endMonth: END })).toThrow(/企业数（--enterprises）/);
    expect(() => resolveWorld({ enterprises: 10, months: 0, endMonth: END })).toThrow(/月份数（--months）/);
    expect(() => resolveWorld({ enterprises: 10, seed: -1, endMonth: END })).toThrow(/随机种子（--seed）/);
    expect(() => resolveWorld({ enterprises: 10, endMonth: '2026-13' })).toThrow(/截止月份（--end-month）应为 YYYY-MM/);
    expect(() => resolveWorld({ enterprises: 10, endMonth: '2999-01' })).toThrow(/尚未结束/);
  });
});

const usccIndex = new Map<string, Map<string, number>>();
function firmIndex(world: World, uscc: string): number {
  let index = usccIndex.get(world.fingerprint);
  if (!index) {
    index = new Map();
    for (let i = 0; i < world.enterprises; i++) index.set(worldFirm(world, i).uscc, i);
    usccIndex.set(world.fingerprint, index);
  }
  return index.get(uscc)!;
}

describe('loading a tiny world through the pipeline', () => {
  let server: TestServer;
  jest.setTimeout(240_000);

  beforeAll(async () => {
    server = await startTestServer({}, { signInLimit: 10_000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const options = { enterprises: 20, months: 6, seed: 7, endMonth: END, pollMs: 50, progressMs: 600_000 };
  const world = resolveWorld(options);
  const expected = new Map(FILES.map(([source, category]) => [`${source}|${category}`, fileCounts(world, source, category)]));
  /** Rows rejected per file (by name) on the first run: a re-run rejects the same again. */
  const firstRejected = new Map<string, number>();

  async function storedCounts(): Promise<Map<TCreditCategory, number>> {
    const admin = await signInAdmin(server, 'admin');
    const world = resolveWorld(options);
    const counts = new Map<TCreditCategory, number>(CREDIT_CATEGORIES.map((c) => [c, 0]));
    const list = await admin.get('/api/v1/enterprises').query({ pageSize: 100 });
    expect(list.status).toBe(200);
    const ids = new Map<string, string>(list.body.data.list.map((e: { uscc: string; id: string }) => [e.uscc, e.id]));
    for (let i = 0; i < world.enterprises; i++) {
      const id = ids.get(worldFirm(world, i).uscc);
      expect(id).toBeDefined();
      const res = await admin.get(`/api/v1/enterprises/${id}/credit-records/summary`);
      expect(res.status).toBe(200);
      for (const row of res.body.data as TCreditRecordSummary) counts.set(row.category, counts.get(row.category)! + row.count);
    }
    return counts;
  }

  function expectCountsAddUp(summary: WorldLoadSummary, run: 'first' | 'again'): void {
    expect(summary.failed).toEqual([]);
    for (const batch of summary.batches) {
      const c = batch.counts;
      expect(c.received).toBe(batch.rows);
      expect(c.accepted + c.duplicate + c.superseded + c.rejected + c.held).toBe(c.received);
      // Pushes are clean.
      if (batch.origin === 'push') expect(c.rejected + c.held).toBe(0);
    }
    for (const totals of summary.categories) {
      expect(totals.rows).toBeGreaterThan(0);
      expect(totals.received).toBe(totals.rows);
    }
    expect(summary.rows).toBe(summary.categories.reduce((n, c) => n + c.rows, 0));
    // Every file sends what the world's file says; the sources reject or hold as configured.
    for (const [source, category] of FILES) {
      const files = summary.batches.filter((b) => b.origin === 'file' && b.source === source && b.category === category);
      const want = expected.get(`${source}|${category}`)!;
      const sum = (key: 'rejected' | 'held') => files.reduce((n, b) => n + b.counts[key], 0);
      expect(files.reduce((n, b) => n + b.rows, 0)).toBe(want.rows);
      expect(sum('rejected')).toBe(want.mistyped + (policyOf(source) === 'reject' ? want.unregistered : 0));
      // Held rows are kept once: sent again, they are duplicates.
      expect(sum('held')).toBe(run === 'first' && policyOf(source) === 'hold' ? want.unregistered : 0);
    }
  }
  let firstRun: WorldLoadSummary | null = null;

  /** Every row error of a batch (all pages). */
  async function batchErrors(id: string): Promise<TRowErrorItem[]> {
    const admin = await signInAdmin(server, 'admin');
    const errors: TRowErrorItem[] = [];
    for (let current = 1; ; current++) {
      const res = await admin.get(`/api/v1/ingest-batches/${id}/errors`).query({ current, pageSize: 100 });
      expect(res.status).toBe(200);
      errors.push(...(res.body.data.list as TRowErrorItem[]));
      if (errors.length >= res.body.data.total) return errors;
    }
  }

  it('stores records in every category, by file and by push, with batch counts that add up', async () => {
    const lines: string[] = [];
    const first = await loadDemoWorld(server.app, { ...options, log: (line) => lines.push(line) });
    firstRun = first;
    expectCountsAddUp(first, 'first');
    // Every good row went in: the world's rows, no more (mistyped copies and unregistered firms add nothing).
    for (const totals of first.categories) expect(totals.accepted).toBe([...worldRows(world, totals.category)].length);
    for (const [source, category] of FILES) {
      const files = first.batches.filter((b) => b.origin === 'file' && b.source === source && b.category === category);
      expect(files.reduce((n, b) => n + b.counts.accepted, 0)).toBe(expected.get(`${source}|${category}`)!.clean);
      for (const b of files) firstRejected.set(b.name, b.counts.rejected);
    }
    expect(new Set(first.batches.map((b) => b.origin))).toEqual(new Set(['file', 'push']));
    expect(first.batches.filter((b) => b.category === 'utility').every((b) => b.origin === 'push' && /^util-\d{4}-\d{2}-\d+\./.test(b.name))).toBe(true);
    expect(first.batches.filter((b) => b.category === 'registration').every((b) => b.origin === 'file')).toBe(true);
    expect(lines.join('\n')).toContain('rows/s');

    const stored = await storedCounts();
    for (const totals of first.categories) expect(stored.get(totals.category)).toBe(totals.accepted);
    expect(lines.join('\n')).toMatch(/rejected rows in /);
  });

  it('refuses each mistyped row and unregistered firm with its reason, and the quality page shows them', async () => {
    const patterns = [...Object.values(REASON_OF), UNREGISTERED_REASON];
    const seen = new Set<RegExp>();
    for (const batch of firstRun!.batches.filter((b) => b.counts.rejected > 0)) {
      const errors = await batchErrors(batch.id);
      // One reason per refused row, each one of the known mistakes.
      expect(new Set(errors.map((e) => e.rowNumber)).size).toBe(batch.counts.rejected);
      expect(errors.length).toBe(batch.counts.rejected);
      for (const e of errors) {
        const pattern = patterns.find((p) => p.test(e.reason));
        if (!pattern) throw new Error(`unexpected reason in ${batch.name}: ${e.reason}`);
        seen.add(pattern);
      }
    }
    const kinds = new Set([...expected.values()].flatMap((c) => [...c.kinds]));
    for (const kind of kinds) expect(seen.has(REASON_OF[kind])).toBe(true);
    expect(seen.has(UNREGISTERED_REASON)).toBe(true);

    await computeQuality(server.app);
    const { rows } = await readQuality(server.app);
    const name = (key: WorldSourceKey) => WORLD_SOURCES.find((s) => s.key === key)!.name;
    const row = (source: WorldSourceKey, category: TCreditCategory) => rows.find((r) => r.sourceName === name(source) && r.category === category)!;
    for (const [source, category] of FILES) {
      const q = row(source, category);
      const want = expected.get(`${source}|${category}`)!;
      expect(q.rejected).toBe(want.mistyped + (policyOf(source) === 'reject' ? want.unregistered : 0));
      expect(q.rejectionRate).toBeGreaterThan(0);
      expect(q.topReasons.length).toBeGreaterThan(0);
    }
    expect(row('tax', 'tax').topReasons.some((r) => UNREGISTERED_REASON.test(r.reason))).toBe(true);
    for (const [source, category] of [['court', 'court_case'], ['grid', 'utility'], ['market', 'honour']] as const) expect(row(source, category).rejected).toBe(0);
    // 之江物流 stopped sending three months before the end: its latest receipt is from March.
    expect(row('logistics', 'logistics').latestPeriod! <= '2026-03-31').toBe(true);
    expect(row('tax', 'tax').latestPeriod).toBe(END);
  });

  it('gives every firm of the world a score with reasons, a year of month-end history, and a simulated outcome', async () => {
    const admin = await signInAdmin(server, 'admin');
    const list = await admin.get('/api/v1/enterprises').query({ pageSize: 100 });
    const ids = new Map<string, string>(list.body.data.list.map((e: { uscc: string; id: string }) => [e.uscc, e.id]));
    const firms = Array.from({ length: world.enterprises }, (_, i) => ids.get(worldFirm(world, i).uscc)!);
    const stop = startWorker(server.app, { pollMs: 50 });
    try {
      await waitFor('every firm scored, with its backfilled history', async () => {
        for (const id of firms) {
          const history = await admin.get(`/api/v1/enterprises/${id}/credit/history`);
          if (!history.body.data.points.some((p: { retro: boolean }) => !p.retro)) return false;
          if (!history.body.data.points.some((p: { retro: boolean }) => p.retro)) return false;
        }
        return true;
      }, 180_000, 500);
    } finally {
      await stop();
    }
    for (const id of firms) {
      const profile = await admin.get(`/api/v1/enterprises/${id}/credit`);
      expect(profile.status).toBe(200);
      const score = profile.body.data.score;
      expect(score.rating === null ? score.noRatingReason : score.rating).toBeTruthy();
      expect(score.points.length).toBeGreaterThan(10);
    }
    const [[outcomes]] = (await server.app.db.sequelize.query('SELECT COUNT(*) AS n FROM credit_outcomes')) as [Array<{ n: unknown }>, unknown];
    expect(Number(outcomes!.n)).toBe(world.enterprises);
  });

  it('changes nothing when run again, here against the server by URL with a signed-in admin', async () => {
    const before = await storedCounts();
    const listener = http.createServer(server.callback).listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const stop = startWorker(server.app, { pollMs: 50 });
    try {
      const api = await ConsoleApi.signIn(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, 'admin', DEMO_PASSWORD);
      const again = await loadWorld(api, { ...options, log: () => undefined });
      expectCountsAddUp(again, 'again');
      for (const batch of again.batches) {
        if (batch.origin === 'push') expect(batch.replayed).toBe(true);
        else {
          // The good and held rows come back as duplicates; the bad rows are rejected again, and counted.
          expect(batch.counts.rejected).toBe(firstRejected.get(batch.name));
          expect(batch.counts.duplicate + batch.counts.rejected).toBe(batch.rows);
        }
      }
      const files = again.batches.filter((b) => b.origin === 'file');
      expect(files.reduce((n, b) => n + b.counts.accepted + b.counts.superseded + b.counts.held, 0)).toBe(0);
      expect(files.reduce((n, b) => n + b.counts.rejected, 0)).toBeGreaterThan(0);
    } finally {
      await stop();
      listener.closeAllConnections();
      listener.close();
    }
    expect(await storedCounts()).toEqual(before);
  });

  it('refuses a console account that is not a platform admin, in Chinese', async () => {
    const listener = http.createServer(server.callback).listen(0, '127.0.0.1');
    await once(listener, 'listening');
    try {
      await expect(ConsoleApi.signIn(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, 'bank_officer', DEMO_PASSWORD)).rejects.toThrow(/不是平台管理员/);
      await expect(ConsoleApi.signIn(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, 'admin', 'wrong-password')).rejects.toThrow(/登录（账号 admin）失败：用户名或密码错误/);
    } finally {
      listener.close();
    }
  });
});
