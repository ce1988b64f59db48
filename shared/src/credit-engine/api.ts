import { z } from 'zod';
import { isCalendarDate } from '../common/calendar';
import { ZPageQuery } from '../common/pagination';
import { CREDIT_CATEGORIES } from '../credit-data/categories';
import { ZCreditDimension, ZCreditRating, ZScorecard, ZScorecardTraining } from './scorecard';

/** The API's shapes for scores, profiles, scorecard versions, warnings and disputes. */

const ZIsoDate = z.string().refine(isCalendarDate, '日期应为存在的日期，格式 YYYY-MM-DD');

export const ZScoreReason = z.object({
  feature: z.string(),
  label: z.string(),
  dimension: ZCreditDimension,
  lost: z.number(),
  binLabel: z.string(),
  reason: z.string(),
  advice: z.string(),
});

export const ZScorePoints = z.object({
  feature: z.string(),
  label: z.string(),
  dimension: ZCreditDimension,
  bin: z.number().int(),
  binLabel: z.string(),
  points: z.number(),
  minPoints: z.number(),
  maxPoints: z.number(),
});

export const ZCreditScore = z.object({
  id: z.string(),
  enterpriseId: z.string(),
  scorecardId: z.string(),
  scorecardVersion: z.number().int(),
  scorecardName: z.string(),
  role: z.enum(['active', 'shadow']),
  asOf: z.string(),
  computedAt: z.string(),
  score: z.number().int(),
  rating: ZCreditRating.nullable(),
  bandRating: ZCreditRating,
  noRatingReason: z.string().nullable(),
  cap: z.object({ code: z.string(), reason: z.string(), from: ZCreditRating, to: ZCreditRating }).nullable(),
  badProbability: z.number(),
  /** null: the version does not assess this dimension. */
  dimensions: z.record(ZCreditDimension, z.number().nullable()),
  /** The top factors that lowered the score, with what the firm can do. */
  reasons: z.array(ZScoreReason),
  /** Every characteristic's points, so that the score can be checked by hand. */
  points: z.array(ZScorePoints),
});
export type TCreditScore = z.infer<typeof ZCreditScore>;

export const ZCreditFeatureValue = z.object({
  feature: z.string(),
  label: z.string(),
  // OpenAPI 3.0 wants a type beside every `nullable`: the null sits on the string branch of the document.
  value: z
    .union([z.number(), z.boolean(), z.string()])
    .nullable()
    .meta({ anyOf: [{ type: 'number' }, { type: 'boolean' }, { type: 'string', nullable: true }], description: '特征值：数值、标志或分类；缺失为 null' }),
  unit: z.string().nullable(),
});

export const ZCreditRecordCount = z.object({
  category: z.enum(CREDIT_CATEGORIES),
  label: z.string(),
  count: z.number().int(),
  adverse: z.number().int(),
  disputed: z.number().int(),
});

export const ZCreditProfile = z.object({
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  uscc: z.string(),
  /** The current score under the active version; null until the enterprise is first scored. */
  score: ZCreditScore.nullable(),
  features: z.array(ZCreditFeatureValue),
  recordCounts: z.array(ZCreditRecordCount),
  openWarnings: z.number().int(),
  openDisputes: z.number().int(),
});
export type TCreditProfile = z.infer<typeof ZCreditProfile>;

export const ZCreditHistoryPoint = z.object({
  scoreId: z.string(),
  computedAt: z.string(),
  asOf: z.string(),
  score: z.number().int(),
  rating: ZCreditRating.nullable(),
  scorecardVersion: z.number().int(),
  /** Computed after the day it is as of (回溯计算): the score the records dated by then give, not what was shown then. */
  retro: z.boolean(),
});
export const ZCreditHistory = z.object({
  points: z.array(ZCreditHistoryPoint),
  /** With `?at=`: the score in force at the end of that day, with the version that produced it. */
  at: ZCreditScore.nullable(),
});
export type TCreditHistory = z.infer<typeof ZCreditHistory>;
export const ZCreditHistoryQuery = z.object({
  from: ZIsoDate.optional(),
  to: ZIsoDate.optional(),
  at: ZIsoDate.optional(),
});

// Scorecard versions ------------------------------------------------------------------------------------------

export const SCORECARD_STATUSES = ['candidate', 'active', 'retired'] as const;
export const SCORECARD_STATUS_LABELS: Record<(typeof SCORECARD_STATUSES)[number], string> = {
  candidate: '候选（影子评分）',
  active: '生效中',
  retired: '已停用',
};

export const ZScorecardVersion = z.object({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  kind: z.enum(['expert', 'trained']),
  status: z.enum(SCORECARD_STATUSES),
  description: z.string(),
  characteristics: z.number().int(),
  training: ZScorecardTraining.nullable(),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
  /** Enterprises with a current score of this version. */
  scored: z.number().int(),
});
export type TScorecardVersion = z.infer<typeof ZScorecardVersion>;

export const ZScorecardVersionDetail = ZScorecardVersion.extend({ document: ZScorecard });
export type TScorecardVersionDetail = z.infer<typeof ZScorecardVersionDetail>;

export const ZScorecardUpload = z.object({ document: ZScorecard });

/** A candidate scored in shadow beside the active version, on the same enterprises. */
export const ZScorecardComparison = z.object({
  candidateId: z.string(),
  activeId: z.string().nullable(),
  /** Enterprises with a current score under both. */
  enterprises: z.number().int(),
  /** Row = active rating, column = candidate rating; the last row and column are 未评级. */
  migration: z.object({ ratings: z.array(z.string()), matrix: z.array(z.array(z.number().int())) }),
  scorePsi: z.number().nullable(),
  inputPsi: z.array(z.object({ feature: z.string(), label: z.string(), psi: z.number().nullable() })),
  outcomes: z.object({
    labelled: z.number().int(),
    bads: z.number().int(),
    active: z.object({ auc: z.number(), ks: z.number() }).nullable(),
    candidate: z.object({ auc: z.number(), ks: z.number() }).nullable(),
  }),
});
export type TScorecardComparison = z.infer<typeof ZScorecardComparison>;

// Warnings -------------------------------------------------------------------------------------------------------

export const WARNING_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export const WARNING_STATUS_LABELS: Record<(typeof WARNING_STATUSES)[number], string> = {
  open: '待处理',
  acknowledged: '已确认',
  closed: '已关闭',
};

export const ZCreditWarning = z.object({
  id: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  uscc: z.string(),
  regionCode: z.string(),
  rule: z.string(),
  ruleLabel: z.string(),
  severity: z.enum(['low', 'medium', 'high']),
  title: z.string(),
  detail: z.string(),
  /** The records that caused it. */
  evidence: z.array(z.object({ recordId: z.string(), category: z.enum(CREDIT_CATEGORIES).nullable(), summary: z.string() })),
  status: z.enum(WARNING_STATUSES),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closeNote: z.string().nullable(),
});
export type TCreditWarning = z.infer<typeof ZCreditWarning>;

export const ZCreditWarningQuery = ZPageQuery.extend({
  status: z.enum(WARNING_STATUSES).optional(),
  rule: z.string().max(24).optional(),
  severity: z.enum(['low', 'medium', 'high']).optional(),
  enterpriseId: z.string().regex(/^\d{1,20}$/, '企业 ID 格式不正确').optional(),
  keyword: z.string().trim().max(50).optional(),
});
export type TCreditWarningQuery = z.infer<typeof ZCreditWarningQuery>;

export const ZWarningClose = z.object({ note: z.string().trim().min(1, '请填写关闭说明').max(500, '关闭说明最多 500 个字') });

// Disputes (异议) ---------------------------------------------------------------------------------------------------

export const DISPUTE_STATUSES = ['open', 'upheld', 'rejected', 'withdrawn'] as const;
export type TDisputeStatus = (typeof DISPUTE_STATUSES)[number];
export const DISPUTE_STATUS_LABELS: Record<TDisputeStatus, string> = {
  open: '处理中',
  upheld: '异议成立（记录已撤回）',
  rejected: '异议不成立（记录维持）',
  withdrawn: '已撤回异议',
};
/** 征信业管理条例 art. 25: a dispute is answered within 20 days. */
export const DISPUTE_DEADLINE_DAYS = 20;

/** The dispute state machine: only an open dispute moves, and every move ends it. */
export const DISPUTE_TRANSITIONS: Record<TDisputeStatus, readonly TDisputeStatus[]> = {
  open: ['upheld', 'rejected', 'withdrawn'],
  upheld: [],
  rejected: [],
  withdrawn: [],
};

export const ZCreditDispute = z.object({
  id: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  recordId: z.string(),
  category: z.enum(CREDIT_CATEGORIES),
  recordSummary: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  reason: z.string(),
  evidenceFileId: z.string().nullable(),
  status: z.enum(DISPUTE_STATUSES),
  raisedAt: z.string(),
  dueOn: z.string(),
  /** Days until the due date (negative when overdue); null once resolved. */
  daysLeft: z.number().int().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedByName: z.string().nullable(),
  resolutionNote: z.string().nullable(),
});
export type TCreditDispute = z.infer<typeof ZCreditDispute>;

export const ZDisputeCreate = z.object({
  recordId: z.string().regex(/^\d{1,20}$/, '请选择要提出异议的记录'),
  reason: z.string().trim().min(5, '异议理由至少 5 个字').max(500, '异议理由最多 500 个字'),
});
export type TDisputeCreate = z.infer<typeof ZDisputeCreate>;

export const ZDisputeResolve = z.object({
  outcome: z.enum(['upheld', 'rejected'], { error: '请选择处理结果：异议成立或不成立' }),
  note: z.string().trim().min(1, '请填写处理说明').max(500, '处理说明最多 500 个字'),
});
export type TDisputeResolve = z.infer<typeof ZDisputeResolve>;

export const ZCreditDisputeQuery = ZPageQuery.extend({
  status: z.enum(DISPUTE_STATUSES).optional(),
  enterpriseId: z.string().regex(/^\d{1,20}$/, '企业 ID 格式不正确').optional(),
});
export type TCreditDisputeQuery = z.infer<typeof ZCreditDisputeQuery>;
