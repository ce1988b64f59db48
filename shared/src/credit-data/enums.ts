/**
 * The closed value lists of credit records, each with its Chinese labels. Files may name a value by its code or its
 * label; the aliases are further words sources commonly write for the same value.
 */

export const LICENCE_STATUSES = ['valid', 'expired', 'revoked', 'cancelled'] as const;
export type TLicenceStatus = (typeof LICENCE_STATUSES)[number];
export const LICENCE_STATUS_LABELS: Record<TLicenceStatus, string> = {
  valid: '有效',
  expired: '已过期',
  revoked: '已撤销',
  cancelled: '已注销',
};
export const LICENCE_STATUS_ALIASES: Readonly<Record<string, TLicenceStatus>> = {
  正常: 'valid',
  过期: 'expired',
  失效: 'expired',
  撤销: 'revoked',
  吊销: 'revoked',
  已吊销: 'revoked',
  注销: 'cancelled',
};

export const PENALTY_TYPES = ['warning', 'fine', 'licence_action', 'suspension', 'detention', 'other'] as const;
export type TPenaltyType = (typeof PENALTY_TYPES)[number];
/** The six kinds of 行政处罚法 (2021) 第九条. */
export const PENALTY_TYPE_LABELS: Record<TPenaltyType, string> = {
  warning: '警告、通报批评',
  fine: '罚款、没收违法所得、没收非法财物',
  licence_action: '暂扣许可证件、降低资质等级、吊销许可证件',
  suspension: '限制开展生产经营活动、责令停产停业、责令关闭、限制从业',
  detention: '行政拘留',
  other: '其他',
};
export const PENALTY_TYPE_ALIASES: Readonly<Record<string, TPenaltyType>> = {
  警告: 'warning',
  通报批评: 'warning',
  罚款: 'fine',
  没收违法所得: 'fine',
  没收非法财物: 'fine',
  责令停产停业: 'suspension',
  责令关闭: 'suspension',
  限制从业: 'suspension',
  暂扣许可证件: 'licence_action',
  吊销许可证件: 'licence_action',
  吊销营业执照: 'licence_action',
  降低资质等级: 'licence_action',
};

export const PENALTY_SEVERITIES = ['minor', 'general', 'serious', 'severe'] as const;
export type TPenaltySeverity = (typeof PENALTY_SEVERITIES)[number];
export const PENALTY_SEVERITY_LABELS: Record<TPenaltySeverity, string> = {
  minor: '轻微',
  general: '一般',
  serious: '较重',
  severe: '严重',
};

export const BLACKLIST_TYPES = ['dishonest_debtor', 'tax_violation', 'serious_violation', 'procurement', 'other'] as const;
export type TBlacklistType = (typeof BLACKLIST_TYPES)[number];
export const BLACKLIST_TYPE_LABELS: Record<TBlacklistType, string> = {
  dishonest_debtor: '失信被执行人',
  tax_violation: '重大税收违法失信主体',
  serious_violation: '严重违法失信企业',
  procurement: '政府采购严重违法失信',
  other: '其他',
};
export const BLACKLIST_TYPE_ALIASES: Readonly<Record<string, TBlacklistType>> = {
  失信被执行人名单: 'dishonest_debtor',
  重大税收违法案件当事人: 'tax_violation',
  重大税收违法失信主体名单: 'tax_violation',
  严重违法失信名单: 'serious_violation',
  严重违法失信企业名单: 'serious_violation',
  政府采购严重违法失信行为记录名单: 'procurement',
  政府采购严重违法失信名单: 'procurement',
};

export const HONOUR_TYPES = ['red_list', 'tax_a', 'high_tech', 'specialised', 'other'] as const;
export type THonourType = (typeof HONOUR_TYPES)[number];
export const HONOUR_TYPE_LABELS: Record<THonourType, string> = {
  red_list: '红名单',
  tax_a: 'A级纳税人',
  high_tech: '高新技术企业',
  specialised: '专精特新',
  other: '其他',
};
export const HONOUR_TYPE_ALIASES: Readonly<Record<string, THonourType>> = {
  守信红名单: 'red_list',
  纳税信用A级: 'tax_a',
  A级纳税信用: 'tax_a',
  国家高新技术企业: 'high_tech',
  专精特新中小企业: 'specialised',
  专精特新小巨人: 'specialised',
  专精特新小巨人企业: 'specialised',
};

export const TAX_CREDIT_LEVELS = ['A', 'B', 'M', 'C', 'D'] as const;
export type TTaxCreditLevel = (typeof TAX_CREDIT_LEVELS)[number];
export const TAX_CREDIT_LEVEL_LABELS: Record<TTaxCreditLevel, string> = { A: 'A级', B: 'B级', M: 'M级', C: 'C级', D: 'D级' };

export const COURT_ROLES = ['plaintiff', 'defendant', 'third_party'] as const;
export type TCourtRole = (typeof COURT_ROLES)[number];
export const COURT_ROLE_LABELS: Record<TCourtRole, string> = { plaintiff: '原告', defendant: '被告', third_party: '第三人' };
export const COURT_ROLE_ALIASES: Readonly<Record<string, TCourtRole>> = {
  申请执行人: 'plaintiff',
  上诉人: 'plaintiff',
  被执行人: 'defendant',
  被上诉人: 'defendant',
};

export const COURT_CASE_STATUSES = ['filed', 'trial', 'judged', 'closed'] as const;
export type TCourtCaseStatus = (typeof COURT_CASE_STATUSES)[number];
export const COURT_CASE_STATUS_LABELS: Record<TCourtCaseStatus, string> = {
  filed: '立案',
  trial: '审理中',
  judged: '已判决',
  closed: '已结案',
};
export const COURT_CASE_STATUS_ALIASES: Readonly<Record<string, TCourtCaseStatus>> = {
  已立案: 'filed',
  审理: 'trial',
  判决: 'judged',
  结案: 'closed',
};

export const ENFORCEMENT_STATUSES = ['none', 'enforcing', 'enforced', 'terminated'] as const;
export type TEnforcementStatus = (typeof ENFORCEMENT_STATUSES)[number];
export const ENFORCEMENT_STATUS_LABELS: Record<TEnforcementStatus, string> = {
  none: '无',
  enforcing: '执行中',
  enforced: '已执行完毕',
  terminated: '终结本次执行',
};
export const ENFORCEMENT_STATUS_ALIASES: Readonly<Record<string, TEnforcementStatus>> = {
  未执行: 'none',
  无需执行: 'none',
  执行完毕: 'enforced',
  终本: 'terminated',
};

/** Words registries print for a firm's status, beyond the labels in `ENTERPRISE_STATUS_LABELS`. */
export const ENTERPRISE_STATUS_ALIASES: Readonly<Record<string, 'active' | 'revoked' | 'cancelled' | 'abnormal'>> = {
  在业: 'active',
  在营: 'active',
  开业: 'active',
  '存续（在营、开业、在册）': 'active',
  列入经营异常名录: 'abnormal',
  '吊销，未注销': 'revoked',
  已吊销: 'revoked',
  已注销: 'cancelled',
};

export const ENTERPRISE_SCALE_ALIASES: Readonly<Record<string, 'micro' | 'small' | 'medium'>> = {
  微型企业: 'micro',
  小型企业: 'small',
  中型企业: 'medium',
};
