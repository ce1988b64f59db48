import type { TAdminRole, TCurrentUser } from '@xyd/shared';

export interface AccessFlags {
  isSignedIn: boolean;
  /** Organisations, console users: platform_admin. */
  canAdminPlatform: boolean;
  /** The verification queue and its details: advisors and platform admins. */
  canReviewVerifications: boolean;
  /**
   * Approve or reject a verification: the advisor of the firm's current region, or a platform admin (for requests no
   * advisor covers); the server checks which request each may decide.
   */
  canDecideVerifications: boolean;
  /** Hand a request of an unregistered firm to another region's advisors: platform_admin. */
  canReassignVerifications: boolean;
  /** The enterprise list; the server narrows it to the caller's region, institution or authorisations. */
  canSeeEnterprises: boolean;
  /** The audit log and its hash-chain check. */
  canSeeAudit: boolean;
  /** The job runner's queues, failures and retries: platform_admin. */
  canSeeJobs: boolean;
  /** Its organisation's API clients (机构系统对接): fi_admin only, the server refuses everyone else. */
  canManageApiClients: boolean;
  /** Credit-data sources, their keys, and data quality (数据汇聚): platform_admin. */
  canManageDataSources: boolean;
  /**
   * File imports of credit data: platform_admin, and government users, whose organisation may own a source (the page
   * says so when it owns none); the server lists only the sources the caller may import into.
   */
  canImportData: boolean;
  /** Risk warnings (风险预警) of the caller's region: platform_admin, advisor and gov. */
  canSeeWarnings: boolean;
  /** Acknowledge and close warnings: platform_admin and advisor; government users only read them. */
  canHandleWarnings: boolean;
  /**
   * Credit-record disputes (异议处理): every console user; the server lists those of the caller's region and those of
   * records its own organisation's data sources sent.
   */
  canSeeDisputes: boolean;
  /**
   * Decide a dispute: everyone but government users, who read the region's disputes without deciding them; the server
   * further narrows institutions to the records of their own data sources.
   */
  canResolveDisputes: boolean;
  /** Scorecard versions and warning-rule thresholds (评分卡管理): platform_admin. */
  canManageScorecards: boolean;
  /** Financial products (金融产品): institution users see their own institution's, the platform and government all published ones. */
  canSeeProducts: boolean;
  /** Create, edit, publish and take down products: fi_admin, for its own institution. */
  canEditProducts: boolean;
  /** Financing needs (融资需求) of the caller's region: platform_admin, advisor and gov. */
  canSeeNeeds: boolean;
  /** Review a need's matches and release the recommendation: the assigned advisor, or a platform admin. */
  canReviewNeeds: boolean;
  /** Reassign a need to another advisor (the platform queue): platform_admin. */
  canAssignNeeds: boolean;
  /** The statutory holiday calendar the working-day clocks count on (节假日日历): platform_admin. */
  canManageCalendar: boolean;
  /**
   * The 融资对接 menu group: everyone who sees a page in it. Agencies see only the applications they were commissioned
   * on, never products or needs.
   */
  canSeeFinance: boolean;
  /**
   * Financing applications (融资申请): institutions their own, agencies those commissioned, advisors and government
   * their region's, platform admins all; the server narrows the list.
   */
  canSeeApplications: boolean;
  /**
   * The institution's moves on an application (受理 … 结清): fi_admin and fi_officer. The buttons come from the
   * application's `moves` alone; this flag only says the user is on the institution's side.
   */
  canMoveApplications: boolean;
  /** The credit report of an applicant, under the firm's grant: the institution and the agencies it commissioned. */
  canReadReports: boolean;
  /** Return visits (回访) after a decision or a loan: advisors and platform admins. */
  canRecordVisits: boolean;
  /** Loans (贷款管理) and the per-institution figures: everyone but agencies. */
  canSeeLoans: boolean;
  /** Report a repayment from the console: the lending institution's users. */
  canReportRepayments: boolean;
  /** Every read of enterprise data under a grant (数据访问日志): platform_admin. */
  canSeeAccessLog: boolean;
}

const CONSOLE_ROLES: readonly TAdminRole[] = ['platform_admin', 'advisor', 'gov', 'fi_admin', 'fi_officer', 'agency'];

const INSTITUTION_ROLES: readonly TAdminRole[] = ['fi_admin', 'fi_officer'];

function consoleRole(user: TCurrentUser | null | undefined): TAdminRole | null {
  if (!user || user.kind !== 'admin') return null;
  return (CONSOLE_ROLES as readonly string[]).includes(user.role) ? (user.role as TAdminRole) : null;
}

/** Permission flags for routes (`access:` in config/routes.ts) and buttons; the server enforces the same rules. */
export default function access(initialState: { currentUser?: TCurrentUser | null } | undefined): AccessFlags {
  const role = consoleRole(initialState?.currentUser);
  const isInstitution = role !== null && INSTITUTION_ROLES.includes(role);
  return {
    isSignedIn: role !== null,
    canAdminPlatform: role === 'platform_admin',
    canReviewVerifications: role === 'platform_admin' || role === 'advisor',
    canDecideVerifications: role === 'advisor' || role === 'platform_admin',
    canReassignVerifications: role === 'platform_admin',
    canSeeEnterprises: role !== null,
    canSeeAudit: role === 'platform_admin',
    canSeeJobs: role === 'platform_admin',
    canManageApiClients: role === 'fi_admin',
    canManageDataSources: role === 'platform_admin',
    canImportData: role === 'platform_admin' || role === 'gov',
    canSeeWarnings: role === 'platform_admin' || role === 'advisor' || role === 'gov',
    canHandleWarnings: role === 'platform_admin' || role === 'advisor',
    canSeeDisputes: role !== null,
    canResolveDisputes: role !== null && role !== 'gov',
    canManageScorecards: role === 'platform_admin',
    canSeeProducts: role === 'platform_admin' || role === 'advisor' || role === 'gov' || role === 'fi_admin' || role === 'fi_officer',
    canEditProducts: role === 'fi_admin',
    canSeeNeeds: role === 'platform_admin' || role === 'advisor' || role === 'gov',
    canReviewNeeds: role === 'platform_admin' || role === 'advisor',
    canAssignNeeds: role === 'platform_admin',
    canManageCalendar: role === 'platform_admin',
    canSeeFinance: role !== null,
    canSeeApplications: role !== null,
    canMoveApplications: isInstitution,
    canReadReports: isInstitution || role === 'agency',
    canRecordVisits: role === 'platform_admin' || role === 'advisor',
    canSeeLoans: role !== null && role !== 'agency',
    canReportRepayments: isInstitution,
    canSeeAccessLog: role === 'platform_admin',
  };
}
