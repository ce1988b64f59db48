import { ProCard, ProForm, ProFormDatePicker, ProFormDigit, ProFormText } from '@ant-design/pro-components';
import type { TLoan, TRepayment } from '@xyd/shared';
import {
  REPAYMENT_CHANNEL_LABELS,
  formatFen,
  formatRateBp,
  GUARANTEE_METHOD_LABELS,
  LOAN_CLASS_LABELS,
  LOAN_STATUS_LABELS,
  REPAYMENT_METHOD_LABELS,
} from '@xyd/shared';
import { App, Descriptions, Form, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { reportRepayment } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { yuanToFen } from '../products/terms';
import { MAX_YUAN, MONEY_RENAMES, required, showFieldErrors, todayInShanghai, wholeFen } from './forms';
import { LOAN_CLASS_COLORS, LOAN_STATUS_COLORS } from './labels';

type TInstalment = TLoan['schedule'][number];

/** 五级分类 as a tag: green for 正常, darker towards 损失. */
export function LoanClassTag({ loanClass }: { loanClass: TLoan['figures']['loanClass'] }) {
  return (
    <Tag color={LOAN_CLASS_COLORS[loanClass]} data-testid="loan-class">
      {LOAN_CLASS_LABELS[loanClass]}
    </Tag>
  );
}

function Figures({ loan }: { loan: TLoan }) {
  const f = loan.figures;
  return (
    <Descriptions column={{ xs: 1, md: 3 }} size="small" data-testid="loan-figures">
      <Descriptions.Item label="贷款余额">{formatFen(f.balanceFen)}</Descriptions.Item>
      <Descriptions.Item label="五级分类">
        <LoanClassTag loanClass={f.loanClass} />
      </Descriptions.Item>
      <Descriptions.Item label="还款状态">
        <Tag color={LOAN_STATUS_COLORS[f.status]}>{LOAN_STATUS_LABELS[f.status]}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label="逾期天数">
        {f.daysOverdue > 0 ? (
          <Typography.Text type="danger">
            {f.daysOverdue} 天（自 {f.overdueSince}）
          </Typography.Text>
        ) : (
          '0 天'
        )}
      </Descriptions.Item>
      <Descriptions.Item label="逾期金额">
        {f.overdueFen > 0 ? <Typography.Text type="danger">{formatFen(f.overdueFen)}</Typography.Text> : formatFen(0)}
      </Descriptions.Item>
      <Descriptions.Item label="下一期">{f.nextDue ? `${f.nextDue.dueOn} 应还 ${formatFen(f.nextDue.amountFen)}` : '-'}</Descriptions.Item>
      <Descriptions.Item label="已还本金">{formatFen(f.repaidPrincipalFen)}</Descriptions.Item>
      <Descriptions.Item label="已还利息">{formatFen(f.repaidInterestFen)}</Descriptions.Item>
      <Descriptions.Item label="统计日">{loan.asOf}</Descriptions.Item>
      <Descriptions.Item label="放款金额">{formatFen(loan.amountFen)}</Descriptions.Item>
      <Descriptions.Item label="执行年利率">{formatRateBp(loan.rateBp)}</Descriptions.Item>
      <Descriptions.Item label="期限">
        {loan.termMonths} 个月（{loan.disbursedOn} 至 {loan.maturityOn}）
      </Descriptions.Item>
      <Descriptions.Item label="还款方式">{REPAYMENT_METHOD_LABELS[loan.repaymentMethod]}</Descriptions.Item>
      <Descriptions.Item label="担保方式">{GUARANTEE_METHOD_LABELS[loan.guaranteeMethod]}</Descriptions.Item>
      <Descriptions.Item label="信用贷款">{loan.creditLoan ? '是' : '否'}</Descriptions.Item>
      <Descriptions.Item label="首贷户">{loan.firstLoan ? '是' : '否'}</Descriptions.Item>
      <Descriptions.Item label="合同编号">{loan.contractNo || '-'}</Descriptions.Item>
    </Descriptions>
  );
}

interface RepaymentValues {
  paidOn: string;
  principalYuan: number;
  interestYuan: number;
  reference: string;
}
const REPAYMENT_FIELDS = ['paidOn', 'principalYuan', 'interestYuan', 'reference'] as const;

/** 报送还款: what the firm paid on a day, under the institution's own reference (the same one again is no new payment). */
function RepaymentForm({ loanId, onReported }: { loanId: string; onReported: () => Promise<void> }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<RepaymentValues>();
  const [initialValues] = useState<Partial<RepaymentValues>>(() => ({ paidOn: todayInShanghai(), principalYuan: 0, interestYuan: 0 }));

  const submit = async (v: RepaymentValues) => {
    const principalFen = yuanToFen(v.principalYuan ?? 0);
    const interestFen = yuanToFen(v.interestYuan ?? 0);
    if (principalFen + interestFen === 0) {
      form.setFields([{ name: 'principalYuan', errors: ['归还本金和利息不能都为 0'] }]);
      return false;
    }
    try {
      await reportRepayment({ id: loanId }, { paidOn: v.paidOn, principalFen, interestFen, reference: v.reference.trim() });
    } catch (error) {
      showFieldErrors(form, error, MONEY_RENAMES, REPAYMENT_FIELDS);
      return false;
    }
    message.success('还款已报送');
    form.setFieldsValue({ principalYuan: 0, interestYuan: 0, reference: undefined });
    await onReported();
    return true;
  };

  const money = { min: 0, max: MAX_YUAN, style: { width: 200 } };
  return (
    <div data-testid="repayment-form" style={{ marginTop: 16 }}>
      <Typography.Title level={5}>报送还款</Typography.Title>
      <ProForm<RepaymentValues>
        name="repayment"
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={submit}
        submitter={{ searchConfig: { submitText: '报送还款' }, resetButtonProps: false }}
      >
        <ProForm.Group>
          <ProFormDatePicker
            name="paidOn"
            label="还款日期"
            width={200}
            rules={[required('请选择还款日期')]}
            fieldProps={{ 'aria-label': '还款日期' } as object}
          />
          <ProFormDigit name="principalYuan" label="归还本金（元）" fieldProps={money} rules={[required('请填写归还本金'), wholeFen]} />
          <ProFormDigit name="interestYuan" label="归还利息（元）" fieldProps={money} rules={[required('请填写归还利息'), wholeFen]} />
          <ProFormText
            name="reference"
            label="还款流水号"
            width="md"
            rules={[
              { required: true, whitespace: true, message: '请填写还款流水号' },
              { max: 64, message: '还款流水号最多 64 个字符' },
            ]}
          />
        </ProForm.Group>
      </ProForm>
    </div>
  );
}

/** 贷款: the loan as drawn, its figures today (balance, 五级分类, overdue), the schedule and every repayment. */
export default function LoanSection({ loan, canReport, onChanged }: { loan: TLoan; canReport: boolean; onChanged: () => Promise<void> }) {
  return (
    <ProCard title="贷款" bordered direction="column" gutter={[0, 16]} data-testid="loan-section">
      <ProCard ghost>
        <Figures loan={loan} />
      </ProCard>
      <ProCard title="还款计划" ghost>
        <Table<TInstalment>
          rowKey="dueOn"
          size="small"
          dataSource={loan.schedule}
          pagination={loan.schedule.length > 12 ? { pageSize: 12, showSizeChanger: false } : false}
          onRow={() => ({ 'data-testid': 'schedule-row' }) as object}
          columns={[
            { title: '应还日期', dataIndex: 'dueOn' },
            { title: '本金', dataIndex: 'principalFen', render: (v: number) => formatFen(v) },
            { title: '利息', dataIndex: 'interestFen', render: (v: number) => formatFen(v) },
            { title: '合计', key: 'total', render: (_: unknown, i) => formatFen(i.principalFen + i.interestFen) },
          ]}
        />
      </ProCard>
      <ProCard title={`还款记录（${loan.repayments.length}）`} ghost>
        <Table<TRepayment>
          rowKey="id"
          size="small"
          dataSource={loan.repayments}
          pagination={false}
          locale={{ emptyText: '暂无还款记录' }}
          onRow={() => ({ 'data-testid': 'repayment-row' }) as object}
          columns={[
            { title: '还款日期', dataIndex: 'paidOn' },
            { title: '本金', dataIndex: 'principalFen', render: (v: number) => formatFen(v) },
            { title: '利息', dataIndex: 'interestFen', render: (v: number) => formatFen(v) },
            { title: '流水号', dataIndex: 'reference' },
            { title: '报送渠道', dataIndex: 'channel', render: (v: TRepayment['channel']) => REPAYMENT_CHANNEL_LABELS[v] },
            { title: '报送人', dataIndex: 'reportedByName' },
            { title: '报送时间', dataIndex: 'reportedAt', render: (v: string) => formatDateTime(v) },
          ]}
        />
        {canReport && loan.figures.status !== 'settled' && <RepaymentForm loanId={loan.id} onReported={onChanged} />}
      </ProCard>
    </ProCard>
  );
}
