import { ReloadOutlined } from '@ant-design/icons';
import { type ActionType, PageContainer, ProCard, type ProColumns, type ProFormInstance, ProTable } from '@ant-design/pro-components';
import type { TJob, TJobQueueSummary, TJobStatus } from '@xyd/shared';
import { JOB_STATUS_LABELS } from '@xyd/shared';
import { App, Button, Table, Typography } from 'antd';
import { useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { toTableResult } from '@/services/api';
import { getJobSummary, listJobs, retryJob } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

const STATUS_BADGE: Record<TJobStatus, 'Default' | 'Processing' | 'Success' | 'Error'> = {
  pending: 'Default',
  running: 'Processing',
  done: 'Success',
  failed: 'Error',
};

const JOB_STATUS_ENUM = Object.fromEntries(
  (Object.keys(JOB_STATUS_LABELS) as TJobStatus[]).map((s) => [s, { text: JOB_STATUS_LABELS[s], status: STATUS_BADGE[s] }]),
);

interface JobFilters {
  status?: TJobStatus;
  type?: string;
}

/** Platform operations: the worker's queues, what runs now, what failed and why, and putting a failed job back. */
export default function JobsPage() {
  const { message } = App.useApp();
  const actionRef = useRef<ActionType>();
  const formRef = useRef<ProFormInstance<JobFilters>>();
  const [retrying, setRetrying] = useState<string>();
  const summary = useLoad(getJobSummary, []);
  const queues = summary.data?.queues ?? [];

  const refresh = () => {
    summary.reload();
    actionRef.current?.reload();
  };

  /** Narrow the job table to one queue and state (from a count in the summary). */
  const showJobs = (type: string, status: TJobStatus) => {
    formRef.current?.setFieldsValue({ type, status });
    formRef.current?.submit();
  };

  const onRetry = async (job: TJob) => {
    setRetrying(job.id);
    try {
      await retryJob({ id: job.id });
      message.success('已重新加入队列');
    } catch {
      // shown globally (409: the job is no longer failed)
    } finally {
      setRetrying(undefined);
      refresh();
    }
  };

  const count = (row: TJobQueueSummary, status: TJobStatus) => {
    const value = row[status];
    if (value === 0) return 0;
    return (
      <a data-testid={`queue-${status}`} onClick={() => showJobs(row.type, status)}>
        {value}
      </a>
    );
  };

  const columns: ProColumns<TJob>[] = [
    { title: '编号', dataIndex: 'id', search: false, width: 170 },
    {
      title: '类型',
      dataIndex: 'type',
      valueType: 'select',
      fieldProps: { 'aria-label': '任务类型', options: queues.map((q) => ({ value: q.type, label: q.type })), showSearch: true },
      render: (_, job) => <Typography.Text code>{job.type}</Typography.Text>,
    },
    { title: '状态', dataIndex: 'status', valueType: 'select', valueEnum: JOB_STATUS_ENUM, fieldProps: { 'aria-label': '任务状态' }, width: 100 },
    { title: '尝试次数', key: 'attempts', search: false, width: 90, render: (_, job) => `${job.attempts} / ${job.maxAttempts}` },
    { title: '计划时间', dataIndex: 'runAt', search: false, width: 170, render: (_, job) => formatDateTime(job.runAt) },
    {
      title: '执行',
      key: 'execution',
      search: false,
      width: 220,
      render: (_, job) =>
        job.status === 'running' ? (
          <span>
            {job.leaseOwner ?? '-'}（租约至 {formatDateTime(job.leaseUntil)}）
          </span>
        ) : job.finishedAt ? (
          `结束于 ${formatDateTime(job.finishedAt)}`
        ) : job.startedAt ? (
          `开始于 ${formatDateTime(job.startedAt)}`
        ) : (
          '-'
        ),
    },
    {
      title: '错误',
      dataIndex: 'lastError',
      search: false,
      render: (_, job) =>
        job.lastError ? (
          <Typography.Text type="danger" data-testid="job-error" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {job.lastError}
          </Typography.Text>
        ) : (
          '-'
        ),
    },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 80,
      render: (_, job) =>
        job.status === 'failed'
          ? [
              <Button key="retry" size="small" loading={retrying === job.id} onClick={() => onRetry(job)} data-testid="job-retry">
                重试
              </Button>,
            ]
          : [],
    },
  ];

  return (
    <PageContainer title={<PageTitle>任务队列</PageTitle>}>
      <ProCard
        title="队列概览"
        bordered
        style={{ marginBottom: 16 }}
        extra={
          <Button size="small" icon={<ReloadOutlined />} loading={summary.loading} onClick={refresh} data-testid="jobs-refresh">
            刷新
          </Button>
        }
      >
        <Table<TJobQueueSummary>
          rowKey="type"
          size="small"
          pagination={false}
          loading={summary.loading && !summary.data}
          dataSource={queues}
          locale={{ emptyText: '暂无任务' }}
          onRow={(row) => ({ 'data-testid': 'queue-row', 'data-type': row.type }) as object}
          columns={[
            { title: '类型', dataIndex: 'type', render: (type: string) => <Typography.Text code>{type}</Typography.Text> },
            { title: '等待中', key: 'pending', render: (_, row) => count(row, 'pending') },
            { title: '运行中', key: 'running', render: (_, row) => count(row, 'running') },
            { title: '已完成', key: 'done', render: (_, row) => count(row, 'done') },
            {
              title: '已失败',
              key: 'failed',
              render: (_, row) => (row.failed > 0 ? <Typography.Text type="danger">{count(row, 'failed')}</Typography.Text> : 0),
            },
            { title: '最近完成', dataIndex: 'lastFinishedAt', render: (value: string | null) => formatDateTime(value) },
            { title: '计划', dataIndex: 'schedule', render: (value: string | null) => (value ? <Typography.Text code>{value}</Typography.Text> : '-') },
          ]}
        />
      </ProCard>
      <ProTable<TJob, JobFilters>
        rowKey="id"
        actionRef={actionRef}
        formRef={formRef}
        columns={columns}
        headerTitle="任务列表"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(listJobs({ current: params.current, pageSize: params.pageSize, status: params.status, type: params.type }))
        }
        expandable={{
          rowExpandable: (job) => !!job.payload,
          expandedRowRender: (job) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify(job.payload, null, 2)}</pre>,
        }}
        onRow={(job) => ({ 'data-testid': 'job-row', 'data-status': job.status }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false, reload: false }}
      />
    </PageContainer>
  );
}
