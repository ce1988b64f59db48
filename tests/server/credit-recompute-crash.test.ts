import type { ChildProcess } from 'node:child_process';
import { usccCheckCharacter } from '@xyd/shared';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { Job } from '../../server/src/modules/jobs/models';
import { enqueueJob } from '../../server/src/jobs/queue';
import { newId } from '../../server/src/lib/ids';
import { spawnReady, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * Crash safety of the full recompute: a worker killed with SIGKILL mid-run leaves the batches it committed; a second
 * worker takes the job over after the lease, resumes from the checkpointed cursor and finishes. Every enterprise ends
 * with exactly one score row (a batch committed but not yet checkpointed is re-run and, unchanged, writes nothing).
 * Meant for MariaDB (several processes on one database); it runs on SQLite too.
 */
const FIRMS = Number(process.env.CRASH_TEST_FIRMS ?? 3_000);
let server: TestServer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  server = await startTestServer({}, { seed: false });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await server.close();
});

function spawnWorker(): Promise<ChildProcess> {
  const env = {
    DATABASE_URL: server.app.config.databaseUrl,
    FILE_STORE_DIR: (server.app.config.fileStore as { dir: string }).dir,
    WORKER_LEASE_MS: '3000',
    JOB_TYPES: 'credit.recompute-all',
  };
  return spawnReady('tests/server/fixtures/import-worker.ts', env, children);
}

const scoreRows = async () =>
  Number(((await server.app.db.sequelize.query('SELECT COUNT(*) AS n FROM credit_scores', { plain: true })) as { n: unknown }).n);

it(`resumes a full recompute of ${FIRMS} firms after kill -9 of its worker: one score per firm`, async () => {
  for (let start = 0; start < FIRMS; start += 1000) {
    await Enterprise.bulkCreate(
      Array.from({ length: Math.min(1000, FIRMS - start) }, (_, k) => {
        const i = start + k;
        const first17 = `91330106${String(500_000_000 + i).padStart(9, '0')}`;
        return {
          id: newId(),
          uscc: first17 + usccCheckCharacter(first17),
          name: `重算测试企业${i}有限公司`,
          legalRepName: '张三',
          legalRepIdHmac: '',
          legalRepIdMasked: '',
          registeredCapitalFen: String(1_000_000 + i * 100),
          establishedOn: `20${String(10 + (i % 15)).padStart(2, '0')}-0${(i % 9) + 1}-15`,
          industryCode: 'C3484',
          industryName: '机械零部件加工',
          regionCode: '330106',
          scale: (['micro', 'small', 'medium'] as const)[i % 3],
          status: 'active' as const,
          address: null,
          businessScope: null,
        };
      }),
    );
  }
  const job = await server.app.db.transaction((t) => enqueueJob(t, 'credit.recompute-all', { reason: 'crash test' }));

  const first = await spawnWorker();
  // Kill it once a few batches are committed and well before the end.
  await waitFor('a few committed batches', async () => (await scoreRows()) >= 1000 || null, 300_000, 20);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const atKill = await scoreRows();
  expect(atKill).toBeLessThan(FIRMS);
  expect((await Job.findByPk(job.id))!.status).toBe('running');

  await spawnWorker();
  const done = await waitFor('the recompute to finish on the second worker', async () => {
    const row = await Job.findByPk(job.id);
    return row && ['done', 'failed'].includes(row.status) ? row : null;
  }, 300_000);
  expect(done.status).toBe('done');
  expect(done.attempts).toBe(2);
  const perFirm = (await server.app.db.sequelize.query(
    'SELECT COUNT(*) AS firms, SUM(n) AS total, MAX(n) AS most FROM (SELECT enterprise_id, COUNT(*) AS n FROM credit_scores GROUP BY enterprise_id) x',
    { plain: true },
  )) as { firms: unknown; total: unknown; most: unknown };
  expect(Number(perFirm.firms)).toBe(FIRMS);
  expect(Number(perFirm.total)).toBe(FIRMS);
  expect(Number(perFirm.most)).toBe(1);
  const payload = JSON.parse(done.payload!) as { scored: number };
  // The cursor resumed: the second holder re-scored at most the one batch committed after the last checkpoint, not
  // everything from the first firm.
  expect(payload.scored).toBeGreaterThanOrEqual(FIRMS);
  expect(payload.scored).toBeLessThanOrEqual(FIRMS + 500);
}, 900_000);
