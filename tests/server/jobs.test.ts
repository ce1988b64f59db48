import { Sequelize } from 'sequelize';
import { enqueueJob, claimJob, completeJob, failJob, findClaimable, retryJobLater, writeCheckpoint } from '../../server/src/jobs/queue';
import { DONE_JOB_RETENTION_MS } from '../../server/src/jobs/definitions';
import { nextTick } from '../../server/src/jobs/schedule';
import { startWorker, type WorkerOptions } from '../../server/src/jobs/worker';
import { AuditLog } from '../../server/src/modules/audit/model';
import { Job } from '../../server/src/modules/jobs/models';
import { Message, OutboxItem } from '../../server/src/modules/notifications/models';
import { enqueueNotification } from '../../server/src/modules/notifications/service';
import { FLAKY_JOB, HOLD_JOB, RECORD_JOB, createRunsTable, runsOf } from './fixtures/jobs/definitions';
import { clock, signInAdmin, startTestServer, waitFor, type TestServer } from './helpers';

let server: TestServer;
let sequelize: Sequelize;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startTestServer({ OUTBOX_INTERVAL_MS: '200' });
  sequelize = server.app.db.sequelize;
  await createRunsTable(sequelize);
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
  clock.reset();
});

function worker(options: WorkerOptions): void {
  stops.push(startWorker(server.app, { pollMs: 25, ...options }));
}

const enqueue = (type: string, payload: Record<string, unknown> | null = null, options = {}) =>
  server.app.db.transaction((t) => enqueueJob(t, type, payload, options));

const jobWhere = (id: string, test: (job: Job) => boolean) => async () => {
  const job = await Job.findByPk(id);
  return job && test(job) ? job : null;
};

describe('job runner', () => {
  it('runs an enqueued job once and records it done', async () => {
    worker({ types: [RECORD_JOB] });
    const { id } = await enqueue(RECORD_JOB, { n: 1 });
    const job = await waitFor('job done', jobWhere(id, (j) => j.status === 'done'));
    expect(job).toMatchObject({ attempts: 1, lastError: null, leaseUntil: null });
    expect(job.finishedAt).toBeTruthy();
    expect(await runsOf(sequelize, id)).toHaveLength(1);
  });

  it('enqueues with the transaction that asks for it, and once per dedupe key', async () => {
    let rolledBack: string | null = null;
    await expect(
      server.app.db.transaction(async (t) => {
        rolledBack = (await enqueueJob(t, RECORD_JOB, null)).id;
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await Job.findByPk(rolledBack!)).toBeNull();

    const first = await enqueue(HOLD_JOB, null, { dedupeKey: 'once:1', runAt: new Date(clock.nowMs() + 3600_000) });
    const second = await enqueue(HOLD_JOB, null, { dedupeKey: 'once:1' });
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(await Job.count({ where: { dedupeKey: 'once:1' } })).toBe(1);
    await Job.destroy({ where: { id: first.id } });
    await expect(enqueue('no.such.type')).rejects.toThrow('unknown job type');
  });

  it('holds a scheduled job until its time', async () => {
    worker({ types: [RECORD_JOB] });
    const later = await enqueue(RECORD_JOB, null, { runAt: new Date(clock.nowMs() + 10 * 60_000) });
    const now = await enqueue(RECORD_JOB);
    await waitFor('due job done', jobWhere(now.id, (j) => j.status === 'done'));
    // The worker has polled past the scheduled job without taking it.
    expect((await Job.findByPk(later.id))?.status).toBe('pending');
    clock.advance(10 * 60_000 + 1);
    await waitFor('scheduled job done', jobWhere(later.id, (j) => j.status === 'done'));
  });

  it('retries with exponential backoff, keeps the final failure, and a platform admin can retry it', async () => {
    worker({ types: [FLAKY_JOB] });
    const { id } = await enqueue(FLAKY_JOB, { failTimes: 3 });
    let job = await waitFor('first failure', jobWhere(id, (j) => j.attempts === 1 && j.status === 'pending'));
    expect(job.lastError).toContain('第 1 次失败');
    const firstDelay = new Date(job.runAt).getTime() - clock.nowMs();
    expect(firstDelay).toBeGreaterThan(55_000);
    expect(firstDelay).toBeLessThanOrEqual(60_000);

    clock.advance(60_001);
    job = await waitFor('second failure', jobWhere(id, (j) => j.attempts === 2 && j.status === 'pending'));
    const secondDelay = new Date(job.runAt).getTime() - clock.nowMs();
    expect(secondDelay).toBeGreaterThan(115_000); // doubled
    expect(secondDelay).toBeLessThanOrEqual(120_000);

    clock.advance(120_001);
    job = await waitFor('final failure', jobWhere(id, (j) => j.status === 'failed'));
    expect(job.attempts).toBe(3);
    expect(job.lastError).toContain('第 3 次失败');
    expect(job.finishedAt).toBeTruthy();

    const admin = await signInAdmin(server, 'admin');
    const failed = await admin.get('/api/v1/jobs').query({ status: 'failed', type: FLAKY_JOB });
    expect(failed.status).toBe(200);
    expect(failed.body.data.list.map((j: { id: string }) => j.id)).toContain(id);
    expect(failed.body.data.list.find((j: { id: string }) => j.id === id)).toMatchObject({ status: 'failed', attempts: 3, maxAttempts: 3, payload: { failTimes: 3 } });

    const retried = await admin.post(`/api/v1/jobs/${id}/retry`).send({});
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ id, status: 'pending', attempts: 0 });
    expect(await AuditLog.count({ where: { action: 'job.retry', targetId: id, outcome: 'success' } })).toBe(1);
    await waitFor('retried job done', jobWhere(id, (j) => j.status === 'done'));
    expect(await runsOf(sequelize, id)).toHaveLength(4);

    const again = await admin.post(`/api/v1/jobs/${id}/retry`).send({});
    expect(again.status).toBe(409);
    expect(again.body.errorCode).toBe('CONFLICT');
    expect((await admin.post('/api/v1/jobs/123456789/retry').send({})).status).toBe(404);
    const advisor = await signInAdmin(server, 'advisor');
    expect((await advisor.get('/api/v1/jobs')).status).toBe(403);
    expect((await advisor.post(`/api/v1/jobs/${id}/retry`).send({})).status).toBe(403);
  });

  it('fails a non-retryable error at once', async () => {
    worker({ types: [FLAKY_JOB] });
    const { id } = await enqueue(FLAKY_JOB, { failTimes: 1, permanent: true });
    const job = await waitFor('job failed', jobWhere(id, (j) => j.status === 'failed'));
    expect(job.attempts).toBe(1);
    expect(job.lastError).toContain('对方拒绝');
  });

  it('refuses every write of a stale owner once another worker has taken the job over', async () => {
    const { id } = await enqueue(HOLD_JOB);
    const [candidate] = (await findClaimable([HOLD_JOB], 10)).filter((c) => c.id === id);
    const a = await claimJob(candidate, 'worker-a', 1000);
    expect(a).toMatchObject({ id, owner: 'worker-a', attempts: 1 });
    // Not claimable while the lease holds.
    expect((await findClaimable([HOLD_JOB], 10)).map((c) => c.id)).not.toContain(id);
    expect(await claimJob(candidate, 'worker-b', 1000)).toBeNull();

    clock.advance(1001);
    const [expired] = (await findClaimable([HOLD_JOB], 10)).filter((c) => c.id === id);
    const b = await claimJob(expired, 'worker-b', 60_000);
    expect(b).toMatchObject({ id, owner: 'worker-b', attempts: 2, token: a!.token + 1 });

    expect(await completeJob(a!)).toBe(false);
    expect(await failJob(a!, 'stale')).toBe(false);
    expect(await retryJobLater(a!, 'stale', clock.now())).toBe(false);
    expect(await writeCheckpoint(a!, { step: 9 })).toBe(false);
    expect(await Job.findByPk(id)).toMatchObject({ status: 'running', leaseOwner: 'worker-b', token: b!.token, lastError: null });

    expect(await completeJob(b!)).toBe(true);
    expect((await Job.findByPk(id))?.status).toBe('done');
  });

  it('lets exactly one of many racing claims win', async () => {
    const { id } = await enqueue(HOLD_JOB);
    const [candidate] = (await findClaimable([HOLD_JOB], 10)).filter((c) => c.id === id);
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => claimJob(candidate, `racer-${i}`, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await completeJob(claims.find(Boolean)!);
  });

  it('aborts a handler whose lease was taken over and never writes its outcome', async () => {
    worker({ types: [HOLD_JOB] });
    const { id } = await enqueue(HOLD_JOB);
    await waitFor('handler started', async () => (await runsOf(sequelize, id)).some((r) => r.phase === 'start'));
    // What another worker's claim does to the row once the lease has run out.
    await Job.update(
      { leaseOwner: 'other-worker', token: sequelize.literal('token + 1') as never, leaseUntil: new Date(clock.nowMs() + 3600_000) },
      { where: { id } },
    );
    await waitFor('handler aborted', async () => (await runsOf(sequelize, id)).some((r) => r.phase === 'aborted'));
    await stops.pop()!(); // waits for the job in hand to finish
    expect(await Job.findByPk(id)).toMatchObject({ status: 'running', leaseOwner: 'other-worker', finishedAt: null, lastError: null });
    await Job.destroy({ where: { id } });
  });
});

describe('cleanup jobs', () => {
  it('removes finished jobs past retention, keeps failed ones, and runs the session and idempotency cleanups', async () => {
    const old = new Date(clock.nowMs() - DONE_JOB_RETENTION_MS - 60_000);
    const doneOld = await enqueue(HOLD_JOB, null, { runAt: new Date(clock.nowMs() + 3600_000) });
    const failedOld = await enqueue(HOLD_JOB, null, { runAt: new Date(clock.nowMs() + 3600_000) });
    const doneRecent = await enqueue(HOLD_JOB, null, { runAt: new Date(clock.nowMs() + 3600_000) });
    await Job.update({ status: 'done', finishedAt: old }, { where: { id: doneOld.id } });
    await Job.update({ status: 'failed', finishedAt: old, lastError: '保留' }, { where: { id: failedOld.id } });
    await Job.update({ status: 'done', finishedAt: clock.now() }, { where: { id: doneRecent.id } });

    worker({ types: ['jobs.cleanup', 'sessions.cleanup', 'idempotency.cleanup'] });
    const runs = [await enqueue('jobs.cleanup'), await enqueue('sessions.cleanup'), await enqueue('idempotency.cleanup')];
    for (const { id } of runs) await waitFor(`cleanup ${id} done`, jobWhere(id, (j) => j.status === 'done'));
    expect(await Job.findByPk(doneOld.id)).toBeNull();
    expect((await Job.findByPk(failedOld.id))?.status).toBe('failed');
    expect((await Job.findByPk(doneRecent.id))?.status).toBe('done');
    await Job.destroy({ where: { id: [failedOld.id, doneRecent.id] } });
  });
});

describe('recurring jobs', () => {
  it('computes cron ticks in Beijing time', () => {
    expect(nextTick({ type: 'x', cron: '30 3 * * *' }, new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T19:30:00.000Z');
    expect(nextTick({ type: 'x', everyMs: 2000 }, new Date('2026-01-01T00:00:01.500Z')).toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect(nextTick({ type: 'x', everyMs: 2000 }, new Date('2026-01-01T00:00:02.000Z')).toISOString()).toBe('2026-01-01T00:00:04.000Z');
  });

  it('runs the outbox dispatcher on the runner, one job per tick across workers', async () => {
    const since = new Date(clock.nowMs() - 1);
    worker({ types: ['outbox.dispatch'], owner: 'w1' });
    worker({ types: ['outbox.dispatch'], owner: 'w2' });
    const login = await server.http.post('/api/v1/auth/wechat/login').send({ code: 'dev-jobs-outbox' });
    expect(login.status).toBe(200);
    const outboxId = await server.app.db.transaction((t) =>
      enqueueNotification(t, { recipientKind: 'wechat', recipientId: login.body.data.user.id, templateKey: 'verification_result', title: '测试', body: '经任务投递' }),
    );
    await waitFor('notification delivered', async () => (await OutboxItem.findByPk(outboxId))?.status === 'done');
    expect(await Message.count({ where: { outboxId } })).toBe(1);
    await waitFor('three ticks done', async () => (await Job.count({ where: { type: 'outbox.dispatch', status: 'done' } })) >= 3);

    const ticks = await Job.findAll({ where: { type: 'outbox.dispatch' }, order: [['runAt', 'ASC']] });
    const runAts = ticks.map((j) => new Date(j.runAt).getTime());
    expect(new Set(runAts).size).toBe(ticks.length); // one job per tick, though two workers scheduled each
    for (const j of ticks) {
      expect(new Date(j.runAt).getTime() % 200).toBe(0);
      expect(j.dedupeKey).toBe(`outbox.dispatch@${new Date(j.runAt).toISOString()}`);
      expect(j.maxAttempts).toBe(1);
    }
    expect(ticks.length).toBeLessThanOrEqual(Math.ceil((clock.nowMs() - since.getTime()) / 200) + 2);

    const admin = await signInAdmin(server, 'admin');
    const summary = await admin.get('/api/v1/jobs/summary');
    expect(summary.status).toBe(200);
    const queues = summary.body.data.queues as Array<{ type: string; done: number; schedule: string | null; lastFinishedAt: string | null }>;
    expect(queues.find((q) => q.type === 'outbox.dispatch')).toMatchObject({ schedule: '每 200 毫秒' });
    expect(queues.find((q) => q.type === 'outbox.dispatch')!.lastFinishedAt).toBeTruthy();
    expect(queues.find((q) => q.type === 'jobs.cleanup')?.schedule).toContain('cron');
    expect(queues.find((q) => q.type === RECORD_JOB)).toMatchObject({ schedule: null });
    expect(queues.find((q) => q.type === RECORD_JOB)!.done).toBeGreaterThanOrEqual(1);
  });
});
