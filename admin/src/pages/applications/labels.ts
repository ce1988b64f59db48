import type { TApplicationStatus, TGrantStatus, TLoanClass, TLoanStatus, TSlaClock } from '@xyd/shared';
import {
  APPLICATION_STATUS_LABELS,
  REJECTION_REASON_CODES,
  REJECTION_REASON_LABELS,
  RETURN_VISIT_CHANNEL_LABELS,
  RETURN_VISIT_CHANNELS,
  SATISFACTION_LABELS,
  TERMINAL_APPLICATION_STATUSES,
} from '@xyd/shared';

/** Tag colours, and the table filter's badges (the same preset names serve both). */
export const APPLICATION_STATUS_COLORS: Record<TApplicationStatus, string> = {
  submitted: 'processing',
  accepted: 'processing',
  investigating: 'processing',
  approved: 'cyan',
  disbursed: 'success',
  settled: 'default',
  rejected: 'error',
  withdrawn: 'default',
  offer_declined: 'default',
  overdue: 'warning',
};
const STATUS_BADGES: Record<TApplicationStatus, 'Processing' | 'Success' | 'Default' | 'Error' | 'Warning'> = {
  submitted: 'Processing',
  accepted: 'Processing',
  investigating: 'Processing',
  approved: 'Success',
  disbursed: 'Success',
  settled: 'Default',
  rejected: 'Error',
  withdrawn: 'Default',
  offer_declined: 'Default',
  overdue: 'Warning',
};
export const APPLICATION_STATUS_ENUM = Object.fromEntries(
  (Object.keys(APPLICATION_STATUS_LABELS) as TApplicationStatus[]).map((s) => [
    s,
    { text: APPLICATION_STATUS_LABELS[s], status: STATUS_BADGES[s] },
  ]),
);

/** The queue's SLA filter (ZApplicationQuery.sla): breached, due soon, or any clock still running. */
export const SLA_FILTER_ENUM = {
  breached: { text: '已超时', status: 'Error' },
  due_soon: { text: '即将到期', status: 'Warning' },
  running: { text: '计时中', status: 'Processing' },
} as const;

export const SLA_STAGE_LABELS: Record<TSlaClock['stage'], string> = { accept: '受理', decide: '办结' };

export type TSlaTone = 'danger' | 'warning' | 'secondary' | 'normal';

/**
 * A clock in words: the countdown while it runs ("剩 2 个工作日", "今日到期", "已超时 1 个工作日"), the outcome once met.
 * `tone`: red when breached, orange when due soon, grey once met.
 */
export function slaText(clock: Pick<TSlaClock, 'state' | 'workingDaysLeft'>): { text: string; tone: TSlaTone } {
  const left = clock.workingDaysLeft;
  switch (clock.state) {
    case 'met':
      return { text: '按时完成', tone: 'secondary' };
    case 'met_late':
      return { text: '超时完成', tone: 'secondary' };
    case 'breached':
      return { text: left !== null && left < 0 ? `已超时 ${-left} 个工作日` : '已超时', tone: 'danger' };
    default: {
      const tone = clock.state === 'due_soon' ? 'warning' : 'normal';
      if (left === null) return { text: '计时中', tone };
      return { text: left > 0 ? `剩 ${left} 个工作日` : '今日到期', tone };
    }
  }
}

/** No move of the institution, the enterprise or a visit changes these any more. */
export function isTerminal(status: TApplicationStatus): boolean {
  return TERMINAL_APPLICATION_STATUSES.includes(status);
}

/** The application has an outcome to ask the firm about: a decision (approved, rejected, declined) or a loan. */
export function hasDecisionOrLoan(status: TApplicationStatus): boolean {
  return !['submitted', 'accepted', 'investigating', 'withdrawn'].includes(status);
}

export const GRANT_STATUS_COLORS: Record<TGrantStatus, string> = { active: 'success', expired: 'default', revoked: 'error' };

/** 正常 green, 关注 gold, then ever darker reds for the non-performing classes. */
export const LOAN_CLASS_COLORS: Record<TLoanClass, string> = {
  normal: 'green',
  special_mention: 'gold',
  substandard: 'orange',
  doubtful: 'volcano',
  loss: 'red',
};
export const LOAN_STATUS_COLORS: Record<TLoanStatus, string> = { current: 'processing', overdue: 'error', settled: 'default' };

export const REJECTION_REASON_OPTIONS = REJECTION_REASON_CODES.map((value) => ({ value, label: REJECTION_REASON_LABELS[value] }));
export const CHANNEL_OPTIONS = RETURN_VISIT_CHANNELS.map((value) => ({ value, label: RETURN_VISIT_CHANNEL_LABELS[value] }));
export const SATISFACTION_OPTIONS = ([5, 4, 3, 2, 1] as const).map((value) => ({
  value,
  label: `${value} 分 · ${SATISFACTION_LABELS[value]}`,
}));
