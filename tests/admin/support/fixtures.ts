import type { TAdminRole, TCurrentUser, TOrgType } from '@xyd/shared';

const ORG_OF_ROLE: Record<TAdminRole, { name: string; type: TOrgType }> = {
  platform_admin: { name: '信易贷平台运营中心', type: 'platform' },
  advisor: { name: '信易贷平台运营中心', type: 'platform' },
  gov: { name: '杭州市发展和改革委员会', type: 'government' },
  fi_admin: { name: '杭州银行', type: 'bank' },
  fi_officer: { name: '杭州银行', type: 'bank' },
  agency: { name: '浙江信用评级有限公司', type: 'credit_agency' },
};

const NAMES: Record<TAdminRole, string> = {
  platform_admin: '平台管理员小王',
  advisor: '顾问李敏',
  gov: '政府用户张强',
  fi_admin: '机构管理员陈静',
  fi_officer: '业务员刘洋',
  agency: '评级师赵雷',
};

export function userOf(role: TAdminRole, extra: Partial<TCurrentUser> = {}): TCurrentUser {
  return {
    kind: 'admin',
    id: '1',
    displayName: NAMES[role],
    role,
    username: role.replace('_', ''),
    organisation: { id: '10', ...ORG_OF_ROLE[role], regionCode: '330100' },
    regionCode: '330100',
    totpEnabled: false,
    ...extra,
  };
}
