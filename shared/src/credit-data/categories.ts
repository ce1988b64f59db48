import { z } from 'zod';

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
