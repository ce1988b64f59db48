import type { TIngestBatch } from '@xyd/shared';
import { BATCH_STATUS_LABELS } from '@xyd/shared';
import { Progress, Space, Tag, Typography } from 'antd';
import { STATUS_COLORS, formatEta, formatRate, percentDone } from './progress';

/**
 * The batch's state; while it runs, how far it has got, how fast, and how long it still needs. A finished import
 * keeps its full bar (a small file can go from queued to done between two polls).
 */
export default function BatchStatus({ batch }: { batch: TIngestBatch }) {
  const tag = (
    <Tag color={STATUS_COLORS[batch.status]} data-testid="batch-status" data-status={batch.status}>
      {BATCH_STATUS_LABELS[batch.status]}
    </Tag>
  );
  if (batch.status === 'done' && batch.origin === 'file') {
    return (
      <Space direction="vertical" size={0} style={{ minWidth: 200 }} data-testid="batch-progress">
        {tag}
        <Progress percent={100} size="small" status="success" />
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="batch-progress-text">
          {batch.rowsDone.toLocaleString('zh-CN')} 行{batch.rowsPerSecond ? ` · ${formatRate(batch.rowsPerSecond)}` : ''}
        </Typography.Text>
      </Space>
    );
  }
  if (batch.status !== 'running') return tag;
  const rate = formatRate(batch.rowsPerSecond);
  const eta = formatEta(batch.etaSeconds);
  return (
    <Space direction="vertical" size={0} style={{ minWidth: 200 }} data-testid="batch-progress">
      {tag}
      <Progress percent={percentDone(batch)} size="small" status="active" />
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="batch-progress-text">
        {batch.rowsDone.toLocaleString('zh-CN')}
        {batch.totalRows !== null ? ` / ${batch.totalRows.toLocaleString('zh-CN')}` : ''} 行
        {rate ? ` · ${rate}` : ''}
        {eta ? ` · 剩余${eta}` : ''}
      </Typography.Text>
    </Space>
  );
}
