import { DownloadOutlined } from '@ant-design/icons';
import type { TBatchCounts, TRowErrorItem } from '@xyd/shared';
import { BATCH_ORIGIN_LABELS, INGEST_CATEGORY_LABELS } from '@xyd/shared';
import { Alert, Button, Descriptions, Drawer, Skeleton, Space, Table, Typography } from 'antd';
import { useEffect } from 'react';
import { useLoad } from '@/hooks/useLoad';
import { downloadIngestBatchErrorsUrl, getIngestBatch, listIngestBatchErrors } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import BatchStatus from './BatchStatus';
import { POLL_INTERVAL_MS, isActive } from './progress';

/** The first page of row errors shown here; the whole list is in the downloadable report. */
export const ERROR_PREVIEW_SIZE = 20;

/** What happened to the rows of a batch, in the order a reader follows them. */
export const COUNT_LABELS: [keyof TBatchCounts, string][] = [
  ['received', '接收'],
  ['accepted', '新增入库'],
  ['superseded', '更正旧记录'],
  ['duplicate', '重复（未重复入库）'],
  ['held', '暂存（企业未登记）'],
  ['rejected', '拒收'],
];

function errorReportUrl(id: string, format: 'csv' | 'xlsx'): string {
  return downloadIngestBatchErrorsUrl({ id, format });
}

/** One batch: its counts, why it failed if it did, its first row errors and the full error report. */
export default function BatchDrawer({ batchId, onClose }: { batchId: string | null; onClose: () => void }) {
  const batch = useLoad(() => (batchId ? getIngestBatch({ id: batchId }) : Promise.resolve(undefined)), [batchId]);
  const current = batch.data && batch.data.id === batchId ? batch.data : undefined;
  const status = current?.status;
  // Row errors grow while the import runs: read them again whenever the state changes (running → done).
  const errors = useLoad(
    () => (batchId ? listIngestBatchErrors({ id: batchId, current: 1, pageSize: ERROR_PREVIEW_SIZE }) : Promise.resolve(undefined)),
    [batchId, status],
  );

  // Follow a queued or running batch until it settles.
  useEffect(() => {
    if (!current || !isActive(current)) return undefined;
    const timer = setTimeout(() => batch.reload(), POLL_INTERVAL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current]);

  const errorTotal = errors.data?.total ?? 0;
  return (
    <Drawer open={!!batchId} onClose={onClose} width={760} title="批次详情" destroyOnHidden>
      {!current ? (
        <Skeleton active loading={batch.loading} />
      ) : (
        <div data-testid="batch-detail">
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label="数据源">{current.sourceName}</Descriptions.Item>
            <Descriptions.Item label="数据类别">{INGEST_CATEGORY_LABELS[current.category]}</Descriptions.Item>
            <Descriptions.Item label="方式">{BATCH_ORIGIN_LABELS[current.origin]}</Descriptions.Item>
            <Descriptions.Item label={current.origin === 'file' ? '文件' : '批次号'}>
              {current.fileName ?? current.externalBatchId ?? '-'}
            </Descriptions.Item>
            <Descriptions.Item label="状态" span={2}>
              <BatchStatus batch={current} />
            </Descriptions.Item>
            <Descriptions.Item label="提交人">{current.createdByName ?? '-'}</Descriptions.Item>
            <Descriptions.Item label="提交时间">{formatDateTime(current.createdAt)}</Descriptions.Item>
            <Descriptions.Item label="开始时间">{formatDateTime(current.startedAt)}</Descriptions.Item>
            <Descriptions.Item label="完成时间">{formatDateTime(current.finishedAt)}</Descriptions.Item>
          </Descriptions>

          <Descriptions title="处理结果" column={3} size="small" bordered style={{ marginTop: 16 }} data-testid="batch-counts">
            {COUNT_LABELS.map(([key, label]) => (
              <Descriptions.Item key={key} label={label}>
                <span data-testid={`batch-count-${key}`}>{current.counts[key].toLocaleString('zh-CN')}</span>
              </Descriptions.Item>
            ))}
          </Descriptions>

          {current.status === 'failed' && (
            <Alert
              type="error"
              showIcon
              style={{ marginTop: 16 }}
              data-testid="batch-failure"
              message="导入失败"
              description={current.failureReason ?? '未说明原因'}
            />
          )}

          <Space style={{ marginTop: 24, marginBottom: 8, width: '100%', justifyContent: 'space-between' }} wrap>
            <Typography.Title level={5} style={{ margin: 0 }}>
              逐行错误{errorTotal > 0 ? `（共 ${errorTotal.toLocaleString('zh-CN')} 条${errorTotal > ERROR_PREVIEW_SIZE ? `，显示前 ${ERROR_PREVIEW_SIZE} 条` : ''}）` : ''}
            </Typography.Title>
            {errorTotal > 0 && (
              <Space>
                <Button icon={<DownloadOutlined />} href={errorReportUrl(current.id, 'csv')} data-testid="error-report-csv">
                  下载错误报告（CSV）
                </Button>
                <Button icon={<DownloadOutlined />} href={errorReportUrl(current.id, 'xlsx')} data-testid="error-report-xlsx">
                  下载错误报告（XLSX）
                </Button>
              </Space>
            )}
          </Space>
          <Table<TRowErrorItem>
            rowKey={(e) => `${e.rowNumber}-${e.field}-${e.reason}`}
            size="small"
            pagination={false}
            loading={errors.loading && !errors.data}
            dataSource={errors.data?.list ?? []}
            locale={{ emptyText: '没有错误行' }}
            onRow={() => ({ 'data-testid': 'row-error' }) as object}
            columns={[
              { title: '行号', dataIndex: 'rowNumber', width: 80 },
              { title: '字段', dataIndex: 'label', width: 140, render: (label: string, e) => label || e.field || '-' },
              {
                title: '填写值',
                dataIndex: 'value',
                width: 180,
                render: (value: string) => (value ? <Typography.Text code>{value}</Typography.Text> : <Typography.Text type="secondary">（空）</Typography.Text>),
              },
              { title: '原因', dataIndex: 'reason' },
            ]}
          />
        </div>
      )}
    </Drawer>
  );
}
