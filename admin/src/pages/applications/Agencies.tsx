import { ModalForm, ProCard, ProForm, ProFormSelect, ProFormTextArea } from '@ant-design/pro-components';
import type { TAgencyAssignment, TAgencyOpinion, TApplicationDetail } from '@xyd/shared';
import { App, Button, Form, Space, Table, Tag, Typography } from 'antd';
import { commissionAgency, listAgencies, submitAgencyOpinion } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { ratingColor } from '../enterprises/CreditProfile';
import { RATING_OPTIONS } from '../products/labels';
import { required, showFieldErrors } from './forms';

const STATUS_LABELS: Record<TAgencyAssignment['status'], string> = {
  commissioned: '已委托，待出具',
  reported: '已出具意见',
  cancelled: '已取消',
};
const STATUS_COLORS: Record<TAgencyAssignment['status'], string> = {
  commissioned: 'processing',
  reported: 'success',
  cancelled: 'default',
};

interface CommissionValues {
  agencyId: string;
  request: string;
}

/** 委托信用服务机构: the institution asks an agency for a rating and advice; the agency reads under the same grant. */
function CommissionForm({
  applicationId,
  commissioned,
  onDone,
}: {
  applicationId: string;
  commissioned: readonly string[];
  onDone: () => Promise<void>;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<CommissionValues>();
  return (
    <ModalForm<CommissionValues>
      name="commission"
      title="委托信用服务机构"
      width={520}
      form={form}
      trigger={<Button data-testid="agency-commission">委托信用服务机构</Button>}
      modalProps={{ destroyOnHidden: true, okText: '确认委托' }}
      onFinish={async (values) => {
        try {
          await commissionAgency({ id: applicationId }, { agencyId: values.agencyId, request: values.request.trim() });
        } catch (error) {
          showFieldErrors(form, error, {}, ['agencyId', 'request']);
          return false;
        }
        message.success('已委托，企业将收到通知');
        await onDone();
        return true;
      }}
    >
      <Typography.Paragraph type="secondary">受托机构在企业本次授权的范围和期限内查看数据，企业将收到委托通知。</Typography.Paragraph>
      <ProFormSelect
        name="agencyId"
        label="信用服务机构"
        request={async () => {
          try {
            const agencies = await listAgencies();
            return agencies.map((a) => ({
              value: a.id,
              label: a.name + (commissioned.includes(a.id) ? '（已委托）' : ''),
              disabled: commissioned.includes(a.id),
            }));
          } catch {
            return [];
          }
        }}
        rules={[required('请选择信用服务机构')]}
        fieldProps={{ 'aria-label': '信用服务机构', notFoundContent: '暂无可委托的信用服务机构' } as object}
      />
      <ProFormTextArea
        name="request"
        label="委托事项"
        placeholder="如 请对企业经营与还款能力出具评级与授信建议"
        fieldProps={{ maxLength: 500, showCount: true, 'aria-label': '委托事项' } as object}
        rules={[
          { required: true, whitespace: true, message: '请写明委托事项' },
          { min: 2, message: '请写明委托事项' },
        ]}
      />
    </ModalForm>
  );
}

/** The agency's answer to its own commission: a rating, the report's summary and its advice on credit. */
function OpinionForm({ assignment, onDone }: { assignment: TAgencyAssignment; onDone: () => Promise<void> }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<TAgencyOpinion>();
  return (
    <ProCard
      title={`出具评级意见：${assignment.agencyName}`}
      bordered
      size="small"
      data-testid="agency-opinion-form"
      style={{ marginTop: 16 }}
    >
      <Typography.Paragraph>委托事项：{assignment.request}</Typography.Paragraph>
      <ProForm<TAgencyOpinion>
        name={`opinion-${assignment.id}`}
        form={form}
        layout="vertical"
        onFinish={async (values) => {
          try {
            await submitAgencyOpinion(
              { id: assignment.applicationId, assignmentId: assignment.id },
              { rating: values.rating, summary: values.summary.trim(), advice: values.advice.trim() },
            );
          } catch (error) {
            showFieldErrors(form, error, {}, ['rating', 'summary', 'advice']);
            return false;
          }
          message.success('评级意见已提交');
          await onDone();
          return true;
        }}
        submitter={{ searchConfig: { submitText: '提交意见' }, resetButtonProps: false }}
      >
        <ProFormSelect
          name="rating"
          label="评级"
          width="sm"
          options={RATING_OPTIONS}
          rules={[required('请选择评级')]}
          fieldProps={{ 'aria-label': '评级' } as object}
        />
        <ProFormTextArea
          name="summary"
          label="报告摘要"
          fieldProps={{ maxLength: 4000, showCount: true, rows: 5, 'aria-label': '报告摘要' } as object}
          rules={[
            { required: true, whitespace: true, message: '请填写报告摘要' },
            { min: 10, message: '报告摘要至少 10 个字' },
          ]}
        />
        <ProFormTextArea
          name="advice"
          label="授信建议"
          fieldProps={{ maxLength: 1000, showCount: true, 'aria-label': '授信建议' } as object}
          rules={[
            { required: true, whitespace: true, message: '请填写授信建议' },
            { min: 2, message: '请填写授信建议' },
          ]}
        />
      </ProForm>
    </ProCard>
  );
}

export interface AgenciesProps {
  detail: TApplicationDetail;
  /** The institution's user, while the application is open and the firm's grant is live. */
  canCommission: boolean;
  /** The caller's organisation when it is an agency: it may answer the commissions made to it. */
  agencyOrganisationId: string | null;
  onChanged: () => Promise<void>;
}

/** 信用服务机构: the commissions on this application and their answers. */
export default function Agencies({ detail, canCommission, agencyOrganisationId, onChanged }: AgenciesProps) {
  const own = agencyOrganisationId ? detail.agencies.filter((a) => a.agencyId === agencyOrganisationId && a.status === 'commissioned') : [];
  const live = detail.agencies.filter((a) => a.status !== 'cancelled').map((a) => a.agencyId);
  return (
    <ProCard
      title={`信用服务机构（${detail.agencies.length}）`}
      bordered
      data-testid="agency-section"
      extra={canCommission && <CommissionForm applicationId={detail.id} commissioned={live} onDone={onChanged} />}
    >
      <Table<TAgencyAssignment>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={detail.agencies}
        locale={{ emptyText: '尚未委托信用服务机构' }}
        onRow={(a) => ({ 'data-testid': 'agency-row', 'data-status': a.status }) as object}
        columns={[
          { title: '机构', dataIndex: 'agencyName', width: 160 },
          {
            title: '委托事项',
            dataIndex: 'request',
            render: (_: unknown, a) => (
              <Space direction="vertical" size={0}>
                <span>{a.request}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.commissionedByName} 委托于 {formatDateTime(a.commissionedAt)}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: '状态',
            dataIndex: 'status',
            width: 130,
            render: (_: unknown, a) => <Tag color={STATUS_COLORS[a.status]}>{STATUS_LABELS[a.status]}</Tag>,
          },
          {
            title: '评级',
            dataIndex: 'rating',
            width: 80,
            render: (_: unknown, a) => (a.rating ? <Tag color={ratingColor(a.rating)}>{a.rating}</Tag> : '-'),
          },
          { title: '报告摘要', dataIndex: 'summary', render: (_: unknown, a) => a.summary ?? '-' },
          { title: '授信建议', dataIndex: 'advice', render: (_: unknown, a) => a.advice ?? '-' },
        ]}
      />
      {own.map((a) => (
        <OpinionForm key={a.id} assignment={a} onDone={onChanged} />
      ))}
    </ProCard>
  );
}
