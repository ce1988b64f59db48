import {
  ZApplication,
  ZApplicationDetail,
  ZGrant,
  buildRepaymentSchedule,
  loanFigures,
  type TAccessLogEntry,
  type TApplication,
  type TApplicationDetail,
  type TGrant,
  type TLoan,
} from '@xyd/shared';
import { ENTERPRISE } from './finance-fixtures';

/**
 * The application pages' data. Details go through shared's schema, so a fixture the server could not send fails
 * here; loan figures come from shared's own schedule and repayment arithmetic.
 */

export const INSTITUTION = { id: '9', name: '示例银行北京分行' };
export const APPLICATION_ID = '31';

export function grant(overrides: Partial<TGrant> = {}): TGrant {
  return ZGrant.parse({
    id: '41',
    applicationId: APPLICATION_ID,
    enterpriseId: ENTERPRISE.id,
    enterpriseName: ENTERPRISE.name,
    organisationId: INSTITUTION.id,
    organisationName: INSTITUTION.name,
    organisationType: 'bank',
    purpose: '融资申请：科创信用贷',
    scopes: ['registration', 'credit_score'],
    expiresOn: '2026-09-29',
    status: 'active',
    grantedAt: '2026-07-01T02:00:00.000Z',
    grantedByName: '张三',
    revokedAt: null,
    revokedByName: null,
    ...overrides,
  });
}

const SLA = {
  stage: 'accept' as const,
  workingDays: 3,
  dueOn: '2026-07-06',
  confirmed: true,
  state: 'on_time' as const,
  workingDaysLeft: 3,
  metAt: null,
};

export function applicationDetail(overrides: Partial<TApplicationDetail> = {}): TApplicationDetail {
  return ZApplicationDetail.parse({
    id: APPLICATION_ID,
    enterpriseId: ENTERPRISE.id,
    enterpriseName: ENTERPRISE.name,
    regionCode: '110108',
    productId: '12',
    productName: '科创信用贷',
    institutionId: INSTITUTION.id,
    institutionName: INSTITUTION.name,
    needId: null,
    status: 'submitted',
    version: 1,
    amountFen: 50_0000_00,
    termMonths: 12,
    purpose: '采购原材料',
    offer: null,
    offerAccepted: false,
    rejection: null,
    sla: SLA,
    grantActive: true,
    submittedAt: '2026-07-01T02:00:00.000Z',
    updatedAt: '2026-07-01T02:00:00.000Z',
    events: [
      {
        id: '1',
        kind: 'submit',
        label: '提交申请',
        fromStatus: null,
        toStatus: 'submitted',
        actorKind: 'enterprise',
        actorName: '张三',
        note: '',
        at: '2026-07-01T02:00:00.000Z',
      },
    ],
    grants: [grant()],
    clocks: [SLA],
    moves: ['withdraw'],
    loan: null,
    agencies: [],
    visits: [],
    referral: { consentedAt: null, products: [] },
    ...overrides,
  });
}

/** The list's shape: an application without its timeline, grants and loan. */
export function applicationSummary(overrides: Partial<TApplication> = {}): TApplication {
  return ZApplication.parse({ ...applicationDetail(), ...overrides });
}

export const OFFER = {
  amountFen: 40_0000_00,
  rateBp: 385,
  termMonths: 12,
  repaymentMethod: 'equal_instalment' as const,
  guaranteeMethod: 'credit' as const,
};

/** A loan of the offer drawn on 2026-07-10, with the first instalment paid, as of `asOf`. */
export function loan(asOf: string, paidInstalments = 1): TLoan {
  const schedule = buildRepaymentSchedule(OFFER.amountFen, OFFER.rateBp, OFFER.termMonths, OFFER.repaymentMethod, '2026-07-10');
  const repayments = schedule.slice(0, paidInstalments).map((instalment, index) => ({
    id: String(index + 1),
    paidOn: instalment.dueOn,
    principalFen: instalment.principalFen,
    interestFen: instalment.interestFen,
    reference: `R${index + 1}`,
    reportedAt: `${instalment.dueOn}T08:00:00.000Z`,
    reportedByName: '李经理',
    channel: 'console' as const,
  }));
  return {
    id: '51',
    applicationId: APPLICATION_ID,
    enterpriseId: ENTERPRISE.id,
    enterpriseName: ENTERPRISE.name,
    institutionId: INSTITUTION.id,
    institutionName: INSTITUTION.name,
    amountFen: OFFER.amountFen,
    rateBp: OFFER.rateBp,
    termMonths: OFFER.termMonths,
    disbursedOn: '2026-07-10',
    maturityOn: schedule[schedule.length - 1].dueOn,
    repaymentMethod: OFFER.repaymentMethod,
    guaranteeMethod: OFFER.guaranteeMethod,
    creditLoan: true,
    firstLoan: true,
    contractNo: 'HT-2026-001',
    schedule,
    repayments,
    figures: loanFigures(OFFER.amountFen, schedule, repayments, asOf),
    asOf,
  };
}

export function accessEntry(overrides: Partial<TAccessLogEntry> = {}): TAccessLogEntry {
  return {
    id: '61',
    at: '2026-07-02T03:15:00.000Z',
    enterpriseId: ENTERPRISE.id,
    enterpriseName: ENTERPRISE.name,
    organisationId: INSTITUTION.id,
    organisationName: INSTITUTION.name,
    userName: '李经理',
    scope: 'credit_score',
    action: 'credit_report',
    applicationId: APPLICATION_ID,
    grantId: '41',
    channel: 'console',
    page: '/applications/31/report',
    ...overrides,
  };
}
