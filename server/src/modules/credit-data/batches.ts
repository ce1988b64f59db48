import { Op, type Transaction, type WhereOptions } from 'sequelize';
import {
  BATCH_STATUSES,
  INGEST_CATEGORIES,
  type PageResult,
  type TBatchStatus,
  type TIngestCategory,
  type TIngestBatch,
  type TRowErrorItem,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { NotFoundError } from '../../lib/errors';
import type { AdminActor } from '../identity/actor';
import { DataSource, IngestBatch, IngestRowError } from './models';
import type { CountDelta } from './ingest';
import { visibleSources } from './sources';

const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);

export function batchDto(row: IngestBatch, sourceName: string, now = clock.now()): TIngestBatch {
  const started = row.startedAt ? new Date(row.startedAt).getTime() : null;
  const end = row.finishedAt ? new Date(row.finishedAt).getTime() : now.getTime();
  const elapsed = started ? (end - started) / 1000 : 0;
  const rate = started && elapsed > 0.5 && row.rowsDone > 0 ? row.rowsDone / elapsed : null;
  const remaining = row.totalRows !== null && row.totalRows !== undefined ? Math.max(0, row.totalRows - row.rowsDone) : null;
  return {
    id: row.id,
    sourceId: row.sourceId,
    sourceName,
    category: row.category,
    origin: row.origin,
    externalBatchId: row.externalBatchId,
    fileName: row.fileName,
    status: row.status,
    counts: {
      received: row.received,
      accepted: row.accepted,
      duplicate: row.duplicate,
      superseded: row.superseded,
      rejected: row.rejected,
      held: row.held,
    },
    totalRows: row.totalRows ?? null,
    rowsDone: row.rowsDone,
    rowsPerSecond: rate === null ? null : Math.round(rate),
    etaSeconds: rate && remaining !== null && row.status === 'running' ? Math.round(remaining / rate) : row.status === 'done' ? 0 : null,
    failureReason: row.failureReason ?? null,
    createdByName: row.createdByName,
    createdAt: iso(row.createdAt)!,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
  };
}

export async function sourceNames(ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await DataSource.findAll({ where: { id: [...new Set(ids)] }, attributes: ['id', 'name'], raw: true });
  return new Map(rows.map((r) => [String(r.id), r.name]));
}

export async function batchDtoOf(row: IngestBatch): Promise<TIngestBatch> {
  const names = await sourceNames([row.sourceId]);
  return batchDto(row, names.get(row.sourceId) ?? '');
}

/** Batches of the sources the actor may see: every source for a platform admin, else its organisation's. */
async function visibleSourceIds(actor: AdminActor): Promise<string[] | null> {
  if (actor.role === 'platform_admin') return null;
  const rows = await DataSource.findAll({ where: visibleSources(actor), attributes: ['id'], raw: true });
  return rows.map((r) => String(r.id));
}

export async function findVisibleBatch(actor: AdminActor, id: string): Promise<IngestBatch> {
  const missing = () => new NotFoundError('导入批次不存在或无权访问');
  if (!/^\d{1,20}$/.test(id)) throw missing();
  const row = await IngestBatch.findByPk(id);
  if (!row) throw missing();
  const visible = await visibleSourceIds(actor);
  if (visible && !visible.includes(row.sourceId)) throw missing();
  return row;
}

export interface BatchQuery {
  current: number;
  pageSize: number;
  sourceId?: string;
  category?: TIngestCategory;
  status?: TBatchStatus;
}

export async function listBatches(actor: AdminActor, query: BatchQuery): Promise<PageResult<TIngestBatch>> {
  const visible = await visibleSourceIds(actor);
  const where: WhereOptions<IngestBatch> = {};
  const conditions: Record<string, unknown> = {};
  if (visible) conditions.sourceId = { [Op.in]: visible };
  if (query.sourceId) conditions.sourceId = visible && !visible.includes(query.sourceId) ? { [Op.in]: [] } : query.sourceId;
  if (query.category && (INGEST_CATEGORIES as readonly string[]).includes(query.category)) conditions.category = query.category;
  if (query.status && (BATCH_STATUSES as readonly string[]).includes(query.status)) conditions.status = query.status;
  Object.assign(where, conditions);
  const { rows, count } = await IngestBatch.findAndCountAll({
    where,
    order: [['createdAt', 'DESC'], ['id', 'DESC']],
    offset: (query.current - 1) * query.pageSize,
    limit: query.pageSize,
  });
  const names = await sourceNames(rows.map((r) => r.sourceId));
  const now = clock.now();
  return { list: rows.map((r) => batchDto(r, names.get(r.sourceId) ?? '', now)), total: count };
}

export async function listBatchErrors(actor: AdminActor, id: string, page: { current: number; pageSize: number }): Promise<PageResult<TRowErrorItem>> {
  const batch = await findVisibleBatch(actor, id);
  const { rows, count } = await IngestRowError.findAndCountAll({
    where: { batchId: batch.id },
    order: [['rowNumber', 'ASC'], ['id', 'ASC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  return { list: rows.map((r) => ({ rowNumber: r.rowNumber, field: r.field, label: r.label, value: r.value, reason: r.reason })), total: count };
}

/** Every row error of a batch in row order, a page at a time (for the downloadable report of a file of any size). */
export async function* batchErrors(batchId: string): AsyncIterable<TRowErrorItem> {
  let after: { rowNumber: number; id: string } | null = null;
  for (;;) {
    const where: WhereOptions<IngestRowError> = after
      ? ({
          batchId,
          [Op.or]: [{ rowNumber: { [Op.gt]: after.rowNumber } }, { rowNumber: after.rowNumber, id: { [Op.gt]: after.id } }],
        } as WhereOptions<IngestRowError>)
      : { batchId };
    const rows: IngestRowError[] = await IngestRowError.findAll({ where, order: [['rowNumber', 'ASC'], ['id', 'ASC']], limit: 2000 });
    if (rows.length === 0) return;
    for (const r of rows) yield { rowNumber: r.rowNumber, field: r.field, label: r.label, value: r.value, reason: r.reason };
    const last: IngestRowError = rows[rows.length - 1]!;
    after = { rowNumber: last.rowNumber, id: last.id };
  }
}

/** A chunk's row errors and counts, written in the chunk's transaction. */
export async function recordChunk(batchId: string, counts: CountDelta, errors: readonly TRowErrorItem[], extra: Partial<IngestBatch>, t?: Transaction): Promise<void> {
  if (errors.length > 0) {
    await IngestRowError.bulkCreate(
      errors.map((e) => ({ id: newId(), batchId, rowNumber: e.rowNumber, field: e.field.slice(0, 64), label: e.label.slice(0, 64), value: e.value.slice(0, 200), reason: e.reason.slice(0, 200) })),
      { transaction: t },
    );
  }
  const sequelize = IngestBatch.sequelize!;
  const increments: Record<string, unknown> = { ...extra, updatedAt: clock.now() };
  for (const key of ['received', 'accepted', 'duplicate', 'superseded', 'rejected', 'held'] as const) {
    if (counts[key] !== 0) increments[key] = sequelize.literal(`${key} + (${Math.trunc(counts[key])})`);
  }
  await IngestBatch.update(increments as never, { where: { id: batchId }, transaction: t, silent: true });
}
