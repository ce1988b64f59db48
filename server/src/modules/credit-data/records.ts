import { QueryTypes } from 'sequelize';
import {
  CATEGORY_SCOPE,
  CREDIT_CATEGORIES,
  RECORD_SCOPES,
  describeCreditPayload,
  type PageResult,
  type TCreditCategory,
  type TCreditRecord,
  type TCreditRecordSummary,
  type TDataScope,
  type TRecordStatus,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { isoDay } from '../../db';
import { NotFoundError } from '../../lib/errors';
import type { Actor } from '../identity/actor';
import { grantedRecordsSql, readableScopes, scopedEnterpriseIdsSql } from '../enterprises/repository';
import { defineJob } from '../../jobs/registry';
import { z } from 'zod';
import { DataSource, HeldCreditRow } from './models';
import { emptyCounts, retryOnUnique, writeChunk, type ChunkRow } from './ingest';
import { recordChunk } from './batches';
import { regionsOf } from './sources';

/**
 * Credit records as people see them: the console's enterprise page (platform admins, advisors and government of
 * the region; institutions only under an authorisation grant, through the repository's institution branch) and the
 * firm's own 我的数据 in the mini-program. Every read joins the enterprise repository's scope, so a record of an
 * enterprise outside the caller's scope is never returned (the enterprise is 404); an institution reads the records
 * item by item only of the categories whose scope the firm granted it, and the counts by category with the credit
 * report.
 */

interface RecordRow {
  id: unknown;
  category: TCreditCategory;
  enterpriseId: unknown;
  uscc: string;
  sourceId: unknown;
  sourceName: string | null;
  externalId: string;
  period: string | null;
  occurredOn: string | Date | null;
  endsOn: string | Date | null;
  adverse: unknown;
  corrected: unknown;
  payload: string;
  isCurrent: unknown;
  expiredAt: unknown;
  withdrawnAt: unknown;
  disputed: unknown;
  createdAt: string | Date;
}


function statusOf(row: RecordRow): TRecordStatus {
  if (row.withdrawnAt) return 'withdrawn';
  if (row.expiredAt) return 'expired';
  return Number(row.isCurrent) === 1 ? 'current' : 'superseded';
}

function toDto(row: RecordRow): TCreditRecord {
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  return {
    id: String(row.id),
    category: row.category,
    enterpriseId: String(row.enterpriseId),
    uscc: row.uscc,
    sourceId: String(row.sourceId),
    sourceName: row.sourceName ?? '',
    externalId: row.externalId,
    period: row.period,
    occurredOn: isoDay(row.occurredOn),
    endsOn: isoDay(row.endsOn),
    adverse: Boolean(Number(row.adverse)),
    corrected: Boolean(Number(row.corrected)),
    status: statusOf(row),
    disputed: Boolean(Number(row.disputed)),
    payload,
    fields: describeCreditPayload(row.category, payload),
    receivedAt: new Date(row.createdAt).toISOString(),
  };
}

/** The scopes of `wanted` the actor may read of the enterprise; none is a 404, the same as no enterprise. */
async function visibleScopes(actor: Actor, enterpriseId: string, wanted: readonly TDataScope[]): Promise<TDataScope[]> {
  const scopes = await readableScopes(actor, enterpriseId, wanted);
  if (scopes.length === 0) throw new NotFoundError('企业不存在或无权访问');
  return scopes;
}

export interface RecordQuery {
  category?: TCreditCategory;
  includeHistory?: 'true' | 'false';
  adverse?: 'true' | 'false';
  page: number;
  pageSize: number;
}

/** A page of records with the record scopes the read covered: what an institution's read is logged under. */
export interface RecordRead {
  page: PageResult<TCreditRecord>;
  scopes: TDataScope[];
}

export async function readCreditRecords(app: AppContext, actor: Actor, enterpriseId: string, query: RecordQuery): Promise<RecordRead> {
  const category = query.category && (CREDIT_CATEGORIES as readonly string[]).includes(query.category) ? query.category : null;
  const scopes = await visibleScopes(actor, enterpriseId, category ? [CATEGORY_SCOPE[category]] : RECORD_SCOPES);
  const conditions = [`r.enterprise_id = :id`, grantedRecordsSql(actor)];
  const replacements: Record<string, unknown> = { id: enterpriseId };
  // History (superseded and expired versions) is for the console only; the firm and everyone by default see what counts.
  const history = query.includeHistory === 'true' && actor.kind === 'admin';
  // A record withdrawn by an upheld dispute stays in view, marked, so the firm sees the outcome.
  if (!history) conditions.push('(r.is_current = 1 OR r.withdrawn_at IS NOT NULL)', 'r.expired_at IS NULL');
  if (category) {
    conditions.push('r.category = :category');
    replacements.category = category;
  }
  if (query.adverse) conditions.push(query.adverse === 'true' ? 'r.adverse = 1' : 'r.adverse = 0');
  const where = conditions.join(' AND ');
  const sequelize = app.db.sequelize;
  const [counted, rows] = await Promise.all([
    sequelize.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM credit_records r WHERE ${where}`, { replacements, type: QueryTypes.SELECT }),
    sequelize.query<RecordRow>(
      `SELECT r.id, r.category, r.enterprise_id AS enterpriseId, r.uscc, r.source_id AS sourceId, s.name AS sourceName,
         r.external_id AS externalId, r.period, r.occurred_on AS occurredOn, r.ends_on AS endsOn, r.adverse, r.corrected,
         r.payload, r.is_current AS isCurrent, r.expired_at AS expiredAt, r.withdrawn_at AS withdrawnAt, r.disputed, r.created_at AS createdAt
       FROM credit_records r LEFT JOIN data_sources s ON s.id = r.source_id
       WHERE ${where}
       ORDER BY COALESCE(r.period, r.occurred_on) DESC, r.created_at DESC, r.id DESC
       LIMIT :limit OFFSET :offset`,
      { replacements: { ...replacements, limit: query.pageSize, offset: (query.page - 1) * query.pageSize }, type: QueryTypes.SELECT },
    ),
  ]);
  return { page: { list: rows.map(toDto), total: Number(counted[0]?.n ?? 0) }, scopes };
}

export async function listCreditRecords(app: AppContext, actor: Actor, enterpriseId: string, query: RecordQuery): Promise<PageResult<TCreditRecord>> {
  return (await readCreditRecords(app, actor, enterpriseId, query)).page;
}

/** Counts and latest period by category: part of the credit report (`credit_score`), not of the records themselves. */
export async function creditRecordSummary(app: AppContext, actor: Actor, enterpriseId: string): Promise<TCreditRecordSummary> {
  await visibleScopes(actor, enterpriseId, ['credit_score']);
  const rows = await app.db.sequelize.query<{ category: TCreditCategory; n: unknown; latest: string | Date | null }>(
    `SELECT r.category, COUNT(*) AS n, MAX(COALESCE(r.period, r.occurred_on)) AS latest
     FROM credit_records r
     WHERE r.enterprise_id = :id AND r.enterprise_id IN ${scopedEnterpriseIdsSql(actor, 'credit_score')}
       AND r.is_current = 1 AND r.expired_at IS NULL
     GROUP BY r.category`,
    { replacements: { id: enterpriseId }, type: QueryTypes.SELECT },
  );
  const byCategory = new Map(rows.map((r) => [r.category, r]));
  return CREDIT_CATEGORIES.map((category) => {
    const row = byCategory.get(category);
    const latest = row?.latest ?? null;
    return { category, count: Number(row?.n ?? 0), latest: latest instanceof Date ? latest.toISOString().slice(0, 10) : latest ? String(latest) : null };
  });
}

// ---- held rows -------------------------------------------------------------------------------------------------

/**
 * Rows a source sent before the firm was registered, released once its registration arrives: written as records of
 * their own source and batch (whose counts move from held to accepted or rejected), then removed, in one transaction.
 */
export async function releaseHeldRows(app: AppContext, usccs: readonly string[]): Promise<number> {
  const held = await HeldCreditRow.findAll({ where: { uscc: [...usccs] }, order: [['batchId', 'ASC'], ['rowNumber', 'ASC']] });
  const groups = new Map<string, HeldCreditRow[]>();
  for (const row of held) {
    const key = `${row.sourceId}:${row.batchId}:${row.category}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  let released = 0;
  for (const rows of groups.values()) {
    const first = rows[0]!;
    const source = await DataSource.findByPk(first.sourceId);
    if (!source) continue;
    const ingestSource = { id: source.id, regionCodes: regionsOf(source.regionCodes), unknownUscc: 'reject' as const };
    const chunk: ChunkRow[] = rows.map((r) => ({ rowNumber: r.rowNumber, record: JSON.parse(r.record), errors: [] }));
    await retryOnUnique(() =>
      app.db.transaction(async (t) => {
        const removed = await HeldCreditRow.destroy({ where: { id: rows.map((r) => r.id) }, transaction: t });
        if (removed !== rows.length) throw new Error('held rows released concurrently');
        const outcome = await writeChunk(app, ingestSource, first.category, first.batchId, chunk, t);
        const delta = { ...emptyCounts(), ...outcome.counts, received: 0, held: -rows.length };
        await recordChunk(first.batchId, delta, outcome.errors, {}, t);
      }),
    );
    released += rows.length;
  }
  if (released > 0) app.logger.info({ released }, 'held credit rows released after registration');
  return released;
}

defineJob(
  'credit.release-held',
  async ({ app, payload }) => {
    await releaseHeldRows(app, payload.usccs);
  },
  { label: '释放暂存的信用数据', payload: z.object({ usccs: z.array(z.string()).max(5000) }) },
);

