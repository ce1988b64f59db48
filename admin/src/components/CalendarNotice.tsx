import { Alert } from 'antd';
import type { CSSProperties, ReactNode } from 'react';
import { useLoad } from '@/hooks/useLoad';
import { getCalendarStatus } from '@/services/generated';

export interface CalendarNoticeProps {
  /** Change it to fetch the status again (after a save on the calendar page). */
  refreshKey?: unknown;
  /** Beside the message, e.g. a button that opens the first unconfirmed year; given the years it names. */
  action?: (unconfirmedYears: number[]) => ReactNode;
  style?: CSSProperties;
}

/**
 * Warns that a coming year has no confirmed holiday schedule, so working-day deadlines there are counted on weekends
 * only. Shows nothing when every coming year is confirmed, and nothing when the status cannot be read: a banner on
 * a page about something else should not raise error toasts of its own.
 */
export default function CalendarNotice({ refreshKey, action, style }: CalendarNoticeProps) {
  const status = useLoad(() => getCalendarStatus({ skipErrorHandler: true }), [refreshKey]);
  const message = status.data?.message;
  if (!message) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16, ...style }}
      message={message}
      action={action?.(status.data!.unconfirmedYears)}
      data-testid="calendar-notice"
    />
  );
}
