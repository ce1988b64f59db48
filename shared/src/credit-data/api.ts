import { z } from 'zod';
import { CREDIT_CATEGORIES, INGEST_CATEGORIES } from './categories';

/**
 * The API of credit-data aggregation (数据汇聚): data sources, batches (pushed or imported), their row errors,
 * records as the console and the mini-program show them, and data quality.
 */

const ZCategory = z.enum(CREDIT_CATEGORIES, { error: '数据类别不正确' });
/** What a source may send and a batch carries: the credit-data categories and loan repayments. */
const ZIngestCategoryValue = z.enum(INGEST_CATEGORIES, { error: '数据类别不正确' });

/** What a source does with a row whose USCC has no registration yet. */
export const UNKNOWN_USCC_POLICIES = ['reject', 'hold'] as const;
export type TUnknownUsccPolicy = (typeof UNKNOWN_USCC_POLICIES)[number];
export const UNKNOWN_USCC_POLICY_LABELS: Record<TUnknownUsccPolicy, string> = {
  reject: '拒收并说明原因',
  hold: '暂存，企业登记后入库',
};

export const DATA_SOURCE_MAX_GRACE_HOURS = 7 * 24;
export const DATA_SOURCE_DEFAULT_GRACE_HOURS = 24;

/** Push batches are answered in the request, so they are bounded; larger volumes go by file import. */
export const INGEST_MAX_RECORDS = 5_000;
export const INGEST_MAX_BYTES = 8 * 1024 * 1024;
/** Files up to 2 GiB stream through the import job. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

const ZRegionCode = z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字');
const ZSourceName = z.string({ error: '请输入数据源名称' }).trim().min(1, '请输入数据源名称').max(64, '数据源名称不能超过 64 个字符');
const ZCategories = z
  .array(ZIngestCategoryValue, { error: '请选择可报送的数据类别' })
  .min(1, '至少选择一个数据类别')
  .refine((list) => new Set(list).size === list.length, { message: '数据类别重复' });
const ZRegions = z
  .array(ZRegionCode, { error: '请选择覆盖的行政区划' })
  .min(1, '至少选择一个覆盖区域')
  .max(50, '覆盖区域最多 50 个')
  .refine((list) => new Set(list).size === list.length, { message: '覆盖区域重复' });

export const ZCreateDataSource = z.object({
  organisationId: z.string().regex(/^\d{1,20}$/, '请选择所属机构'),
  name: ZSourceName,
  categories: ZCategories,
  regionCodes: ZRegions,
  unknownUscc: z.enum(UNKNOWN_USCC_POLICIES, { error: '未登记企业的处理方式不正确' }).default('reject'),
});
export type TCreateDataSource = z.infer<typeof ZCreateDataSource>;

export const ZUpdateDataSource = z
  .object({
    name: ZSourceName,
    categories: ZCategories,
    regionCodes: ZRegions,
    unknownUscc: z.enum(UNKNOWN_USCC_POLICIES, { error: '未登记企业的处理方式不正确' }),
    enabled: z.boolean({ error: '启用状态应为 true 或 false' }),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, { message: '请至少修改一项' });
export type TUpdateDataSource = z.infer<typeof ZUpdateDataSource>;

export const ZRotateDataSourceKey = z.object({
  graceHours: z.coerce
    .number()
    .int('宽限期应为整数小时')
    .min(0, '宽限期不能为负')
    .max(DATA_SOURCE_MAX_GRACE_HOURS, `宽限期不能超过 ${DATA_SOURCE_MAX_GRACE_HOURS} 小时`)
    .default(DATA_SOURCE_DEFAULT_GRACE_HOURS),
});
export type TRotateDataSourceKey = z.infer<typeof ZRotateDataSourceKey>;

export const ZDataSource = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  name: z.string(),
  keyId: z.string(),
  categories: z.array(ZIngestCategoryValue),
  regionCodes: z.array(z.string()),
  unknownUscc: z.enum(UNKNOWN_USCC_POLICIES),
  enabled: z.boolean(),
  previousKeyValidUntil: z.string().nullable(),
  rotatedAt: z.string().nullable(),
  lastReceivedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TDataSource = z.infer<typeof ZDataSource>;

/** Answered once, on creation and on rotation: the secret is never shown again. */
export const ZDataSourceWithSecret = z.object({ source: ZDataSource, secret: z.string() });
export type TDataSourceWithSecret = z.infer<typeof ZDataSourceWithSecret>;

export const BATCH_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type TBatchStatus = (typeof BATCH_STATUSES)[number];
export const BATCH_STATUS_LABELS: Record<TBatchStatus, string> = { queued: '排队中', running: '导入中', done: '已完成', failed: '失败' };
export const BATCH_ORIGINS = ['push', 'file'] as const;
export type TBatchOrigin = (typeof BATCH_ORIGINS)[number];
export const BATCH_ORIGIN_LABELS: Record<TBatchOrigin, string> = { push: '接口推送', file: '文件导入' };

export const ZBatchCounts = z.object({
  received: z.number().int(),
  accepted: z.number().int(),
  duplicate: z.number().int(),
  superseded: z.number().int(),
  rejected: z.number().int(),
  held: z.number().int(),
});
export type TBatchCounts = z.infer<typeof ZBatchCounts>;

export const ZIngestBatch = z.object({
  id: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  category: ZIngestCategoryValue,
  origin: z.enum(BATCH_ORIGINS),
  externalBatchId: z.string().nullable(),
  fileName: z.string().nullable(),
  status: z.enum(BATCH_STATUSES),
  counts: ZBatchCounts,
  /** Data rows in the file (known once the import has counted them), null for pushes until done. */
  totalRows: z.number().int().nullable(),
  /** Rows read so far (the checkpoint). */
  rowsDone: z.number().int(),
  /** Rows per second since the import started, and the seconds it still needs at that rate. */
  rowsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  failureReason: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TIngestBatch = z.infer<typeof ZIngestBatch>;

export const ZRowErrorItem = z.object({
  rowNumber: z.number().int(),
  field: z.string(),
  label: z.string(),
  value: z.string(),
  reason: z.string(),
});
export type TRowErrorItem = z.infer<typeof ZRowErrorItem>;

/** The answer to a push: the batch's counts and its first row errors (the full report is on the batch). */
export const ZIngestResult = z.object({
  batch: ZIngestBatch,
  /** True when this batchId was sent before: the first result is returned and nothing was written. */
  replayed: z.boolean(),
  errors: z.array(ZRowErrorItem),
});
export type TIngestResult = z.infer<typeof ZIngestResult>;

export const RECORD_STATUSES = ['current', 'superseded', 'expired', 'withdrawn'] as const;
export type TRecordStatus = (typeof RECORD_STATUSES)[number];
export const RECORD_STATUS_LABELS: Record<TRecordStatus, string> = {
  current: '有效',
  superseded: '已被更正',
  expired: '已过期（不再展示）',
  withdrawn: '异议成立已撤回',
};

export const ZCreditRecord = z.object({
  id: z.string(),
  category: ZCategory,
  enterpriseId: z.string(),
  uscc: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  externalId: z.string(),
  period: z.string().nullable(),
  occurredOn: z.string().nullable(),
  endsOn: z.string().nullable(),
  adverse: z.boolean(),
  /** A penalty repaired by 信用修复: shown as such wherever it appears. */
  corrected: z.boolean(),
  status: z.enum(RECORD_STATUSES),
  /** Under an open dispute (异议中). */
  disputed: z.boolean(),
  payload: z.record(z.string(), z.unknown()).meta({ additionalProperties: true, description: '数据类别的字段（键见该类别的模板）：金额为整数分，日期为 YYYY-MM-DD' }),
  /** The payload as label/value pairs, rendered by the shared describer. */
  fields: z.array(z.object({ label: z.string(), value: z.string() })),
  receivedAt: z.string(),
});
export type TCreditRecord = z.infer<typeof ZCreditRecord>;

export const ZCreditRecordQuery = z.object({
  category: ZCategory.optional(),
  /** Superseded and expired versions too (console only). */
  includeHistory: z.enum(['true', 'false'], { error: 'includeHistory 应为 true 或 false' }).optional(),
  adverse: z.enum(['true', 'false'], { error: 'adverse 应为 true 或 false' }).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type TCreditRecordQuery = z.infer<typeof ZCreditRecordQuery>;

/** Counts per category, for the tabs of the records view. */
export const ZCreditRecordSummary = z.array(z.object({ category: ZCategory, count: z.number().int(), latest: z.string().nullable() }));
export type TCreditRecordSummary = z.infer<typeof ZCreditRecordSummary>;

export const ZQualityRow = z.object({
  sourceId: z.string(),
  sourceName: z.string(),
  organisationName: z.string(),
  category: ZCategory,
  enabled: z.boolean(),
  received: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  duplicate: z.number().int(),
  acceptanceRate: z.number().nullable(),
  rejectionRate: z.number().nullable(),
  topReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  /** Latest period (monthly categories) or date received. */
  latestPeriod: z.string().nullable(),
  lastReceivedAt: z.string().nullable(),
  cadence: z.enum(['monthly', 'event']),
  /** Monthly categories: whole months the latest period lags behind the last complete month. */
  monthsBehind: z.number().int().nullable(),
  /** Nothing received for longer than the cadence allows (monthly: 45 days; event: 90 days). */
  silent: z.boolean(),
  /** Share of registered firms in the source's regions with a record of this category in the last 12 months. */
  coverage: z.number().nullable(),
  firmsInRegion: z.number().int(),
  firmsCovered: z.number().int(),
});
export type TQualityRow = z.infer<typeof ZQualityRow>;
