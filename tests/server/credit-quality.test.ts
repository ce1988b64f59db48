import { createHash } from 'node:crypto';
import { usccCheckCharacter, type TCreditCategory, type TQualityRow } from '@xyd/shared';
import { newId } from '../../server/src/lib/ids';
import { Job } from '../../server/src/modules/jobs/models';
import { jobDefinition } from '../../server/src/jobs/registry';
import { startWorker } from '../../server/src/jobs/worker';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { Organisation } from '../../server/src/modules/identity/models';
import { CreditRecord, DataSource, IngestBatch, IngestRowError } from '../../server/src/modules/credit-data/models';
import { computeQuality, enqueueQualityRefresh, monthsBehind, readQuality } from '../../server/src/modules/credit-data/quality';
import { clock, startTestServer, type TestServer } from './helpers';

let server: TestServer;
let organisationId: string;
beforeAll(async () => {
  server = await startTestServer({}, { seed: false });
  organisationId = newId();
  await Organisation.create({ id: organisationId, name: '浙江省大数据发展管理局', type: 'government', regionCode: '330000' });
});
afterAll(() => server.close());

// 2026-12-10 12:00 in Shanghai: the last complete month is 2026-11.
const NOW = new Date('2026-12-10T04:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let serial = 0;
function uscc(regionCode: string): string {
  serial += 1;
  const first17 = `91${regionCode}${String(serial).padStart(9, '0')}`;
  return first17 + usccCheckCharacter(first17);
}

async function enterprise(regionCode: string): Promise<{ id: string; uscc: string }> {
  const row = { id: newId(), uscc: uscc(regionCode) };
  await Enterprise.bulkCreate([
    {
      ...row,
      name: `测试企业${serial}有限公司`,
      legalRepName: '张三',
      legalRepIdHmac: '',
      legalRepIdMasked: '',
      registeredCapitalFen: '100000000',
      establishedOn: '2015-03-01',
      industryCode: 'I6510',
      industryName: '软件开发',
      regionCode,
      scale: 'small',
      status: 'active',
      address: null,
      businessScope: null,
    },
  ]);
  return row;
}

async function source(name: string, categories: TCreditCategory[], regionCodes: string[]): Promise<string> {
  const id = newId();
  await DataSource.create({
    id,
    organisationId,
    name,
    keyId: `ds_${id}`,
    secretEnc: 'unused',
    categories: categories.join(','),
    regionCodes: regionCodes.join(','),
    unknownUscc: 'reject',
    createdBy: '1',
  });
  return id;
}

type Counts = { received: number; accepted?: number; superseded?: number; duplicate?: number; rejected?: number; held?: number };

async function batch(sourceId: string, category: TCreditCategory, createdAt: Date, counts: Counts): Promise<string> {
  const id = newId();
  await IngestBatch.create(
    {
      id,
      sourceId,
      category,
      origin: 'push',
      externalBatchId: id,
      fileId: null,
      fileName: null,
      fileFormat: null,
      status: 'done',
      accepted: 0,
      superseded: 0,
      duplicate: 0,
      rejected: 0,
      held: 0,
      ...counts,
      createdByKind: 'source',
      createdById: sourceId,
      createdByName: null,
      createdAt,
      updatedAt: createdAt,
    },
    { silent: true },
  );
  return id;
}

/** Row errors: each entry is one refused row with the reasons of its fields. */
async function rowErrors(batchId: string, rows: Array<{ row: number; reasons: string[] }>): Promise<void> {
  await IngestRowError.bulkCreate(
    rows.flatMap(({ row, reasons }) =>
      reasons.map((reason, i) => ({ id: newId(), batchId, rowNumber: row, field: `f${i}`, label: `字段${i}`, value: '', reason })),
    ),
  );
}

let externalSerial = 0;
async function record(
  sourceId: string,
  firm: { id: string; uscc: string },
  category: TCreditCategory,
  fields: { period?: string; occurredOn?: string; createdAt?: Date; current?: boolean; expired?: boolean },
): Promise<void> {
  externalSerial += 1;
  const externalId = `ext-${externalSerial}`;
  await CreditRecord.create({
    id: newId(),
    enterpriseId: firm.id,
    uscc: firm.uscc,
    category,
    sourceId,
    externalId,
    period: fields.period ?? null,
    occurredOn: fields.occurredOn ?? null,
    endsOn: null,
    adverse: false,
    corrected: false,
    payload: '{}',
    contentHash: createHash('sha256').update(externalId).digest('hex'),
    isCurrent: fields.current === false ? null : 1,
    expiredAt: fields.expired ? daysAgo(1) : null,
    batchId: '1',
    rowNumber: 1,
    createdAt: fields.createdAt ?? daysAgo(400),
  });
}

const rowOf = (rows: TQualityRow[], sourceId: string, category: TCreditCategory) => {
  const row = rows.find((r) => r.sourceId === sourceId && r.category === category);
  if (!row) throw new Error(`no quality row for ${sourceId}/${category}`);
  return row;
};

describe('data quality (数据质量)', () => {
  let province: string;
  let city: string;

  it('has no figures before the first run', async () => {
    expect(await readQuality(server.app)).toEqual({ computedAt: null, rows: [] });
  });

  it('computes counts, rates, reasons, freshness and coverage per source and category', async () => {
    // A province-wide source: its regions are Hangzhou's and Ningbo's firms, not Nanjing's.
    province = await source('浙江省税务局', ['tax', 'penalty', 'utility'], ['330000']);
    city = await source('杭州市市场监管局', ['registration', 'licence'], ['330100']);
    const westLake1 = await enterprise('330106');
    const westLake2 = await enterprise('330106');
    const haishu = await enterprise('330203');
    const nanjing = await enterprise('320102');

    // tax (monthly): two batches; the last one 40 days ago.
    const b1 = await batch(province, 'tax', daysAgo(70), { received: 20, accepted: 8, superseded: 2, duplicate: 4, rejected: 6 });
    const b2 = await batch(province, 'tax', daysAgo(40), { received: 10, accepted: 3, duplicate: 2, rejected: 4, held: 1 });
    // Counted by rows: 缺少纳税期间 is 6 rows (3 in each batch, with the same row numbers), 所属期格式 2 rows with
    // three field errors each (6 errors, still only 2 rows), 注册地址 1 row: the sixth reason is cut.
    await rowErrors(b1, [
      { row: 1, reasons: ['缺少纳税期间'] },
      { row: 2, reasons: ['缺少纳税期间'] },
      { row: 3, reasons: ['缺少纳税期间'] },
      { row: 4, reasons: ['企业不在覆盖范围内', '金额格式不正确'] },
      { row: 5, reasons: ['企业不在覆盖范围内'] },
      { row: 6, reasons: ['金额格式不正确'] },
      { row: 7, reasons: ['所属期格式不正确', '所属期格式不正确', '所属期格式不正确'] },
    ]);
    await rowErrors(b2, [
      { row: 1, reasons: ['缺少纳税期间'] },
      { row: 2, reasons: ['缺少纳税期间'] },
      { row: 3, reasons: ['缺少纳税期间', '企业不在覆盖范围内'] },
      { row: 4, reasons: ['企业不在覆盖范围内', '金额格式不正确'] },
      { row: 5, reasons: ['企业不在覆盖范围内', '统一社会信用代码校验位不正确'] },
      { row: 6, reasons: ['金额格式不正确', '统一社会信用代码校验位不正确'] },
      { row: 7, reasons: ['统一社会信用代码校验位不正确'] },
      { row: 8, reasons: ['所属期格式不正确', '所属期格式不正确', '所属期格式不正确'] },
      { row: 9, reasons: ['注册地址过长'] },
    ]);
    await record(province, westLake1, 'tax', { period: '2026-10' });
    // A superseded version and an expired one do not count as the latest period.
    await record(province, westLake1, 'tax', { period: '2026-11', current: false });
    await record(province, westLake2, 'tax', { period: '2026-11', expired: true });
    await record(province, westLake2, 'tax', { period: '2025-06' });
    await record(province, haishu, 'tax', { period: '2026-09' });
    // A firm outside the source's regions (moved away since) is not covered.
    await record(province, nanjing, 'tax', { period: '2026-10' });

    // penalty (event): a batch 80 days ago, all of it duplicates; one recent event, one old event received lately.
    const b3 = await batch(province, 'penalty', daysAgo(80), { received: 3, duplicate: 3 });
    await rowErrors(b3, [{ row: 1, reasons: ['处罚决定书文号重复', '处罚决定书文号重复'] }]);
    await record(province, westLake1, 'penalty', { occurredOn: '2026-03-05' });
    await record(province, haishu, 'penalty', { occurredOn: '2019-01-01', createdAt: daysAgo(10) });
    await record(province, westLake2, 'penalty', { occurredOn: '2018-06-01' });

    // utility (monthly): last batch 50 days ago, latest period 2026-06.
    await batch(province, 'utility', daysAgo(50), { received: 2, accepted: 2 });
    await record(province, haishu, 'utility', { period: '2026-06' });

    // The city source: registration 100 days ago (silent for an event category), licences never.
    await batch(city, 'registration', daysAgo(100), { received: 1, accepted: 1 });

    expect(await computeQuality(server.app, NOW)).toBe(5);
    const { computedAt, rows } = await readQuality(server.app);
    expect(computedAt).toBe(NOW.toISOString());
    // By source name (杭州… before 浙江…), then in the platform's category order.
    expect(rows.map((r) => [r.sourceName, r.category])).toEqual([
      ['杭州市市场监管局', 'registration'],
      ['杭州市市场监管局', 'licence'],
      ['浙江省税务局', 'penalty'],
      ['浙江省税务局', 'tax'],
      ['浙江省税务局', 'utility'],
    ]);

    const tax = rowOf(rows, province, 'tax');
    expect(tax).toMatchObject({
      sourceName: '浙江省税务局',
      organisationName: '浙江省大数据发展管理局',
      enabled: true,
      received: 30,
      accepted: 13,
      rejected: 10,
      duplicate: 6,
      latestPeriod: '2026-10',
      lastReceivedAt: daysAgo(40).toISOString(),
      cadence: 'monthly',
      monthsBehind: 1,
      silent: false,
      firmsInRegion: 3,
      firmsCovered: 2,
    });
    expect(tax.acceptanceRate).toBeCloseTo(13 / 24, 10);
    expect(tax.rejectionRate).toBeCloseTo(10 / 24, 10);
    expect(tax.coverage).toBeCloseTo(2 / 3, 10);
    expect(tax.topReasons).toEqual([
      { reason: '缺少纳税期间', count: 6 },
      { reason: '企业不在覆盖范围内', count: 5 },
      { reason: '金额格式不正确', count: 4 },
      { reason: '统一社会信用代码校验位不正确', count: 3 },
      { reason: '所属期格式不正确', count: 2 },
    ]);

    const penalty = rowOf(rows, province, 'penalty');
    expect(penalty).toMatchObject({
      received: 3,
      duplicate: 3,
      acceptanceRate: null,
      rejectionRate: null,
      topReasons: [{ reason: '处罚决定书文号重复', count: 1 }],
      latestPeriod: '2026-03-05',
      cadence: 'event',
      monthsBehind: null,
      silent: false,
      firmsInRegion: 3,
      firmsCovered: 2,
    });

    const utility = rowOf(rows, province, 'utility');
    expect(utility).toMatchObject({ latestPeriod: '2026-06', monthsBehind: 5, silent: true, acceptanceRate: 1, topReasons: [], firmsCovered: 1 });

    // The city source covers Hangzhou's two firms; it has sent no licences at all.
    expect(rowOf(rows, city, 'registration')).toMatchObject({ silent: true, firmsInRegion: 2, firmsCovered: 0, coverage: 0, latestPeriod: null });
    expect(rowOf(rows, city, 'licence')).toMatchObject({
      received: 0,
      acceptanceRate: null,
      lastReceivedAt: null,
      latestPeriod: null,
      silent: true,
      firmsInRegion: 2,
      coverage: 0,
    });
  });

  it('replaces a source’s rows on the next run and leaves out sources that are gone', async () => {
    await DataSource.update({ categories: 'tax', enabled: false, name: '浙江省税务局（停用）' }, { where: { id: province } });
    const later = new Date(NOW.getTime() + 3600_000);
    expect(await computeQuality(server.app, later)).toBe(3);
    let read = await readQuality(server.app);
    expect(read.computedAt).toBe(later.toISOString());
    expect(rowOf(read.rows, province, 'tax')).toMatchObject({ sourceName: '浙江省税务局（停用）', enabled: false });
    expect(read.rows.filter((r) => r.sourceId === province).map((r) => r.category)).toEqual(['tax']);

    await DataSource.destroy({ where: { id: city } });
    read = await readQuality(server.app);
    expect(read.rows.map((r) => r.sourceId)).toEqual([province]);
  });

  it('counts months behind by the Shanghai calendar', () => {
    // 2026-12-01 00:30 in Shanghai (still November in UTC): November has ended.
    const shanghaiDecember = new Date('2026-11-30T16:30:00Z');
    expect(monthsBehind('2026-10', shanghaiDecember)).toBe(1);
    expect(monthsBehind('2026-11', shanghaiDecember)).toBe(0);
    // A period of the running month is not "ahead".
    expect(monthsBehind('2026-12', shanghaiDecember)).toBe(0);
    expect(monthsBehind('2025-11', new Date('2026-12-31T15:59:00Z'))).toBe(12);
  });

  it('queues one refresh a minute, which the worker runs', async () => {
    expect(jobDefinition('credit.quality')).toMatchObject({ label: '计算数据质量', maxAttempts: 2 });
    // Two clicks at the start of a minute share a job; a click in the next minute gets its own.
    clock.advance(60_000 - (clock.nowMs() % 60_000) + 1_000);
    const first = await enqueueQualityRefresh(server.app);
    const second = await enqueueQualityRefresh(server.app);
    expect(second.jobId).toBe(first.jobId);
    clock.advance(60_000);
    const third = await enqueueQualityRefresh(server.app);
    expect(third.jobId).not.toBe(first.jobId);
    expect(await Job.count({ where: { type: 'credit.quality' } })).toBe(2);

    await server.app.db.sequelize.query('DELETE FROM credit_quality');
    const stop = startWorker(server.app, { pollMs: 25, types: ['credit.quality'] });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const job = await Job.findByPk(third.jobId);
        if (job?.status === 'done') break;
        if (job?.status === 'failed') throw new Error(`job failed: ${job.lastError}`);
        if (Date.now() > deadline) throw new Error('timed out waiting for the credit.quality job');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await stop();
      clock.reset();
    }
    const read = await readQuality(server.app);
    expect(read.rows.map((r) => [r.sourceId, r.category])).toEqual([[province, 'tax']]);
  });
});
