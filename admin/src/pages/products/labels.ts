import type { TProductStatus } from '@xyd/shared';
import {
  CREDIT_RATINGS,
  ENTERPRISE_SCALES,
  GUARANTEE_METHOD_LABELS,
  GUARANTEE_METHODS,
  PENALTY_SEVERITIES,
  PENALTY_SEVERITY_LABELS,
  PRODUCT_STATUS_LABELS,
  PRODUCT_TYPE_LABELS,
  PRODUCT_TYPES,
  REPAYMENT_METHOD_LABELS,
  REPAYMENT_METHODS,
  SCALE_LABELS,
} from '@xyd/shared';

/** Tag colours, and the table filter's badges (the same preset names serve both). */
export const PRODUCT_STATUS_COLORS: Record<TProductStatus, string> = { draft: 'default', published: 'success', offline: 'warning' };

export const PRODUCT_STATUS_ENUM = Object.fromEntries(
  (Object.keys(PRODUCT_STATUS_LABELS) as TProductStatus[]).map((s) => [s, { text: PRODUCT_STATUS_LABELS[s], status: PRODUCT_STATUS_COLORS[s] }]),
);
export const PRODUCT_TYPE_ENUM = Object.fromEntries(PRODUCT_TYPES.map((t) => [t, { text: PRODUCT_TYPE_LABELS[t] }]));

export const PRODUCT_TYPE_OPTIONS = PRODUCT_TYPES.map((value) => ({ value, label: PRODUCT_TYPE_LABELS[value] }));
export const GUARANTEE_OPTIONS = GUARANTEE_METHODS.map((value) => ({ value, label: GUARANTEE_METHOD_LABELS[value] }));
export const REPAYMENT_OPTIONS = REPAYMENT_METHODS.map((value) => ({ value, label: REPAYMENT_METHOD_LABELS[value] }));
export const SCALE_OPTIONS = ENTERPRISE_SCALES.map((value) => ({ value, label: SCALE_LABELS[value] }));
export const RATING_OPTIONS = CREDIT_RATINGS.map((value) => ({ value, label: value }));
export const PENALTY_SEVERITY_OPTIONS = PENALTY_SEVERITIES.map((value) => ({ value, label: PENALTY_SEVERITY_LABELS[value] }));

/** The button that moves a product to `to`, by where it comes from: taking a product back online reads differently. */
export function transitionLabel(from: TProductStatus, to: TProductStatus): string {
  if (to === 'published') return from === 'offline' ? '重新上架' : '上架';
  if (to === 'offline') return '下架';
  return PRODUCT_STATUS_LABELS[to];
}
