import {
  ZProductTerms,
  evaluateProduct,
  type TMatchProfile,
  type TMyNeed,
  type TNeedMatch,
  type TNeedPrefill,
  type TProductTerms,
  type TPublicProduct,
} from '@xyd/shared';

/** The financing pages' data, built through shared's schemas and matcher so that texts are the real ones. */

export const ENTERPRISE = {
  id: '5',
  name: '北京示例科技有限公司',
  uscc: '91110108600040399G',
  memberRole: 'ent_owner',
  members: [{ displayName: '张三', role: 'ent_owner' }],
};

type TermsInput = Partial<Omit<TProductTerms, 'criteria'>> & { criteria?: Partial<TProductTerms['criteria']> };

export function publicProduct(id: string, input: TermsInput = {}, institution = { id: '9', name: '示例银行北京分行' }): TPublicProduct {
  const terms = ZProductTerms.parse({
    name: '科创信用贷',
    type: 'credit',
    amountMinFen: 10_0000_00,
    amountMaxFen: 300_0000_00,
    termMinMonths: 3,
    termMaxMonths: 36,
    rateMinBp: 345,
    rateMaxBp: 435,
    guaranteeMethods: ['credit'],
    repaymentMethods: ['interest_first'],
    acceptDays: 3,
    turnaroundDays: 5,
    ...input,
    criteria: { ...input.criteria },
  });
  return {
    ...terms,
    id,
    revisionId: `r${id}`,
    institutionId: institution.id,
    institutionName: institution.name,
    publishedAt: '2026-03-01T02:00:00.000Z',
  };
}

export function prefill(overrides: Partial<TNeedPrefill> = {}): TNeedPrefill {
  return {
    enterpriseName: ENTERPRISE.name,
    regionName: '北京市海淀区',
    industryName: '软件开发',
    scale: 'small',
    yearsEstablished: 2.1,
    rating: 'BBB',
    score: 640,
    suggestion: {
      amountFen: 50_0000_00,
      termMonths: 12,
      purpose: 'working_capital',
      guaranteeMethods: ['credit'],
      maxRateBp: 435,
      urgency: 'month',
      note: '',
    },
    openNeedId: null,
    ...overrides,
  };
}

/** A firm two years old, rated BBB, behind on social insurance (which a rescore says would lift it to A). */
export const FIRM: TMatchProfile = {
  enterpriseId: ENTERPRISE.id,
  regionCode: '110108',
  industryCode: 'I6513',
  scale: 'small',
  establishedOn: '2024-05-10',
  status: 'active',
  rating: 'BBB',
  score: 640,
  blacklisted: false,
  penalties: [],
  taxArrears: false,
  socialArrears: true,
  enforcementActive: false,
  projections: [{ action: '结清社保欠费', rating: 'A' }],
};

export const AS_OF = '2026-07-01';

/** One product against the firm and need, as the server's matcher scores it. */
export function needMatch(product: TPublicProduct, overrides: Partial<TNeedMatch> = {}): TNeedMatch {
  const outcome = evaluateProduct(
    FIRM,
    { amountFen: 50_0000_00, termMonths: 12, guaranteeMethods: ['credit'], maxRateBp: 500 },
    { productId: product.id, revisionId: product.revisionId, institutionId: product.institutionId, terms: product },
    { asOf: AS_OF },
  );
  return {
    productId: product.id,
    revisionId: product.revisionId,
    revision: 1,
    product,
    outcome,
    systemRank: outcome.fits ? 1 : null,
    advisorRank: null,
    review: 'confirmed',
    reviewReason: null,
    addedByAdvisor: false,
    isNew: false,
    matchedAt: '2026-07-01T02:00:00.000Z',
    ...overrides,
  };
}

export function myNeed(overrides: Partial<TMyNeed> = {}): TMyNeed {
  return {
    id: '77',
    enterpriseId: ENTERPRISE.id,
    enterpriseName: ENTERPRISE.name,
    regionCode: '110108',
    amountFen: 50_0000_00,
    termMonths: 12,
    purpose: 'working_capital',
    guaranteeMethods: ['credit'],
    maxRateBp: 500,
    urgency: 'month',
    note: '',
    status: 'reviewing',
    advisorName: '王顾问',
    submittedAt: '2026-07-01T01:00:00.000Z',
    updatedAt: '2026-07-01T01:00:00.000Z',
    releasedAt: null,
    releaseMessage: null,
    matchedAt: '2026-07-01T01:00:05.000Z',
    fitCount: 2,
    version: 1,
    recommendations: [],
    nearMisses: [],
    ...overrides,
  };
}
