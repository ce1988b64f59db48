import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { CREDIT_CATEGORIES, canonicalCreditContent, creditHeaderMap, normaliseCreditRow, type TCreditCategory, type TCreditRecordSummary } from '@xyd/shared';
import { startWorker } from '../../server/src/jobs/worker';
import { findRegion } from '../../server/src/modules/regions/service';
import { ConsoleApi, loadDemoWorld, loadWorld, type WorldLoadSummary } from '../../server/src/seed/load-world';
import {
  INDUSTRY_PROFILES,
  WORLD_DISTRICTS,
  WorldOptionsError,
  fileCells,
  fileHeader,
  resolveWorld,
  worldFirm,
  worldRows,
  type World,
} from '../../server/src/seed/world';
import { DEMO_PASSWORD, signInAdmin, startTestServer, type TestServer } from './helpers';

/**
 * The demo world generator: the seeded model (deterministic, valid in both forms, realistic shares, declines that
 * show in utilities before arrears) and a tiny world loaded through the real pipeline (files on the worker and
 * signed pushes), twice, on the test database (SQLite, or MariaDB with DATABASE_URL=mysql://…).
 */

const END = '2026-06';

function hashOf(world: World): string {
  const hash = createHash('sha256');
  for (const category of CREDIT_CATEGORIES) for (const row of worldRows(world, category)) hash.update(`${row.source}|${category}|${JSON.stringify(row.record)}\n`);
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

  function expectCountsAddUp(summary: WorldLoadSummary): void {
    expect(summary.failed).toEqual([]);
    for (const batch of summary.batches) {
      const c = batch.counts;
      expect(c.received).toBe(batch.rows);
      expect(c.accepted + c.duplicate + c.superseded + c.rejected + c.held).toBe(c.received);
    }
    for (const totals of summary.categories) {
      expect(totals.rows).toBeGreaterThan(0);
      expect(totals.received).toBe(totals.rows);
      expect(totals.rejected + totals.held).toBe(0);
    }
    expect(summary.rows).toBe(summary.categories.reduce((n, c) => n + c.rows, 0));
  }

  it('stores records in every category, by file and by push, with batch counts that add up', async () => {
    const lines: string[] = [];
    const first = await loadDemoWorld(server.app, { ...options, log: (line) => lines.push(line) });
    expectCountsAddUp(first);
    for (const totals of first.categories) expect(totals.accepted).toBe(totals.rows);
    expect(new Set(first.batches.map((b) => b.origin))).toEqual(new Set(['file', 'push']));
    expect(first.batches.filter((b) => b.category === 'utility').every((b) => b.origin === 'push' && /^util-\d{4}-\d{2}-\d+\./.test(b.name))).toBe(true);
    expect(first.batches.filter((b) => b.category === 'registration').every((b) => b.origin === 'file')).toBe(true);
    expect(lines.join('\n')).toContain('rows/s');

    const stored = await storedCounts();
    for (const totals of first.categories) expect(stored.get(totals.category)).toBe(totals.accepted);
  });

  it('changes nothing when run again, here against the server by URL with a signed-in admin', async () => {
    const before = await storedCounts();
    const listener = http.createServer(server.callback).listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const stop = startWorker(server.app, { pollMs: 50 });
    try {
      const api = await ConsoleApi.signIn(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, 'admin', DEMO_PASSWORD);
      const again = await loadWorld(api, { ...options, log: () => undefined });
      expectCountsAddUp(again);
      for (const batch of again.batches) {
        if (batch.origin === 'push') expect(batch.replayed).toBe(true);
        else expect(batch.counts.duplicate).toBe(batch.rows);
      }
      const files = again.batches.filter((b) => b.origin === 'file');
      expect(files.reduce((n, b) => n + b.counts.accepted + b.counts.superseded, 0)).toBe(0);
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
