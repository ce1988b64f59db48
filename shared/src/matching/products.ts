import { z } from 'zod';
import { ZPageQuery } from '../common/pagination';
import { ENTERPRISE_SCALES } from '../enterprise/schema';
import { PENALTY_SEVERITIES } from '../credit-data/enums';
import { ZCreditRating } from '../credit-engine/scorecard';
import { GUARANTEE_METHODS, MAX_AMOUNT_FEN, MAX_RATE_BP, MAX_TERM_MONTHS, PRODUCT_STATUSES, PRODUCT_TYPES, REPAYMENT_METHODS } from './labels';

/**
 * Financial products (金融产品) with their admission criteria. Money is integer fen, rates integer basis points
 * (385 = 3.85% a year), terms whole months, turnaround working days. A product's terms live in a revision; editing
 * a published product makes a new revision, and matches and applications keep the revision they were made on.
 */






const fen = (label: string) =>
  z
    .number({ error: `${label}应为以分为单位的整数` })
    .int(`${label}应为以分为单位的整数`)
    .min(1, `${label}应大于 0`)
    .max(MAX_AMOUNT_FEN, `${label}不能超过 100 亿元`);
const months = (label: string) =>
  z.number({ error: `${label}应为整月数` }).int(`${label}应为整月数`).min(1, `${label}至少 1 个月`).max(MAX_TERM_MONTHS, `${label}不能超过 360 个月`);
const basisPoints = (label: string) =>
  z
    .number({ error: `${label}应为基点整数（385 表示 3.85%）` })
    .int(`${label}应为基点整数（385 表示 3.85%）`)
    .min(0, `${label}不能为负`)
    .max(MAX_RATE_BP, `${label}不能超过 36%`);
const regionCode = z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字');
const industryCode = z.string().trim().min(1, '行业代码不能为空').max(5, '行业代码最多 5 位').transform((s) => s.toUpperCase());

/** No penalty more severe than `maxSeverity` in the last `months` months (a credit-repaired one does not count). */
export const ZPenaltyLimit = z.object({
  maxSeverity: z.enum(PENALTY_SEVERITIES, { error: '请选择允许的最高处罚等级' }),
  months: z.number().int('月数应为整数').min(1, '月数至少为 1').max(60, '月数不能超过 60'),
});
export type TPenaltyLimit = z.infer<typeof ZPenaltyLimit>;

export const ZProductCriteria = z.object({
  /** Where the product is offered; a province covers its cities and districts. Empty: nationwide. */
  regionCodes: z.array(regionCode).max(100, '目标区域最多 100 个').default([]),
  /** GB/T 4754-2017 codes at any level (a 门类 letter covers its 小类). Empty: every industry. */
  industriesIncluded: z.array(industryCode).max(200, '准入行业最多 200 个').default([]),
  industriesExcluded: z.array(industryCode).max(200, '排除行业最多 200 个').default([]),
  /** Empty: every scale. */
  scales: z.array(z.enum(ENTERPRISE_SCALES)).default([]),
  minYearsEstablished: z.number().min(0, '成立年限不能为负').max(50, '成立年限不能超过 50 年').nullable().default(null),
  minRating: ZCreditRating.nullable().default(null),
  penaltyLimit: ZPenaltyLimit.nullable().default(null),
  excludeBlacklisted: z.boolean().default(true),
  noTaxArrears: z.boolean().default(false),
  noSocialArrears: z.boolean().default(false),
  noEnforcement: z.boolean().default(false),
});
export type TProductCriteria = z.infer<typeof ZProductCriteria>;

/** A product's terms as the institution writes them: one revision. */
export const ZProductTerms = z.object({
  name: z.string().trim().min(2, '产品名称至少 2 个字').max(60, '产品名称最多 60 个字'),
  type: z.enum(PRODUCT_TYPES, { error: '请选择产品类型' }),
  summary: z.string().trim().max(500, '产品简介最多 500 个字').default(''),
  amountMinFen: fen('最低额度'),
  amountMaxFen: fen('最高额度'),
  termMinMonths: months('最短期限'),
  termMaxMonths: months('最长期限'),
  rateMinBp: basisPoints('最低年利率'),
  rateMaxBp: basisPoints('最高年利率'),
  guaranteeMethods: z.array(z.enum(GUARANTEE_METHODS)).min(1, '请至少选择一种担保方式'),
  repaymentMethods: z.array(z.enum(REPAYMENT_METHODS)).min(1, '请至少选择一种还款方式'),
  criteria: ZProductCriteria,
  requiredDocuments: z.array(z.string().trim().min(1, '材料名称不能为空').max(50, '材料名称最多 50 个字')).max(20, '申请材料最多 20 项').default([]),
  /** Working days the institution has to accept an application (受理时限). */
  acceptDays: z.number().int('受理时限应为整数个工作日').min(1, '受理时限至少 1 个工作日').max(30, '受理时限不能超过 30 个工作日').default(3),
  /** Working days the institution promises from acceptance to decision (办结时限). */
  turnaroundDays: z.number().int('承诺办结时限应为整数个工作日').min(1, '承诺办结时限至少 1 个工作日').max(60, '承诺办结时限不能超过 60 个工作日'),
  /** Backed by a government policy (risk compensation, guarantee fund, interest subsidy): weighs in the soft score. */
  policySupport: z.boolean().default(false),
});
export type TProductTerms = z.infer<typeof ZProductTerms>;

export interface TProductProblem {
  field: string;
  message: string;
}

export interface TProductReferenceCheck {
  regionExists(code: string): boolean;
  industryExists(code: string): boolean;
}

/**
 * Why a product's terms cannot be published (empty: they can). Drafts may be saved with problems; publishing, and
 * editing a published product, require none.
 */
export function productProblems(terms: TProductTerms, refs: TProductReferenceCheck): TProductProblem[] {
  const problems: TProductProblem[] = [];
  if (terms.amountMinFen > terms.amountMaxFen) problems.push({ field: 'amountMaxFen', message: '最高额度不能低于最低额度' });
  if (terms.termMinMonths > terms.termMaxMonths) problems.push({ field: 'termMaxMonths', message: '最长期限不能短于最短期限' });
  if (terms.rateMinBp > terms.rateMaxBp) problems.push({ field: 'rateMaxBp', message: '最高年利率不能低于最低年利率' });
  const c = terms.criteria;
  for (const code of c.regionCodes) if (!refs.regionExists(code)) problems.push({ field: 'criteria.regionCodes', message: `行政区划 ${code} 不存在` });
  for (const [field, codes] of [
    ['criteria.industriesIncluded', c.industriesIncluded],
    ['criteria.industriesExcluded', c.industriesExcluded],
  ] as const) {
    for (const code of codes) if (!refs.industryExists(code)) problems.push({ field, message: `行业代码 ${code} 不在 GB/T 4754-2017 中` });
  }
  const both = c.industriesIncluded.filter((code) => c.industriesExcluded.includes(code));
  if (both.length > 0) problems.push({ field: 'criteria.industriesExcluded', message: `行业 ${both.join('、')} 同时在准入和排除中` });
  if (new Set(c.regionCodes).size !== c.regionCodes.length) problems.push({ field: 'criteria.regionCodes', message: '目标区域有重复' });
  if (terms.type === 'credit' && !terms.guaranteeMethods.includes('credit')) {
    problems.push({ field: 'guaranteeMethods', message: '信用贷款的担保方式应包含“信用”' });
  }
  return problems;
}

/** A product as the API shows it: the product and its current revision's terms. */
export const ZProduct = ZProductTerms.extend({
  id: z.string(),
  institutionId: z.string(),
  institutionName: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  revision: z.number().int(),
  revisionId: z.string(),
  publishedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** Why it cannot be published as it stands (empty when it can). */
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type TProduct = z.infer<typeof ZProduct>;

export const ZProductRevision = z.object({
  id: z.string(),
  revision: z.number().int(),
  createdAt: z.string(),
  createdByName: z.string(),
  terms: ZProductTerms,
});
export type TProductRevision = z.infer<typeof ZProductRevision>;

export const ZProductDetail = ZProduct.extend({ revisions: z.array(ZProductRevision.omit({ terms: true })) });
export type TProductDetail = z.infer<typeof ZProductDetail>;

export const ZProductCreate = z.object({ terms: ZProductTerms, institutionId: z.string().regex(/^\d{1,19}$/, '机构编号格式不正确').optional() });
export type TProductCreate = z.infer<typeof ZProductCreate>;
export const ZProductUpdate = z.object({
  terms: ZProductTerms,
  /** The revision the editor started from: an edit on top of a newer one answers 409. */
  baseRevision: z.number().int().min(1),
});
export type TProductUpdate = z.infer<typeof ZProductUpdate>;
export const ZProductMove = z.object({ to: z.enum(PRODUCT_STATUSES), note: z.string().trim().max(200, '说明最多 200 个字').optional() });
export type TProductMove = z.infer<typeof ZProductMove>;

export const ZProductQuery = ZPageQuery.extend({
  status: z.enum(PRODUCT_STATUSES).optional(),
  type: z.enum(PRODUCT_TYPES).optional(),
  keyword: z.string().trim().max(60, '关键字不能超过 60 字').optional(),
  institutionId: z.string().regex(/^\d{1,19}$/, '机构编号格式不正确').optional(),
});
export type TProductQuery = z.infer<typeof ZProductQuery>;

/** Public browsing (mini-program): published products only. Amount in fen, term in months. */
export const ZPublicProductQuery = ZPageQuery.extend({
  amountFen: z.coerce.number().int('金额应为整数（分）').min(1, '金额应大于 0').max(MAX_AMOUNT_FEN, '金额不能超过 100 亿元').optional(),
  termMonths: z.coerce.number().int('期限应为整月数').min(1, '期限至少 1 个月').max(MAX_TERM_MONTHS, '期限不能超过 360 个月').optional(),
  guarantee: z.enum(GUARANTEE_METHODS, { error: '担保方式不正确' }).optional(),
  institutionId: z.string().regex(/^\d{1,19}$/, '机构编号格式不正确').optional(),
  type: z.enum(PRODUCT_TYPES).optional(),
});
export type TPublicProductQuery = z.infer<typeof ZPublicProductQuery>;

export const ZPublicProduct = ZProductTerms.extend({
  id: z.string(),
  revisionId: z.string(),
  institutionId: z.string(),
  institutionName: z.string(),
  publishedAt: z.string().nullable(),
});
export type TPublicProduct = z.infer<typeof ZPublicProduct>;

export const ZInstitution = z.object({ id: z.string(), name: z.string(), publishedProducts: z.number().int() });
export type TInstitution = z.infer<typeof ZInstitution>;

