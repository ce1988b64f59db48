export const ADMIN_ROLES = ['platform_admin', 'advisor', 'gov', 'fi_admin', 'fi_officer', 'agency'] as const;
export type TAdminRole = (typeof ADMIN_ROLES)[number];

export const MEMBER_ROLES = ['ent_owner', 'ent_agent'] as const;
export type TMemberRole = (typeof MEMBER_ROLES)[number];

export const ORG_TYPES = ['platform', 'government', 'bank', 'insurer', 'guarantor', 'credit_agency'] as const;
export type TOrgType = (typeof ORG_TYPES)[number];

export const ROLE_LABELS: Record<TAdminRole | TMemberRole | 'ent_user', string> = {
  platform_admin: '平台管理员',
  advisor: '融资顾问',
  gov: '政府用户',
  fi_admin: '机构管理员',
  fi_officer: '机构业务员',
  agency: '信用服务机构',
  ent_owner: '法定代表人',
  ent_agent: '经办人',
  ent_user: '企业用户（未绑定）',
};

export const ORG_TYPE_LABELS: Record<TOrgType, string> = {
  platform: '平台运营方',
  government: '政府部门',
  bank: '银行',
  insurer: '保险机构',
  guarantor: '担保机构',
  credit_agency: '信用服务机构',
};

/** The organisations that lend (and publish products, take applications, book loans). */
export const LENDER_ORG_TYPES: readonly TOrgType[] = ['bank', 'insurer', 'guarantor'];

/** Which organisation types each console role may belong to. */
export const ROLE_ORG_TYPES: Record<TAdminRole, readonly TOrgType[]> = {
  platform_admin: ['platform'],
  advisor: ['platform'],
  gov: ['government'],
  fi_admin: LENDER_ORG_TYPES,
  fi_officer: LENDER_ORG_TYPES,
  agency: ['credit_agency'],
};
