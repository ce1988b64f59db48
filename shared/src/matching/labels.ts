/**
 * Matching's closed lists, their Chinese labels, limits and money/rate formatting, free of any schema library, so that
 * the matcher and the mini-program use them as they are. The zod schemas beside them (products.ts, needs.ts, types.ts)
 * are built from these lists.
 */

export const PRODUCT_TYPES = ['credit', 'mortgage', 'guarantee', 'policy', 'supply_chain', 'ip_pledge', 'other'] as const;
export type TProductType = (typeof PRODUCT_TYPES)[number];
export const PRODUCT_TYPE_LABELS: Record<TProductType, string> = {
  credit: '信用贷款',
  mortgage: '抵押贷款',
  guarantee: '担保贷款',
  policy: '信易贷政策产品',
  supply_chain: '供应链金融',
  ip_pledge: '知识产权质押',
  other: '其他',
};

export const GUARANTEE_METHODS = ['credit', 'mortgage', 'pledge', 'guarantee'] as const;
export type TGuaranteeMethod = (typeof GUARANTEE_METHODS)[number];
export const GUARANTEE_METHOD_LABELS: Record<TGuaranteeMethod, string> = {
  credit: '信用',
  mortgage: '抵押',
  pledge: '质押',
  guarantee: '保证（担保）',
};

export const REPAYMENT_METHODS = ['bullet', 'interest_first', 'equal_instalment', 'equal_principal', 'flexible'] as const;
export type TRepaymentMethod = (typeof REPAYMENT_METHODS)[number];
export const REPAYMENT_METHOD_LABELS: Record<TRepaymentMethod, string> = {
  bullet: '到期一次还本付息',
  interest_first: '先息后本',
  equal_instalment: '等额本息',
  equal_principal: '等额本金',
  flexible: '随借随还',
};

export const PRODUCT_STATUSES = ['draft', 'published', 'offline'] as const;
export type TProductStatus = (typeof PRODUCT_STATUSES)[number];
export const PRODUCT_STATUS_LABELS: Record<TProductStatus, string> = { draft: '草稿', published: '已上架', offline: '已下架' };
/** The lifecycle, declared once: the server guards with it and the console shows the buttons it allows. */
export const PRODUCT_TRANSITIONS: Record<TProductStatus, readonly TProductStatus[]> = {
  draft: ['published'],
  published: ['offline'],
  offline: ['published'],
};

/** The largest amount a product or need may name: 100 亿元 in fen (well inside a double's exact integers). */
export const MAX_AMOUNT_FEN = 1_000_000_000_000;
/** 36% a year, the ceiling courts protect (four times LPR is lower; this only stops typing errors). */
export const MAX_RATE_BP = 3600;
export const MAX_TERM_MONTHS = 360;
/** A need asks for at least 1,000 元 (in fen), with a note of at most 500 characters. */
export const NEED_AMOUNT_MIN_FEN = 100_000;
export const NEED_NOTE_MAX = 500;

/** 元 with thousands separators or 万元, for reasons and lists: 3000000 fen → "3 万元". */
export function formatFen(fenAmount: number): string {
  const yuan = fenAmount / 100;
  if (yuan >= 10_000 && yuan % 100 === 0) return `${trimNumber(yuan / 10_000)} 万元`;
  return `${yuan.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 元`;
}

/** 385 → "3.85%". */
export function formatRateBp(bp: number): string {
  return `${trimNumber(bp / 100)}%`;
}

function trimNumber(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export const NEED_PURPOSES = ['working_capital', 'equipment', 'expansion', 'procurement', 'rnd', 'refinance', 'other'] as const;
export type TNeedPurpose = (typeof NEED_PURPOSES)[number];
export const NEED_PURPOSE_LABELS: Record<TNeedPurpose, string> = {
  working_capital: '流动资金',
  equipment: '设备购置',
  expansion: '扩大经营',
  procurement: '原材料采购',
  rnd: '研发投入',
  refinance: '资金周转（续贷）',
  other: '其他',
};

export const NEED_URGENCIES = ['week', 'month', 'quarter', 'flexible'] as const;
export type TNeedUrgency = (typeof NEED_URGENCIES)[number];
export const NEED_URGENCY_LABELS: Record<TNeedUrgency, string> = { week: '一周内', month: '一个月内', quarter: '三个月内', flexible: '时间灵活' };

/** reviewing: with the advisor; released: the recommendation reached the firm; closed: withdrawn or done. */
export const NEED_STATUSES = ['reviewing', 'released', 'closed'] as const;
export type TNeedStatus = (typeof NEED_STATUSES)[number];
export const NEED_STATUS_LABELS: Record<TNeedStatus, string> = { reviewing: '顾问复核中', released: '已推荐', closed: '已关闭' };
export const NEED_TRANSITIONS: Record<TNeedStatus, readonly TNeedStatus[]> = {
  reviewing: ['released', 'closed'],
  released: ['released', 'reviewing', 'closed'],
  closed: [],
};

export const MATCH_REVIEW_STATES = ['pending', 'confirmed', 'removed'] as const;
export type TMatchReviewState = (typeof MATCH_REVIEW_STATES)[number];
export const MATCH_REVIEW_LABELS: Record<TMatchReviewState, string> = { pending: '待复核', confirmed: '顾问已确认', removed: '已移除' };

export const CONTACT_CHANNELS = ['call', 'visit', 'wechat', 'other'] as const;
export type TContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CONTACT_CHANNEL_LABELS: Record<TContactChannel, string> = { call: '电话', visit: '上门走访', wechat: '微信', other: '其他' };

export const MATCH_CRITERIA = [
  'region',
  'industry',
  'scale',
  'status',
  'years',
  'rating',
  'blacklist',
  'penalty',
  'taxArrears',
  'socialArrears',
  'enforcement',
  'amount',
  'term',
  'guarantee',
  'rate',
] as const;
export type TMatchCriterion = (typeof MATCH_CRITERIA)[number];
export const MATCH_CRITERION_LABELS: Record<TMatchCriterion, string> = {
  region: '区域',
  industry: '行业',
  scale: '企业规模',
  status: '登记状态',
  years: '成立年限',
  rating: '信用评级',
  blacklist: '黑名单',
  penalty: '行政处罚',
  taxArrears: '欠税',
  socialArrears: '社保欠费',
  enforcement: '被执行',
  amount: '融资金额',
  term: '融资期限',
  guarantee: '担保方式',
  rate: '利率',
};

/** A product failing at most this many criteria, every one of them something the firm can change, is a near miss. */
export const NEAR_MISS_MAX_FAILED = 2;

/** The soft score's weights (sum 100). */
export const MATCH_SCORE_WEIGHTS: Readonly<Record<'rate' | 'amount' | 'turnaround' | 'approval' | 'policy', number>> = {
  rate: 30,
  amount: 25,
  turnaround: 20,
  approval: 15,
  policy: 10,
};

/** How many fits matchNeed returns unless told (best first). */
export const DEFAULT_MAX_MATCHES = 50;
/** How many near misses matchNeed returns unless told. */
export const DEFAULT_MAX_NEAR_MISSES = 20;
