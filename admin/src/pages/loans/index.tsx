import { PageContainer, ProCard, type ProColumns, ProTable } from '@ant-design/pro-components';
import { Link } from '@umijs/max';
import type { TLoan, TLoanQuery } from '@xyd/shared';
import { formatFen, formatRateBp, LOAN_CLASS_LABELS, LOAN_STATUS_LABELS } from '@xyd/shared';
import { Alert, Table, Tag, Typography } from 'antd';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { toTableResult } from '@/services/api';
import { getFinancingFigures, type GetFinancingFiguresResult, listLoans } from '@/services/generated';
import { LOAN_STATUS_COLORS } from '../applications/labels';
import { LoanClassTag } from '../applications/LoanSection';

// As the API document gives it (ZInstitutionFigures in shared; byClass may leave a class out there).
type TInstitutionFigures = GetFinancingFiguresResult[number];
type LoanFilters = Pick<TLoanQuery, 'loanClass' | 'status'>;

const LOAN_CLASS_ENUM = Object.fromEntries(Object.entries(LOAN_CLASS_LABELS).map(([k, text]) => [k, { text }]));
const LOAN_STATUS_ENUM = Object.fromEntries(
  (Object.keys(LOAN_STATUS_LABELS) as (keyof typeof LOAN_STATUS_LABELS)[]).map((k) => [
    k,
    { text: LOAN_STATUS_LABELS[k], status: LOAN_STATUS_COLORS[k] },
  ]),
);

/** A share in [0, 1] as a percentage; "-" when there is nothing to share out. */
export function formatShare(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 1000) / 10}%`;
}

/** Per institution: applications and their breaches, loans, money out and outstanding, NPL, first loans, credit loans, visits. */
function InstitutionFigures() {
  const figures = useLoad(() => getFinancingFigures(), []);
  if (figures.error) return <Alert type="warning" showIcon message="机构统计加载失败" style={{ marginBottom: 16 }} />;
  return (
    <ProCard title="机构融资统计" bordered style={{ marginBottom: 16 }} data-testid="financing-figures">
      <Table<TInstitutionFigures>
        rowKey="institutionId"
        size="small"
        loading={figures.loading}
        dataSource={figures.data ?? []}
        pagination={false}
        scroll={{ x: 1200 }}
        locale={{ emptyText: '暂无数据' }}
        onRow={(f) => ({ 'data-testid': 'figures-row', 'data-id': f.institutionId }) as object}
        columns={[
          { title: '金融机构', dataIndex: 'institutionName', fixed: 'left', width: 150 },
          { title: '申请笔数', dataIndex: 'applications', width: 110, render: (_: unknown, f) => `${f.applications}（在办 ${f.open}）` },
          {
            title: '受理超时',
            dataIndex: 'acceptBreaches',
            width: 90,
            render: (v: number) => (v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : 0),
          },
          {
            title: '办结超时',
            dataIndex: 'decideBreaches',
            width: 90,
            render: (v: number) => (v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : 0),
          },
          { title: '放款笔数', dataIndex: 'loans', width: 90 },
          { title: '放款金额', dataIndex: 'disbursedFen', width: 120, render: (v: number) => formatFen(v) },
          { title: '贷款余额', dataIndex: 'balanceFen', width: 120, render: (v: number) => formatFen(v) },
          { title: '加权利率', dataIndex: 'weightedRateBp', width: 90, render: (v: number | null) => (v === null ? '-' : formatRateBp(v)) },
          { title: '不良余额', dataIndex: 'nplBalanceFen', width: 120, render: (v: number) => formatFen(v) },
          { title: '首贷户', dataIndex: 'firstLoanFirms', width: 80 },
          { title: '信用贷款占比', dataIndex: 'creditLoanShare', width: 110, render: (v: number | null) => formatShare(v) },
          {
            title: '回访满意度',
            dataIndex: 'satisfiedShare',
            width: 120,
            render: (_: unknown, f) => (f.visits > 0 ? `${formatShare(f.satisfiedShare)}（${f.visits} 次）` : '-'),
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        不良余额为次级、可疑、损失类贷款的余额；回访满意度为满意及以上的回访占比。
      </Typography.Paragraph>
    </ProCard>
  );
}

/** 贷款管理: every loan in the caller's scope with its balance, days overdue and 五级分类, and the institutions' figures. */
export default function LoanListPage() {
  const columns: ProColumns<TLoan>[] = [
    {
      title: '企业',
      dataIndex: 'enterpriseName',
      search: false,
      render: (_, l) => (
        <Link to={`/finance/applications/${l.applicationId}`} data-testid="loan-link">
          {l.enterpriseName}
        </Link>
      ),
    },
    { title: '金融机构', dataIndex: 'institutionName', search: false, width: 130 },
    {
      title: '贷款编号 / 合同编号',
      key: 'numbers',
      search: false,
      width: 170,
      // What a repayment file or push names the loan by.
      render: (_, l) => (
        <span data-testid="loan-numbers">
          <Typography.Text copyable={{ text: l.id }}>{l.id}</Typography.Text>
          <br />
          <Typography.Text type="secondary">{l.contractNo || '未填合同编号'}</Typography.Text>
        </span>
      ),
    },
    { title: '放款金额', dataIndex: 'amountFen', search: false, width: 110, render: (_, l) => formatFen(l.amountFen) },
    { title: '年利率', dataIndex: 'rateBp', search: false, width: 80, render: (_, l) => formatRateBp(l.rateBp) },
    { title: '放款日期', dataIndex: 'disbursedOn', search: false, width: 110 },
    { title: '余额', key: 'balance', search: false, width: 110, render: (_, l) => formatFen(l.figures.balanceFen) },
    {
      title: '逾期天数',
      key: 'daysOverdue',
      search: false,
      width: 90,
      render: (_, l) => (l.figures.daysOverdue > 0 ? <Typography.Text type="danger">{l.figures.daysOverdue} 天</Typography.Text> : '0 天'),
    },
    {
      title: '五级分类',
      dataIndex: 'loanClass',
      valueType: 'select',
      valueEnum: LOAN_CLASS_ENUM,
      width: 100,
      fieldProps: { 'aria-label': '五级分类' },
      render: (_, l) => <LoanClassTag loanClass={l.figures.loanClass} />,
    },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: LOAN_STATUS_ENUM,
      width: 110,
      fieldProps: { 'aria-label': '状态' },
      render: (_, l) => (
        <Tag color={LOAN_STATUS_COLORS[l.figures.status]} data-testid="loan-status">
          {LOAN_STATUS_LABELS[l.figures.status]}
        </Tag>
      ),
    },
  ];

  return (
    <PageContainer title={<PageTitle>贷款管理</PageTitle>}>
      <InstitutionFigures />
      <ProTable<TLoan, LoanFilters>
        rowKey="id"
        columns={columns}
        headerTitle="贷款列表"
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        request={(params) =>
          toTableResult(
            listLoans({ current: params.current, pageSize: params.pageSize, loanClass: params.loanClass, status: params.status }),
          )
        }
        onRow={(l) => ({ 'data-testid': 'loan-row', 'data-id': l.id, 'data-class': l.figures.loanClass }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1100 }}
      />
    </PageContainer>
  );
}
