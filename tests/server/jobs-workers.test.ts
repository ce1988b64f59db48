/**
 * The job runner's acceptance test: worker processes (real child processes) on one MariaDB schema. Many
 * processes against one SQLite file is not a deployment the platform supports, so this runs on MySQL only.
 */
import type { ChildProcess } from 'node:child_process';
import { enqueueJob } from '../../server/src/jobs/queue';
import { Job } from '../../server/src/modules/jobs/models';
import { RECORD_JOB, SLEEP_JOB, createRunsTable, runsOf } from './fixtures/jobs/definitions';
import { spawnReady, startTestServer, waitFor, type TestServer } from './helpers';

const onMysql = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');
const JOBS = 1000;

let server: TestServer;
const children = new Set<ChildProcess>();

/** Starts `tests/server/fixtures/jobs/worker.ts` on the test's schema and resolves once it polls. */
function spawnWorker(): Promise<ChildProcess> {
  const env = { DATABASE_URL: server.app.config.databaseUrl, WORKER_CONCURRENCY: '4', WORKER_POLL_MS: '100' };
  return spawnReady('tests/server/fixtures/jobs/worker.ts', env, children, 90_000);
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

(onMysql ? describe : describe.skip)('three worker processes on MariaDB (needs DATABASE_URL=mysql://…)', () => {
  jest.setTimeout(240_000);

  beforeAll(async () => {
    server = await startTestServer({}, { seed: false });
    await createRunsTable(server.app.db.sequelize);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await server?.close();
  });

  let workers: ChildProcess[] = [];

  it(`runs each of ${JOBS} jobs exactly once`, async () => {
    workers = await Promise.all([spawnWorker(), spawnWorker(), spawnWorker()]);
    const ids: string[] = [];
    for (let batch = 0; batch < JOBS / 100; batch++) {
      await server.app.db.transaction(async (t) => {
        for (let i = 0; i < 100; i++) ids.push((await enqueueJob(t, RECORD_JOB, { n: batch * 100 + i })).id);
      });
    }
    await waitFor('all jobs done', async () => (await Job.count({ where: { type: RECORD_JOB, status: 'done' } })) === JOBS, 180_000);

    const runs = await runsOf(server.app.db.sequelize);
    expect(runs).toHaveLength(JOBS);
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(JOBS);
    expect(new Set(runs.map((r) => r.jobId))).toEqual(new Set(ids));
    expect(await Job.count({ where: { type: RECORD_JOB, attempts: 1 } })).toBe(JOBS);
    // The work really was shared.
    expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
  });

  it('hands the job of a worker killed mid-job to another once its lease ends', async () => {
    const { id } = await server.app.db.transaction((t) => enqueueJob(t, SLEEP_JOB, { ms: 3000 }));
    const started = await waitFor(
      'sleep job started',
      async () => (await runsOf(server.app.db.sequelize, id)).find((r) => r.phase === 'start'),
      60_000,
    );
    const victim = workers.find((w) => String(w.pid) === started.worker)!;
    expect(victim).toBeDefined();
    const leasedUntil = new Date((await Job.findByPk(id))!.leaseUntil!).getTime();
    victim.kill('SIGKILL');
    await exited(victim);

    const job = await waitFor('sleep job done', async () => {
      const row = await Job.findByPk(id);
      return row?.status === 'done' ? row : null;
    }, 60_000);
    expect(job.attempts).toBe(2);
    expect(job.leaseOwner).not.toContain(`:${victim.pid}:`);
    // Taken over only after the dead worker's lease had run out.
    expect(new Date(job.startedAt!).getTime()).toBeGreaterThan(leasedUntil);

    const runs = await runsOf(server.app.db.sequelize, id);
    const starts = runs.filter((r) => r.phase === 'start');
    expect(starts).toHaveLength(2);
    expect(starts[0].worker).not.toBe(starts[1].worker);
    const ends = runs.filter((r) => r.phase === 'end');
    expect(ends).toHaveLength(1);
    expect(ends[0].worker).not.toBe(String(victim.pid));

    // The survivors stop cleanly on SIGTERM.
    const survivors = workers.filter((w) => w !== victim);
    for (const w of survivors) w.kill('SIGTERM');
    expect(await Promise.all(survivors.map(exited))).toEqual([0, 0]);
  });
});
