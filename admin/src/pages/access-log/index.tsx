import { PageContainer, type ProColumns, ProTable } from '@ant-design/pro-components';
import { Link } from '@umijs/max';
import type { TAccessLogEntry, TAccessLogQuery } from '@xyd/shared';
import { ACCESS_ACTION_LABELS, ACCESS_CHANNEL_LABELS, DATA_SCOPE_LABELS } from '@xyd/shared';
import { Space, Tag, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import PageTitle from '@/components/PageTitle';
import { toTableResult } from '@/services/api';
import { listAccessLog } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

type AccessLogFilters = Pick<TAccessLogQuery, 'enterpriseId' | 'organisationId' | 'applicationId' | 'from' | 'to'>;

/** The ids the server takes are digits; say which field is wrong before asking. */
const idRule = (label: string): Rule => ({
  validator: (_, value: string | undefined) =>
    !value || /^\s*\d{1,19}\s*$/.test(value) ? Promise.resolve() : Promise.reject(new Error(`${label}应为数字`)),
});

const idFilter = (title: string, dataIndex: keyof AccessLogFilters): ProColumns<TAccessLogEntry> => ({
  title,
  dataIndex,
  hideInTable: true,
  fieldProps: { placeholder: '编号', 'aria-label': title },
  formItemProps: { rules: [idRule(title)] },
});

/**
 * 数据访问日志: every read of enterprise data under a grant — who (user and organisation), when, which data, by which
 * action and channel, from which console page or API path. What the enterprise sees of its own, across all firms.
 */
export default function AccessLogPage() {
  const columns: ProColumns<TAccessLogEntry>[] = [
    idFilter('企业编号', 'enterpriseId'),
    idFilter('机构编号', 'organisationId'),
    idFilter('申请编号', 'applicationId'),
    {
      title: '日期',
      dataIndex: 'at',
      valueType: 'dateRange',
      hideInTable: true,
      fieldProps: { 'aria-label': '日期', placeholder: ['开始日期', '结束日期'] },
      search: { transform: (value: [string, string]) => ({ from: value[0], to: value[1] }) },
    },
    { title: '时间', key: 'time', search: false, width: 170, render: (_, r) => formatDateTime(r.at) },
    {
      title: '企业',
      dataIndex: 'enterpriseName',
      search: false,
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <span>{r.enterpriseName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            #{r.enterpriseId}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: '机构',
      dataIndex: 'organisationName',
      search: false,
      width: 150,
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <span>{r.organisationName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            #{r.organisationId}
          </Typography.Text>
        </Space>
      ),
    },
    { title: '用户', dataIndex: 'userName', search: false, width: 110 },
    { title: '数据范围', dataIndex: 'scope', search: false, width: 120, render: (_, r) => <Tag>{DATA_SCOPE_LABELS[r.scope]}</Tag> },
    {
      title: '操作',
      dataIndex: 'action',
      search: false,
      width: 170,
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <span>{ACCESS_ACTION_LABELS[r.action]}</span>
          {r.applicationId && (
            <Link to={`/finance/applications/${r.applicationId}`} style={{ fontSize: 12 }}>
              申请 #{r.applicationId}
            </Link>
          )}
        </Space>
      ),
    },
    { title: '渠道', dataIndex: 'channel', search: false, width: 110, render: (_, r) => ACCESS_CHANNEL_LABELS[r.channel] },
    {
      title: '页面',
      dataIndex: 'page',
      search: false,
      width: 220,
      render: (_, r) => (
        <Typography.Text code style={{ wordBreak: 'break-all' }}>
          {r.page || '-'}
        </Typography.Text>
      ),
    },
  ];

  return (
    <PageContainer title={<PageTitle>数据访问日志</PageTitle>}>
      <ProTable<TAccessLogEntry, AccessLogFilters>
        rowKey="id"
        columns={columns}
        headerTitle="授权数据访问记录"
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        // A query form ignores field rules unless told otherwise; the id filters need theirs.
        form={{ ignoreRules: false }}
        request={(params) =>
          toTableResult(
            listAccessLog({
              current: params.current,
              pageSize: params.pageSize,
              enterpriseId: params.enterpriseId?.trim() || undefined,
              organisationId: params.organisationId?.trim() || undefined,
              applicationId: params.applicationId?.trim() || undefined,
              from: params.from,
              to: params.to,
            }),
          )
        }
        onRow={(r) => ({ 'data-testid': 'access-row', 'data-id': r.id }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1200 }}
      />
    </PageContainer>
  );
}
