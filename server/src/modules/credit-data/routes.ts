import { PassThrough } from 'node:stream';
import { z } from 'zod';
import {
  BATCH_STATUSES,
  CREDIT_CATEGORIES,
  INGEST_CATEGORIES,
  INGEST_CATEGORY_LABELS,
  CREDIT_FIELDS,
  IMPORT_MAX_BYTES,
  ZCreateDataSource,
  ZCreditRecord,
  ZCreditRecordQuery,
  ZCreditRecordSummary,
  ZDataSource,
  ZDataSourceWithSecret,
  ZIdParam,
  ZIngestBatch,
  ZIngestResult,
  ZPageQuery,
  ZQualityRow,
  ZRotateDataSourceKey,
  ZRowErrorItem,
  ZUpdateDataSource,
  pageOf,
  type TCreditCategory,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import type { AdminActor, SourceActor } from '../identity/actor';
import { buildTemplate, contentDisposition, writeErrorReport } from './files';
import { batchErrors, findVisibleBatch, listBatchErrors, listBatches, batchDtoOf } from './batches';
import { startImport } from './imports';
import { ingestPush } from './push';
import { creditRecordSummary, listCreditRecords, readCreditRecords } from './records';
import { enqueueQualityRefresh, readQuality } from './quality';
import { createDataSource, getDataSource, listDataSources, rotateDataSourceKey, updateDataSource } from './sources';
import { loggedRead } from '../financing/grants';

const ZCategoryParam = z.object({ category: z.enum(INGEST_CATEGORIES, { error: `数据类别应为 ${INGEST_CATEGORIES.join('、')} 之一` }) });
const ZFormat = z.object({ format: z.enum(['csv', 'xlsx'], { error: '格式应为 csv 或 xlsx' }).default('csv') });
const ZBatchIdQuery = z.object({
  batchId: z
    .string({ error: '请在查询参数 batchId 中给出本批次的编号' })
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'batchId 应为 1–64 位字母、数字或 _ . : -'),
});
const ZBatchQuery = ZPageQuery.extend({
  sourceId: z.string().regex(/^\d{1,19}$/, '数据源编号格式不正确').optional(),
  category: z.enum(INGEST_CATEGORIES, { error: '数据类别不正确' }).optional(),
  status: z.enum(BATCH_STATUSES, { error: '状态不正确' }).optional(),
});
const ZStartImport = z.object({
  sourceId: z.string({ error: '请选择数据源' }).regex(/^\d{1,19}$/, '请选择数据源'),
  category: z.enum(INGEST_CATEGORIES, { error: '请选择数据类别' }),
});
const ZQuality = z.object({ computedAt: z.string().nullable(), rows: z.array(ZQualityRow) });
/** Who reads credit records in the console: the scope of the enterprise repository decides which firms. */
const RECORD_READERS = ['platform_admin', 'advisor', 'gov', 'fi_admin', 'fi_officer', 'agency'] as const;
/** Who imports files: a platform admin, or a user of the organisation that owns the source (checked by the service). */
const IMPORTERS = ['platform_admin', 'gov', 'fi_admin', 'fi_officer', 'agency', 'advisor'] as const;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function creditDataRoutes(app: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/data-sources',
      operationId: 'listDataSources',
      summary: '数据源列表（平台管理员看全部，其他用户看本机构的）',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      query: ZPageQuery,
      response: pageOf(ZDataSource),
      handler: async ({ actor, query }) => listDataSources(actor as AdminActor, query),
    }),
    route({
      method: 'post',
      path: '/data-sources',
      operationId: 'createDataSource',
      summary: '登记数据源（签名密钥只在此时显示一次）',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: ['platform_admin'],
      callers: ['person'],
      body: ZCreateDataSource,
      response: ZDataSourceWithSecret,
      status: 201,
      idempotent: true,
      handler: async ({ actor, body, meta }) => createDataSource(app, actor as AdminActor, body, meta),
    }),
    route({
      method: 'get',
      path: '/data-sources/:id',
      operationId: 'getDataSource',
      summary: '数据源详情',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      params: ZIdParam,
      response: ZDataSource,
      handler: async ({ actor, params }) => getDataSource(actor as AdminActor, params.id),
    }),
    route({
      method: 'patch',
      path: '/data-sources/:id',
      operationId: 'updateDataSource',
      summary: '修改数据源（类别、区域、未登记企业的处理方式、启用或停用）',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: ['platform_admin'],
      callers: ['person'],
      params: ZIdParam,
      body: ZUpdateDataSource,
      response: ZDataSource,
      handler: async ({ actor, params, body, meta }) => updateDataSource(app, actor as AdminActor, params.id, body, meta),
    }),
    route({
      method: 'post',
      path: '/data-sources/:id/rotate',
      operationId: 'rotateDataSourceKey',
      summary: '轮换数据源签名密钥（旧密钥在宽限期内仍有效）',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: ['platform_admin'],
      callers: ['person'],
      params: ZIdParam,
      body: ZRotateDataSourceKey,
      response: ZDataSourceWithSecret,
      handler: async ({ actor, params, body, meta }) => rotateDataSourceKey(app, actor as AdminActor, params.id, body, meta),
    }),
    route({
      method: 'post',
      path: '/ingest/:category',
      operationId: 'ingestRecords',
      summary: '数据源推送一批信用数据（签名请求；JSON 数组或 JSON Lines；同一 batchId 重发返回首次结果）',
      tags: ['数据汇聚'],
      auth: 'source',
      params: ZCategoryParam,
      query: ZBatchIdQuery,
      rawBody: {
        mediaTypes: ['application/json', 'application/x-ndjson'],
        description: '记录数组（application/json），或每行一条记录（application/x-ndjson）；每批最多 5,000 条、8 MB。字段见数据类别的模板。',
      },
      response: ZIngestResult,
      handler: async ({ actor, params, query, raw, meta }, ctx) =>
        ingestPush(app, actor as SourceActor, params.category, query.batchId, raw ?? Buffer.alloc(0), ctx.get('content-type'), meta),
    }),
    route({
      method: 'get',
      path: '/credit-data/templates/:category',
      operationId: 'downloadCreditTemplate',
      summary: '下载数据类别的导入模板（CSV 或 XLSX，含示例行与填写说明）',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      params: ZCategoryParam,
      query: ZFormat,
      binary: 'application/octet-stream',
      handler: async ({ params, query }, ctx) => {
        const category = params.category;
        const bytes = await buildTemplate(CREDIT_FIELDS[category], INGEST_CATEGORY_LABELS[category], query.format);
        ctx.type = query.format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8';
        ctx.set('Content-Disposition', contentDisposition(`${INGEST_CATEGORY_LABELS[category]}导入模板.${query.format}`));
        ctx.set('Cache-Control', 'private, no-store');
        ctx.body = bytes;
      },
    }),
    route({
      method: 'post',
      path: '/ingest-batches',
      operationId: 'startCreditImport',
      summary: '上传数据文件并开始导入（CSV/XLSX，由后台任务导入）',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: IMPORTERS,
      callers: ['person'],
      body: ZStartImport,
      multipart: { files: { file: 'CSV（UTF-8 或 GBK）或 XLSX 文件，表头为模板中的中文列名，不超过 2 GB' }, maxFileBytes: IMPORT_MAX_BYTES },
      response: ZIngestBatch,
      status: 201,
      idempotent: true,
      handler: async ({ actor, body, files, meta }) => startImport(app, actor as AdminActor, body, files.file, meta),
    }),
    route({
      method: 'get',
      path: '/ingest-batches',
      operationId: 'listIngestBatches',
      summary: '导入与推送批次（含进度）',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      query: ZBatchQuery,
      response: pageOf(ZIngestBatch),
      handler: async ({ actor, query }) => listBatches(actor as AdminActor, query),
    }),
    route({
      method: 'get',
      path: '/ingest-batches/:id',
      operationId: 'getIngestBatch',
      summary: '批次详情与进度',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      params: ZIdParam,
      response: ZIngestBatch,
      handler: async ({ actor, params }) => batchDtoOf(await findVisibleBatch(actor as AdminActor, params.id)),
    }),
    route({
      method: 'get',
      path: '/ingest-batches/:id/errors',
      operationId: 'listIngestBatchErrors',
      summary: '批次的逐行错误',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      params: ZIdParam,
      query: ZPageQuery,
      response: pageOf(ZRowErrorItem),
      handler: async ({ actor, params, query }) => listBatchErrors(actor as AdminActor, params.id, query),
    }),
    route({
      method: 'get',
      path: '/ingest-batches/:id/error-report',
      operationId: 'downloadIngestBatchErrors',
      summary: '下载批次错误报告（CSV 或 XLSX：行号、字段、填写值、原因）',
      tags: ['数据汇聚'],
      auth: 'admin',
      callers: ['person'],
      params: ZIdParam,
      query: ZFormat,
      binary: 'application/octet-stream',
      handler: async ({ actor, params, query }, ctx) => {
        const batch = await findVisibleBatch(actor as AdminActor, params.id);
        const out = new PassThrough();
        ctx.type = query.format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8';
        ctx.set('Content-Disposition', contentDisposition(`错误报告-${batch.fileName ?? batch.externalBatchId ?? batch.id}.${query.format}`));
        ctx.set('Cache-Control', 'private, no-store, no-transform');
        ctx.body = out;
        const rows = (async function* () {
          for await (const e of batchErrors(batch.id)) yield { rowNumber: e.rowNumber, label: e.label, value: e.value, reason: e.reason };
        })();
        // Row numbers are stored as users see them (a file's line, a push's record number).
        writeErrorReport(rows, query.format, out, { lineOffset: 0 }).catch((error: unknown) => {
          app.logger.error({ err: error, batchId: batch.id }, 'error report stream failed');
          out.destroy(error as Error);
        });
      },
    }),
    route({
      method: 'get',
      path: '/enterprises/:id/credit-records',
      operationId: 'listEnterpriseCreditRecords',
      summary: '企业的信用数据（按类别筛选；范围外返回 404）',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: RECORD_READERS,
      params: ZIdParam,
      query: ZCreditRecordQuery,
      response: pageOf(ZCreditRecord),
      handler: async ({ actor, params, query, meta }) =>
        // One access row per record scope the read covered.
        (await loggedRead(app, actor, meta, readCreditRecords(app, actor!, params.id, query), (read) => read.scopes.map((scope) => ({ enterpriseId: params.id, scope, action: 'credit_records' as const })))).page,
    }),
    route({
      method: 'get',
      path: '/enterprises/:id/credit-records/summary',
      operationId: 'getEnterpriseCreditSummary',
      summary: '企业各类信用数据的条数与最新期',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: RECORD_READERS,
      params: ZIdParam,
      response: ZCreditRecordSummary,
      handler: async ({ actor, params, meta }) =>
        loggedRead(app, actor, meta, creditRecordSummary(app, actor!, params.id), () => [{ enterpriseId: params.id, scope: 'credit_score', action: 'credit_summary' }]),
    }),
    route({
      method: 'get',
      path: '/me/enterprises/:id/credit-records',
      operationId: 'listMyCreditRecords',
      summary: '我的数据：本企业的信用数据及其来源',
      tags: ['数据汇聚'],
      auth: 'wechat',
      params: ZIdParam,
      query: ZCreditRecordQuery.omit({ includeHistory: true }),
      response: pageOf(ZCreditRecord),
      handler: async ({ actor, params, query }) => listCreditRecords(app, actor!, params.id, query),
    }),
    route({
      method: 'get',
      path: '/me/enterprises/:id/credit-records/summary',
      operationId: 'getMyCreditSummary',
      summary: '我的数据：各类信用数据的条数',
      tags: ['数据汇聚'],
      auth: 'wechat',
      params: ZIdParam,
      response: ZCreditRecordSummary,
      handler: async ({ actor, params }) => creditRecordSummary(app, actor!, params.id),
    }),
    route({
      method: 'get',
      path: '/credit-data/quality',
      operationId: 'getCreditQuality',
      summary: '数据质量：各数据源、各类别的接收率、拒收原因、时效与覆盖率',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: ['platform_admin'],
      callers: ['person'],
      response: ZQuality,
      handler: async () => readQuality(app),
    }),
    route({
      method: 'post',
      path: '/credit-data/quality/refresh',
      operationId: 'refreshCreditQuality',
      summary: '重新计算数据质量（后台任务）',
      tags: ['数据汇聚'],
      auth: 'admin',
      roles: ['platform_admin'],
      callers: ['person'],
      response: z.object({ jobId: z.string() }),
      handler: async () => enqueueQualityRefresh(app),
    }),
  ];
}
