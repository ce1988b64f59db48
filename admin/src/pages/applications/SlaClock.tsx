import type { TSlaClock } from '@xyd/shared';
import { Space, Tooltip, Typography } from 'antd';
import { formatDateTime } from '@/utils/format';
import { SLA_STAGE_LABELS, slaText } from './labels';

/** antd's orange-6: a due-soon clock, between the default text and the red of a breach. */
const DUE_SOON_COLOR = '#fa8c16';

/**
 * One service-level clock: the stage (受理 or 办结), its last working day, the countdown or its outcome, and a note when
 * the holiday calendar it counts on is not confirmed yet (the due date may still move).
 */
export default function SlaClock({ clock, direction = 'vertical' }: { clock: TSlaClock; direction?: 'vertical' | 'horizontal' }) {
  const { text, tone } = slaText(clock);
  return (
    <Space direction={direction} size={2} wrap data-testid="sla-clock" data-stage={clock.stage} data-state={clock.state}>
      <span>
        {SLA_STAGE_LABELS[clock.stage]}时限 {clock.dueOn}
        {!clock.confirmed && (
          <Tooltip title="该期间的法定节假日安排尚未录入，工作日暂按周末计算，到期日可能变化">
            <Typography.Text type="warning" data-testid="sla-unconfirmed">
              （日历未确认）
            </Typography.Text>
          </Tooltip>
        )}
      </span>
      <Typography.Text
        type={tone === 'secondary' ? 'secondary' : tone === 'danger' ? 'danger' : undefined}
        strong={tone === 'danger' || tone === 'warning'}
        style={tone === 'warning' ? { color: DUE_SOON_COLOR } : undefined}
        data-testid="sla-countdown"
        data-tone={tone}
        title={clock.metAt ? `完成于 ${formatDateTime(clock.metAt)}` : `${clock.workingDays} 个工作日`}
      >
        {text}
      </Typography.Text>
    </Space>
  );
}
