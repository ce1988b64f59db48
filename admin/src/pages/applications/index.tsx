import { PageContainer, type ProColumns, ProTable } from '@ant-design/pro-components';
import { Link, useAccess } from '@umijs/max';
import type { TApplication, TApplicationQuery } from '@xyd/shared';
import { APPLICATION_STATUS_LABELS, formatFen } from '@xyd/shared';
import { Tag } from 'antd';
import CalendarNotice from '@/components/CalendarNotice';
import PageTitle from '@/components/PageTitle';
import { toTableResult } from '@/services/api';
import { listApplications } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { APPLICATION_STATUS_COLORS, APPLICATION_STATUS_ENUM, SLA_FILTER_ENUM } from './labels';
import SlaClock from './SlaClock';

type ApplicationFilters = Pick<TApplicationQuery, 'status' | 'sla' | 'keyword'>;

/**
 * 融资申请: the queue with each application's running clock (受理, then 办结). Institutions see their own, agencies
 * those they were commissioned on, advisors and government users their region's; the server decides.
 */
export default function ApplicationListPage() {
  const access = useAccess();
  const columns: ProColumns<TApplication>[] = [
    { title: '关键字', dataIndex: 'keyword', hideInTable: true, fieldProps: { placeholder: '企业或产品名称', 'aria-label': '关键字' } },
    {
      title: '企业',
      dataIndex: 'enterpriseName',
      search: false,
      render: (_, a) => (
        <Link to={`/finance/applications/${a.id}`} data-testid="application-link">
          {a.enterpriseName}
        </Link>
      ),
    },
    { title: '产品', dataIndex: 'productName', search: false, width: 140 },
    { title: '机构', dataIndex: 'institutionName', search: false, width: 130 },
    { title: '申请金额', dataIndex: 'amountFen', search: false, width: 110, render: (_, a) => formatFen(a.amountFen) },
    { title: '期限', dataIndex: 'termMonths', search: false, width: 80, render: (_, a) => `${a.termMonths} 个月` },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: APPLICATION_STATUS_ENUM,
      width: 130,
      fieldProps: { 'aria-label': '状态' },
      render: (_, a) => (
        <Tag color={APPLICATION_STATUS_COLORS[a.status]} data-testid="application-status">
          {APPLICATION_STATUS_LABELS[a.status]}
        </Tag>
      ),
    },
    {
      title: '时限',
      dataIndex: 'sla',
      valueType: 'select',
      valueEnum: SLA_FILTER_ENUM,
      width: 200,
      fieldProps: { 'aria-label': '时限' },
      render: (_, a) => <SlaClock clock={a.sla} />,
    },
    { title: '提交时间', dataIndex: 'submittedAt', search: false, width: 170, render: (_, a) => formatDateTime(a.submittedAt) },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 80,
      render: (_, a) => [
        <Link key="open" to={`/finance/applications/${a.id}`}>
          {access.canMoveApplications && ['submitted', 'accepted', 'investigating', 'approved'].includes(a.status) ? '办理' : '查看'}
        </Link>,
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>融资申请</PageTitle>}>
      <CalendarNotice />
      <ProTable<TApplication, ApplicationFilters>
        rowKey="id"
        columns={columns}
        headerTitle="申请列表"
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        request={(params) =>
          toTableResult(
            listApplications({
              current: params.current,
              pageSize: params.pageSize,
              status: params.status,
              sla: params.sla,
              keyword: params.keyword?.trim() || undefined,
            }),
          )
        }
        onRow={(a) => ({ 'data-testid': 'application-row', 'data-id': a.id, 'data-status': a.status }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1200 }}
      />
    </PageContainer>
  );
}
