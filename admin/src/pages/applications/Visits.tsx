import { ProCard, ProForm, ProFormSelect, ProFormTextArea } from '@ant-design/pro-components';
import type { TReturnVisit, TReturnVisitChannel } from '@xyd/shared';
import { APPLICATION_STATUS_LABELS, RETURN_VISIT_CHANNEL_LABELS, SATISFACTION_LABELS, SATISFIED_MIN } from '@xyd/shared';
import { App, Form, List, Space, Tag, Typography } from 'antd';
import { recordReturnVisit } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { required, showFieldErrors } from './forms';
import { CHANNEL_OPTIONS, SATISFACTION_OPTIONS } from './labels';

interface VisitValues {
  satisfaction: 1 | 2 | 3 | 4 | 5;
  channel: TReturnVisitChannel;
  note?: string;
}

/** 回访: the advisor asks the firm how the financing went, after a decision or a loan; the figures count satisfaction. */
export default function Visits({
  applicationId,
  visits,
  onRecorded,
}: {
  applicationId: string;
  visits: readonly TReturnVisit[];
  onRecorded: () => Promise<void>;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<VisitValues>();

  const submit = async (v: VisitValues) => {
    try {
      await recordReturnVisit({ id: applicationId }, { satisfaction: v.satisfaction, channel: v.channel, note: (v.note ?? '').trim() });
    } catch (error) {
      showFieldErrors(form, error, {}, ['satisfaction', 'channel', 'note']);
      return false;
    }
    message.success('回访已记录');
    form.resetFields();
    await onRecorded();
    return true;
  };

  return (
    <ProCard title={`回访（${visits.length}）`} bordered data-testid="visit-section">
      <List
        size="small"
        dataSource={[...visits]}
        locale={{ emptyText: '暂无回访记录' }}
        renderItem={(v) => (
          <List.Item data-testid="visit">
            <Space direction="vertical" size={2} style={{ width: '100%' }}>
              <Space wrap>
                <Tag color={v.satisfaction >= SATISFIED_MIN ? 'success' : v.satisfaction <= 2 ? 'error' : 'default'}>
                  {v.satisfaction} 分 · {SATISFACTION_LABELS[v.satisfaction as keyof typeof SATISFACTION_LABELS]}
                </Tag>
                <Tag>{RETURN_VISIT_CHANNEL_LABELS[v.channel]}</Tag>
                <Typography.Text type="secondary">回访时申请状态：{APPLICATION_STATUS_LABELS[v.stage]}</Typography.Text>
              </Space>
              {v.note && <span>{v.note}</span>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {v.advisorName} 记录于 {formatDateTime(v.visitedAt)}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <div data-testid="visit-form" style={{ marginTop: 16 }}>
        <ProForm<VisitValues>
          name="visit"
          form={form}
          layout="vertical"
          onFinish={submit}
          submitter={{ searchConfig: { submitText: '记录回访' }, resetButtonProps: false }}
        >
          <ProForm.Group>
            <ProFormSelect
              name="satisfaction"
              label="满意度"
              width="sm"
              options={SATISFACTION_OPTIONS}
              rules={[required('请选择满意度（1–5）')]}
              fieldProps={{ 'aria-label': '满意度' } as object}
            />
            <ProFormSelect
              name="channel"
              label="回访方式"
              width="sm"
              options={CHANNEL_OPTIONS}
              rules={[required('请选择回访方式')]}
              fieldProps={{ 'aria-label': '回访方式' } as object}
            />
          </ProForm.Group>
          <ProFormTextArea
            name="note"
            label="回访记录"
            fieldProps={{ maxLength: 1000, showCount: true, 'aria-label': '回访记录' } as object}
          />
        </ProForm>
      </div>
    </ProCard>
  );
}
