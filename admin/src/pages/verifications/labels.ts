import type { TVerificationStatus } from '@xyd/shared';
import { VERIFICATION_STATUS_LABELS } from '@xyd/shared';

export const APPLICANT_ROLE_LABELS: Record<'owner' | 'agent', string> = { owner: '法定代表人', agent: '经办人' };

const STATUS_BADGES: Record<TVerificationStatus, 'processing' | 'success' | 'error'> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
};

/** ProTable valueEnum: label and badge per status. */
export const VERIFICATION_STATUS_ENUM = Object.fromEntries(
  (Object.keys(VERIFICATION_STATUS_LABELS) as TVerificationStatus[]).map((s) => [
    s,
    { text: VERIFICATION_STATUS_LABELS[s], status: STATUS_BADGES[s] },
  ]),
);
