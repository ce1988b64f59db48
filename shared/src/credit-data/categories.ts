import { z } from 'zod';
import { CATEGORY_SCOPE, type TDataScope } from '../applications/labels';

/** The kinds of enterprise credit data the platform gathers (数据汇聚). */
export const CREDIT_CATEGORIES = [
  'registration',
  'licence',
  'penalty',
  'blacklist',
  'honour',
  'tax',
  'social_security',
  'utility',
  'court_case',
  'logistics',
] as const;
export type TCreditCategory = (typeof CREDIT_CATEGORIES)[number];
export const ZCreditCategory = z.enum(CREDIT_CATEGORIES, { error: '数据类别不正确' });

export const CREDIT_CATEGORY_LABELS: Record<TCreditCategory, string> = {
  registration: '登记注册',
  licence: '行政许可',
  penalty: '行政处罚',
  blacklist: '黑名单',
  honour: '荣誉（红名单）',
  tax: '纳税',
  social_security: '社会保险',
  utility: '水电气',
  court_case: '司法诉讼',
  logistics: '物流仓单',
};

/**
 * What the ingestion pipeline (signed push, file import) carries: every credit-data category, which becomes credit
 * records, and the lending institutions' loan repayments (贷款还款), which are booked on the platform's loans.
 */
export const INGEST_CATEGORIES = [...CREDIT_CATEGORIES, 'loan_repayment'] as const;
export type TIngestCategory = (typeof INGEST_CATEGORIES)[number];
export const ZIngestCategory = z.enum(INGEST_CATEGORIES, { error: '数据类别不正确' });
export const INGEST_CATEGORY_LABELS: Record<TIngestCategory, string> = { ...CREDIT_CATEGORY_LABELS, loan_repayment: '贷款还款' };
export function isCreditCategory(category: string): category is TCreditCategory {
  return (CREDIT_CATEGORIES as readonly string[]).includes(category);
}

/** How often a source is expected to send the category, for freshness: 'monthly' for tax, social_security, utility; 'event' otherwise. */
export const CREDIT_CATEGORY_CADENCE: Record<TCreditCategory, 'monthly' | 'event'> = {
  registration: 'event',
  licence: 'event',
  penalty: 'event',
  blacklist: 'event',
  honour: 'event',
  tax: 'monthly',
  social_security: 'monthly',
  utility: 'monthly',
  court_case: 'event',
  logistics: 'event',
};

/** Every category has a grant scope, and the scope map names no category that does not exist. */
type ScopeMapKeys = keyof typeof CATEGORY_SCOPE;
const everyCategoryScoped: Record<TCreditCategory, TDataScope> = CATEGORY_SCOPE satisfies Record<ScopeMapKeys, TDataScope>;
const noStrayCategory: Record<ScopeMapKeys, true> = Object.fromEntries(CREDIT_CATEGORIES.map((c) => [c, true])) as Record<TCreditCategory, true>;
void everyCategoryScoped;
void noStrayCategory;
