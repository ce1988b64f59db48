import type { TNeed } from '@xyd/shared';
import { Space, Tag, Tooltip, Typography } from 'antd';
import { formatDateTime } from '@/utils/format';
import { clockText } from './labels';

/**
 * A need's release clock: the due date, the working days left (red from the due day), whether the holiday calendar
 * it counts on is confirmed, and whether it was escalated for running out.
 */
export default function NeedClock({ need, direction = 'vertical' }: { need: Pick<TNeed, 'clock' | 'status'>; direction?: 'vertical' | 'horizontal' }) {
  const { clock } = need;
  if (!clock) return <span>-</span>;
  const left = clockText(clock, need.status);
  return (
    <Space direction={direction} size={2} wrap data-testid="need-clock">
      <span>{clock.dueOn}</span>
      {left && (
        <Typography.Text type={left.overdue ? 'danger' : undefined} data-testid="need-days-left" data-overdue={String(left.overdue)}>
          {left.text}
        </Typography.Text>
      )}
      <Space size={4} wrap>
        {!clock.confirmed && (
          <Tooltip title={`${clock.unconfirmedYears.join('、')} 年的法定节假日安排尚未录入，工作日暂按周末计算，到期日可能变化`}>
            <Tag color="warning" data-testid="need-calendar-unconfirmed">
              未确认日历
            </Tag>
          </Tooltip>
        )}
        {clock.escalatedAt && (
          <Tooltip title={`上报时间：${formatDateTime(clock.escalatedAt)}`}>
            <Tag color="error" data-testid="need-escalated">
              已超时上报
            </Tag>
          </Tooltip>
        )}
      </Space>
    </Space>
  );
}
