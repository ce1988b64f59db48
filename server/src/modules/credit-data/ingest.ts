import { createHash } from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import {
  CREDIT_FIELDS,
  canonicalCreditContent,
  industryByCode,
  type TBatchCounts,
  type TCreditCategory,
  type TCreditRecordInput,
  type TIngestCategory,
  type TLoanRepaymentPayload,
  type TRowError,
  type TRowErrorItem,
  type TUnknownUsccPolicy,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { badString, storableText } from '../../http/body';
import { newId } from '../../lib/ids';
import {
  registeredEnterprisesByUscc,
  upsertRegisteredEnterprises,
  type RegisteredEnterprise,
  type RegistrationUpsert,
} from '../enterprises/repository';
import { findRegion, regionName } from '../regions/service';
import { enqueueJob } from '../../jobs/queue';
import { bookRepaymentRows, type RepaymentReporter, type RepaymentRow } from '../financing/loans';
import { sourceCoversRegion } from './sources';

/**
 * The write half of the pipeline, shared by pushes and file imports: one chunk of normalised rows becomes credit
 * records inside the caller's transaction (which also moves the batch's counts and checkpoint, so a chunk is
 * committed exactly once with its progress).
 *
 * - De-duplication is the database's: unique (source, category, external id, content hash) and one current
 *   version per (source, category, external id) (`is_current` 1 or NULL). A re-sent row is a duplicate; a row with
 *   a known external id and new content supersedes the current version, which is kept as history.
 * - Rows for an unknown USCC are rejected or held, as the source is configured; rows for a firm outside the
 *   source's regions are rejected.
 * - Every enterprise a chunk touched gets a row in the change feed (credit_changes), for scoring to recompute.
 */

export interface IngestSource {
  id: string;
  regionCodes: readonly string[];
  unknownUscc: TUnknownUsccPolicy;
}

/** One data row as read: a normalised record, or the reasons it was refused. */
export interface ChunkRow {
  rowNumber: number;
  record: TCreditRecordInput | null;
  errors: TRowError[];
}

export type CountDelta = Omit<TBatchCounts, 'received'> & { received: number };

export interface ChunkOutcome {
  counts: CountDelta;
  errors: TRowErrorItem[];
  /** USCCs registered by this chunk, whose held rows can now be released. */
  registered: string[];
}

export const emptyCounts = (): CountDelta => ({ received: 0, accepted: 0, duplicate: 0, superseded: 0, rejected: 0, held: 0 });

export function contentHash(record: TCreditRecordInput): string {
  return createHash('sha256').update(canonicalCreditContent(record)).digest('hex');
}

const fieldError = (rowNumber: number, field: string, label: string, value: string, reason: string): TRowErrorItem => ({
  rowNumber,
  field: storableText(field).slice(0, 64),
  label: storableText(label).slice(0, 64),
  value: storableText(String(value)).slice(0, 200),
  reason: storableText(reason).slice(0, 200),
});

/**
 * A raw row (pushed JSON or file cells) with text that cannot be stored faithfully (NUL, a lone surrogate) is
 * refused as a whole, naming the field, before it is normalised; the registry refuses the same in request bodies.
 */
export function unstorableRow(rowNumber: number, raw: Record<string, unknown>): ChunkRow | null {
  for (const [key, value] of Object.entries(raw)) {
    if (badString(key) || (typeof value === 'string' && badString(value))) {
      return { rowNumber, record: null, errors: [{ field: storableText(key), label: storableText(key), value: typeof value === 'string' ? storableText(value) : '', reason: '包含无效字符（空字符或不完整的 Unicode 字符）' }] };
    }
  }
  return null;
}

function dbOf(app: AppContext) {
  return app.db.sequelize;
}

async function insertRows(app: AppContext, table: string, columns: string[], rows: unknown[][], t: Transaction | undefined): Promise<void> {
  if (rows.length === 0) return;
  const sequelize = dbOf(app);
  // A few hundred rows per statement keeps statements well under max_allowed_packet with large payloads.
  for (let start = 0; start < rows.length; start += 500) {
    const slice = rows.slice(start, start + 500);
    const placeholders = slice.map(() => `(${columns.map(() => '?').join(',')})`).join(',');
    await sequelize.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders}`, {
      replacements: slice.flat(),
      type: QueryTypes.INSERT,
      transaction: t,
    });
  }
}

interface ExistingVersion {
  id: string;
  externalId: string;
  contentHash: string;
  isCurrent: boolean;
}

async function existingVersions(app: AppContext, sourceId: string, category: TCreditCategory, externalIds: string[], t?: Transaction): Promise<ExistingVersion[]> {
  if (externalIds.length === 0) return [];
  const rows = await dbOf(app).query<{ id: unknown; externalId: string; contentHash: string; isCurrent: unknown }>(
    `SELECT id, external_id AS externalId, content_hash AS contentHash, is_current AS isCurrent
     FROM credit_records WHERE source_id = :source AND category = :category AND external_id IN (:ids)`,
    { replacements: { source: sourceId, category, ids: [...new Set(externalIds)] }, type: QueryTypes.SELECT, transaction: t },
  );
  return rows.map((r) => ({ id: String(r.id), externalId: r.externalId, contentHash: r.contentHash, isCurrent: Number(r.isCurrent) === 1 }));
}

async function heldHashes(app: AppContext, sourceId: string, category: TCreditCategory, externalIds: string[], t?: Transaction): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows = await dbOf(app).query<{ externalId: string; contentHash: string }>(
    `SELECT external_id AS externalId, content_hash AS contentHash FROM held_credit_rows
     WHERE source_id = :source AND category = :category AND external_id IN (:ids)`,
    { replacements: { source: sourceId, category, ids: [...new Set(externalIds)] }, type: QueryTypes.SELECT, transaction: t },
  );
  return new Set(rows.map((r) => `${r.externalId}\u0000${r.contentHash}`));
}

/** Marks enterprises as changed in `category`: insert, or bump the revision of the row already there. */
export async function markChanged(app: AppContext, enterpriseIds: Iterable<string>, category: TCreditCategory, t?: Transaction): Promise<void> {
  const ids = [...new Set(enterpriseIds)];
  if (ids.length === 0) return;
  const sequelize = dbOf(app);
  const now = clock.now();
  const mysql = sequelize.getDialect() !== 'sqlite';
  for (let start = 0; start < ids.length; start += 500) {
    const slice = ids.slice(start, start + 500);
    const values = slice.map(() => '(?,?,1,?)').join(',');
    const conflict = mysql
      ? 'ON DUPLICATE KEY UPDATE revision = revision + 1, changed_at = VALUES(changed_at)'
      : 'ON CONFLICT (enterprise_id, category) DO UPDATE SET revision = credit_changes.revision + 1, changed_at = excluded.changed_at';
    await sequelize.query(`INSERT INTO credit_changes (enterprise_id, category, revision, changed_at) VALUES ${values} ${conflict}`, {
      replacements: slice.flatMap((id) => [id, category, now]),
      type: QueryTypes.INSERT,
      transaction: t,
    });
  }
}

function registrationUpsert(record: TCreditRecordInput): RegistrationUpsert {
  const p = record.payload as Record<string, unknown>;
  const industryCode = String(p.industryCode);
  return {
    id: newId(),
    uscc: record.uscc,
    name: String(p.name),
    legalRepName: String(p.legalRepName ?? ''),
    registeredCapitalFen: Number(p.registeredCapitalFen ?? 0),
    establishedOn: String(p.establishedOn),
    industryCode,
    industryName: industryByCode(industryCode)?.name ?? '',
    regionCode: String(p.regionCode),
    scale: (p.scale as RegistrationUpsert['scale']) ?? 'micro',
    status: (p.status as RegistrationUpsert['status']) ?? 'active',
    address: (p.address as string | undefined) ?? null,
    businessScope: (p.businessScope as string | undefined) ?? null,
  };
}

/** The columns of one credit record row, in the order the pipeline inserts them. */
export const CREDIT_RECORD_COLUMNS = [
  'id',
  'enterprise_id',
  'uscc',
  'category',
  'source_id',
  'external_id',
  'period',
  'occurred_on',
  'ends_on',
  'adverse',
  'corrected',
  'payload',
  'content_hash',
  'is_current',
  'batch_id',
  'row_no',
  'created_at',
];

const HELD_COLUMNS = ['id', 'source_id', 'batch_id', 'row_no', 'uscc', 'category', 'external_id', 'record', 'content_hash', 'created_at'];

/** A chunk's rows split into those read and those the normaliser (or the reader) refused, counted with their errors. */
function splitRefused(rows: readonly ChunkRow[]): { counts: CountDelta; errors: TRowErrorItem[]; read: Array<{ rowNumber: number; record: TCreditRecordInput }> } {
  const counts = emptyCounts();
  counts.received = rows.length;
  const errors: TRowErrorItem[] = [];
  const read: Array<{ rowNumber: number; record: TCreditRecordInput }> = [];
  for (const row of rows) {
    if (row.record) {
      read.push({ rowNumber: row.rowNumber, record: row.record });
      continue;
    }
    counts.rejected += 1;
    for (const e of row.errors) errors.push(fieldError(row.rowNumber, e.field, e.label, e.value, e.reason));
  }
  return { counts, errors, read };
}

/**
 * Writes one chunk in the caller's transaction `t`. Throws UniqueConstraintError when a concurrent writer stored
 * the same version or a new firm first: the caller retries the whole chunk (`writeChunkWithRetry`).
 */
export async function writeChunk(
  app: AppContext,
  source: IngestSource,
  category: TIngestCategory,
  batchId: string,
  rows: readonly ChunkRow[],
  t?: Transaction,
  options: { refuseOutsideRegion?: boolean; repayments?: RepaymentChunkContext } = {},
): Promise<ChunkOutcome> {
  if (category === 'loan_repayment') {
    if (!options.repayments || !t) throw new Error('loan repayments are booked in a transaction, for the institution that owns the source');
    return writeRepaymentChunk(app, rows, t, options.repayments);
  }
  const now = clock.now();

  // 1. Rows refused by the normaliser (or the reader).
  const { counts, errors, read } = splitRefused(rows);
  const valid = read.map((row) => ({ ...row, hash: contentHash(row.record) }));

  // 2. Registration rows: the region must exist and be the source's. A push refuses the whole batch for a row
  // outside the source's regions (REGION_NOT_ALLOWED: the sender's configuration is wrong); a file rejects the row.
  const outside: TRowErrorItem[] = [];
  const reject = (rowNumber: number, field: string, label: string, value: string, reason: string, isOutside = false) => {
    counts.rejected += 1;
    const error = fieldError(rowNumber, field, label, value, reason);
    errors.push(error);
    if (isOutside) outside.push(error);
  };
  const known = await registeredEnterprisesByUscc(valid.map((v) => v.record.uscc));
  const placed: Array<{ rowNumber: number; record: TCreditRecordInput; hash: string; enterprise: RegisteredEnterprise | null }> = [];
  for (const v of valid) {
    if (category === 'registration') {
      const regionCode = String((v.record.payload as { regionCode?: unknown }).regionCode ?? '');
      if (!findRegion(regionCode)) {
        reject(v.rowNumber, 'regionCode', '所属行政区划', regionCode, `行政区划代码 ${regionCode} 不存在（GB/T 2260）`);
        continue;
      }
      if (!sourceCoversRegion(source.regionCodes, regionCode)) {
        reject(v.rowNumber, 'regionCode', '所属行政区划', regionCode, `企业所在区域「${regionName(regionCode) ?? regionCode}」不在数据源的覆盖范围内`, true);
        continue;
      }
      placed.push({ ...v, enterprise: known.get(v.record.uscc) ?? null });
      continue;
    }
    const enterprise = known.get(v.record.uscc) ?? null;
    if (enterprise && !sourceCoversRegion(source.regionCodes, enterprise.regionCode)) {
      reject(v.rowNumber, 'uscc', '统一社会信用代码', v.record.uscc, `企业所在区域「${regionName(enterprise.regionCode) ?? enterprise.regionCode}」不在数据源的覆盖范围内`, true);
      continue;
    }
    placed.push({ ...v, enterprise });
  }
  if (options.refuseOutsideRegion && outside.length > 0) {
    const rowsText = outside.slice(0, 10).map((e) => `第 ${e.rowNumber} 条（${e.value}）`).join('、');
    throw new AppError('REGION_NOT_ALLOWED', `批次中有 ${outside.length} 条记录的企业不在数据源的覆盖区域内：${rowsText}${outside.length > 10 ? ' 等' : ''} (region not allowed)`);
  }

  // 3. Versions already stored (and rows already held) for these external ids.
  const externalIds = placed.map((p) => p.record.externalId);
  const versions = await existingVersions(app, source.id, category, externalIds, t);
  const seen = new Set(versions.map((v) => `${v.externalId}\u0000${v.contentHash}`));
  const current = new Map(versions.filter((v) => v.isCurrent).map((v) => [v.externalId, v.id]));
  const needsHeld = placed.some((p) => !p.enterprise && category !== 'registration');
  const held = needsHeld ? await heldHashes(app, source.id, category, externalIds, t) : new Set<string>();

  // 4. Decide each row, in file order: a later row of the same external id in this chunk supersedes an earlier one.
  const inserts: unknown[][] = [];
  const heldInserts: unknown[][] = [];
  const supersede: Array<{ oldId: string; newId: string }> = [];
  const registrations: RegistrationUpsert[] = [];
  const touched = new Set<string>();
  const pendingRegistration: Array<{ row: unknown[]; uscc: string }> = [];
  for (const p of placed) {
    const key = `${p.record.externalId}\u0000${p.hash}`;
    if (seen.has(key) || held.has(key)) {
      counts.duplicate += 1;
      continue;
    }
    if (!p.enterprise && category !== 'registration') {
      if (source.unknownUscc === 'hold') {
        held.add(key);
        counts.held += 1;
        heldInserts.push([newId(), source.id, batchId, p.rowNumber, p.record.uscc, category, p.record.externalId, JSON.stringify(p.record), p.hash, now]);
      } else {
        reject(p.rowNumber, 'uscc', '统一社会信用代码', p.record.uscc, '该统一社会信用代码尚无登记注册信息，请先报送或导入登记数据');
      }
      continue;
    }
    seen.add(key);
    const id = newId();
    const previous = current.get(p.record.externalId);
    if (previous) {
      supersede.push({ oldId: previous, newId: id });
      counts.superseded += 1;
    } else {
      counts.accepted += 1;
    }
    current.set(p.record.externalId, id);
    const payload = p.record.payload as Record<string, unknown>;
    const row = [
      id,
      p.enterprise?.id ?? null,
      p.record.uscc,
      category,
      source.id,
      p.record.externalId,
      p.record.period,
      p.record.occurredOn,
      p.record.endsOn,
      p.record.adverse,
      payload.corrected === true,
      JSON.stringify(payload),
      p.hash,
      1,
      batchId,
      p.rowNumber,
      now,
    ];
    if (category === 'registration') {
      registrations.push(registrationUpsert(p.record));
      pendingRegistration.push({ row, uscc: p.record.uscc });
    } else {
      touched.add(p.enterprise!.id);
    }
    inserts.push(row);
  }

  // 5. Registration: insert or update the firms first, so their records have an enterprise id.
  const registered: string[] = [];
  if (registrations.length > 0) {
    // The last registration row of a firm in the chunk is its current master data.
    const lastOf = new Map(registrations.map((r) => [r.uscc, r]));
    const wasKnown = new Set(known.keys());
    await upsertRegisteredEnterprises([...lastOf.values()], known, t);
    for (const pending of pendingRegistration) {
      const enterprise = known.get(pending.uscc)!;
      pending.row[1] = enterprise.id;
      touched.add(enterprise.id);
      if (!wasKnown.has(pending.uscc)) registered.push(pending.uscc);
    }
  }

  // 6. Supersede, then insert: the one-current index refuses a concurrent writer's second current version.
  for (const s of supersede) {
    const [, affected] = (await dbOf(app).query('UPDATE credit_records SET is_current = NULL, superseded_by = ?, superseded_at = ? WHERE id = ? AND is_current = 1', {
      replacements: [s.newId, now, s.oldId],
      type: QueryTypes.UPDATE,
      transaction: t,
    })) as unknown as [unknown, number];
    if (affected !== 1) throw new UniqueConstraintError({ message: 'current version changed concurrently' });
  }
  await insertRows(app, 'credit_records', CREDIT_RECORD_COLUMNS, inserts, t);
  await insertRows(app, 'held_credit_rows', HELD_COLUMNS, heldInserts, t);
  await markChanged(app, touched, category, t);
  if (registered.length > 0 && (await anyHeld(app, registered, t))) await enqueueJob(t, 'credit.release-held', { usccs: registered });
  return { counts, errors, registered };
}

export interface RepaymentChunkContext {
  /** The organisation that owns the source: the lending institution whose loans the repayments are. */
  institutionId: string;
  reporter: RepaymentReporter;
}

/**
 * Loan repayments take the pipeline's batches, row errors and checkpoints, and are booked on the source
 * organisation's loans instead of becoming credit records (financing/loans.ts `bookRepaymentRows`).
 */
async function writeRepaymentChunk(app: AppContext, rows: readonly ChunkRow[], t: Transaction, context: RepaymentChunkContext): Promise<ChunkOutcome> {
  const { counts, errors, read } = splitRefused(rows);
  const valid: RepaymentRow[] = read.map(({ rowNumber, record }) => ({
    rowNumber,
    uscc: record.uscc,
    reference: record.externalId,
    ...(record.payload as TLoanRepaymentPayload),
  }));
  const booking = await bookRepaymentRows(app, t, context.institutionId, context.reporter, valid);
  const labels = new Map(CREDIT_FIELDS.loan_repayment.map((f) => [f.key, f.label]));
  for (const e of booking.errors) errors.push(fieldError(e.rowNumber, e.field, labels.get(e.field) ?? e.field, e.value, e.reason));
  counts.accepted = booking.accepted;
  counts.duplicate = booking.duplicate;
  counts.rejected += booking.errors.length;
  errors.sort((a, b) => a.rowNumber - b.rowNumber);
  return { counts, errors, registered: [] };
}

async function anyHeld(app: AppContext, usccs: string[], t?: Transaction): Promise<boolean> {
  const rows = await dbOf(app).query('SELECT id FROM held_credit_rows WHERE uscc IN (:usccs) LIMIT 1', {
    replacements: { usccs },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  return rows.length > 0;
}

/**
 * Runs a chunk's transaction again when a concurrent writer stored the same version or registered the same new
 * firm first (a unique violation): the re-run sees that row and counts a duplicate or updates the firm.
 */
export async function retryOnUnique<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof UniqueConstraintError) || attempt >= attempts) throw error;
    }
  }
}

/** Adds a chunk's counts to a running total. */
export function addCounts(total: CountDelta, delta: CountDelta): void {
  for (const key of Object.keys(total) as Array<keyof CountDelta>) total[key] += delta[key];
}

export function isRetryableChunkError(error: unknown): boolean {
  return error instanceof UniqueConstraintError;
}
