import { type ActionType, ModalForm, PageContainer, ProFormRadio, ProFormTextArea, type ProColumns, ProTable } from '@ant-design/pro-components';
import { Link, useAccess, useSearchParams } from '@umijs/max';
import type { TCreditDispute, TDisputeResolve, TDisputeStatus } from '@xyd/shared';
import { CREDIT_CATEGORY_LABELS, DISPUTE_DEADLINE_DAYS, DISPUTE_STATUS_LABELS } from '@xyd/shared';
import { Alert, App, Space, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { toTableResult } from '@/services/api';
import { getCreditDisputeEvidenceUrl, listCreditDisputes, resolveCreditDispute } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { DISPUTE_STATUS_ENUM } from '../labels';

const STATUSES = Object.keys(DISPUTE_STATUS_LABELS) as TDisputeStatus[];
/** From this many days left the clock turns red. */
const DUE_SOON_DAYS = 3;

/** Open disputes first by default; a notification's link (`?id=`) shows every status, the dispute may be closed since. */
function initialStatus(status: string | null, linkedId: string | null): TDisputeStatus | undefined {
  if (status === 'all' || (linkedId && !status)) return undefined;
  return STATUSES.includes(status as TDisputeStatus) ? (status as TDisputeStatus) : 'open';
}

/** The 20-day clock of an open dispute: red from three days left, and how far past the due date once overdue. */
export function dueClock(d: Pick<TCreditDispute, 'status' | 'daysLeft'>): { color: string; text: string } | null {
  if (d.status !== 'open' || d.daysLeft === null) return null;
  if (d.daysLeft < 0) return { color: 'red', text: `已超期 ${-d.daysLeft} 天` };
  if (d.daysLeft === 0) return { color: 'red', text: '今日到期' };
  return { color: d.daysLeft <= DUE_SOON_DAYS ? 'red' : 'blue', text: `剩余 ${d.daysLeft} 天` };
}

const OUTCOME_OPTIONS = [
  { value: 'upheld', label: '异议成立（撤回记录）' },
  { value: 'rejected', label: '异议不成立（维持记录）' },
];

/**
 * 异议处理: enterprises' disputes of credit records (征信业管理条例 art. 25), with the 20-day clock; the data source
 * or an advisor decides each one, and an upheld dispute withdraws the record and rescores the firm.
 */
export default function CreditDisputesPage() {
  const { message } = App.useApp();
  const access = useAccess();
  const [searchParams] = useSearchParams();
  const linkedId = searchParams.get('id');
  const actionRef = useRef<ActionType>();
  const [resolving, setResolving] = useState<TCreditDispute | null>(null);

  const columns: ProColumns<TCreditDispute>[] = [
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: DISPUTE_STATUS_ENUM,
      hideInTable: true,
      initialValue: initialStatus(searchParams.get('status'), linkedId),
      fieldProps: { 'aria-label': '状态' },
    },
    { title: '提出时间', dataIndex: 'raisedAt', search: false, width: 170, render: (_, d) => formatDateTime(d.raisedAt) },
    {
      title: '企业',
      dataIndex: 'enterpriseName',
      search: false,
      width: 180,
      render: (_, d) => (
        <Link to={`/enterprises/${d.enterpriseId}`} data-testid="dispute-enterprise">
          {d.enterpriseName}
        </Link>
      ),
    },
    { title: '记录类别', dataIndex: 'category', search: false, width: 100, render: (_, d) => CREDIT_CATEGORY_LABELS[d.category] },
    { title: '异议记录', dataIndex: 'recordSummary', search: false },
    { title: '数据源', dataIndex: 'sourceName', search: false, width: 160 },
    {
      title: '异议理由',
      dataIndex: 'reason',
      search: false,
      render: (_, d) => (
        <Space direction="vertical" size={0}>
          <span>{d.reason}</span>
          {d.evidenceFileId && (
            <a href={getCreditDisputeEvidenceUrl({ id: d.id })} target="_blank" rel="noreferrer" data-testid="dispute-evidence">
              查看证明材料
            </a>
          )}
        </Space>
      ),
    },
    {
      title: '处理期限',
      dataIndex: 'dueOn',
      search: false,
      width: 130,
      render: (_, d) => {
        const clock = dueClock(d);
        return (
          <Space direction="vertical" size={0}>
            <span>{d.dueOn}</span>
            {clock && (
              <Tag color={clock.color} data-testid="dispute-clock">
                {clock.text}
              </Tag>
            )}
          </Space>
        );
      },
    },
    {
      title: '处理结果',
      key: 'outcome',
      search: false,
      width: 220,
      render: (_, d) => (
        <Space direction="vertical" size={0}>
          <Tag color={d.status === 'open' ? 'processing' : d.status === 'upheld' ? 'success' : 'default'} data-testid="dispute-status">
            {DISPUTE_STATUS_LABELS[d.status]}
          </Tag>
          {d.resolvedAt && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {d.resolvedByName ?? ''} · {formatDateTime(d.resolvedAt)}
            </Typography.Text>
          )}
          {d.resolutionNote && <span style={{ fontSize: 12 }}>{d.resolutionNote}</span>}
        </Space>
      ),
    },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 80,
      hideInTable: !access.canResolveDisputes,
      render: (_, d) => [
        d.status === 'open' && (
          <a key="resolve" onClick={() => setResolving(d)} data-testid="dispute-resolve">
            处理
          </a>
        ),
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>异议处理</PageTitle>}>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        message={`企业对信用记录提出异议后，报送该记录的数据源或融资顾问须在 ${DISPUTE_DEADLINE_DAYS} 日内核查处理；处理期间该记录标注为“异议中”。`}
      />
      <ProTable<TCreditDispute, { status?: TDisputeStatus }>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="异议列表"
        search={{ labelWidth: 'auto' }}
        request={(params) => toTableResult(listCreditDisputes({ current: params.current, pageSize: params.pageSize, status: params.status }))}
        rowClassName={(d) => (d.id === linkedId ? 'ant-table-row-selected' : '')}
        onRow={(d) =>
          ({ 'data-testid': 'dispute-row', 'data-id': d.id, 'data-status': d.status, 'data-linked': String(d.id === linkedId) }) as object
        }
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1300 }}
      />
      <ModalForm<TDisputeResolve>
        title={resolving ? `处理异议：${resolving.enterpriseName}` : '处理异议'}
        width={520}
        open={resolving !== null}
        modalProps={{ destroyOnHidden: true, okText: '提交处理结果', onCancel: () => setResolving(null) }}
        onFinish={async ({ outcome, note }) => {
          if (!resolving) return true;
          try {
            await resolveCreditDispute({ id: resolving.id }, { outcome, note: note.trim() });
          } catch {
            return false;
          }
          message.success(outcome === 'upheld' ? '异议成立，记录已撤回，企业评分将重新计算' : '异议不成立，记录维持');
          setResolving(null);
          actionRef.current?.reload();
          return true;
        }}
      >
        {resolving && (
          <Typography.Paragraph type="secondary" data-testid="dispute-resolve-record">
            {CREDIT_CATEGORY_LABELS[resolving.category]}：{resolving.recordSummary}
            <br />
            异议理由：{resolving.reason}
          </Typography.Paragraph>
        )}
        <ProFormRadio.Group
          name="outcome"
          label="处理结果"
          options={OUTCOME_OPTIONS}
          rules={[{ required: true, message: '请选择处理结果：异议成立或不成立' }]}
        />
        <ProFormTextArea
          name="note"
          label="处理说明"
          placeholder="请写明核查情况和依据，企业将在小程序中看到"
          fieldProps={{ 'aria-label': '处理说明', 'data-testid': 'dispute-resolve-note', maxLength: 500, showCount: true } as object}
          rules={[{ required: true, whitespace: true, message: '请填写处理说明' }]}
        />
      </ModalForm>
    </PageContainer>
  );
}
