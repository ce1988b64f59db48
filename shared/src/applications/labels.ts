import { daysBetween, shiftDate } from '../common/calendar';

/**
 * Words and pure rules of authorisation, applications and loans that every app shows, free of any schema library
 * so that the mini-program imports them as they are.
 */

// ---- authorisation (授权) -------------------------------------------------------------------------------------

/**
 * The data scopes a grant names, each one kind of read in the enterprise repository's institution branch, so that
 * a firm can share its tax records with a bank and keep its court records back (PIPL art. 23: separate, specific
 * consent). `registration` is the firm's master data and its registration records; `credit_score` the credit
 * report (score, rating and reasons, record counts by category, warnings); every other scope is the records of
 * some credit-data categories, item by item (CATEGORY_SCOPE).
 */
export const DATA_SCOPES = ['registration', 'credit_score', 'public_records', 'tax', 'social_security', 'utility', 'court_case', 'logistics'] as const;
export type TDataScope = (typeof DATA_SCOPES)[number];
export const DATA_SCOPE_LABELS: Record<TDataScope, string> = {
  registration: '工商登记信息',
  credit_score: '信用报告',
  public_records: '许可、处罚与红黑名单',
  tax: '纳税记录',
  social_security: '社保缴纳记录',
  utility: '水电气缴费记录',
  court_case: '司法诉讼记录',
  logistics: '物流仓单记录',
};
/** What each scope shows, in the plain words of the grant screen. */
export const DATA_SCOPE_DETAILS: Record<TDataScope, string> = {
  registration: '企业名称、统一社会信用代码、法定代表人、注册资本、成立日期、行业、地区、经营范围与成员，以及登记变更记录',
  credit_score: '信用评分、评级与原因，各类信用记录的条数汇总，风险预警',
  public_records: '行政许可、行政处罚（含信用修复）、失信黑名单与守信红名单的每一条记录',
  tax: '每月纳税额、申报营业收入、欠税金额与纳税信用级别',
  social_security: '每月参保人数、缴费金额与欠缴金额',
  utility: '每月用电、用水、用气量与欠费金额',
  court_case: '涉诉案件的案号、法院、诉讼地位、案由、涉案金额、状态与执行情况',
  logistics: '仓单编号、仓储机构、货物、数量、货值与质押情况',
};

/**
 * The scope that admits each credit-data category's records (keys are CREDIT_CATEGORIES; shared/credit-data checks
 * the map is complete). The credit report alone (`credit_score`) admits no record item by item.
 */
export const CATEGORY_SCOPE = {
  registration: 'registration',
  licence: 'public_records',
  penalty: 'public_records',
  blacklist: 'public_records',
  honour: 'public_records',
  tax: 'tax',
  social_security: 'social_security',
  utility: 'utility',
  court_case: 'court_case',
  logistics: 'logistics',
} as const satisfies Record<string, TDataScope>;
export type TRecordCategoryName = keyof typeof CATEGORY_SCOPE;
/** The scopes that admit records, in DATA_SCOPES order. */
export const RECORD_SCOPES: readonly TDataScope[] = DATA_SCOPES.filter((s) => Object.values(CATEGORY_SCOPE).includes(s as never));
/** The categories whose records a scope admits. */
export function categoriesOfScope(scope: TDataScope): TRecordCategoryName[] {
  return (Object.keys(CATEGORY_SCOPE) as TRecordCategoryName[]).filter((c) => CATEGORY_SCOPE[c] === scope);
}

/** A grant lasts at most this many days; the form proposes the default. */
export const GRANT_MAX_DAYS = 365;
export const GRANT_DEFAULT_DAYS = 90;

export const GRANT_STATUSES = ['active', 'expired', 'revoked'] as const;
export type TGrantStatus = (typeof GRANT_STATUSES)[number];
export const GRANT_STATUS_LABELS: Record<TGrantStatus, string> = { active: '有效', expired: '已到期', revoked: '已撤销' };

/** What a logged read was. */
export const ACCESS_ACTIONS = ['registration', 'credit_profile', 'credit_summary', 'credit_records', 'credit_report', 'credit_report_pdf', 'application'] as const;
export type TAccessAction = (typeof ACCESS_ACTIONS)[number];
export const ACCESS_ACTION_LABELS: Record<TAccessAction, string> = {
  registration: '查看工商登记信息',
  credit_profile: '查看信用画像',
  credit_summary: '查看信用记录汇总',
  credit_records: '查看信用记录明细',
  credit_report: '查看信用报告',
  credit_report_pdf: '下载信用报告（PDF）',
  application: '查看申请中的企业信息',
};
export const ACCESS_CHANNELS = ['console', 'api'] as const;
export type TAccessChannel = (typeof ACCESS_CHANNELS)[number];
export const ACCESS_CHANNEL_LABELS: Record<TAccessChannel, string> = { console: '管理后台', api: '机构系统接口' };

// ---- service levels ------------------------------------------------------------------------------------------

/** Working days an institution has to accept, and to decide, unless the product sets its own. */
export const DEFAULT_ACCEPT_WORKING_DAYS = 3;
export const DEFAULT_DECIDE_WORKING_DAYS = 10;

export const SLA_STATES = ['on_time', 'due_soon', 'breached', 'met', 'met_late'] as const;
export type TSlaState = (typeof SLA_STATES)[number];
export const SLA_STATE_LABELS: Record<TSlaState, string> = {
  on_time: '时限内',
  due_soon: '即将到期',
  breached: '已超时',
  met: '按时完成',
  met_late: '超时完成',
};

// ---- return visits (回访) -------------------------------------------------------------------------------------

export const RETURN_VISIT_CHANNELS = ['phone', 'wechat', 'onsite'] as const;
export type TReturnVisitChannel = (typeof RETURN_VISIT_CHANNELS)[number];
export const RETURN_VISIT_CHANNEL_LABELS: Record<TReturnVisitChannel, string> = { phone: '电话', wechat: '微信', onsite: '上门' };
export const SATISFACTION_LABELS: Record<1 | 2 | 3 | 4 | 5, string> = { 1: '很不满意', 2: '不满意', 3: '一般', 4: '满意', 5: '非常满意' };
/** Scores that count as satisfied in the figures. */
export const SATISFIED_MIN = 4;

// ---- loans: five-category classification (金融资产风险分类办法, 2023) -------------------------------------------

export const LOAN_CLASSES = ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] as const;
export type TLoanClass = (typeof LOAN_CLASSES)[number];
export const LOAN_CLASS_LABELS: Record<TLoanClass, string> = {
  normal: '正常',
  special_mention: '关注',
  substandard: '次级',
  doubtful: '可疑',
  loss: '损失',
};
/** Non-performing: 次级, 可疑 and 损失. */
export const NON_PERFORMING_CLASSES: readonly TLoanClass[] = ['substandard', 'doubtful', 'loss'];

/** The class days past due alone sets: any overdue 关注, past 90 次级, past 270 可疑, past 360 损失. */
export function loanClassOf(daysOverdue: number): TLoanClass {
  if (daysOverdue > 360) return 'loss';
  if (daysOverdue > 270) return 'doubtful';
  if (daysOverdue > 90) return 'substandard';
  if (daysOverdue > 0) return 'special_mention';
  return 'normal';
}

/** How a repayment reached the platform: the console, the institution's system (signed API or push), or a file import. */
export const REPAYMENT_CHANNELS = ['console', 'api', 'file'] as const;
export type TRepaymentChannel = (typeof REPAYMENT_CHANNELS)[number];
export const REPAYMENT_CHANNEL_LABELS: Record<TRepaymentChannel, string> = { console: '管理后台', api: '机构系统接口', file: '文件导入' };

export const LOAN_STATUSES = ['current', 'overdue', 'settled'] as const;
export type TLoanStatus = (typeof LOAN_STATUSES)[number];
export const LOAN_STATUS_LABELS: Record<TLoanStatus, string> = { current: '正常还款中', overdue: '逾期', settled: '已结清' };

export interface TInstalment {
  /** YYYY-MM-DD. */
  dueOn: string;
  principalFen: number;
  interestFen: number;
}
export interface TRepaymentLine {
  /** YYYY-MM-DD. */
  paidOn: string;
  principalFen: number;
  interestFen: number;
}

export interface TLoanFigures {
  balanceFen: number;
  repaidPrincipalFen: number;
  repaidInterestFen: number;
  /** Principal and interest fallen due by `asOf` and not yet paid. */
  overdueFen: number;
  /** Days since the first instalment that is due and not fully paid; 0 when none is. */
  daysOverdue: number;
  /** The first unpaid instalment's due date, when one is overdue. */
  overdueSince: string | null;
  loanClass: TLoanClass;
  status: TLoanStatus;
  /** The next instalment not yet paid in full. */
  nextDue: { dueOn: string; amountFen: number } | null;
}


/**
 * A loan's figures on `asOf` (YYYY-MM-DD) from its schedule and the repayments made up to that day. Payments are
 * applied to the instalments in due order, interest and principal together, so the oldest debt is cleared first;
 * days overdue count from the first instalment that is due and not fully covered.
 */
export function loanFigures(principalFen: number, schedule: readonly TInstalment[], repayments: readonly TRepaymentLine[], asOf: string): TLoanFigures {
  const paid = repayments.filter((r) => r.paidOn <= asOf);
  const repaidPrincipalFen = paid.reduce((s, r) => s + r.principalFen, 0);
  const repaidInterestFen = paid.reduce((s, r) => s + r.interestFen, 0);
  const balanceFen = Math.max(0, principalFen - repaidPrincipalFen);
  let credit = repaidPrincipalFen + repaidInterestFen;
  let overdueFen = 0;
  let overdueSince: string | null = null;
  let nextDue: TLoanFigures['nextDue'] = null;
  const ordered = [...schedule].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
  for (const instalment of ordered) {
    const amount = instalment.principalFen + instalment.interestFen;
    const covered = Math.min(credit, amount);
    credit -= covered;
    const open = amount - covered;
    if (open <= 0) continue;
    if (instalment.dueOn < asOf) {
      overdueFen += open;
      overdueSince ??= instalment.dueOn;
    } else if (!nextDue) {
      nextDue = { dueOn: instalment.dueOn, amountFen: open };
    }
  }
  const daysOverdue = overdueSince ? daysBetween(overdueSince, asOf) : 0;
  const settled = balanceFen === 0 && overdueFen === 0 && nextDue === null;
  return {
    balanceFen,
    repaidPrincipalFen,
    repaidInterestFen,
    overdueFen,
    daysOverdue,
    overdueSince,
    loanClass: settled ? 'normal' : loanClassOf(daysOverdue),
    status: settled ? 'settled' : daysOverdue > 0 ? 'overdue' : 'current',
    nextDue,
  };
}

/**
 * The instalments of a loan drawn on `startOn`: monthly, on the same day of the month (the month's last day when
 * it is shorter). Interest is simple monthly interest on the balance at rate/12; amounts are whole fen and the last
 * instalment takes the rounding. 随借随还 (flexible) is scheduled as interest monthly and principal at the end.
 */
export function buildRepaymentSchedule(
  principalFen: number,
  rateBp: number,
  termMonths: number,
  method: 'bullet' | 'interest_first' | 'equal_instalment' | 'equal_principal' | 'flexible',
  startOn: string,
): TInstalment[] {
  const monthlyRate = rateBp / 10_000 / 12;
  const out: TInstalment[] = [];
  if (method === 'bullet') {
    return [{ dueOn: shiftDate(startOn, termMonths), principalFen, interestFen: Math.round(principalFen * monthlyRate * termMonths) }];
  }
  let balance = principalFen;
  const level = monthlyRate === 0 ? principalFen / termMonths : (principalFen * monthlyRate) / (1 - (1 + monthlyRate) ** -termMonths);
  for (let k = 1; k <= termMonths; k += 1) {
    const interestFen = Math.round(balance * monthlyRate);
    let principal: number;
    if (k === termMonths) principal = balance;
    else if (method === 'equal_principal') principal = Math.round(principalFen / termMonths);
    else if (method === 'equal_instalment') principal = Math.round(level) - interestFen;
    else principal = 0;
    balance -= principal;
    out.push({ dueOn: shiftDate(startOn, k), principalFen: principal, interestFen });
  }
  return out;
}
