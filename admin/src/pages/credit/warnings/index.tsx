import { type ActionType, ModalForm, PageContainer, ProFormTextArea, type ProColumns, ProTable } from '@ant-design/pro-components';
import { Link, useAccess, useSearchParams } from '@umijs/max';
import type { TCreditWarning } from '@xyd/shared';
import { CREDIT_CATEGORY_LABELS, WARNING_SEVERITY_LABELS, WARNING_STATUS_LABELS } from '@xyd/shared';
import { Alert, App, Descriptions, List, Space, Tag, Typography } from 'antd';
import { type Key, useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { toTableResult } from '@/services/api';
import { acknowledgeCreditWarning, closeCreditWarning, listCreditWarnings } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { SEVERITY_COLORS, WARNING_RULE_ENUM, WARNING_SEVERITY_ENUM, WARNING_STATUS_ENUM } from '../labels';

type TWarningStatus = TCreditWarning['status'];
type TSeverity = TCreditWarning['severity'];

interface WarningFilters {
  status?: TWarningStatus;
  rule?: string;
  severity?: TSeverity;
  keyword?: string;
  enterpriseId?: string;
}

const STATUSES = Object.keys(WARNING_STATUS_LABELS) as TWarningStatus[];

/**
 * Open warnings first by default; a link to one warning (`?id=`, from a notification) shows every status, since the
 * warning may have been handled since.
 */
function initialStatus(status: string | null, linkedId: string | null): TWarningStatus | undefined {
  if (status === 'all' || (linkedId && !status)) return undefined;
  return STATUSES.includes(status as TWarningStatus) ? (status as TWarningStatus) : 'open';
}

function Evidence({ warning }: { warning: TCreditWarning }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="warning-evidence">
      <List
        size="small"
        header={<Typography.Text strong>依据记录（{warning.evidence.length}）</Typography.Text>}
        dataSource={warning.evidence}
        locale={{ emptyText: '无关联记录（由评分变化触发）' }}
        renderItem={(e) => (
          <List.Item data-testid="warning-evidence-item">
            <Space wrap>
              {e.category && <Tag>{CREDIT_CATEGORY_LABELS[e.category]}</Tag>}
              <span>{e.summary}</span>
            </Space>
          </List.Item>
        )}
      />
      {(warning.acknowledgedAt || warning.closedAt || warning.closeNote) && (
        <Descriptions size="small" column={1}>
          {warning.acknowledgedAt && <Descriptions.Item label="确认时间">{formatDateTime(warning.acknowledgedAt)}</Descriptions.Item>}
          {warning.closedAt && <Descriptions.Item label="关闭时间">{formatDateTime(warning.closedAt)}</Descriptions.Item>}
          {warning.closeNote && <Descriptions.Item label="处理说明">{warning.closeNote}</Descriptions.Item>}
        </Descriptions>
      )}
    </Space>
  );
}

/** 风险预警: the warnings raised on the region's enterprises, their evidence, and acknowledge / close with a note. */
export default function CreditWarningsPage() {
  const { message } = App.useApp();
  const access = useAccess();
  const [searchParams] = useSearchParams();
  const linkedId = searchParams.get('id');
  const enterpriseId = searchParams.get('enterpriseId') ?? undefined;
  const actionRef = useRef<ActionType>();
  const [expanded, setExpanded] = useState<readonly Key[]>(linkedId ? [linkedId] : []);
  const [closing, setClosing] = useState<TCreditWarning | null>(null);
  const [acknowledging, setAcknowledging] = useState<string | null>(null);

  const acknowledge = async (w: TCreditWarning) => {
    setAcknowledging(w.id);
    try {
      await acknowledgeCreditWarning({ id: w.id });
      message.success('已确认，请跟进处理');
      actionRef.current?.reload();
    } catch {
      // shown globally
    } finally {
      setAcknowledging(null);
    }
  };

  const columns: ProColumns<TCreditWarning>[] = [
    {
      title: '关键字',
      dataIndex: 'keyword',
      hideInTable: true,
      fieldProps: { 'aria-label': '关键字', placeholder: '企业名称或统一社会信用代码' },
    },
    { title: '预警时间', dataIndex: 'raisedAt', search: false, width: 170, render: (_, w) => formatDateTime(w.raisedAt) },
    {
      title: '企业',
      dataIndex: 'enterpriseName',
      search: false,
      render: (_, w) => (
        <Space direction="vertical" size={0}>
          <Link to={`/enterprises/${w.enterpriseId}`} data-testid="warning-enterprise">
            {w.enterpriseName}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {w.uscc}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: '预警规则',
      dataIndex: 'rule',
      valueType: 'select',
      valueEnum: WARNING_RULE_ENUM,
      width: 130,
      fieldProps: { 'aria-label': '预警规则' },
      render: (_, w) => (
        <span data-testid="warning-rule" data-rule={w.rule}>
          {w.ruleLabel}
        </span>
      ),
    },
    {
      title: '严重程度',
      dataIndex: 'severity',
      valueType: 'select',
      valueEnum: WARNING_SEVERITY_ENUM,
      width: 90,
      fieldProps: { 'aria-label': '严重程度' },
      render: (_, w) => (
        <Tag color={SEVERITY_COLORS[w.severity]} data-testid="warning-severity" data-severity={w.severity}>
          {WARNING_SEVERITY_LABELS[w.severity]}
        </Tag>
      ),
    },
    { title: '预警内容', dataIndex: 'title', search: false, width: 180 },
    { title: '详情', dataIndex: 'detail', search: false, ellipsis: true },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: WARNING_STATUS_ENUM,
      width: 100,
      initialValue: initialStatus(searchParams.get('status'), linkedId),
      fieldProps: { 'aria-label': '状态' },
    },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 110,
      hideInTable: !access.canHandleWarnings,
      render: (_, w) => [
        w.status === 'open' && (
          <a key="ack" onClick={() => acknowledging !== w.id && acknowledge(w)} data-testid="warning-acknowledge">
            确认
          </a>
        ),
        w.status !== 'closed' && (
          <a key="close" onClick={() => setClosing(w)} data-testid="warning-close">
            关闭
          </a>
        ),
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>风险预警</PageTitle>}>
      {enterpriseId && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message="仅显示一家企业的预警"
          action={<Link to="/credit/warnings">查看全部</Link>}
          data-testid="warning-enterprise-filter"
        />
      )}
      <ProTable<TCreditWarning, WarningFilters>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="预警列表"
        // Four filters: keep them all in view.
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        params={{ enterpriseId }}
        request={(params) =>
          toTableResult(
            listCreditWarnings({
              current: params.current,
              pageSize: params.pageSize,
              status: params.status,
              rule: params.rule,
              severity: params.severity,
              keyword: params.keyword?.trim() || undefined,
              enterpriseId: params.enterpriseId,
            }),
          )
        }
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (keys) => setExpanded(keys),
          expandedRowRender: (w) => <Evidence warning={w} />,
        }}
        rowClassName={(w) => (w.id === linkedId ? 'ant-table-row-selected' : '')}
        onRow={(w) =>
          ({ 'data-testid': 'warning-row', 'data-status': w.status, 'data-linked': String(w.id === linkedId) }) as object
        }
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
      />
      <ModalForm<{ note: string }>
        title={closing ? `关闭预警：${closing.enterpriseName}` : '关闭预警'}
        width={480}
        open={closing !== null}
        modalProps={{ destroyOnHidden: true, okText: '确认关闭', onCancel: () => setClosing(null) }}
        onFinish={async ({ note }) => {
          if (!closing) return true;
          try {
            await closeCreditWarning({ id: closing.id }, { note: note.trim() });
          } catch {
            return false;
          }
          message.success('预警已关闭');
          setClosing(null);
          actionRef.current?.reload();
          return true;
        }}
      >
        {closing && (
          <Typography.Paragraph type="secondary">
            {closing.ruleLabel}：{closing.title}
          </Typography.Paragraph>
        )}
        <ProFormTextArea
          name="note"
          label="处理说明"
          placeholder="请写明核查和处理情况，例如已联系企业、已通知相关机构"
          fieldProps={{ 'aria-label': '处理说明', 'data-testid': 'warning-close-note', maxLength: 500, showCount: true } as object}
          rules={[{ required: true, whitespace: true, message: '请填写关闭说明' }]}
        />
      </ModalForm>
    </PageContainer>
  );
}
