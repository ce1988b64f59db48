import type { Transaction } from 'sequelize';
import { ZProductTerms, type TProductTerms } from '@xyd/shared';
import { clock } from '../lib/clock';
import { newId } from '../lib/ids';
import { Product, ProductRevision } from '../modules/matching/models';

/**
 * The demo's published products: a spread of the 信易贷 product types the region's institutions offer, with
 * admission criteria that make the demo firms' matches and near misses worth reading.
 */
const WAN = 1_000_000; // fen in 1 万元

const DEMO_PRODUCTS: Array<{ org: string; terms: Omit<TProductTerms, 'criteria'> & { criteria: Partial<TProductTerms['criteria']> } }> = [
  {
    org: 'bank1',
    terms: {
      name: '钱塘信易贷·纳税e贷',
      type: 'policy',
      summary: '按纳税信用发放的纯信用贷款，纳入市级信易贷风险补偿。',
      amountMinFen: 10 * WAN,
      amountMaxFen: 300 * WAN,
      termMinMonths: 6,
      termMaxMonths: 36,
      rateMinBp: 345,
      rateMaxBp: 480,
      guaranteeMethods: ['credit'],
      repaymentMethods: ['interest_first', 'flexible'],
      requiredDocuments: ['营业执照', '近两年纳税申报表', '法定代表人身份证'],
      acceptDays: 3,
      turnaroundDays: 3,
      policySupport: true,
      criteria: { regionCodes: ['330100'], minYearsEstablished: 2, minRating: 'BBB', noTaxArrears: true, penaltyLimit: { maxSeverity: 'general', months: 24 } },
    },
  },
  {
    org: 'bank1',
    terms: {
      name: '钱塘科创积分贷',
      type: 'credit',
      summary: '面向制造业与信息技术企业的信用贷款。',
      amountMinFen: 50 * WAN,
      amountMaxFen: 1000 * WAN,
      termMinMonths: 12,
      termMaxMonths: 36,
      rateMinBp: 360,
      rateMaxBp: 520,
      guaranteeMethods: ['credit', 'guarantee'],
      repaymentMethods: ['interest_first', 'equal_instalment'],
      requiredDocuments: ['营业执照', '近一年财务报表'],
      acceptDays: 3,
      turnaroundDays: 5,
      policySupport: false,
      criteria: { regionCodes: ['330000'], industriesIncluded: ['C', 'I'], scales: ['small', 'medium'], minYearsEstablished: 3, minRating: 'A' },
    },
  },
  {
    org: 'bank2',
    terms: {
      name: '西湖厂房抵押贷',
      type: 'mortgage',
      summary: '以自有厂房或商铺抵押，额度高、期限长。',
      amountMinFen: 100 * WAN,
      amountMaxFen: 3000 * WAN,
      termMinMonths: 12,
      termMaxMonths: 120,
      rateMinBp: 330,
      rateMaxBp: 450,
      guaranteeMethods: ['mortgage'],
      repaymentMethods: ['equal_principal', 'equal_instalment'],
      requiredDocuments: ['营业执照', '不动产权证书', '近一年财务报表'],
      acceptDays: 3,
      turnaroundDays: 10,
      policySupport: false,
      criteria: { regionCodes: ['330100'], excludeBlacklisted: true, noEnforcement: true },
    },
  },
  {
    org: 'bank2',
    terms: {
      name: '西湖商户流水贷',
      type: 'credit',
      summary: '面向批发零售与餐饮商户的小额周转贷款。',
      amountMinFen: 5 * WAN,
      amountMaxFen: 100 * WAN,
      termMinMonths: 3,
      termMaxMonths: 12,
      rateMinBp: 420,
      rateMaxBp: 880,
      guaranteeMethods: ['credit'],
      repaymentMethods: ['flexible', 'equal_instalment'],
      requiredDocuments: ['营业执照', '近半年经营流水'],
      acceptDays: 3,
      turnaroundDays: 2,
      policySupport: false,
      criteria: { regionCodes: ['330100'], industriesIncluded: ['F', 'H'], scales: ['micro', 'small'], minYearsEstablished: 1, noSocialArrears: true },
    },
  },
  {
    org: 'bank3',
    terms: {
      name: '之江知识产权质押贷',
      type: 'ip_pledge',
      summary: '以专利、商标质押，财政贴息。',
      amountMinFen: 30 * WAN,
      amountMaxFen: 500 * WAN,
      termMinMonths: 12,
      termMaxMonths: 36,
      rateMinBp: 380,
      rateMaxBp: 550,
      guaranteeMethods: ['pledge'],
      repaymentMethods: ['interest_first'],
      requiredDocuments: ['营业执照', '专利证书或商标注册证', '评估报告'],
      acceptDays: 3,
      turnaroundDays: 7,
      policySupport: true,
      criteria: { regionCodes: ['330106'], industriesIncluded: ['C39', 'I65'], minRating: 'BBB' },
    },
  },
  {
    org: 'guarantor',
    terms: {
      name: '杭担·小微政策性担保贷',
      type: 'guarantee',
      summary: '市融资担保公司担保，担保费率 1% 以下。',
      amountMinFen: 10 * WAN,
      amountMaxFen: 500 * WAN,
      termMinMonths: 6,
      termMaxMonths: 24,
      rateMinBp: 400,
      rateMaxBp: 600,
      guaranteeMethods: ['guarantee'],
      repaymentMethods: ['interest_first', 'equal_instalment'],
      requiredDocuments: ['营业执照', '近一年财务报表', '反担保材料'],
      acceptDays: 3,
      turnaroundDays: 7,
      policySupport: true,
      criteria: { regionCodes: ['330100'], scales: ['micro', 'small'], minRating: 'BB', penaltyLimit: { maxSeverity: 'serious', months: 12 } },
    },
  },
];

export async function seedDemoProducts(t: Transaction, orgIds: ReadonlyMap<string, string>, createdBy: string): Promise<number> {
  const now = clock.now();
  for (const { org, terms } of DEMO_PRODUCTS) {
    const parsed = ZProductTerms.parse(terms);
    const id = newId();
    const revisionId = newId();
    await ProductRevision.create({ id: revisionId, productId: id, revision: 1, terms: JSON.stringify(parsed), wasPublished: true, createdBy, createdByName: '演示数据', createdAt: now }, { transaction: t });
    await Product.create(
      {
        id,
        institutionId: orgIds.get(org)!,
        status: 'published',
        revision: 1,
        revisionId,
        name: parsed.name,
        type: parsed.type,
        amountMinFen: parsed.amountMinFen,
        amountMaxFen: parsed.amountMaxFen,
        termMinMonths: parsed.termMinMonths,
        termMaxMonths: parsed.termMaxMonths,
        rateMinBp: parsed.rateMinBp,
        guaranteeMethods: parsed.guaranteeMethods.join(','),
        publishedAt: now,
        createdBy,
        createdAt: now,
        updatedAt: now,
      },
      { transaction: t },
    );
  }
  return DEMO_PRODUCTS.length;
}
