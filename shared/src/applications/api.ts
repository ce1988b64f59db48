import { z } from 'zod';
import { isCalendarDate } from '../common/calendar';
import { ZPageQuery } from '../common/pagination';
import { CREDIT_RATINGS } from '../credit-engine/ratings';
import { ZCreditProfile, ZCreditWarning, ZCreditDispute } from '../credit-engine/api';
import { GUARANTEE_METHODS, MAX_AMOUNT_FEN, MAX_RATE_BP, MAX_TERM_MONTHS, REPAYMENT_METHODS } from '../matching/labels';
import { APPLICATION_ACTIONS, APPLICATION_STATUSES, REJECTION_REASON_CODES } from './states';
import {
  ACCESS_ACTIONS,
  ACCESS_CHANNELS,
  DATA_SCOPES,
  GRANT_STATUSES,
  LOAN_CLASSES,
  LOAN_STATUSES,
  RETURN_VISIT_CHANNELS,
  REPAYMENT_CHANNELS,
  SLA_STATES,
} from './labels';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const id = (message: string) => z.string().regex(/^\d{1,19}$/, message);
const day = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .regex(ISO_DATE, `${label}应为 YYYY-MM-DD`)
    .refine(isCalendarDate, `${label}不是有效日期`);
const fen = (label: string, min = 1) =>
  z
    .number({ error: `${label}应为以分为单位的整数` })
    .int(`${label}应为以分为单位的整数`)
    .min(min, min > 0 ? `${label}应大于 0` : `${label}不能为负数`)
    .max(MAX_AMOUNT_FEN, `${label}不能超过 100 亿元`);
const months = (label: string) =>
  z.number({ error: `${label}应为整数个月` }).int(`${label}应为整数个月`).min(1, `${label}至少 1 个月`).max(MAX_TERM_MONTHS, `${label}不能超过 ${MAX_TERM_MONTHS} 个月`);
const rate = (label: string) =>
  z.number({ error: `${label}应为基点整数（385 即 3.85%）` }).int(`${label}应为基点整数（385 即 3.85%）`).min(1, `${label}应大于 0`).max(MAX_RATE_BP, `${label}过高`);
const note = (label: string, max: number) => z.string().trim().max(max, `${label}最多 ${max} 个字`);

// ---- authorisation ---------------------------------------------------------------------------------------------

/** The grant made on the application screen: a separate, specific consent (PIPL arts. 23, 29). */
export const ZGrantRequest = z.object({
  scopes: z.array(z.enum(DATA_SCOPES, { error: '授权范围不正确' })).min(1, '请至少选择一项授权数据'),
  /** The last day the grant lasts (Asia/Shanghai). */
  expiresOn: day('授权截止日期'),
  consent: z.literal(true, { error: '请阅读并单独勾选同意授权' }),
});
export type TGrantRequest = z.infer<typeof ZGrantRequest>;

export const ZGrant = z.object({
  id: z.string(),
  applicationId: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  /** bank, insurer, guarantor or credit_agency. */
  organisationType: z.string(),
  /** Why the data is shared: the application it serves. */
  purpose: z.string(),
  scopes: z.array(z.enum(DATA_SCOPES)),
  expiresOn: z.string(),
  status: z.enum(GRANT_STATUSES),
  grantedAt: z.string(),
  grantedByName: z.string(),
  revokedAt: z.string().nullable(),
  revokedByName: z.string().nullable(),
});
export type TGrant = z.infer<typeof ZGrant>;

export const ZGrantQuery = ZPageQuery.extend({
  enterpriseId: id('企业编号格式不正确').optional(),
  status: z.enum(GRANT_STATUSES).optional(),
});
export type TGrantQuery = z.infer<typeof ZGrantQuery>;

export const ZAccessLogEntry = z.object({
  id: z.string(),
  at: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  userName: z.string(),
  scope: z.enum(DATA_SCOPES),
  action: z.enum(ACCESS_ACTIONS),
  applicationId: z.string().nullable(),
  grantId: z.string().nullable(),
  channel: z.enum(ACCESS_CHANNELS),
  /** The console page or API path the read came from. */
  page: z.string(),
});
export type TAccessLogEntry = z.infer<typeof ZAccessLogEntry>;

export const ZAccessLogQuery = ZPageQuery.extend({
  enterpriseId: id('企业编号格式不正确').optional(),
  organisationId: id('机构编号格式不正确').optional(),
  applicationId: id('申请编号格式不正确').optional(),
  from: day('开始日期').optional(),
  to: day('结束日期').optional(),
});
export type TAccessLogQuery = z.infer<typeof ZAccessLogQuery>;

export const ZEnterpriseApplicationParams = z.object({
  id: id('企业编号格式不正确'),
  applicationId: id('申请编号格式不正确'),
});
export const ZAssignmentParams = z.object({
  id: id('申请编号格式不正确'),
  assignmentId: id('委托编号格式不正确'),
});
export const ZReferralConsent = z.object({ consent: z.literal(true, { error: '请确认同意推荐给其他机构' }) });

// ---- applications ---------------------------------------------------------------------------------------------

export const ZApplicationCreate = z.object({
  productId: id('请选择申请的产品'),
  /** The financing need the product was matched to, when the firm applies from a match. */
  needId: id('需求编号格式不正确').optional(),
  amountFen: fen('申请金额'),
  termMonths: months('申请期限'),
  purpose: note('资金用途', 200).default(''),
  grant: ZGrantRequest,
});
export type TApplicationCreate = z.infer<typeof ZApplicationCreate>;

export const ZApplicationOffer = z.object({
  amountFen: fen('批准金额'),
  rateBp: rate('批准年利率'),
  termMonths: months('批准期限'),
  repaymentMethod: z.enum(REPAYMENT_METHODS, { error: '请选择还款方式' }),
  guaranteeMethod: z.enum(GUARANTEE_METHODS, { error: '请选择担保方式' }),
});
export type TApplicationOffer = z.infer<typeof ZApplicationOffer>;

export const ZRejection = z.object({
  code: z.enum(REJECTION_REASON_CODES, { error: '请选择拒绝原因' }),
  text: z.string().trim().min(2, '请写明拒绝原因（至少 2 个字）').max(500, '拒绝原因最多 500 个字'),
});
export type TRejection = z.infer<typeof ZRejection>;

/** What the institution records on disbursement: the loan as drawn. */
export const ZLoanDisbursement = z.object({
  amountFen: fen('放款金额'),
  rateBp: rate('执行年利率'),
  termMonths: months('贷款期限'),
  disbursedOn: day('放款日期'),
  repaymentMethod: z.enum(REPAYMENT_METHODS, { error: '请选择还款方式' }),
  guaranteeMethod: z.enum(GUARANTEE_METHODS, { error: '请选择担保方式' }),
  /** An unsecured credit loan (信用贷款). */
  creditLoan: z.boolean({ error: '请说明是否为信用贷款' }),
  contractNo: note('合同编号', 40).default(''),
});
export type TLoanDisbursement = z.infer<typeof ZLoanDisbursement>;

export const ZApplicationMove = z.object({
  action: z.enum(APPLICATION_ACTIONS, { error: '操作不正确' }),
  /** The version the caller saw: a move on a changed application answers 409. */
  version: z.number({ error: '缺少版本号' }).int().min(1),
  note: note('备注', 500).default(''),
  offer: ZApplicationOffer.optional(),
  rejection: ZRejection.optional(),
  loan: ZLoanDisbursement.optional(),
});
export type TApplicationMoveInput = z.infer<typeof ZApplicationMove>;

export const ZSlaClock = z.object({
  stage: z.enum(['accept', 'decide']),
  workingDays: z.number().int(),
  /** The last working day (YYYY-MM-DD, Asia/Shanghai). */
  dueOn: z.string(),
  /** False when the calendar of a year on the way is not yet confirmed. */
  confirmed: z.boolean(),
  state: z.enum(SLA_STATES),
  /** Working days left (negative once breached); null once met. */
  workingDaysLeft: z.number().int().nullable(),
  metAt: z.string().nullable(),
});
export type TSlaClock = z.infer<typeof ZSlaClock>;

export const ZApplicationEvent = z.object({
  id: z.string(),
  /** A move, or submit / grant_revoked / agency / loan_report. */
  kind: z.string(),
  label: z.string(),
  fromStatus: z.enum(APPLICATION_STATUSES).nullable(),
  toStatus: z.enum(APPLICATION_STATUSES).nullable(),
  actorKind: z.enum(['institution', 'enterprise', 'system', 'platform', 'agency']),
  actorName: z.string(),
  note: z.string(),
  at: z.string(),
});
export type TApplicationEvent = z.infer<typeof ZApplicationEvent>;

export const ZApplication = z.object({
  id: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  regionCode: z.string(),
  productId: z.string(),
  productName: z.string(),
  institutionId: z.string(),
  institutionName: z.string(),
  needId: z.string().nullable(),
  status: z.enum(APPLICATION_STATUSES),
  version: z.number().int(),
  amountFen: z.number().int(),
  termMonths: z.number().int(),
  purpose: z.string(),
  offer: ZApplicationOffer.nullable(),
  offerAccepted: z.boolean(),
  rejection: ZRejection.extend({ label: z.string() }).nullable(),
  /** The clock that runs now, else the last one. */
  sla: ZSlaClock,
  grantActive: z.boolean(),
  submittedAt: z.string(),
  updatedAt: z.string(),
});
export type TApplication = z.infer<typeof ZApplication>;

export const ZApplicationQuery = ZPageQuery.extend({
  status: z.enum(APPLICATION_STATUSES).optional(),
  sla: z.enum(['breached', 'due_soon', 'running']).optional(),
  keyword: z.string().trim().max(50).optional(),
  enterpriseId: id('企业编号格式不正确').optional(),
});
export type TApplicationQuery = z.infer<typeof ZApplicationQuery>;

export const ZAgencyAssignment = z.object({
  id: z.string(),
  applicationId: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  status: z.enum(['commissioned', 'reported', 'cancelled']),
  request: z.string(),
  commissionedAt: z.string(),
  commissionedByName: z.string(),
  rating: z.enum(CREDIT_RATINGS).nullable(),
  summary: z.string().nullable(),
  advice: z.string().nullable(),
  reportedAt: z.string().nullable(),
  reportedByName: z.string().nullable(),
});
export type TAgencyAssignment = z.infer<typeof ZAgencyAssignment>;

export const ZAgency = z.object({ id: z.string(), name: z.string(), regionCode: z.string().nullable() });
export type TAgency = z.infer<typeof ZAgency>;

export const ZAgencyCommission = z.object({
  agencyId: id('请选择信用服务机构'),
  request: z.string().trim().min(2, '请写明委托事项').max(500, '委托事项最多 500 个字'),
});
export type TAgencyCommission = z.infer<typeof ZAgencyCommission>;

export const ZAgencyOpinion = z.object({
  rating: z.enum(CREDIT_RATINGS, { error: '请选择评级' }),
  summary: z.string().trim().min(10, '报告摘要至少 10 个字').max(4000, '报告摘要最多 4000 个字'),
  advice: z.string().trim().min(2, '请填写授信建议').max(1000, '授信建议最多 1000 个字'),
});
export type TAgencyOpinion = z.infer<typeof ZAgencyOpinion>;

export const ZReturnVisitInput = z.object({
  satisfaction: z.number({ error: '请选择满意度（1–5）' }).int().min(1, '满意度为 1–5').max(5, '满意度为 1–5'),
  channel: z.enum(RETURN_VISIT_CHANNELS, { error: '请选择回访方式' }),
  note: note('回访记录', 1000).default(''),
});
export type TReturnVisitInput = z.infer<typeof ZReturnVisitInput>;

export const ZReturnVisit = ZReturnVisitInput.extend({
  id: z.string(),
  applicationId: z.string(),
  stage: z.enum(APPLICATION_STATUSES),
  visitedAt: z.string(),
  advisorName: z.string(),
});
export type TReturnVisit = z.infer<typeof ZReturnVisit>;

// ---- loans ------------------------------------------------------------------------------------------------------

export const ZInstalment = z.object({ dueOn: z.string(), principalFen: z.number().int(), interestFen: z.number().int() });

export const ZRepaymentInput = z.object({
  paidOn: day('还款日期'),
  principalFen: fen('归还本金', 0),
  interestFen: fen('归还利息', 0),
  /** The institution's own reference: the same reference again is the same repayment. */
  reference: z.string().trim().min(1, '请填写还款流水号').max(64, '还款流水号最多 64 个字符'),
});
export type TRepaymentInput = z.infer<typeof ZRepaymentInput>;

export const ZRepayment = ZRepaymentInput.extend({ id: z.string(), reportedAt: z.string(), reportedByName: z.string(), channel: z.enum(REPAYMENT_CHANNELS) });
export type TRepayment = z.infer<typeof ZRepayment>;

export const ZLoanFigures = z.object({
  balanceFen: z.number().int(),
  repaidPrincipalFen: z.number().int(),
  repaidInterestFen: z.number().int(),
  overdueFen: z.number().int(),
  daysOverdue: z.number().int(),
  overdueSince: z.string().nullable(),
  loanClass: z.enum(LOAN_CLASSES),
  status: z.enum(LOAN_STATUSES),
  nextDue: z.object({ dueOn: z.string(), amountFen: z.number().int() }).nullable(),
});

export const ZLoan = z.object({
  id: z.string(),
  applicationId: z.string(),
  enterpriseId: z.string(),
  enterpriseName: z.string(),
  institutionId: z.string(),
  institutionName: z.string(),
  amountFen: z.number().int(),
  rateBp: z.number().int(),
  termMonths: z.number().int(),
  disbursedOn: z.string(),
  maturityOn: z.string(),
  repaymentMethod: z.enum(REPAYMENT_METHODS),
  guaranteeMethod: z.enum(GUARANTEE_METHODS),
  creditLoan: z.boolean(),
  /** 首贷户: the firm had no earlier loan on the platform's records. */
  firstLoan: z.boolean(),
  contractNo: z.string(),
  schedule: z.array(ZInstalment),
  repayments: z.array(ZRepayment),
  figures: ZLoanFigures,
  /** The day the figures are for (today, Asia/Shanghai). */
  asOf: z.string(),
});
export type TLoan = z.infer<typeof ZLoan>;

export const ZLoanQuery = ZPageQuery.extend({
  loanClass: z.enum(LOAN_CLASSES).optional(),
  status: z.enum(LOAN_STATUSES).optional(),
});
export type TLoanQuery = z.infer<typeof ZLoanQuery>;

// ---- the credit report ------------------------------------------------------------------------------------------

export const ZCreditReport = z.object({
  id: z.string(),
  applicationId: z.string(),
  generatedAt: z.string(),
  /** Who asked and when: printed across every page. */
  watermark: z.object({ institution: z.string(), user: z.string(), at: z.string(), text: z.string() }),
  enterprise: z.object({
    id: z.string(),
    name: z.string(),
    uscc: z.string(),
    legalRepName: z.string(),
    registeredCapitalFen: z.string(),
    establishedOn: z.string(),
    industryName: z.string(),
    regionCode: z.string(),
    scale: z.string(),
    status: z.string(),
  }),
  profile: ZCreditProfile,
  warnings: z.array(ZCreditWarning),
  disputes: z.array(ZCreditDispute),
  agencies: z.array(ZAgencyAssignment),
});
export type TCreditReport = z.infer<typeof ZCreditReport>;

export const ZApplicationDetail = ZApplication.extend({
  events: z.array(ZApplicationEvent),
  grants: z.array(ZGrant),
  clocks: z.array(ZSlaClock),
  /** The moves the caller may make now: the buttons to show. */
  moves: z.array(z.enum(APPLICATION_ACTIONS)),
  loan: ZLoan.nullable(),
  agencies: z.array(ZAgencyAssignment),
  visits: z.array(ZReturnVisit),
  /** After a rejection: whether the firm agreed to be referred, and the products it was referred to. */
  referral: z.object({ consentedAt: z.string().nullable(), products: z.array(z.object({ id: z.string(), name: z.string(), institutionName: z.string() })) }),
});
export type TApplicationDetail = z.infer<typeof ZApplicationDetail>;

// ---- figures ------------------------------------------------------------------------------------------------------

export const ZInstitutionFigures = z.object({
  institutionId: z.string(),
  institutionName: z.string(),
  applications: z.number().int(),
  open: z.number().int(),
  acceptBreaches: z.number().int(),
  decideBreaches: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  loans: z.number().int(),
  disbursedFen: z.number().int(),
  balanceFen: z.number().int(),
  /** Balance-weighted annual rate of live loans, in basis points; null without live loans. */
  weightedRateBp: z.number().int().nullable(),
  nplBalanceFen: z.number().int(),
  firstLoanFirms: z.number().int(),
  creditLoanShare: z.number().nullable(),
  byClass: z.record(z.enum(LOAN_CLASSES), z.number().int()),
  visits: z.number().int(),
  satisfiedShare: z.number().nullable(),
});
export type TInstitutionFigures = z.infer<typeof ZInstitutionFigures>;
