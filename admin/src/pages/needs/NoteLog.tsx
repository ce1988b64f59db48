import { ProCard, ProForm, ProFormDateTimePicker, ProFormSelect, ProFormText, ProFormTextArea } from '@ant-design/pro-components';
import type { TContactChannel, TNeedNote } from '@xyd/shared';
import { ApiError, CONTACT_CHANNEL_LABELS, CONTACT_CHANNELS } from '@xyd/shared';
import { App, Form, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { addNeedNote } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

const CHANNEL_OPTIONS = CONTACT_CHANNELS.map((value) => ({ value, label: CONTACT_CHANNEL_LABELS[value] }));

interface NoteFormValues {
  channel: TContactChannel;
  /** Milliseconds: the picker's value as the form hands it over (dateFormatter="number"). */
  contactedAt: number;
  outcome: string;
  note?: string;
}

/** The note fields the server may name in an error. */
const NOTE_FIELDS: readonly (keyof NoteFormValues)[] = ['channel', 'contactedAt', 'outcome', 'note'];

export interface NoteLogProps {
  needId: string;
  notes: readonly TNeedNote[];
  /** Whether the user may log contacts (the need's reviewer). */
  editable: boolean;
  onAdded: () => Promise<void>;
}

/** 跟进记录: every contact with the firm (how, when, what came of it, who) and, for the reviewer, a form to log one. */
export default function NoteLog({ needId, notes, editable, onAdded }: NoteLogProps) {
  const { message } = App.useApp();
  const [form] = Form.useForm<NoteFormValues>();
  // Read once: initial values that change on every render make ProForm warn (they only apply on mount anyway).
  const [initialValues] = useState<Partial<NoteFormValues>>(() => ({ channel: 'call', contactedAt: Date.now() }));

  const submit = async (values: NoteFormValues) => {
    try {
      await addNeedNote(
        { id: needId },
        {
          channel: values.channel,
          contactedAt: new Date(values.contactedAt).toISOString(),
          outcome: values.outcome.trim(),
          note: (values.note ?? '').trim(),
        },
      );
    } catch (error) {
      // The global handler has shown the message; a field the server names (a contact time ahead of its clock) is marked.
      if (error instanceof ApiError) {
        const named = (f: { field: string }): f is { field: keyof NoteFormValues; message: string } => NOTE_FIELDS.includes(f.field as keyof NoteFormValues);
        const fields = error.errorFields.filter(named);
        form.setFields(fields.map((f) => ({ name: f.field, errors: [f.message] })));
      }
      return false;
    }
    message.success('跟进记录已添加');
    form.setFieldsValue({ outcome: undefined, note: undefined, contactedAt: Date.now() });
    // A note moves the need's version: reload it, so that a release right after names the current one.
    await onAdded();
    return true;
  };

  return (
    <ProCard title={`跟进记录（${notes.length}）`} bordered data-testid="need-notes">
      <List
        size="small"
        dataSource={[...notes]}
        locale={{ emptyText: '暂无跟进记录' }}
        renderItem={(n) => (
          <List.Item data-testid="need-note">
            <Space direction="vertical" size={2} style={{ width: '100%' }}>
              <Space wrap>
                <Tag>{CONTACT_CHANNEL_LABELS[n.channel]}</Tag>
                <span>{formatDateTime(n.contactedAt)}</span>
                <Typography.Text strong>{n.outcome}</Typography.Text>
              </Space>
              {n.note && <span>{n.note}</span>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {n.authorName} 记录于 {formatDateTime(n.createdAt)}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {editable && (
        <div data-testid="note-form" style={{ marginTop: 16 }}>
          <ProForm<NoteFormValues>
            form={form}
            layout="vertical"
            dateFormatter="number"
            initialValues={initialValues}
            onFinish={submit}
            submitter={{ searchConfig: { submitText: '添加记录' }, resetButtonProps: false }}
          >
            <ProForm.Group>
              <ProFormSelect
                name="channel"
                label="联系方式"
                width="sm"
                options={CHANNEL_OPTIONS}
                rules={[{ required: true, message: '请选择联系方式' }]}
                fieldProps={{ 'aria-label': '联系方式' } as object}
              />
              <ProFormDateTimePicker
                name="contactedAt"
                label="联系时间"
                width="md"
                rules={[{ required: true, message: '请选择联系时间' }]}
                fieldProps={{ disabledDate: (d: { valueOf(): number }) => d.valueOf() > Date.now(), 'aria-label': '联系时间' } as object}
              />
            </ProForm.Group>
            <ProFormText
              name="outcome"
              label="联系结果"
              placeholder="如 已电话沟通，企业倾向先申请信用贷款"
              rules={[
                { required: true, whitespace: true, message: '请填写联系结果' },
                { max: 200, message: '联系结果最多 200 个字' },
              ]}
            />
            <ProFormTextArea name="note" label="备注" fieldProps={{ maxLength: 1000, showCount: true }} />
          </ProForm>
        </div>
      )}
    </ProCard>
  );
}
