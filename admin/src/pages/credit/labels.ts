import type { TDisputeStatus, TWarningSeverity } from '@xyd/shared';
import { DISPUTE_STATUS_LABELS, WARNING_RULE_LABELS, WARNING_SEVERITY_LABELS, WARNING_STATUS_LABELS } from '@xyd/shared';

/** ProTable value enums of the credit-service pages, built from the shared labels. */
const enumOf = <K extends string>(labels: Record<K, string>, status?: Record<K, string>) =>
  Object.fromEntries(
    (Object.keys(labels) as K[]).map((k) => [k, status ? { text: labels[k], status: status[k] } : { text: labels[k] }]),
  );

export const SEVERITY_COLORS: Record<TWarningSeverity, string> = { high: 'red', medium: 'orange', low: 'blue' };

export const WARNING_RULE_ENUM = enumOf(WARNING_RULE_LABELS);
export const WARNING_SEVERITY_ENUM = enumOf(WARNING_SEVERITY_LABELS);
export const WARNING_STATUS_ENUM = enumOf(WARNING_STATUS_LABELS, { open: 'error', acknowledged: 'processing', closed: 'default' });

const DISPUTE_BADGES: Record<TDisputeStatus, string> = { open: 'processing', upheld: 'success', rejected: 'default', withdrawn: 'default' };
export const DISPUTE_STATUS_ENUM = enumOf(DISPUTE_STATUS_LABELS, DISPUTE_BADGES);
