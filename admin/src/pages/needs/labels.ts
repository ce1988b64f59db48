import type { TMatchReviewState, TNeed, TNeedStatus } from '@xyd/shared';
import { NEED_STATUS_LABELS } from '@xyd/shared';

export const NEED_STATUS_COLORS: Record<TNeedStatus, string> = { reviewing: 'processing', released: 'success', closed: 'default' };
export const NEED_STATUS_ENUM = Object.fromEntries(
  (Object.keys(NEED_STATUS_LABELS) as TNeedStatus[]).map((s) => [s, { text: NEED_STATUS_LABELS[s], status: NEED_STATUS_COLORS[s] }]),
);

export const MATCH_REVIEW_COLORS: Record<TMatchReviewState, string> = { pending: 'default', confirmed: 'success', removed: 'error' };

/** The release clock in words: working days left, red from the due day on; null when the need has no running clock. */
export function clockText(clock: TNeed['clock'], status: TNeedStatus): { text: string; overdue: boolean } | null {
  if (!clock || status !== 'reviewing') return null;
  const left = clock.workingDaysLeft;
  if (left < 0) return { text: `已超期 ${-left} 个工作日`, overdue: true };
  if (left === 0) return { text: '今日到期', overdue: true };
  return { text: `剩余 ${left} 个工作日`, overdue: false };
}
