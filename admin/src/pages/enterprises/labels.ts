import { ENTERPRISE_STATUS_LABELS, SCALE_LABELS } from '@xyd/shared';

const STATUS_BADGES = { active: 'success', revoked: 'error', cancelled: 'default', abnormal: 'warning' } as const;

export const ENTERPRISE_STATUS_ENUM = Object.fromEntries(
  (Object.keys(ENTERPRISE_STATUS_LABELS) as (keyof typeof ENTERPRISE_STATUS_LABELS)[]).map((s) => [
    s,
    { text: ENTERPRISE_STATUS_LABELS[s], status: STATUS_BADGES[s] },
  ]),
);

export const SCALE_ENUM = Object.fromEntries(Object.entries(SCALE_LABELS).map(([k, text]) => [k, { text }]));
