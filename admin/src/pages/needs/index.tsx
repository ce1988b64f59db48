import { PageContainer, type ProColumns, ProTable } from '@ant-design/pro-components';
import { Link, useAccess, useModel, useSearchParams } from '@umijs/max';
import type { TNeed, TNeedQuery, TNeedStatus } from '@xyd/shared';
import { formatFen, NEED_PURPOSE_LABELS, NEED_STATUS_LABELS } from '@xyd/shared';
import { Segmented, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import CalendarNotice from '@/components/CalendarNotice';
import PageTitle from '@/components/PageTitle';
import { toTableResult } from '@/services/api';
import { listNeeds } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { NEED_STATUS_COLORS, NEED_STATUS_ENUM } from './labels';
import NeedClock from './NeedClock';

type TQueue = TNeedQuery['queue'];

interface QueueOption {
  value: TQueue;
  label: string;
}

/**
 * The queues a user may pick: advisors their own (分配给我), platform admins the needs no advisor covers (平台队列),
 * everyone all needs of their region. The first is the default.
 */
export function queueOptions(isAdvisor: boolean, canAssign: boolean): QueueOption[] {
  const options: QueueOption[] = [];
  if (isAdvisor) options.push({ value: 'mine', label: '分配给我' });
  if (canAssign) options.push({ value: 'unassigned', label: '平台队列' });
  options.push({ value: 'all', label: '全部' });
  return options;
}

/** 融资需求: the region's financing needs, those under review first by due date, with the working-day clock. */
export default function NeedListPage() {
  const access = useAccess();
  const { initialState } = useModel('@@initialState');
  const [searchParams, setSearchParams] = useSearchParams();
  const options = queueOptions(initialState?.currentUser?.role === 'advisor', access.canAssignNeeds);
  const linked = options.find((o) => o.value === searchParams.get('queue'));
  const [queue, setQueue] = useState<TQueue>(linked?.value ?? options[0].value);

  const pickQueue = (next: TQueue) => {
    setQueue(next);
    const params = new URLSearchParams(searchParams);
    params.set('queue', next);
    setSearchParams(params, { replace: true });
  };

  const columns: ProColumns<TNeed>[] = [
    {
      title: '企业',
      dataIndex: 'enterpriseName',
      search: false,
      render: (_, n) => (
        <Link to={`/finance/needs/${n.id}`} data-testid="need-link">
          {n.enterpriseName}
        </Link>
      ),
    },
    { title: '金额', dataIndex: 'amountFen', search: false, width: 110, render: (_, n) => formatFen(n.amountFen) },
    { title: '期限', dataIndex: 'termMonths', search: false, width: 80, render: (_, n) => `${n.termMonths} 个月` },
    { title: '用途', dataIndex: 'purpose', search: false, width: 110, render: (_, n) => NEED_PURPOSE_LABELS[n.purpose] },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: NEED_STATUS_ENUM,
      width: 110,
      fieldProps: { 'aria-label': '状态' },
      render: (_, n) => (
        <Tag color={NEED_STATUS_COLORS[n.status]} data-testid="need-status">
          {NEED_STATUS_LABELS[n.status]}
        </Tag>
      ),
    },
    {
      title: '融资顾问',
      dataIndex: 'advisorName',
      search: false,
      width: 110,
      render: (_, n) => (n.advisorId ? n.advisorName : <Tag color="warning">平台队列</Tag>),
    },
    {
      title: '符合产品',
      dataIndex: 'fitCount',
      search: false,
      width: 90,
      render: (_, n) => (n.matchedAt ? `${n.fitCount} 款` : <Typography.Text type="secondary">匹配中…</Typography.Text>),
    },
    { title: '推荐期限', key: 'clock', search: false, width: 170, render: (_, n) => <NeedClock need={n} /> },
    { title: '提交时间', dataIndex: 'submittedAt', search: false, width: 170, render: (_, n) => formatDateTime(n.submittedAt) },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 80,
      render: (_, n) => [
        <Link key="open" to={`/finance/needs/${n.id}`}>
          {n.status === 'reviewing' && access.canReviewNeeds ? '复核' : '查看'}
        </Link>,
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>融资需求</PageTitle>}>
      <CalendarNotice />
      <ProTable<TNeed, { status?: TNeedStatus; queue: TQueue }>
        rowKey="id"
        columns={columns}
        headerTitle={
          <Space>
            <span>需求列表</span>
            {options.length > 1 && (
              <Segmented<TQueue> options={options} value={queue} onChange={pickQueue} data-testid="need-queue" />
            )}
          </Space>
        }
        search={{ labelWidth: 'auto' }}
        params={{ queue }}
        request={(params) =>
          toTableResult(listNeeds({ current: params.current, pageSize: params.pageSize, status: params.status, queue: params.queue }))
        }
        onRow={(n) => ({ 'data-testid': 'need-row', 'data-id': n.id, 'data-status': n.status }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1200 }}
      />
    </PageContainer>
  );
}
