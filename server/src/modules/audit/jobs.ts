import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Op, literal, type Transaction } from 'sequelize';
import type { TAuditAnchor, TAuditBrokenRow, TAuditVerifyResult } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { AuditAnchor, AuditLog, AuditSeal, AuditVerifyRun } from './model';
import { GENESIS_HASH, auditHmacKey, auditRowHash } from './service';

/**
 * Background work of the audit log, run by the job runner:
 * - sealAuditLog chains rows that writers appended unchained;
 * - runAuditVerification walks the chain from the last good checkpoint and stores its result;
 * - exportAuditAnchor writes the chain head down (table and log) as an external anchor.
 */

const SEAL_ROW_ID = 1;
export const SEAL_BATCH = 500;
/** A sealer pass ends after this many batches, so that a steady stream of writes cannot keep one job forever. */
const SEAL_MAX_BATCHES = 40;
export const SEAL_LEASE_MS = 60_000;
const VERIFY_PAGE = 1000;
/** How many broken rows a stored run keeps (the returned result and the command line list them all). */
const STORED_BROKEN_MAX = 1000;

const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
let claimCounter = 0;

interface SealClaim {
  owner: string;
  token: string;
}

class SealLeaseLost extends Error {
  constructor() {
    super('audit sealer lease lost to another worker');
  }
}

/** Takes the sealer role if nobody holds a live lease: one conditional UPDATE, then a read-back of the token. */
async function claimSealer(app: AppContext): Promise<SealClaim | null> {
  const owner = `${PROCESS_OWNER}:${++claimCounter}`;
  return app.db.transaction(async (t) => {
    const now = clock.now();
    const [claimed] = await AuditSeal.update(
      { owner, token: literal('token + 1') as never, leaseUntil: new Date(now.getTime() + SEAL_LEASE_MS) },
      {
        where: { id: SEAL_ROW_ID, [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: now } }] },
        transaction: t,
      },
    );
    if (claimed !== 1) return null;
    const state = await AuditSeal.findByPk(SEAL_ROW_ID, { transaction: t });
    return state && state.owner === owner ? { owner, token: state.token } : null;
  });
}

async function releaseSealer(app: AppContext, claim: SealClaim): Promise<void> {
  await app.db.transaction((t) =>
    AuditSeal.update({ leaseUntil: null }, { where: { id: SEAL_ROW_ID, owner: claim.owner, token: claim.token }, transaction: t }),
  );
}

/**
 * Chains one batch. The fenced UPDATE of the seal row comes first: it proves the lease is still ours and
 * holds the row until commit, so a worker that took over after our lease ran out waits for us or finds the
 * token changed. Rows are taken by `seq IS NULL`, not by a cursor: a row with a smaller id that commits after
 * larger ones were sealed is still unsealed on the next pass and gets the next place, so none is ever skipped.
 * The chain order is thus the order in which rows became visible (committed) to the sealer.
 */
async function sealBatch(app: AppContext, t: Transaction, claim: SealClaim): Promise<number> {
  const now = clock.now();
  const fence = { id: SEAL_ROW_ID, owner: claim.owner, token: claim.token };
  const [held] = await AuditSeal.update({ leaseUntil: new Date(now.getTime() + SEAL_LEASE_MS) }, { where: fence, transaction: t });
  if (held !== 1) throw new SealLeaseLost();
  const state = await AuditSeal.findByPk(SEAL_ROW_ID, { transaction: t });
  if (!state) throw new Error('audit_seal row missing: migrations not applied');
  // Read back what the database stored, so the hash covers exactly those values.
  const rows = await AuditLog.findAll({ where: { seq: null }, order: [['id', 'ASC']], limit: SEAL_BATCH, transaction: t });
  if (rows.length === 0) return 0;
  const key = auditHmacKey(app);
  let seq = BigInt(state.sealedSeq);
  let prevHash = state.headHash;
  for (const row of rows) {
    seq += 1n;
    const hash = auditRowHash(key, prevHash, { ...row.get({ plain: true }), id: row.id, seq: String(seq), actorId: row.actorId });
    const [updated] = await AuditLog.update(
      { seq: String(seq), prevHash, hash },
      { where: { id: row.id, seq: null }, transaction: t },
    );
    if (updated !== 1) throw new Error(`audit row ${row.id} changed while being sealed`);
    prevHash = hash;
  }
  await AuditSeal.update({ sealedSeq: String(seq), headHash: prevHash, sealedAt: now }, { where: fence, transaction: t });
  return rows.length;
}

/** Chains committed unsealed rows; with several workers, one seals while the others return at once. */
export async function sealAuditLog(app: AppContext): Promise<{ sealed: number }> {
  const claim = await claimSealer(app);
  if (!claim) return { sealed: 0 };
  let sealed = 0;
  try {
    for (let batch = 0; batch < SEAL_MAX_BATCHES; batch += 1) {
      const count = await app.db.transaction((t) => sealBatch(app, t, claim));
      sealed += count;
      if (count < SEAL_BATCH) break;
    }
  } catch (error) {
    if (error instanceof SealLeaseLost) {
      app.logger.warn({ sealed }, error.message);
      return { sealed };
    }
    throw error;
  } finally {
    await releaseSealer(app, claim);
  }
  return { sealed };
}

interface ChainHead {
  sealedSeq: bigint;
  headHash: string;
}

async function readHead(): Promise<ChainHead> {
  const state = await AuditSeal.findByPk(SEAL_ROW_ID);
  if (!state) throw new Error('audit_seal row missing: migrations not applied');
  return { sealedSeq: BigInt(state.sealedSeq), headHash: state.headHash };
}

async function countUnsealed(): Promise<number> {
  return AuditLog.count({ where: { seq: null } });
}

function toResult(
  run: { ok: boolean; checked: number; broken: TAuditBrokenRow[]; finishedAt: Date | null },
  head: ChainHead,
  unsealed: number,
): TAuditVerifyResult {
  return {
    ok: run.ok,
    checked: run.checked,
    broken: run.broken,
    firstBrokenId: run.broken[0]?.id ?? null,
    reason: run.broken[0]?.reason ?? null,
    sealedSeq: head.sealedSeq > 0n ? head.sealedSeq.toString() : null,
    headHash: head.sealedSeq > 0n ? head.headHash : null,
    unsealed,
    verifiedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
  };
}

async function latestRun(): Promise<AuditVerifyRun | null> {
  return AuditVerifyRun.findOne({ order: [['finishedAt', 'DESC'], ['id', 'DESC']] });
}

export interface AuditVerificationOptions {
  /** Walk from the first row instead of the checkpoint (catches a rewrite behind the checkpoint). */
  full?: boolean;
}

/**
 * Walks the sealed chain from the last checkpoint (the end of the intact prefix the previous run found) up
 * to the head, goes on past every bad row, and stores the run. Each row is checked for its place (no gap),
 * its content (keyed hash over its stored fields and its stored link) and its link to the row before.
 */
export async function runAuditVerification(app: AppContext, options: AuditVerificationOptions = {}): Promise<TAuditVerifyResult> {
  const startedAt = clock.now();
  const key = auditHmacKey(app);
  const head = await readHead();

  let fromSeq = 0n;
  let fromHash = GENESIS_HASH;
  const previous = await latestRun();
  if (!options.full && previous && BigInt(previous.checkpointSeq) > 0n && BigInt(previous.checkpointSeq) <= head.sealedSeq) {
    // Trust the checkpoint only while its row still carries the hash that was verified.
    const row = await AuditLog.findOne({ where: { seq: previous.checkpointSeq }, attributes: ['hash'] });
    if (row && row.hash === previous.checkpointHash) {
      fromSeq = BigInt(previous.checkpointSeq);
      fromHash = previous.checkpointHash;
    }
  }
  const anchors = new Map<string, string[]>();
  for (const anchor of await AuditAnchor.findAll({
    where: { seq: { [Op.gt]: fromSeq.toString(), [Op.lte]: head.sealedSeq.toString() } },
    attributes: ['seq', 'hash'],
  })) {
    anchors.set(anchor.seq, [...(anchors.get(anchor.seq) ?? []), anchor.hash]);
  }

  const broken: TAuditBrokenRow[] = [];
  let checked = 0;
  let lastSeq = fromSeq;
  let lastHash = fromHash;
  let lastId: string | null = null;
  let checkpointSeq = fromSeq;
  let checkpointHash = fromHash;
  for (;;) {
    const rows = await AuditLog.findAll({
      where: { seq: { [Op.gt]: lastSeq.toString(), [Op.lte]: head.sealedSeq.toString() } },
      order: [['seq', 'ASC']],
      limit: VERIFY_PAGE,
    });
    for (const row of rows) {
      const seq = BigInt(row.seq as string);
      const reasons: string[] = [];
      if (seq !== lastSeq + 1n) {
        const missing = seq - lastSeq - 1n === 1n ? `${lastSeq + 1n}` : `${lastSeq + 1n}–${seq - 1n}`;
        reasons.push(`序号不连续：缺少第 ${missing} 条记录（记录被删除）`);
      }
      const content = { ...row.get({ plain: true }), id: row.id, seq: row.seq as string, actorId: row.actorId };
      if (!row.hash || !row.prevHash || auditRowHash(key, row.prevHash, content) !== row.hash) {
        reasons.push('记录内容与其哈希不符（记录被篡改）');
      }
      if (row.prevHash !== lastHash && reasons.length === 0) {
        reasons.push('本条记录保存的前一哈希与前一条记录不一致（前一条记录被改写）');
      }
      for (const anchored of anchors.get(row.seq as string) ?? []) {
        if (anchored !== row.hash) reasons.push('哈希与已导出的锚点不一致（链被重算）');
      }
      if (reasons.length) broken.push({ id: row.id, seq: row.seq as string, reason: reasons.join('；') });
      else if (broken.length === 0) {
        checkpointSeq = seq;
        checkpointHash = row.hash as string;
      }
      checked += 1;
      lastSeq = seq;
      lastHash = row.hash ?? '';
      lastId = row.id;
    }
    if (rows.length < VERIFY_PAGE) break;
  }
  if (lastSeq < head.sealedSeq) {
    const missing = head.sealedSeq - lastSeq === 1n ? `${head.sealedSeq}` : `${lastSeq + 1n}–${head.sealedSeq}`;
    broken.push({ id: lastId ?? '', seq: head.sealedSeq.toString(), reason: `链尾缺失：第 ${missing} 条记录不存在（记录被删除）` });
  } else if (lastHash !== head.headHash) {
    broken.push({ id: lastId ?? '', seq: lastSeq.toString(), reason: '链头哈希与最后一条记录不一致' });
  }

  // A head moved back (with the rows past it deleted) leaves no gap inside the walk: earlier runs and anchors saw further.
  const lastAnchor = await AuditAnchor.findOne({ order: [['seq', 'DESC']], attributes: ['seq'] });
  const seenSeq = [previous?.toSeq, lastAnchor?.seq].reduce((max, s) => (s && BigInt(s) > max ? BigInt(s) : max), 0n);
  if (seenSeq > head.sealedSeq) {
    broken.push({ id: lastId ?? '', seq: head.sealedSeq.toString(), reason: `链头回退：此前已记录到第 ${seenSeq} 条，现仅到第 ${head.sealedSeq} 条（记录被删除）` });
  }

  const finishedAt = clock.now();
  const ok = broken.length === 0;
  await app.db.transaction((t) =>
    AuditVerifyRun.create(
      {
        id: newId(),
        startedAt,
        finishedAt,
        fullRun: fromSeq === 0n,
        fromSeq: fromSeq.toString(),
        // The highest sequence ever seen, so that a head moved back stays reported by later runs.
        toSeq: (seenSeq > head.sealedSeq ? seenSeq : head.sealedSeq).toString(),
        checked,
        ok,
        brokenCount: broken.length,
        broken: JSON.stringify(broken.slice(0, STORED_BROKEN_MAX)),
        checkpointSeq: checkpointSeq.toString(),
        checkpointHash,
      },
      { transaction: t },
    ),
  );
  if (!ok) app.logger.error({ broken: broken.length, first: broken[0] }, 'audit chain verification found broken rows');
  return toResult({ ok, checked, broken, finishedAt }, head, await countUnsealed());
}

/**
 * The latest stored run, with the current head and backlog (two cheap reads): never a chain walk. Before
 * the first run it says so with `verifiedAt: null`.
 */
export async function latestAuditVerification(): Promise<TAuditVerifyResult> {
  const [run, head, unsealed] = [await latestRun(), await readHead(), await countUnsealed()];
  if (!run) return toResult({ ok: true, checked: 0, broken: [], finishedAt: null }, head, unsealed);
  const broken = JSON.parse(run.broken) as TAuditBrokenRow[];
  const result = toResult({ ok: run.ok, checked: run.checked, broken, finishedAt: new Date(run.finishedAt) }, head, unsealed);
  if (run.brokenCount > broken.length) {
    result.reason = `${result.reason ?? ''}（共 ${run.brokenCount} 条记录校验失败，此处列出前 ${broken.length} 条）`;
  }
  return result;
}

/**
 * Writes the current head down as an anchor (table and log line) for safekeeping outside the database.
 * Null when the chain is empty or the head has not moved since the last anchor.
 */
export async function exportAuditAnchor(app: AppContext): Promise<TAuditAnchor | null> {
  const head = await readHead();
  if (head.sealedSeq === 0n) return null;
  const last = await AuditAnchor.findOne({ order: [['seq', 'DESC'], ['at', 'DESC']] });
  if (last && BigInt(last.seq) === head.sealedSeq && last.hash === head.headHash) return null;
  const anchor = await app.db.transaction((t) =>
    AuditAnchor.create({ id: newId(), seq: head.sealedSeq.toString(), hash: head.headHash, at: clock.now() }, { transaction: t }),
  );
  const dto = toAnchorDto(anchor);
  app.logger.info({ auditAnchor: dto }, `audit chain anchor: seq ${dto.seq} hash ${dto.hash}`);
  return dto;
}

export function toAnchorDto(row: AuditAnchor): TAuditAnchor {
  return { id: row.id, seq: row.seq, hash: row.hash, at: new Date(row.at).toISOString() };
}

export type AuditVerificationRequester = (options: { full: boolean }) => Promise<void>;
let requester: AuditVerificationRequester | null = null;

/**
 * The job runner registers how a verification run is enqueued (POST /audit-logs/verify asks through it), so
 * that this module never runs the walk inside a request.
 */
export function setAuditVerificationRequester(fn: AuditVerificationRequester | null): void {
  requester = fn;
}

export function auditVerificationRequester(): AuditVerificationRequester | null {
  return requester;
}

/** Passing runs are kept 30 days; failed runs (evidence) and the latest run (it holds the checkpoint) are kept. */
export const VERIFY_RUN_RETENTION_MS = 30 * 24 * 3600_000;

export async function cleanupAuditVerifyRuns(now: Date): Promise<number> {
  const latest = await latestRun();
  return AuditVerifyRun.destroy({
    where: {
      ok: true,
      finishedAt: { [Op.lt]: new Date(now.getTime() - VERIFY_RUN_RETENTION_MS) },
      ...(latest ? { id: { [Op.ne]: latest.id } } : {}),
    },
  });
}
