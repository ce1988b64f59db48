import { UniqueConstraintError } from 'sequelize';
import {
  INGEST_CATEGORY_LABELS,
  INGEST_MAX_RECORDS,
  normaliseCreditRow,
  type TIngestCategory,
  type TIngestResult,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { AppError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import type { SourceActor } from '../identity/actor';
import { recordAudit } from '../audit/service';
import { DataSource, IngestBatch, IngestRowError } from './models';
import { addCounts, emptyCounts, retryOnUnique, unstorableRow, writeChunk, type ChunkRow } from './ingest';
import { batchDto, recordChunk } from './batches';
import { categoriesOf, regionsOf } from './sources';

const CHUNK = 1000;
const ERRORS_IN_ANSWER = 100;

/** A batch body: a JSON array of records, or JSON lines (one record per line; a bad line is that row's error). */
export function parseBatchBody(raw: Buffer, contentType: string): ChunkRow[] | Array<{ rowNumber: number; value: unknown; error: string | null }> {
  const text = raw.toString('utf8');
  const lines = /ndjson|jsonl|json-seq/i.test(contentType);
  if (!lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ValidationError('请求体不是有效的 JSON：应为记录数组，或以 application/x-ndjson 发送每行一条记录');
    }
    if (!Array.isArray(parsed)) throw new ValidationError('请求体应为 JSON 数组（每个元素一条记录）');
    return parsed.map((value, i) => ({ rowNumber: i + 1, value, error: null }));
  }
  const rows: Array<{ rowNumber: number; value: unknown; error: string | null }> = [];
  let rowNumber = 0;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.replace(/^\u001e/, '').trim();
    if (!trimmed) continue;
    rowNumber += 1;
    try {
      rows.push({ rowNumber, value: JSON.parse(trimmed), error: null });
    } catch {
      rows.push({ rowNumber, value: null, error: '该行不是有效的 JSON' });
    }
  }
  return rows;
}

/**
 * A signed push of one batch (`POST /ingest/{category}?batchId=`). The batch row, its records, counts and row
 * errors are written in one transaction: the unique (source, batchId) makes a re-send (even a concurrent one)
 * find the first result and write nothing.
 */
export async function ingestPush(
  app: AppContext,
  actor: SourceActor,
  category: TIngestCategory,
  batchId: string,
  raw: Buffer,
  contentType: string,
  meta: RequestMeta,
): Promise<TIngestResult> {
  const source = await DataSource.findByPk(actor.id);
  if (!source || !source.enabled) throw new AppError('SOURCE_DISABLED', '数据源已停用 (source disabled)');
  if (!categoriesOf(source.categories).includes(category)) {
    throw new AppError('CATEGORY_NOT_ALLOWED', `数据源无权报送「${INGEST_CATEGORY_LABELS[category]}」类数据 (category not allowed)`);
  }
  const replay = async (): Promise<TIngestResult | null> => {
    const first = await IngestBatch.findOne({ where: { sourceId: source.id, externalBatchId: batchId } });
    if (!first) return null;
    if (first.category !== category) {
      throw new AppError('CONFLICT', `批次号 ${batchId} 已用于「${INGEST_CATEGORY_LABELS[first.category]}」类数据，请使用新的批次号`);
    }
    const errors = await IngestRowError.findAll({ where: { batchId: first.id }, order: [['rowNumber', 'ASC'], ['id', 'ASC']], limit: ERRORS_IN_ANSWER });
    return {
      batch: batchDto(first, source.name),
      replayed: true,
      errors: errors.map((e) => ({ rowNumber: e.rowNumber, field: e.field, label: e.label, value: e.value, reason: e.reason })),
    };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const items = parseBatchBody(raw, contentType) as Array<{ rowNumber: number; value: unknown; error: string | null }>;
  if (items.length === 0) throw new ValidationError('批次中没有记录');
  if (items.length > INGEST_MAX_RECORDS) throw new AppError('PAYLOAD_TOO_LARGE', `每批最多 ${INGEST_MAX_RECORDS} 条记录，本批 ${items.length} 条：请分批发送，或用文件导入`);
  const rows: ChunkRow[] = items.map((item) => {
    if (item.error) return { rowNumber: item.rowNumber, record: null, errors: [{ field: 'row', label: '整行', value: '', reason: item.error }] };
    if (!item.value || typeof item.value !== 'object' || Array.isArray(item.value)) {
      return { rowNumber: item.rowNumber, record: null, errors: [{ field: 'row', label: '整行', value: '', reason: '每条记录应为 JSON 对象' }] };
    }
    const unstorable = unstorableRow(item.rowNumber, item.value as Record<string, unknown>);
    if (unstorable) return unstorable;
    const result = normaliseCreditRow(category, item.value as Record<string, unknown>, 'push');
    return result.ok ? { rowNumber: item.rowNumber, record: result.record, errors: [] } : { rowNumber: item.rowNumber, record: null, errors: result.errors };
  });

  const ingestSource = { id: source.id, regionCodes: regionsOf(source.regionCodes), unknownUscc: source.unknownUscc };
  const now = clock.now();
  const write = () =>
    app.db.transaction(async (t) => {
      const batch = await IngestBatch.create(
        {
          id: newId(),
          sourceId: source.id,
          category,
          origin: 'push',
          externalBatchId: batchId,
          fileId: null,
          fileName: null,
          fileFormat: null,
          status: 'running',
          createdByKind: 'source',
          createdById: source.id,
          createdByName: source.name.slice(0, 64),
          startedAt: now,
        },
        { transaction: t },
      );
      const total = emptyCounts();
      const errors: TIngestResult['errors'] = [];
      for (let start = 0; start < rows.length; start += CHUNK) {
        const outcome = await writeChunk(app, ingestSource, category, batch.id, rows.slice(start, start + CHUNK), t, {
          refuseOutsideRegion: true,
          repayments: { institutionId: source.organisationId, reporter: { id: source.id, name: source.name, channel: 'api' } },
        });
        addCounts(total, outcome.counts);
        errors.push(...outcome.errors);
      }
      await recordChunk(batch.id, total, errors, { status: 'done', totalRows: rows.length, rowsDone: rows.length, finishedAt: clock.now() }, t);
      await recordAudit(t, {
        actor,
        action: 'credit_data.push',
        targetType: 'ingest_batch',
        targetId: batch.id,
        outcome: 'success',
        detail: { category, batchId, ...total },
        meta,
      });
      await batch.reload({ transaction: t });
      return { batch: batchDto(batch, source.name), replayed: false, errors: errors.slice(0, ERRORS_IN_ANSWER) } as TIngestResult;
    });
  let answer: TIngestResult;
  try {
    answer = await retryOnUnique(async () => {
      try {
        return await write();
      } catch (error) {
        // A concurrent send of the same batch committed first: answer its result (else the violation was a
        // record or firm another batch wrote at the same moment, and the batch is written again).
        if (error instanceof UniqueConstraintError) {
          const first = await replay();
          if (first) return first;
        }
        throw error;
      }
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new AppError('CONFLICT', '同一批数据正被并发写入，请稍后重试');
    throw error;
  }
  if (answer.replayed) return answer;
  await DataSource.update({ lastReceivedAt: now }, { where: { id: source.id }, silent: true });
  return answer;
}
