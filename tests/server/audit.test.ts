import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import { AuditAnchor, AuditLog, AuditSeal, AuditVerifyRun } from '../../server/src/modules/audit/model';
import { GENESIS_HASH, recordAudit, recordAuditAlone } from '../../server/src/modules/audit/service';
import {
  SEAL_LEASE_MS,
  VERIFY_RUN_RETENTION_MS,
  auditVerificationRequester,
  cleanupAuditVerifyRuns,
  exportAuditAnchor,
  latestAuditVerification,
  runAuditVerification,
  sealAuditLog,
} from '../../server/src/modules/audit/jobs';
import { Worker } from '../../server/src/jobs/worker';
import { clock, signInAdmin, startTestServer, type TestServer } from './helpers';

let server: TestServer;
const logLines: string[] = [];
const onMysql = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'info' }, { logLines });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => clock.reset());

type Row = AuditLog;

async function sealedRows(): Promise<Row[]> {
  return AuditLog.findAll({ where: { seq: { [Op.ne]: null } }, order: [['seq', 'ASC']] });
}

/** Seals everything and checks the whole chain is intact, so each test starts from a good chain. */
async function sealAndVerifyIntact(): Promise<Row[]> {
  // Enough rows for the tampering cases to pick distinct ones.
  for (let i = 0; i < 4; i += 1) {
    await recordAuditAlone(server.app.db, { actor: null, action: 'system.test', outcome: 'success', detail: { filler: i } });
  }
  await sealAuditLog(server.app);
  const result = await runAuditVerification(server.app, { full: true });
  expect(result).toMatchObject({ ok: true, broken: [], unsealed: 0 });
  return sealedRows();
}

/** What an attacker without the key can compute: the same canonical text, hashed with plain SHA-256. */
function unkeyedHash(prevHash: string, row: Row): string {
  const canonical = JSON.stringify([
    row.id,
    row.seq,
    new Date(row.at).toISOString(),
    row.actorType,
    row.actorId,
    row.actorName,
    row.action,
    row.targetType,
    row.targetId,
    row.outcome,
    row.detail,
    row.ip,
    row.requestId,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

describe('audit log: append, seal, verify', () => {
  it('appends unsealed rows, lists them first, and seals them into one chain', async () => {
    const admin = await signInAdmin(server, 'admin');
    const before = await admin.get('/api/v1/audit-logs/verify');
    expect(before.status).toBe(200);
    // No run yet: the endpoint says so instead of walking the chain in the request.
    expect(before.body.data).toMatchObject({ ok: true, checked: 0, broken: [], verifiedAt: null });
    expect(before.body.data.unsealed).toBeGreaterThan(0);

    const list = await admin.get('/api/v1/audit-logs?pageSize=5');
    expect(list.body.data.list[0]).toMatchObject({ seq: null, hash: null });

    const unsealed = await AuditLog.count({ where: { seq: null } });
    expect(await sealAuditLog(server.app)).toEqual({ sealed: unsealed });
    const rows = await sealedRows();
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => String(i + 1)));
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i].prevHash).toBe(rows[i - 1].hash);

    const result = await runAuditVerification(server.app);
    expect(result).toMatchObject({ ok: true, checked: rows.length, broken: [], unsealed: 0, sealedSeq: String(rows.length) });
    const stored = await admin.get('/api/v1/audit-logs/verify');
    expect(stored.body.data).toMatchObject({ ok: true, checked: rows.length, headHash: rows[rows.length - 1].hash });
    expect(stored.body.data.verifiedAt).toBe(result.verifiedAt);

    const sealedList = await admin.get('/api/v1/audit-logs?pageSize=100');
    const seqs = (sealedList.body.data.list as Array<{ seq: string | null }>).map((r) => r.seq);
    expect(seqs.filter((s) => s === null)).toHaveLength(0);
  });

  it('keeps a lone-surrogate user name verifiable (the database stores it as U+FFFD)', async () => {
    const res = await server.http
      .post('/api/v1/auth/admin/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"\\ud800","password":"x"}');
    expect([400, 401]).toContain(res.status);
    // The same text reaching the audit log by another path (a name, a target, a detail) must not break the chain either.
    await recordAuditAlone(server.app.db, {
      actor: null,
      actorName: 'a\ud800b\udc00',
      action: 'auth.admin.login',
      targetId: '\udfff',
      outcome: 'failure',
      detail: { tried: '\ud800' },
    });
    // Over-long attempted names are cut to the column, not refused (the failure is still audited).
    await recordAuditAlone(server.app.db, { actor: null, actorName: '名'.repeat(100), action: 'auth.admin.login', outcome: 'failure' });
    await sealAuditLog(server.app);
    const result = await runAuditVerification(server.app, { full: true });
    expect(result).toMatchObject({ ok: true, broken: [] });
    const stored = await AuditLog.findOne({ where: { targetId: '\ufffd' } });
    expect(stored?.actorName).toBe('a\ufffdb\ufffd');
    expect(await AuditLog.count({ where: { actorName: '名'.repeat(64) } })).toBe(1);
  });

  it('detects a row whose text was changed, and two separately changed rows as two broken rows', async () => {
    const rows = await sealAndVerifyIntact();
    const [a, b] = [rows[2], rows[rows.length - 2]];
    await AuditLog.update({ actorName: '篡改者' }, { where: { id: a.id } });
    const one = await runAuditVerification(server.app, { full: true });
    expect(one).toMatchObject({ ok: false, firstBrokenId: a.id });
    expect(one.broken).toEqual([{ id: a.id, seq: a.seq, reason: expect.stringContaining('篡改') }]);

    await AuditLog.update({ detail: JSON.stringify({ note: '改过' }) }, { where: { id: b.id } });
    const two = await runAuditVerification(server.app, { full: true });
    expect(two.broken.map((r) => r.id)).toEqual([a.id, b.id]);
    // The endpoint reports the stored run with every broken row.
    const admin = await signInAdmin(server, 'admin');
    const reported = await admin.get('/api/v1/audit-logs/verify');
    expect(reported.body.data.broken.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);

    await AuditLog.update({ actorName: a.actorName }, { where: { id: a.id } });
    await AuditLog.update({ detail: b.detail }, { where: { id: b.id } });
    expect((await runAuditVerification(server.app, { full: true })).ok).toBe(true);
  });

  it('detects a deleted row, in the middle and at the tail', async () => {
    const rows = await sealAndVerifyIntact();
    const victim = rows[3];
    await AuditLog.destroy({ where: { id: victim.id } });
    const gap = await runAuditVerification(server.app, { full: true });
    expect(gap.ok).toBe(false);
    expect(gap.broken).toEqual([{ id: rows[4].id, seq: rows[4].seq, reason: expect.stringContaining('删除') }]);
    await AuditLog.create(victim.get({ plain: true }));

    // The last rows deleted and the head moved back to match: earlier runs saw further.
    await runAuditVerification(server.app, { full: true });
    const tail = rows.slice(-2);
    const newLast = rows[rows.length - 3];
    await AuditLog.destroy({ where: { id: tail.map((r) => r.id) } });
    await AuditSeal.update({ sealedSeq: newLast.seq as string, headHash: newLast.hash as string }, { where: { id: 1 } });
    const cut = await runAuditVerification(server.app, { full: true });
    expect(cut.ok).toBe(false);
    expect(cut.reason).toContain('链头回退');

    for (const row of tail) await AuditLog.create(row.get({ plain: true }));
    const last = rows[rows.length - 1];
    await AuditSeal.update({ sealedSeq: last.seq as string, headHash: last.hash as string }, { where: { id: 1 } });
    expect((await runAuditVerification(server.app, { full: true })).ok).toBe(true);
  });

  it('detects a row rewritten with every later hash recomputed without the key', async () => {
    const rows = await sealAndVerifyIntact();
    const from = 4;
    let prev = rows[from - 1].hash as string;
    for (let i = from; i < rows.length; i += 1) {
      const row = rows[i];
      const forged = AuditLog.build(row.get({ plain: true }));
      if (i === from) forged.outcome = row.outcome === 'success' ? 'failure' : 'success';
      forged.prevHash = prev;
      forged.hash = unkeyedHash(prev, forged);
      await AuditLog.update(
        { outcome: forged.outcome, prevHash: forged.prevHash, hash: forged.hash },
        { where: { id: row.id } },
      );
      prev = forged.hash;
    }
    await AuditSeal.update({ headHash: prev }, { where: { id: 1 } });
    const result = await runAuditVerification(server.app, { full: true });
    expect(result.ok).toBe(false);
    expect(result.firstBrokenId).toBe(rows[from].id);
    expect(result.broken).toHaveLength(rows.length - from);

    for (const row of rows.slice(from)) {
      await AuditLog.update({ outcome: row.outcome, prevHash: row.prevHash, hash: row.hash }, { where: { id: row.id } });
    }
    await AuditSeal.update({ headHash: rows[rows.length - 1].hash as string }, { where: { id: 1 } });
    expect((await runAuditVerification(server.app, { full: true })).ok).toBe(true);
  });

  it('verifies incrementally from the checkpoint of the last run', async () => {
    const rows = await sealAndVerifyIntact();
    await signInAdmin(server, 'advisor');
    await signInAdmin(server, 'gov_city');
    const added = await AuditLog.count({ where: { seq: null } });
    expect(added).toBeGreaterThan(1);
    await sealAuditLog(server.app);
    const incremental = await runAuditVerification(server.app);
    expect(incremental).toMatchObject({ ok: true, checked: added, sealedSeq: String(rows.length + added) });

    // A change behind the checkpoint is not walked again by an incremental run, but a full run finds it.
    const old = rows[1];
    await AuditLog.update({ ip: '10.9.9.9' }, { where: { id: old.id } });
    expect(await runAuditVerification(server.app)).toMatchObject({ ok: true, checked: 0 });
    expect(await runAuditVerification(server.app, { full: true })).toMatchObject({ ok: false, firstBrokenId: old.id });
    // After a broken run the checkpoint stays before the break: the next incremental run reports it again.
    expect(await runAuditVerification(server.app)).toMatchObject({ ok: false, firstBrokenId: old.id });
    await AuditLog.update({ ip: old.ip }, { where: { id: old.id } });
    expect((await runAuditVerification(server.app)).ok).toBe(true);
  });

  it('lets one sealer work at a time and takes over a dead sealer after its lease', async () => {
    await sealAndVerifyIntact();
    for (let i = 0; i < 5; i += 1) {
      await recordAuditAlone(server.app.db, { actor: null, action: 'system.test', outcome: 'success', detail: { i } });
    }
    const both = await Promise.all([sealAuditLog(server.app), sealAuditLog(server.app)]);
    expect(both.map((r) => r.sealed).sort()).toEqual([0, 5]);

    // A sealer that died holding the lease.
    await AuditSeal.update({ owner: 'dead-worker', leaseUntil: new Date(clock.nowMs() + SEAL_LEASE_MS) }, { where: { id: 1 } });
    await recordAuditAlone(server.app.db, { actor: null, action: 'system.test', outcome: 'success' });
    expect(await sealAuditLog(server.app)).toEqual({ sealed: 0 });
    clock.advance(SEAL_LEASE_MS + 1);
    expect(await sealAuditLog(server.app)).toEqual({ sealed: 1 });
    expect(await runAuditVerification(server.app, { full: true })).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('exports the head as an anchor, logs it, lists it, and checks rows against it', async () => {
    const rows = await sealAndVerifyIntact();
    const head = rows[rows.length - 1];
    const anchor = await exportAuditAnchor(server.app);
    expect(anchor).toMatchObject({ seq: head.seq, hash: head.hash });
    expect(logLines.some((line) => line.includes(head.hash as string) && line.includes('anchor'))).toBe(true);
    expect(await exportAuditAnchor(server.app)).toBeNull(); // the head has not moved

    const admin = await signInAdmin(server, 'admin');
    const listed = await admin.get('/api/v1/audit-logs/anchors');
    expect(listed.status).toBe(200);
    expect(listed.body.data.list[0]).toEqual(anchor);
    const advisor = await signInAdmin(server, 'advisor');
    expect((await advisor.get('/api/v1/audit-logs/anchors')).status).toBe(403);

    // A recomputed head (as someone holding the key could make) no longer matches the anchor.
    await AuditLog.update({ hash: 'f'.repeat(64) }, { where: { id: head.id } });
    const result = await runAuditVerification(server.app, { full: true });
    expect(result.broken.find((r) => r.id === head.id)?.reason).toContain('锚点');
    await AuditLog.update({ hash: head.hash }, { where: { id: head.id } });
    await AuditAnchor.destroy({ where: {} });
    expect((await runAuditVerification(server.app, { full: true })).ok).toBe(true);
  });

  it('keeps failed verification runs and the latest one, and drops passing runs after 30 days', async () => {
    await sealAndVerifyIntact();
    const first = await runAuditVerification(server.app, { full: true });
    expect(first.ok).toBe(true);
    const [failed] = await AuditVerifyRun.findAll({ order: [['finishedAt', 'ASC']], limit: 1 });
    await AuditVerifyRun.update({ ok: false }, { where: { id: failed.id } });
    const latest = await runAuditVerification(server.app, { full: true });
    expect(latest.ok).toBe(true);
    const passing = await AuditVerifyRun.count({ where: { ok: true } });
    clock.advance(VERIFY_RUN_RETENTION_MS + 3600_000);
    // Every passing run but the latest goes; failed runs (this one, and the tampering tests' above) stay.
    expect(await cleanupAuditVerifyRuns(clock.now())).toBe(passing - 1);
    const left = await AuditVerifyRun.findAll();
    expect(left.map((r) => r.id)).toContain(failed.id);
    expect(left.filter((r) => r.ok)).toHaveLength(1);
    expect((await latestAuditVerification()).verifiedAt).not.toBeNull();
    await AuditVerifyRun.update({ ok: true }, { where: { id: failed.id } });
  });

  it('answers a verification request only with the job runner wired, and only to platform admins', async () => {
    const advisor = await signInAdmin(server, 'advisor');
    expect((await advisor.post('/api/v1/audit-logs/verify').send({})).status).toBe(403);
    const admin = await signInAdmin(server, 'admin');
    const res = await admin.post('/api/v1/audit-logs/verify').send({});
    // buildApp wires the requester: the run is a job, never walked inside the request.
    expect(auditVerificationRequester()).not.toBeNull();
    expect(res.status).toBe(202);
    const queued = await admin.get('/api/v1/jobs?type=audit.verify-full');
    expect(queued.body.data.list[0]).toMatchObject({ type: 'audit.verify-full', status: 'pending' });
    const jobId = queued.body.data.list[0].id as string;
    const worker = new Worker(server.app, { types: ['audit.verify-full'], pollMs: 50 });
    worker.start();
    try {
      const deadline = Date.now() + 60_000;
      let status = 'pending';
      while (status !== 'done' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        // The worker also schedules the type's next daily tick: look at the requested job only.
        const list = (await admin.get('/api/v1/jobs?type=audit.verify-full')).body.data.list as Array<{ id: string; status: string }>;
        status = list.find((j) => j.id === jobId)?.status ?? 'missing';
      }
      expect(status).toBe('done');
    } finally {
      await worker.stop();
    }
    const latest = await admin.get('/api/v1/audit-logs/verify');
    expect(latest.body.data.verifiedAt).not.toBeNull();
    expect(latest.body.data.ok).toBe(true);
  });
});

(onMysql ? describe : describe.skip)('audit log under concurrency (MariaDB; SQLite serialises transactions)', () => {
  it('200 concurrent audited writes do not wait for an open audited transaction, and all are sealed into one chain', async () => {
    const advisor = await signInAdmin(server, 'advisor');
    await sealAndVerifyIntact();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    // An audited transaction that stays open: with a head-row lock every other audited write would queue behind it.
    const held = server.app.db.transaction(async (t) => {
      await recordAudit(t, { actor: null, action: 'system.long_running', outcome: 'success' });
      inserted();
      await gate;
    });
    try {
      await insertedYet;
      const before = await AuditLog.count();

      // Each denied request writes one audit row in a transaction of its own.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000)));
      const requests = Promise.all(Array.from({ length: 200 }, () => advisor.get('/api/v1/audit-logs').then((r) => r.status)));
      const outcome = await Promise.race([requests, deadline]);
      clearTimeout(timer);
      expect(outcome).not.toBe('timeout');
      expect(outcome).toEqual(Array(200).fill(403));
      expect(await AuditLog.count()).toBe(before + 200);

      // The sealer passes the still-open row (smaller id, not committed) and takes it on a later pass.
      const first = await sealAuditLog(server.app);
      expect(first.sealed).toBe(200);
    } finally {
      release();
      await held;
    }
    expect(await sealAuditLog(server.app)).toEqual({ sealed: 1 });
    const rows = await sealedRows();
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => String(i + 1)));
    expect(rows[rows.length - 1].action).toBe('system.long_running');
    expect(await runAuditVerification(server.app, { full: true })).toMatchObject({ ok: true, unsealed: 0, checked: rows.length });
  }, 120_000);

  it('two sealers racing on MariaDB never double-assign a place in the chain', async () => {
    await sealAndVerifyIntact();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => recordAuditAlone(server.app.db, { actor: null, action: 'system.race', outcome: 'success', detail: { i } })),
    );
    const results = await Promise.all(Array.from({ length: 4 }, () => sealAuditLog(server.app)));
    expect(results.reduce((sum, r) => sum + r.sealed, 0)).toBe(60);
    expect(await runAuditVerification(server.app, { full: true })).toMatchObject({ ok: true, unsealed: 0 });
  }, 60_000);
});
