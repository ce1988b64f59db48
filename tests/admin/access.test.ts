import type { TAdminRole } from '@xyd/shared';
import access from '@/access';
import { userOf } from './support/fixtures';

describe('access flags per role', () => {
  const table: [TAdminRole, Record<string, boolean>][] = [
    ['platform_admin', { canAdminPlatform: true, canReviewVerifications: true, canDecideVerifications: true, canReassignVerifications: true, canSeeEnterprises: true, canSeeAudit: true, canSeeJobs: true, canManageApiClients: false, canManageDataSources: true, canImportData: true, canSeeWarnings: true, canHandleWarnings: true, canSeeDisputes: true, canResolveDisputes: true, canManageScorecards: true, canSeeProducts: true, canEditProducts: false, canSeeNeeds: true, canReviewNeeds: true, canAssignNeeds: true, canManageCalendar: true , canSeeFinance: true, canSeeApplications: true, canMoveApplications: false, canReadReports: false, canRecordVisits: true, canSeeLoans: true, canReportRepayments: false, canSeeAccessLog: true }],
    ['advisor', { canAdminPlatform: false, canReviewVerifications: true, canDecideVerifications: true, canReassignVerifications: false, canSeeEnterprises: true, canSeeAudit: false, canSeeJobs: false, canManageApiClients: false, canManageDataSources: false, canImportData: false, canSeeWarnings: true, canHandleWarnings: true, canSeeDisputes: true, canResolveDisputes: true, canManageScorecards: false, canSeeProducts: true, canEditProducts: false, canSeeNeeds: true, canReviewNeeds: true, canAssignNeeds: false, canManageCalendar: false , canSeeFinance: true, canSeeApplications: true, canMoveApplications: false, canReadReports: false, canRecordVisits: true, canSeeLoans: true, canReportRepayments: false, canSeeAccessLog: false }],
    ['gov', { canAdminPlatform: false, canReviewVerifications: false, canDecideVerifications: false, canReassignVerifications: false, canSeeEnterprises: true, canSeeAudit: false, canSeeJobs: false, canManageApiClients: false, canManageDataSources: false, canImportData: true, canSeeWarnings: true, canHandleWarnings: false, canSeeDisputes: true, canResolveDisputes: false, canManageScorecards: false, canSeeProducts: true, canEditProducts: false, canSeeNeeds: true, canReviewNeeds: false, canAssignNeeds: false, canManageCalendar: false , canSeeFinance: true, canSeeApplications: true, canMoveApplications: false, canReadReports: false, canRecordVisits: false, canSeeLoans: true, canReportRepayments: false, canSeeAccessLog: false }],
    ['fi_admin', { canAdminPlatform: false, canReviewVerifications: false, canDecideVerifications: false, canReassignVerifications: false, canSeeEnterprises: true, canSeeAudit: false, canSeeJobs: false, canManageApiClients: true, canManageDataSources: false, canImportData: false, canSeeWarnings: false, canHandleWarnings: false, canSeeDisputes: true, canResolveDisputes: true, canManageScorecards: false, canSeeProducts: true, canEditProducts: true, canSeeNeeds: false, canReviewNeeds: false, canAssignNeeds: false, canManageCalendar: false , canSeeFinance: true, canSeeApplications: true, canMoveApplications: true, canReadReports: true, canRecordVisits: false, canSeeLoans: true, canReportRepayments: true, canSeeAccessLog: false }],
    ['fi_officer', { canAdminPlatform: false, canReviewVerifications: false, canDecideVerifications: false, canReassignVerifications: false, canSeeEnterprises: true, canSeeAudit: false, canSeeJobs: false, canManageApiClients: false, canManageDataSources: false, canImportData: false, canSeeWarnings: false, canHandleWarnings: false, canSeeDisputes: true, canResolveDisputes: true, canManageScorecards: false, canSeeProducts: true, canEditProducts: false, canSeeNeeds: false, canReviewNeeds: false, canAssignNeeds: false, canManageCalendar: false , canSeeFinance: true, canSeeApplications: true, canMoveApplications: true, canReadReports: true, canRecordVisits: false, canSeeLoans: true, canReportRepayments: true, canSeeAccessLog: false }],
    ['agency', { canAdminPlatform: false, canReviewVerifications: false, canDecideVerifications: false, canReassignVerifications: false, canSeeEnterprises: true, canSeeAudit: false, canSeeJobs: false, canManageApiClients: false, canManageDataSources: false, canImportData: false, canSeeWarnings: false, canHandleWarnings: false, canSeeDisputes: true, canResolveDisputes: true, canManageScorecards: false, canSeeProducts: false, canEditProducts: false, canSeeNeeds: false, canReviewNeeds: false, canAssignNeeds: false, canManageCalendar: false , canSeeFinance: true, canSeeApplications: true, canMoveApplications: false, canReadReports: true, canRecordVisits: false, canSeeLoans: false, canReportRepayments: false, canSeeAccessLog: false }],
  ];

  it.each(table)('%s', (role, expected) => {
    expect(access({ currentUser: userOf(role) })).toEqual({ isSignedIn: true, ...expected });
  });

  it('grants nothing when nobody is signed in', () => {
    for (const state of [undefined, {}, { currentUser: null }]) {
      expect(Object.values(access(state)).every((flag) => flag === false)).toBe(true);
    }
  });

  it('grants nothing to a mini-program user even if a console role were claimed', () => {
    const flags = access({ currentUser: { ...userOf('platform_admin'), kind: 'wechat' } });
    expect(Object.values(flags).every((flag) => flag === false)).toBe(true);
  });

  it('grants nothing to an enterprise role', () => {
    const flags = access({ currentUser: { ...userOf('advisor'), role: 'ent_user' } });
    expect(flags.isSignedIn).toBe(false);
    expect(flags.canSeeEnterprises).toBe(false);
  });
});
