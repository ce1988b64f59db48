import { createHash, createHmac, randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { CreditChange, CreditRecord, HeldCreditRow, IngestBatch } from '../../server/src/modules/credit-data/models';
import { EnterpriseMember } from '../../server/src/modules/enterprises/models';
import { Organisation } from '../../server/src/modules/identity/models';
import { startWorker } from '../../server/src/jobs/worker';
import { demoEnterprises, demoUscc } from '../../server/src/seed/demo';
import { newId } from '../../server/src/lib/ids';
import { clock, signInAdmin, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * Credit-data aggregation end to end: data sources and their keys, signed pushes (JSON and JSON lines), batch
 * idempotency, de-duplication and corrections, unknown firms rejected or held, the region and category a source
 * may send, file imports on the worker (CSV UTF-8 with BOM, GBK, XLSX), the error report, and who sees the records.
 */
let server: TestServer;
let admin: Awaited<ReturnType<typeof signInAdmin>>;
const stops: Array<() => Promise<void>> = [];
const firms = demoEnterprises();
const hangzhou = firms.filter((f) => f.regionCode.startsWith('3301'));
const ningbo = firms.filter((f) => f.regionCode.startsWith('3302'));

beforeAll(async () => {
  server = await startTestServer(process.env.DEBUG_LOG ? { LOG_LEVEL: 'error' } : {}, { signInLimit: 10_000 });
  admin = await signInAdmin(server, 'admin');
});
afterAll(async () => {
  for (const stop of stops) await stop();
  clock.reset();
  await server.close();
});

interface Credentials {
  id: string;
  keyId: string;
  secret: string;
}

async function orgId(name: string): Promise<string> {
  const org = await Organisation.findOne({ where: { name } });
  return org!.id;
}

async function createSource(body: Record<string, unknown>): Promise<Credentials> {
  const res = await admin
    .post('/api/v1/data-sources')
    .send({ organisationId: await orgId('杭州市发展和改革委员会'), name: `源-${randomBytes(3).toString('hex')}`, categories: ['tax'], regionCodes: ['330100'], ...body });
  expect(res.status).toBe(201);
  return { id: res.body.data.source.id, keyId: res.body.data.source.keyId, secret: res.body.data.secret };
}

/** Signs as docs/integration.md tells integrators to, independently of the server's code. */
function signed(cred: { keyId: string; secret: string }, target: string, body: string, opts: { nonce?: string; timestamp?: number; type?: string } = {}) {
  const timestamp = String(opts.timestamp ?? Math.floor(clock.nowMs() / 1000));
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  const canonical = `POST\n${target}\n${timestamp}\n${nonce}\n${createHash('sha256').update(body).digest('hex')}`;
  return server.http
    .post(target)
    .set({ 'X-Key-Id': cred.keyId, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': createHmac('sha256', cred.secret).update(canonical).digest('hex') })
    .set('Content-Type', opts.type ?? 'application/json')
    .send(body);
}

const push = (cred: Credentials, category: string, batchId: string, records: unknown[], opts: Parameters<typeof signed>[3] = {}) =>
  signed(cred, `/api/v1/ingest/${category}?batchId=${batchId}`, JSON.stringify(records), opts);

const taxRow = (uscc: string, period: string, paidFen = 1_234_500, extra: Record<string, unknown> = {}) => ({
  uscc,
  externalId: `TAX-${uscc}-${period}`,
  period,
  taxPaidFen: paidFen,
  revenueDeclaredFen: paidFen * 20,
  arrearsFen: 0,
  creditLevel: 'B',
  ...extra,
});

const count = (where: Record<string, unknown>) => CreditRecord.count({ where });

async function enterpriseIdOf(uscc: string): Promise<string> {
  const res = await admin.get('/api/v1/enterprises').query({ keyword: uscc });
  return res.body.data.list[0].id as string;
}

function runWorker(): void {
  stops.push(startWorker(server.app, { pollMs: 25, concurrency: 2 }));
}

describe('data sources', () => {
  it('shows the key once, lists without it, and refuses non-admins and unknown regions', async () => {
    const res = await admin
      .post('/api/v1/data-sources')
      .send({ organisationId: await orgId('杭州市发展和改革委员会'), name: '杭州市税务局', categories: ['tax', 'blacklist'], regionCodes: ['330100'] });
    expect(res.status).toBe(201);
    expect(res.body.data.secret).toMatch(/^dsk_/);
    expect(res.body.data.source.keyId).toMatch(/^ds_/);
    const list = await admin.get('/api/v1/data-sources');
    expect(JSON.stringify(list.body)).not.toContain(res.body.data.secret);
    const bad = await admin
      .post('/api/v1/data-sources')
      .send({ organisationId: await orgId('杭州市发展和改革委员会'), name: '坏区域', categories: ['tax'], regionCodes: ['339999'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errorMessage).toContain('339999');
    const officer = await signInAdmin(server, 'bank_officer');
    const refused = await officer.post('/api/v1/data-sources').send({ organisationId: '1', name: 'x', categories: ['tax'], regionCodes: ['330100'] });
    expect(refused.status).toBe(403);
  });
});

describe('signed pushes', () => {
  let tax: Credentials;
  beforeAll(async () => {
    tax = await createSource({ categories: ['tax'], regionCodes: ['330100'] });
  });

  it('stores a batch, answers its counts, and shows the records to the region only', async () => {
    const rows = hangzhou.slice(0, 5).flatMap((f) => ['2026-08', '2026-09', '2026-10'].map((p) => taxRow(f.uscc, p)));
    const res = await push(tax, 'tax', 'b-first', rows);
    expect(res.status).toBe(200);
    expect(res.body.data.replayed).toBe(false);
    expect(res.body.data.batch.counts).toEqual({ received: 15, accepted: 15, duplicate: 0, superseded: 0, rejected: 0, held: 0 });
    expect(await count({ sourceId: tax.id })).toBe(15);

    const firm = hangzhou[0]!;
    const id = await enterpriseIdOf(firm.uscc);
    const records = await admin.get(`/api/v1/enterprises/${id}/credit-records`).query({ category: 'tax' });
    expect(records.status).toBe(200);
    expect(records.body.data.total).toBe(3);
    expect(records.body.data.list[0].period).toBe('2026-10');
    expect(records.body.data.list[0].fields.map((f: { label: string }) => f.label)).toEqual(expect.arrayContaining(['实缴税额（元）']));
    const summary = await admin.get(`/api/v1/enterprises/${id}/credit-records/summary`);
    expect(summary.body.data.find((s: { category: string }) => s.category === 'tax').count).toBe(3);

    // Out of scope: Ningbo's advisor, a bank officer (no authorisation grant yet): 404, never the records.
    for (const username of ['advisor_nb', 'bank_officer', 'gov_ningbo']) {
      const other = await signInAdmin(server, username);
      expect((await other.get(`/api/v1/enterprises/${id}/credit-records`)).status).toBe(404);
      expect((await other.get(`/api/v1/enterprises/${id}/credit-records/summary`)).status).toBe(404);
    }
    // The change feed names the firm.
    expect(await CreditChange.count({ where: { enterpriseId: id, category: 'tax' } })).toBe(1);
  });

  it('returns the first result for a re-sent batch and counts re-sent rows as duplicates', async () => {
    const rows = hangzhou.slice(0, 2).map((f) => taxRow(f.uscc, '2026-07'));
    const first = await push(tax, 'tax', 'b-again', rows);
    const again = await push(tax, 'tax', 'b-again', rows);
    expect(again.status).toBe(200);
    expect(again.body.data.replayed).toBe(true);
    expect(again.body.data.batch.id).toBe(first.body.data.batch.id);
    const resent = await push(tax, 'tax', 'b-again-2', rows);
    expect(resent.body.data.batch.counts).toMatchObject({ received: 2, accepted: 0, duplicate: 2 });
    expect(await count({ sourceId: tax.id, period: '2026-07' })).toBe(2);
    // The same batch id for another category is a conflict, not a silent replay.
    const other = await createSource({ categories: ['tax', 'social_security'] });
    await push(other, 'tax', 'shared-id', rows);
    const conflict = await push(other, 'social_security', 'shared-id', [{ uscc: rows[0]!.uscc, externalId: 'SS-1', period: '2026-07', insuredHeadcount: 3, arrearsFen: 0 }]);
    expect(conflict.status).toBe(409);
  });

  it('supersedes the current version with a corrected row and keeps the old one as history', async () => {
    const firm = hangzhou[1]!;
    await push(tax, 'tax', 'b-orig', [taxRow(firm.uscc, '2026-06', 100_00)]);
    const corrected = await push(tax, 'tax', 'b-fix', [taxRow(firm.uscc, '2026-06', 200_00)]);
    expect(corrected.body.data.batch.counts).toMatchObject({ accepted: 0, superseded: 1 });
    const id = await enterpriseIdOf(firm.uscc);
    const current = await admin.get(`/api/v1/enterprises/${id}/credit-records`).query({ category: 'tax' });
    const june = current.body.data.list.filter((r: { period: string }) => r.period === '2026-06');
    expect(june).toHaveLength(1);
    expect(june[0].payload.taxPaidFen).toBe(200_00);
    const history = await admin.get(`/api/v1/enterprises/${id}/credit-records`).query({ category: 'tax', includeHistory: 'true' });
    const versions = history.body.data.list.filter((r: { period: string }) => r.period === '2026-06');
    expect(versions.map((r: { status: string }) => r.status).sort()).toEqual(['current', 'superseded']);
    // Sending the old version again changes nothing.
    const old = await push(tax, 'tax', 'b-old-again', [taxRow(firm.uscc, '2026-06', 100_00)]);
    expect(old.body.data.batch.counts).toMatchObject({ duplicate: 1, accepted: 0, superseded: 0 });
  });

  it('rejects bad rows with reasons, and takes JSON lines with a broken line', async () => {
    const firm = hangzhou[2]!;
    const lines = [JSON.stringify(taxRow(firm.uscc, '2026-05')), '{not json', JSON.stringify({ ...taxRow(firm.uscc, '2026-04'), taxPaidFen: -5 }), JSON.stringify(taxRow('91330106MA2H0CM3X0', '2026-05'))].join('\n');
    const res = await signed(tax, '/api/v1/ingest/tax?batchId=b-lines', lines, { type: 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.body.data.batch.counts).toMatchObject({ received: 4, accepted: 1, rejected: 3 });
    const reasons = res.body.data.errors.map((e: { rowNumber: number; reason: string }) => `${e.rowNumber}:${e.reason}`).join('\n');
    expect(reasons).toContain('2:该行不是有效的 JSON');
    expect(res.body.data.errors.find((e: { rowNumber: number }) => e.rowNumber === 3).label).toBe('实缴税额（元）');
    expect(res.body.data.errors.find((e: { rowNumber: number }) => e.rowNumber === 4).label).toBe('统一社会信用代码');
  });

  it('rejects a row for an unregistered firm, and refuses a batch with a firm outside its regions', async () => {
    const unknown = demoUscc('330106', 9_001);
    const res = await push(tax, 'tax', 'b-unknown', [taxRow(unknown, '2026-05')]);
    expect(res.body.data.batch.counts).toMatchObject({ rejected: 1 });
    expect(res.body.data.errors[0].reason).toContain('尚无登记注册信息');
    const outside = await push(tax, 'tax', 'b-outside', [taxRow(hangzhou[3]!.uscc, '2026-05'), taxRow(ningbo[0]!.uscc, '2026-05')]);
    expect(outside.status).toBe(403);
    expect(outside.body.errorCode).toBe('REGION_NOT_ALLOWED');
    expect(outside.body.errorMessage).toContain('第 2 条');
    expect(await IngestBatch.count({ where: { externalBatchId: 'b-outside' } })).toBe(0);
    expect(await count({ sourceId: tax.id, uscc: hangzhou[3]!.uscc, period: '2026-05' })).toBe(0);
  });

  it('refuses a category it may not send, a disabled source, and people on the ingest route', async () => {
    const wrong = await push(tax, 'penalty', 'b-cat', [{}]);
    expect(wrong.status).toBe(403);
    expect(wrong.body.errorCode).toBe('CATEGORY_NOT_ALLOWED');
    const person = await admin.post('/api/v1/ingest/tax?batchId=x').send([]);
    expect(person.status).toBe(403);
    const source = await createSource({});
    await admin.patch(`/api/v1/data-sources/${source.id}`).send({ enabled: false });
    const disabled = await push(source, 'tax', 'b-off', [taxRow(hangzhou[0]!.uscc, '2026-01')]);
    expect(disabled.status).toBe(401);
    expect(disabled.body.errorCode).toBe('SOURCE_DISABLED');
    // A source's key opens nothing but the ingest routes.
    const enabled = await createSource({});
    const elsewhere = await signed(enabled, '/api/v1/organisations', JSON.stringify({ name: '数据源建的机构', type: 'bank' }));
    expect(elsewhere.status).toBe(403);
  });

  it('checks the signature, the clock, the nonce and a rotated key within and after its grace period', async () => {
    const source = await createSource({});
    const rows = [taxRow(hangzhou[4]!.uscc, '2026-03')];
    const forged = await push({ ...source, secret: 'dsk_wrong' }, 'tax', 'b-sig', rows);
    expect(forged.body.errorCode).toBe('INVALID_SIGNATURE');
    const skewed = await push(source, 'tax', 'b-sig', rows, { timestamp: Math.floor(clock.nowMs() / 1000) - 301 });
    expect(skewed.body.errorCode).toBe('TIMESTAMP_SKEWED');
    const unknown = await push({ ...source, keyId: 'ds_000000000000000000000000' }, 'tax', 'b-sig', rows);
    expect(unknown.body.errorCode).toBe('UNKNOWN_KEY');
    const nonce = randomBytes(16).toString('hex');
    expect((await push(source, 'tax', 'b-sig', rows, { nonce })).status).toBe(200);
    const replayed = await push(source, 'tax', 'b-sig-2', rows, { nonce });
    expect(replayed.body.errorCode).toBe('NONCE_REPLAYED');

    const rotated = await admin.post(`/api/v1/data-sources/${source.id}/rotate`).send({ graceHours: 1 });
    expect(rotated.status).toBe(200);
    const fresh = { ...source, secret: rotated.body.data.secret as string };
    expect((await push(source, 'tax', 'b-old-key', rows)).status).toBe(200);
    expect((await push(fresh, 'tax', 'b-new-key', rows)).status).toBe(200);
    clock.advance(3600_000 + 1000);
    try {
      const late = await push(source, 'tax', 'b-old-late', rows);
      expect(late.body.errorCode).toBe('INVALID_SIGNATURE');
      expect((await push(fresh, 'tax', 'b-new-late', rows)).status).toBe(200);
    } finally {
      clock.reset();
    }
  });

  it('never answers 500 to malformed pushes, and leaves no half-written batch', async () => {
    const before = { batches: await IngestBatch.count(), records: await CreditRecord.count() };
    const uscc = hangzhou[0]!.uscc;
    const bodies: Array<[string, string, string]> = [
      ['tax', 'm-1', '{"not":"an array"}'],
      ['tax', 'm-2', '[1, "two", null, [3]]'],
      ['tax', 'm-3', '{broken'],
      ['tax', 'm-4', JSON.stringify([{ uscc, externalId: 'x'.repeat(500), period: '2026-13', taxPaidFen: 'lots', revenueDeclaredFen: -1, arrearsFen: 1.5 }])],
      ['tax', 'm-5', JSON.stringify([{ uscc: '\u0000', externalId: {}, period: [], taxPaidFen: {}, revenueDeclaredFen: true }])],
      ['registration', 'm-6', JSON.stringify([{ uscc }])],
      ['nope', 'm-7', '[]'],
      ['tax', 'bad id with spaces', '[]'],
      ['tax', 'm-8', '[]'],
      ['tax', 'm-9', JSON.stringify(Array.from({ length: 5001 }, () => ({})))],
    ];
    for (const [category, batchId, body] of bodies) {
      const res = await signed(tax, `/api/v1/ingest/${category}?batchId=${encodeURIComponent(batchId)}`, body);
      expect(`${category} ${batchId}: ${res.status < 500 && typeof res.body.success === 'boolean'}`).toBe(`${category} ${batchId}: true`);
    }
    const ndjson = await signed(tax, '/api/v1/ingest/tax?batchId=m-10', '\u001e{"a":1}\n\n[]\n"x"\n', { type: 'application/x-ndjson' });
    expect(ndjson.status).toBe(200);
    expect(ndjson.body.data.batch.counts).toMatchObject({ received: 3, rejected: 3 });
    // Only the batches that answered 200 exist, with their rows all rejected; no record came in.
    expect(await CreditRecord.count()).toBe(before.records);
    const created = await IngestBatch.findAll({ where: { externalBatchId: ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7', 'm-8', 'm-9', 'm-10'] } });
    for (const batch of created) expect(batch.received).toBe(batch.rejected);
    expect(created.length).toBeLessThanOrEqual(before.batches + 10);
  });

  it('answers one result to parallel sends of one batch, and stores each version once under racing batches', async () => {
    const rows = hangzhou.slice(0, 6).map((f) => taxRow(f.uscc, '2026-02'));
    const same = await Promise.all(Array.from({ length: 8 }, () => push(tax, 'tax', 'b-parallel', rows)));
    expect(same.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(same.map((r) => r.body.data.batch.id)).size).toBe(1);
    expect(same.filter((r) => !r.body.data.replayed)).toHaveLength(1);
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => push(tax, 'tax', `b-race-${i}`, hangzhou.slice(0, 6).map((f) => taxRow(f.uscc, '2026-01')))));
    expect(racing.map((r) => r.status)).toEqual(Array(6).fill(200));
    const accepted = racing.reduce((n, r) => n + r.body.data.batch.counts.accepted, 0);
    const duplicates = racing.reduce((n, r) => n + r.body.data.batch.counts.duplicate, 0);
    expect(accepted).toBe(6);
    expect(duplicates).toBe(30);
    expect(await count({ sourceId: tax.id, period: '2026-01' })).toBe(6);
  });
});

describe('held rows', () => {
  it('holds rows of an unregistered firm and releases them when its registration arrives', async () => {
    const market = await createSource({ categories: ['registration', 'penalty'], regionCodes: ['330100'], unknownUscc: 'hold' });
    const uscc = demoUscc('330106', 9_101);
    const penalty = {
      uscc,
      externalId: 'CF-9101',
      decisionNo: '杭西市监处罚〔2026〕9号',
      cause: '未按规定公示年度报告',
      amountFen: 500_000,
      severity: 'general',
      decidedOn: '2026-03-01',
      decidedBy: '杭州市西湖区市场监督管理局',
      corrected: false,
    };
    const heldRes = await push(market, 'penalty', 'p-held', [penalty]);
    expect(heldRes.body.data.batch.counts).toMatchObject({ held: 1, accepted: 0 });
    expect(await HeldCreditRow.count({ where: { uscc } })).toBe(1);
    const registration = {
      uscc,
      externalId: `REG-${uscc}`,
      name: '杭州新登记测试有限公司',
      legalRepName: '李新',
      registeredCapitalFen: 100_000_000,
      establishedOn: '2020-05-01',
      industryCode: 'C3484',
      regionCode: '330106',
      scale: 'small',
      status: 'active',
    };
    const reg = await push(market, 'registration', 'r-new', [registration]);
    expect(reg.body.data.batch.counts).toMatchObject({ accepted: 1 });
    runWorker();
    await waitFor('the held row to be released', async () => (await HeldCreditRow.count({ where: { uscc } })) === 0, 120_000);
    const batch = await IngestBatch.findOne({ where: { externalBatchId: 'p-held' } });
    expect({ held: batch!.held, accepted: batch!.accepted }).toEqual({ held: 0, accepted: 1 });
    expect(await count({ uscc, category: 'penalty' })).toBe(1);
  });
});

describe('file imports', () => {
  let market: Credentials;
  beforeAll(async () => {
    market = await createSource({ categories: ['registration', 'tax', 'penalty'], regionCodes: ['330100'] });
    if (stops.length === 0) runWorker();
  });

  const header = '统一社会信用代码,记录编号,所属期,实缴税额（元）,申报营业收入（元）,欠税金额（元）,纳税信用级别';

  async function importFile(bytes: Buffer, name: string, category = 'tax') {
    const res = await admin
      .post('/api/v1/ingest-batches')
      .field('sourceId', market.id)
      .field('category', category)
      .attach('file', bytes, name);
    expect(`${res.status} ${res.body.errorMessage ?? ''}`).toBe('201 ');
    const id = res.body.data.id as string;
    return waitFor('the import to finish', async () => {
      const batch = await admin.get(`/api/v1/ingest-batches/${id}`);
      return ['done', 'failed'].includes(batch.body.data.status) ? batch.body.data : null;
    }, 120_000);
  }

  it('imports a UTF-8 CSV with BOM and 10% bad rows, and reports each bad row', async () => {
    const lines = [header];
    for (let i = 0; i < 100; i++) {
      const firm = hangzhou[i % hangzhou.length]!;
      const month = String((i % 9) + 1).padStart(2, '0');
      const bad = i % 10 === 9;
      lines.push(`${firm.uscc},CSV-${i},2025-${month},"1,234.50",${bad ? 'abc' : '24690.00'},0,A`);
    }
    const batch = await importFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'), 'utf8')]), '纳税.csv');
    expect(batch.status).toBe('done');
    expect(batch.counts).toMatchObject({ received: 100, rejected: 10 });
    expect(batch.counts.accepted + batch.counts.duplicate + batch.counts.superseded).toBe(90);
    expect(batch.rowsDone).toBe(100);
    const errors = await admin.get(`/api/v1/ingest-batches/${batch.id}/errors`);
    expect(errors.body.data.total).toBe(10);
    const report = await admin.get(`/api/v1/ingest-batches/${batch.id}/error-report`).query({ format: 'csv' }).buffer(true);
    const text = (report.body instanceof Buffer ? report.body.toString('utf8') : String(report.text)).replace(/^\uFEFF/, '');
    // Line 11 of the file: the header is line 1, the tenth data row (i = 9) is line 11.
    expect(errors.body.data.list[0]).toMatchObject({ rowNumber: 11, label: '申报营业收入（元）', value: 'abc' });
    expect(text.split(/\r?\n/)[1]).toMatch(/^11,/);
    expect(report.status).toBe(200);
    expect(report.headers['content-disposition']).toContain("filename*=UTF-8''");
    expect(text).toContain('abc');
    expect(text.split(/\r?\n/).filter(Boolean)).toHaveLength(11);
    const xlsx = await admin.get(`/api/v1/ingest-batches/${batch.id}/error-report`).query({ format: 'xlsx' }).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as Buffer);
    expect(book.worksheets[0]!.rowCount).toBe(11);
    // Importing the same file again changes nothing.
    const again = await importFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'), 'utf8')]), '纳税.csv');
    expect(again.counts).toMatchObject({ received: 100, accepted: 0, superseded: 0, duplicate: 90, rejected: 10 });
  });

  it('imports GBK CSV and XLSX with Chinese headers, and fails a file without its headers clearly', async () => {
    const firm = hangzhou[5]!;
    const gbk = iconv.encode([header, `${firm.uscc},GBK-1,2024年3月,100,2000,0,A级`].join('\n'), 'gbk');
    const fromGbk = await importFile(gbk, 'gbk.csv');
    expect(fromGbk.counts).toMatchObject({ received: 1, accepted: 1 });

    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('数据');
    sheet.addRow(header.split(','));
    sheet.addRow([firm.uscc, 'XLSX-1', '2024-04', 100.5, 2010, 0, 'B']);
    const fromXlsx = await importFile(Buffer.from(await book.xlsx.writeBuffer()), '纳税.xlsx');
    expect(fromXlsx.counts).toMatchObject({ received: 1, accepted: 1 });
    const stored = await CreditRecord.findOne({ where: { externalId: 'XLSX-1' } });
    expect(JSON.parse(stored!.payload).taxPaidFen).toBe(10050);

    const broken = await importFile(Buffer.from('名称,金额\n甲,1\n'), 'broken.csv');
    expect(broken.status).toBe('failed');
    expect(broken.failureReason).toContain('统一社会信用代码');
  });

  it('rejects rows of firms outside the source, and refuses what is not a spreadsheet', async () => {
    const rows = [header, `${ningbo[0]!.uscc},OUT-1,2025-01,1,1,0,A`, `${hangzhou[0]!.uscc},IN-1,2024-12,1,1,0,A`];
    const batch = await importFile(Buffer.from(rows.join('\n')), 'mixed.csv');
    expect(`${batch.status} ${batch.failureReason}`).toBe('done null');
    expect(batch.counts).toMatchObject({ received: 2, accepted: 1, rejected: 1 });
    const errors = await admin.get(`/api/v1/ingest-batches/${batch.id}/errors`);
    expect(errors.body.data.list[0].reason).toContain('不在数据源的覆盖范围内');
    // A NUL byte makes the file binary, not CSV: the file fails with its reason (the worker goes on).
    const withNul = await importFile(Buffer.from([header, `${hangzhou[1]!.uscc},NUL\u0000-1,2024-12,1,1,0,A`].join('\n')), 'nul.csv');
    expect(withNul.status).toBe('failed');
    expect(withNul.failureReason).toContain('二进制');
    const png = await admin
      .post('/api/v1/ingest-batches')
      .field('sourceId', market.id)
      .field('category', 'tax')
      .attach('file', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'x.png');
    expect(png.status).toBe(400);
  });

  it('takes a file far larger than an image upload (the import limit is 2 GB, not 5 MB)', async () => {
    const note = 'x'.repeat(60_000);
    const lines = [`${header},备注`];
    for (let i = 0; i < 100; i++) lines.push(`${hangzhou[i % hangzhou.length]!.uscc},BIG-${i},2023-0${(i % 9) + 1},1,1,0,A,${note}`);
    const bytes = Buffer.from(lines.join('\n'));
    expect(bytes.length).toBeGreaterThan(5 * 1024 * 1024);
    const batch = await importFile(bytes, 'big.csv');
    expect(batch.status).toBe('done');
    expect(batch.counts).toMatchObject({ received: 100, accepted: 100, rejected: 0 });
  });

  it("lets a user of the source's organisation import, and no one of another organisation", async () => {
    const own = await signInAdmin(server, 'gov_city');
    const listed = await own.get('/api/v1/data-sources');
    expect(listed.body.data.list.map((x: { id: string }) => x.id)).toContain(market.id);
    const file = Buffer.from([header, `${hangzhou[2]!.uscc},ORG-1,2023-11,1,1,0,A`].join('\n'));
    const res = await own.post('/api/v1/ingest-batches').field('sourceId', market.id).field('category', 'tax').attach('file', file, 'org.csv');
    expect(res.status).toBe(201);
    expect((await own.get(`/api/v1/ingest-batches/${res.body.data.id}`)).status).toBe(200);
    const other = await signInAdmin(server, 'gov_province');
    expect((await other.get('/api/v1/data-sources')).body.data.list.map((x: { id: string }) => x.id)).not.toContain(market.id);
    const refused = await other.post('/api/v1/ingest-batches').field('sourceId', market.id).field('category', 'tax').attach('file', file, 'org.csv');
    expect(refused.status).toBe(404);
    expect((await other.get(`/api/v1/ingest-batches/${res.body.data.id}`)).status).toBe(404);
    expect((await other.get(`/api/v1/ingest-batches/${res.body.data.id}/error-report`)).status).toBe(404);
    // Not a category of the source: refused with its code.
    const wrong = await own.post('/api/v1/ingest-batches').field('sourceId', market.id).field('category', 'utility').attach('file', file, 'org.csv');
    expect(wrong.body.errorCode).toBe('CATEGORY_NOT_ALLOWED');
  });

  it('registers overlapping new firms from two files imported at the same time, each firm once', async () => {
    const second = await createSource({ categories: ['registration'], regionCodes: ['330100'] });
    const regHeader = '统一社会信用代码,记录编号,企业名称,法定代表人,注册资本（元）,成立日期,国民经济行业代码,所属行政区划,企业规模,登记状态';
    const file = (from: number, to: number, tag: string) => {
      const lines = [regHeader];
      for (let i = from; i < to; i++) lines.push(`${demoUscc('330106', 50_000 + i)},${tag}-${i},杭州并发登记${i}有限公司,王五,"500,000",2019-05-0${(i % 9) + 1},C3484,330106,小型,存续`);
      return Buffer.from(lines.join('\n'));
    };
    const start = async (sourceId: string, bytes: Buffer) => {
      const res = await admin.post('/api/v1/ingest-batches').field('sourceId', sourceId).field('category', 'registration').attach('file', bytes, 'reg.csv');
      expect(res.status).toBe(201);
      return res.body.data.id as string;
    };
    const ids = await Promise.all([start(market.id, file(0, 3000, 'A')), start(second.id, file(1500, 4500, 'B'))]);
    const batches = await Promise.all(
      ids.map((id) =>
        waitFor('both imports to finish', async () => {
          const batch = await admin.get(`/api/v1/ingest-batches/${id}`);
          return ['done', 'failed'].includes(batch.body.data.status) ? batch.body.data : null;
        }, 240_000),
      ),
    );
    for (const batch of batches) expect({ status: batch.status, accepted: batch.counts.accepted, rejected: batch.counts.rejected }).toEqual({ status: 'done', accepted: 3000, rejected: 0 });
    const firms = await server.app.db.sequelize.query("SELECT COUNT(*) AS n FROM enterprises WHERE name LIKE '杭州并发登记%'", { plain: true });
    expect(Number((firms as { n: unknown }).n)).toBe(4500);
  });

  it('serves templates for every category', async () => {
    const csv = await admin.get('/api/v1/credit-data/templates/penalty').query({ format: 'csv' }).buffer(true);
    expect(csv.status).toBe(200);
    const text = csv.body instanceof Buffer ? csv.body.toString('utf8') : String(csv.text);
    expect(text).toContain('处罚金额（元）');
    const xlsx = await admin.get('/api/v1/credit-data/templates/registration').query({ format: 'xlsx' }).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as Buffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['数据', '填写说明']);
  });
});

describe('我的数据 in the mini-program', () => {
  it('shows a member its firm records and nothing of another firm', async () => {
    const firm = hangzhou[0]!;
    const id = await enterpriseIdOf(firm.uscc);
    const other = await enterpriseIdOf(hangzhou[1]!.uscc);
    const signedIn = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-my-data' }).expect(200);
    const { token, user } = signedIn.body.data as { token: string; user: { id: string } };
    // Bound as the verification flow would bind it (tested in verification.test.ts).
    await EnterpriseMember.create({ id: newId(), enterpriseId: id, wechatUserId: user.id, role: 'owner', displayName: firm.legalRepName, verificationId: null });
    const mine = await server.http.get(`/api/v1/me/enterprises/${id}/credit-records`).query({ category: 'tax' }).set('Authorization', `Bearer ${token}`);
    expect(mine.status).toBe(200);
    expect(mine.body.data.total).toBeGreaterThan(0);
    expect(mine.body.data.list[0].sourceName).toBeTruthy();
    const theirs = await server.http.get(`/api/v1/me/enterprises/${other}/credit-records`).set('Authorization', `Bearer ${token}`);
    expect(theirs.status).toBe(404);
  });
});
