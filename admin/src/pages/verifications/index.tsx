import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Link, useSearchParams } from '@umijs/max';
import type { TVerification, TVerificationStatus } from '@xyd/shared';
import { VERIFICATION_STATUS_LABELS } from '@xyd/shared';
import PageTitle from '@/components/PageTitle';
import { listVerifications } from '@/services/generated';
import { toTableResult } from '@/services/api';
import { formatDateTime } from '@/utils/format';
import { APPLICANT_ROLE_LABELS, VERIFICATION_STATUS_ENUM } from './labels';

const STATUSES = Object.keys(VERIFICATION_STATUS_LABELS) as TVerificationStatus[];

function initialStatus(value: string | null): TVerificationStatus | undefined {
  if (value === 'all') return undefined;
  return STATUSES.includes(value as TVerificationStatus) ? (value as TVerificationStatus) : 'pending';
}

/** The advisor's queue of enterprise verification requests; pending ones first by default. */
export default function VerificationQueuePage() {
  const [searchParams] = useSearchParams();

  const columns: ProColumns<TVerification>[] = [
    {
      title: '企业名称',
      dataIndex: 'enterpriseName',
      search: false,
      render: (_, row) => (
        <Link to={`/verifications/${row.id}`} data-testid="verification-link">
          {row.enterpriseName}
        </Link>
      ),
    },
    { title: '统一社会信用代码', dataIndex: 'uscc', search: false, copyable: true, width: 210 },
    { title: '法定代表人', dataIndex: 'legalRepName', search: false, width: 110 },
    {
      title: '申请人',
      dataIndex: 'applicantName',
      search: false,
      render: (_, row) => `${row.applicantName}（${APPLICANT_ROLE_LABELS[row.applicantRole]}）`,
    },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: VERIFICATION_STATUS_ENUM,
      width: 100,
      initialValue: initialStatus(searchParams.get('status')),
      fieldProps: { 'aria-label': '状态', 'data-testid': 'status-filter' },
    },
    { title: '提交时间', dataIndex: 'createdAt', search: false, render: (_, row) => formatDateTime(row.createdAt) },
    {
      title: '审核人',
      dataIndex: 'reviewerName',
      search: false,
      render: (_, row) => (row.reviewerName ? `${row.reviewerName} · ${formatDateTime(row.reviewedAt)}` : '-'),
    },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 80,
      render: (_, row) => [
        <Link key="view" to={`/verifications/${row.id}`}>
          {row.status === 'pending' ? '审核' : '查看'}
        </Link>,
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>企业认证审核</PageTitle>}>
      <ProTable<TVerification, { status?: TVerificationStatus }>
        rowKey="id"
        columns={columns}
        headerTitle="认证申请"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(listVerifications({ current: params.current, pageSize: params.pageSize, status: params.status }))
        }
        onRow={(row) => ({ 'data-testid': 'verification-row', 'data-status': row.status }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
      />
    </PageContainer>
  );
}
