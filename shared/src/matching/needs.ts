import { z } from 'zod';
import { ZPageQuery } from '../common/pagination';
import { ENTERPRISE_SCALES } from '../enterprise/schema';
import { ZCreditRating } from '../credit-engine/scorecard';
import { CONTACT_CHANNELS, GUARANTEE_METHODS, MATCH_REVIEW_STATES, MAX_AMOUNT_FEN, MAX_RATE_BP, MAX_TERM_MONTHS, NEED_AMOUNT_MIN_FEN, NEED_NOTE_MAX, NEED_PURPOSES, NEED_STATUSES, NEED_URGENCIES } from './labels';
import { ZPublicProduct } from './products';
import { ZMatchOutcome } from './types';

/**
 * Financing needs (融资需求): what a firm asks for in one tap, and what comes back: the system's matches, the
 * advisor's review (人工复核) and the released recommendation.
 */




export const ZNeedInput = z.object({
  amountFen: z
    .number({ error: '请填写融资金额' })
    .int('金额应为以分为单位的整数')
    .min(NEED_AMOUNT_MIN_FEN, '融资金额至少 1,000 元')
    .max(MAX_AMOUNT_FEN, '融资金额不能超过 100 亿元'),
  termMonths: z.number({ error: '请填写融资期限' }).int('期限应为整月数').min(1, '期限至少 1 个月').max(MAX_TERM_MONTHS, '期限不能超过 360 个月'),
  purpose: z.enum(NEED_PURPOSES, { error: '请选择资金用途' }),
  guaranteeMethods: z.array(z.enum(GUARANTEE_METHODS, { error: '担保方式不正确' })).min(1, '请至少选择一种可接受的担保方式'),
  /** The highest annual rate the firm accepts, in basis points; null: no ceiling. */
  maxRateBp: z.number().int('利率应为基点整数（385 表示 3.85%）').min(1, '可接受利率应大于 0').max(MAX_RATE_BP, '可接受利率不能超过 36%').nullable(),
  urgency: z.enum(NEED_URGENCIES, { error: '请选择用款时间' }),
  note: z.string().trim().max(NEED_NOTE_MAX, '补充说明最多 500 个字').default(''),
});
export type TNeedInput = z.infer<typeof ZNeedInput>;

/** What the one-tap form opens with: the firm's facts, and suggested values (its last need, else defaults). */
export const ZNeedPrefill = z.object({
  enterpriseName: z.string(),
  regionName: z.string(),
  industryName: z.string(),
  scale: z.enum(ENTERPRISE_SCALES),
  yearsEstablished: z.number(),
  rating: ZCreditRating.nullable(),
  score: z.number().int().nullable(),
  suggestion: ZNeedInput,
  /** The firm's latest open need, if any: the form offers to edit it instead of starting another. */
  openNeedId: z.string().nullable(),
});
export type TNeedPrefill = z.infer<typeof ZNeedPrefill>;


/** One product against one need: the matcher's outcome, and the advisor's review of it. */
export const ZNeedMatch = z.object({
  productId: z.string(),
  revisionId: z.string(),
  revision: z.number().int(),
  product: ZPublicProduct,
  outcome: ZMatchOutcome,
  /** The system's rank among fits by score (1 = best); null for near misses and additions that do not fit. */
  systemRank: z.number().int().nullable(),
  /** The order the advisor set (1 = first); null until reordered. */
  advisorRank: z.number().int().nullable(),
  review: z.enum(MATCH_REVIEW_STATES),
  reviewReason: z.string().nullable(),
  addedByAdvisor: z.boolean(),
  /** Found by a re-match after the need was released. */
  isNew: z.boolean(),
  matchedAt: z.string(),
});
export type TNeedMatch = z.infer<typeof ZNeedMatch>;


export const ZNeedNoteInput = z.object({
  channel: z.enum(CONTACT_CHANNELS, { error: '请选择联系方式' }),
  /** When the contact happened (ISO time); not in the future. */
  contactedAt: z.iso.datetime({ offset: true, error: '联系时间格式不正确' }),
  outcome: z.string().trim().min(1, '请填写联系结果').max(200, '联系结果最多 200 个字'),
  note: z.string().trim().max(1000, '备注最多 1000 个字').default(''),
});
export type TNeedNoteInput = z.infer<typeof ZNeedNoteInput>;

export const ZNeedNote = ZNeedNoteInput.extend({ id: z.string(), authorName: z.string(), createdAt: z.string() });
export type TNeedNote = z.infer<typeof ZNeedNote>;

/** The release clock: working days from submission, and whether the calendar it ran on is confirmed. */
export const ZNeedClock = z.object({
  dueOn: z.string(),
  workingDaysLeft: z.number().int(),
  confirmed: z.boolean(),
  unconfirmedYears: z.array(z.number().int()),
  remindedAt: z.string().nullable(),
  escalatedAt: z.string().nullable(),
});
export type TNeedClock = z.infer<typeof ZNeedClock>;

export const ZNeed = ZNeedInput.extend({
  id: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  regionCode: z.string(),
  status: z.enum(NEED_STATUSES),
  advisorId: z.string().nullable(),
  advisorName: z.string().nullable(),
  submittedAt: z.string(),
  updatedAt: z.string(),
  releasedAt: z.string().nullable(),
  releaseMessage: z.string().nullable(),
  /** When the matcher last ran for this need; null while the first match is queued. */
  matchedAt: z.string().nullable(),
  fitCount: z.number().int(),
  clock: ZNeedClock.nullable(),
  version: z.number().int(),
});
export type TNeed = z.infer<typeof ZNeed>;

/** What the advisor reviews: the need, the firm's profile summary, the matches and the contact log. */
export const ZNeedDetail = ZNeed.extend({
  profile: z.object({
    score: z.number().int().nullable(),
    rating: ZCreditRating.nullable(),
    reasons: z.array(z.object({ label: z.string(), reason: z.string(), advice: z.string() })),
    openWarnings: z.array(z.object({ id: z.string(), title: z.string(), severity: z.string(), raisedAt: z.string() })),
    industryName: z.string(),
    scale: z.enum(ENTERPRISE_SCALES),
    yearsEstablished: z.number(),
  }),
  matches: z.array(ZNeedMatch),
  nearMisses: z.array(ZNeedMatch),
  notes: z.array(ZNeedNote),
});
export type TNeedDetail = z.infer<typeof ZNeedDetail>;

/** What the firm sees: its need and, once released, the recommended products and near misses with their reasons. */
export const ZMyNeed = ZNeed.omit({ clock: true, advisorId: true }).extend({
  recommendations: z.array(ZNeedMatch),
  nearMisses: z.array(ZNeedMatch),
});
export type TMyNeed = z.infer<typeof ZMyNeed>;

export const ZNeedQuery = ZPageQuery.extend({
  status: z.enum(NEED_STATUSES).optional(),
  /** mine: assigned to me; unassigned: in the platform queue (no advisor covers the region). */
  queue: z.enum(['mine', 'unassigned', 'all']).default('all'),
  escalated: z.enum(['true', 'false']).optional(),
  enterpriseId: z.string().regex(/^\d{1,19}$/, '企业编号格式不正确').optional(),
});
export type TNeedQuery = z.infer<typeof ZNeedQuery>;

export const ZMatchReview = z
  .object({
    action: z.enum(['confirm', 'remove', 'restore'], { error: '操作应为 confirm、remove 或 restore' }),
    reason: z.string().trim().max(200, '原因最多 200 个字').optional(),
  })
  .refine((r) => r.action !== 'remove' || (r.reason ?? '').length > 0, { message: '移除匹配产品须填写原因', path: ['reason'] });
export type TMatchReview = z.infer<typeof ZMatchReview>;

export const ZMatchAdd = z.object({
  productId: z.string().regex(/^\d{1,19}$/, '产品编号格式不正确'),
  reason: z.string().trim().min(1, '请填写添加理由').max(200, '理由最多 200 个字'),
});
export type TMatchAdd = z.infer<typeof ZMatchAdd>;

export const ZMatchOrder = z.object({
  productIds: z.array(z.string().regex(/^\d{1,19}$/, '产品编号格式不正确')).min(1, '请给出排序').max(200, '最多 200 个产品'),
});
export type TMatchOrder = z.infer<typeof ZMatchOrder>;

export const ZNeedRelease = z.object({
  message: z.string().trim().max(500, '推荐说明最多 500 个字').default(''),
  /** The need's version the advisor reviewed: a need changed since answers 409. */
  version: z.number().int().min(1),
});
export type TNeedRelease = z.infer<typeof ZNeedRelease>;

export const ZNeedAssign = z.object({ advisorId: z.string().regex(/^\d{1,19}$/, '顾问编号格式不正确') });
export type TNeedAssign = z.infer<typeof ZNeedAssign>;

export const ZNeedIdParams = z.object({
  id: z.string().regex(/^\d{1,19}$/, '编号格式不正确'),
  needId: z.string().regex(/^\d{1,19}$/, '需求编号格式不正确'),
});
export const ZNeedProductParams = z.object({
  id: z.string().regex(/^\d{1,19}$/, '编号格式不正确'),
  productId: z.string().regex(/^\d{1,19}$/, '产品编号格式不正确'),
});
