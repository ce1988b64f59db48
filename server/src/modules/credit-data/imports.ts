import { open as openFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  INGEST_CATEGORY_LABELS,
  CREDIT_FIELDS,
  IMPORT_MAX_BYTES,
  creditHeaderMap,
  normaliseCreditRow,
  requiredCreditKeys,
  type TIngestCategory,
  type TIngestBatch,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { AppError, ValidationError } from '../../lib/errors';
import type { RequestMeta, UploadedPart } from '../../http/route';
import { enqueueJob } from '../../jobs/queue';
import { defineJob, NonRetryableJobError, type JobRun } from '../../jobs/registry';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { StoredFile } from '../files/models';
import { stageUploadedFile, transactionWithFile } from '../files/service';
import { countImportRows, detectFormat, ImportFileError, readImportRows, type ImportFormat } from './files';
import { DataSource, IngestBatch } from './models';
import { batchDtoOf, recordChunk } from './batches';
import { retryOnUnique, writeChunk, type ChunkRow } from './ingest';
import { categoriesOf, findVisibleSource, regionsOf } from './sources';

/** Rows per chunk: each chunk is one transaction with its checkpoint. */
export const IMPORT_CHUNK_ROWS = 1000;

const MIME: Record<ImportFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

async function readHead(path: string): Promise<Buffer> {
  const handle = await openFile(path, 'r');
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * A console user of the source's organisation (or a platform admin) uploads a file; it goes to the file store and
 * a `credit.import` job reads it on the worker. The batch and the job are written in one transaction with the file.
 */
export async function startImport(
  app: AppContext,
  actor: AdminActor,
  input: { sourceId: string; category: TIngestCategory },
  file: UploadedPart | undefined,
  meta: RequestMeta,
): Promise<TIngestBatch> {
  if (actor.client) throw new AppError('FORBIDDEN', '接口客户端不能导入数据文件');
  const source = await findVisibleSource(actor, input.sourceId);
  if (!source.enabled) throw new AppError('SOURCE_DISABLED', '数据源已停用，不能导入');
  if (!categoriesOf(source.categories).includes(input.category)) {
    throw new AppError('CATEGORY_NOT_ALLOWED', `数据源「${source.name}」无权报送「${INGEST_CATEGORY_LABELS[input.category]}」类数据`);
  }
  if (!file) throw new ValidationError('file: 请选择要导入的文件', [{ field: 'file', message: '请选择要导入的文件' }]);
  if (file.size === 0) throw new ValidationError('file: 文件是空的', [{ field: 'file', message: '文件是空的' }]);
  if (file.size > IMPORT_MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', '文件过大：单个文件不能超过 2 GB');
  const format = detectFormat(file.originalFilename, await readHead(file.filepath));
  if (!format) {
    throw new ValidationError('file: 只能导入 CSV 或 XLSX 文件', [{ field: 'file', message: '只能导入 CSV（UTF-8 或 GBK）或 XLSX 文件' }]);
  }
  const staged = await stageUploadedFile(app, file.filepath, MIME[format], { kind: 'admin', id: actor.id });
  const fileName = (file.originalFilename ?? `import.${format}`).slice(0, 200);
  const batch = await transactionWithFile(app, staged, async (t, stored) => {
    const created = await IngestBatch.create(
      {
        id: newId(),
        sourceId: source.id,
        category: input.category,
        origin: 'file',
        externalBatchId: null,
        fileId: stored.id,
        fileName,
        fileFormat: format,
        status: 'queued',
        createdByKind: 'admin',
        createdById: actor.id,
        createdByName: actor.displayName.slice(0, 64),
      },
      { transaction: t },
    );
    const job = await enqueueJob(t, 'credit.import', { batchId: created.id });
    await created.update({ jobId: job.id }, { transaction: t });
    await recordAudit(t, {
      actor,
      action: 'credit_data.import',
      targetType: 'ingest_batch',
      targetId: created.id,
      outcome: 'success',
      detail: { sourceId: source.id, category: input.category, fileName, size: file.size, format },
      meta,
    });
    return created;
  });
  return batchDtoOf(batch);
}

const ZImportPayload = z.object({ batchId: z.string().regex(/^\d{1,20}$/) });

/**
 * The import job. Reads the stored file as a stream, normalises each row, and writes chunks of IMPORT_CHUNK_ROWS;
 * each chunk's records, row errors, counts, the batch's `rowsDone` and the job's checkpoint commit in one
 * transaction that matches the job's lease token. A worker killed mid-file leaves the last committed chunk; the
 * next holder of the job skips the rows already done and goes on: nothing lost, nothing counted twice.
 */
export async function runImport(run: JobRun<{ batchId: string }>): Promise<void> {
  const { app, payload, signal } = run;
  const batch = await IngestBatch.findByPk(payload.batchId);
  if (!batch) throw new NonRetryableJobError(`batch ${payload.batchId} not found`);
  if (batch.status === 'done' || batch.status === 'failed') return;
  const source = await DataSource.findByPk(batch.sourceId);
  const stored = batch.fileId ? await StoredFile.findByPk(batch.fileId) : null;
  const fail = async (reason: string) => {
    await IngestBatch.update({ status: 'failed', failureReason: reason.slice(0, 500), finishedAt: clock.now() }, { where: { id: batch.id } });
  };
  if (!source || !stored) {
    await fail(!source ? '数据源已删除' : '导入文件已不存在');
    return;
  }
  const category = batch.category;
  const format = (batch.fileFormat ?? 'csv') as ImportFormat;
  const open = () => app.fileStore.stream(stored.storageKey);
  if (batch.status === 'queued') {
    await IngestBatch.update({ status: 'running', startedAt: clock.now() }, { where: { id: batch.id, status: 'queued' } });
  }
  try {
    if (batch.totalRows === null || batch.totalRows === undefined) {
      const total = await countImportRows(open, format);
      await IngestBatch.update({ totalRows: total }, { where: { id: batch.id } });
    }
    const ingestSource = { id: source.id, regionCodes: regionsOf(source.regionCodes), unknownUscc: source.unknownUscc };
    const fields = CREDIT_FIELDS[category];
    const rows = readImportRows(open, {
      format,
      headerMap: creditHeaderMap(category),
      requiredKeys: requiredCreditKeys(category),
      labels: new Map(fields.map((f) => [f.key, f.label])),
      skipRows: batch.rowsDone,
    });
    let rowsDone = batch.rowsDone;
    let chunk: ChunkRow[] = [];
    const commit = async () => {
      const pending = chunk;
      chunk = [];
      const done = rowsDone + pending.length;
      await retryOnUnique(() =>
        app.db.transaction(async (t) => {
          const outcome = await writeChunk(app, ingestSource, category, batch.id, pending, t, {
            repayments: { institutionId: source.organisationId, reporter: { id: batch.createdById ?? source.id, name: batch.createdByName ?? source.name, channel: 'file' } },
          });
          await recordChunk(batch.id, outcome.counts, outcome.errors, { rowsDone: done }, t);
          // Fenced: throws LeaseLostError (and rolls the chunk back) when another worker holds the job now.
          await run.checkpoint({ batchId: batch.id });
        }),
      );
      rowsDone = done;
    };
    for await (const item of rows) {
      if (signal.aborted) throw new Error('lease lost: another worker holds the import now');
      // Rows are numbered as the file's lines (the header is line 1), as Excel shows them and the report lists them.
      const line = item.rowNumber + 1;
      if ('reason' in item) {
        chunk.push({ rowNumber: line, record: null, errors: [{ field: 'row', label: '整行', value: '', reason: item.reason }] });
      } else {
        // No cell holds NUL or a lone surrogate here: the reader refuses a CSV with NUL bytes as binary, decodes bad
        // UTF-8 to U+FFFD, and XML (XLSX) cannot carry either.
        const result = normaliseCreditRow(category, item.values, 'file');
        chunk.push(result.ok ? { rowNumber: line, record: result.record, errors: [] } : { rowNumber: line, record: null, errors: result.errors });
      }
      if (chunk.length >= IMPORT_CHUNK_ROWS) await commit();
    }
    if (chunk.length > 0) await commit();
    await IngestBatch.update({ status: 'done', totalRows: rowsDone, finishedAt: clock.now() }, { where: { id: batch.id } });
    await DataSource.update({ lastReceivedAt: clock.now() }, { where: { id: source.id }, silent: true });
  } catch (error) {
    if (error instanceof ImportFileError) {
      await fail(error.message);
      return;
    }
    // The last attempt: the batch says it failed, with the reason, instead of running for ever.
    if (run.attempt >= run.maxAttempts && !signal.aborted) await fail(`导入失败（已重试 ${run.attempt} 次）：${(error as Error).message}`);
    throw error;
  }
}

// The lease is the worker's (WORKER_LEASE_MS): a killed worker's import is taken over once it lapses.
defineJob('credit.import', runImport, { label: '信用数据导入', maxAttempts: 5, payload: ZImportPayload });
