import type { ChildProcess } from 'node:child_process';
import { usccCheckCharacter, USCC_CHARSET } from '@xyd/shared';
import { CreditRecord, IngestBatch } from '../../server/src/modules/credit-data/models';
import { Organisation } from '../../server/src/modules/identity/models';
import { signInAdmin, spawnReady, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * Crash safety of file imports: a worker killed with SIGKILL in the middle of a file leaves its last committed
 * chunk; a second worker takes the job over when the lease lapses and finishes the file. Rows are counted before and
 * after: every row once, nothing lost, nothing doubled. Meant for MariaDB (several processes on one database); it
 * runs on SQLite too.
 */
const ROWS = Number(process.env.CRASH_TEST_ROWS ?? 30_000);
let server: TestServer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await server.close();
});

function spawnWorker(): Promise<ChildProcess> {
  const env = { DATABASE_URL: server.app.config.databaseUrl, FILE_STORE_DIR: (server.app.config.fileStore as { dir: string }).dir, WORKER_LEASE_MS: '3000' };
  return spawnReady('tests/server/fixtures/import-worker.ts', env, children);
}

function uscc(serial: number): string {
  let body = '';
  let n = serial;
  for (let i = 0; i < 9; i++) {
    body = USCC_CHARSET[n % 10] + body;
    n = Math.floor(n / 10);
  }
  const first17 = `91330106${body}`;
  return first17 + usccCheckCharacter(first17);
}

it(`resumes a ${ROWS}-row import after kill -9 of its worker: every row once`, async () => {
  const admin = await signInAdmin(server, 'admin');
  const org = await Organisation.findOne({ where: { name: '杭州市发展和改革委员会' } });
  const created = await admin.post('/api/v1/data-sources').send({ organisationId: org!.id, name: '市场监管（崩溃测试）', categories: ['registration'], regionCodes: ['330100'] });
  const sourceId = created.body.data.source.id as string;
  const lines = ['统一社会信用代码,记录编号,企业名称,法定代表人,注册资本（元）,成立日期,国民经济行业代码,所属行政区划,企业规模,登记状态'];
  for (let i = 0; i < ROWS; i++) lines.push(`${uscc(100_000 + i)},REG-${i},杭州崩溃测试${i}有限公司,张三,"1,000,000",2018-03-0${(i % 9) + 1},C3484,330106,小型,存续`);
  const started = await admin
    .post('/api/v1/ingest-batches')
    .field('sourceId', sourceId)
    .field('category', 'registration')
    .attach('file', Buffer.from(lines.join('\n')), 'registration.csv');
  expect(started.status).toBe(201);
  const batchId = started.body.data.id as string;
  const before = await CreditRecord.count();

  const first = await spawnWorker();
  // Kill it once a few chunks are committed and well before the end.
  const killedAt = await waitFor('a few committed chunks', async () => {
    const batch = await IngestBatch.findByPk(batchId);
    return batch && batch.rowsDone >= 3000 ? batch.rowsDone : null;
  }, 300_000);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const afterKill = await IngestBatch.findByPk(batchId);
  expect(afterKill!.status).toBe('running');
  expect(afterKill!.rowsDone).toBeLessThan(ROWS);
  // What was committed is exactly what the checkpoint says.
  expect(await CreditRecord.count({ where: { batchId } })).toBe(afterKill!.rowsDone);

  await spawnWorker();
  const done = await waitFor('the import to finish on the second worker', async () => {
    const batch = await IngestBatch.findByPk(batchId);
    return batch && ['done', 'failed'].includes(batch.status) ? batch : null;
  }, 300_000);
  expect(done.status).toBe('done');
  expect(killedAt).toBeGreaterThan(0);
  expect({ received: done.received, accepted: done.accepted, duplicate: done.duplicate, rejected: done.rejected, rowsDone: done.rowsDone }).toEqual({
    received: ROWS,
    accepted: ROWS,
    duplicate: 0,
    rejected: 0,
    rowsDone: ROWS,
  });
  expect((await CreditRecord.count()) - before).toBe(ROWS);
  const distinct = await server.app.db.sequelize.query('SELECT COUNT(DISTINCT external_id) AS n FROM credit_records WHERE batch_id = ?', {
    replacements: [batchId],
    plain: true,
  });
  expect(Number((distinct as { n: unknown }).n)).toBe(ROWS);
  const firms = await server.app.db.sequelize.query("SELECT COUNT(*) AS n FROM enterprises WHERE name LIKE '杭州崩溃测试%'", { plain: true });
  expect(Number((firms as { n: unknown }).n)).toBe(ROWS);
}, 900_000);
