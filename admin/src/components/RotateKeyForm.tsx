import { ModalForm, ProFormDigit } from '@ant-design/pro-components';
import { Alert } from 'antd';

interface Props {
  /** What holds the key, for the title: a client's or a source's name. */
  holderName: string;
  defaultGraceHours: number;
  maxGraceHours: number;
  /** What the old key still does during the grace period (使用, 签名推送). */
  oldKeyUse: string;
  /** The trigger link's test id. */
  testId: string;
  onRotate: (graceHours: number) => Promise<boolean>;
}

/** Rotating a signing key (API clients, data sources): the grace period of the old key, then the new secret shown once. */
export default function RotateKeyForm({ holderName, defaultGraceHours, maxGraceHours, oldKeyUse, testId, onRotate }: Props) {
  return (
    <ModalForm<{ graceHours: number }>
      title={`轮换 ${holderName} 的密钥`}
      width={480}
      trigger={<a data-testid={testId}>轮换密钥</a>}
      initialValues={{ graceHours: defaultGraceHours }}
      modalProps={{ destroyOnHidden: true }}
      submitter={{ searchConfig: { submitText: '确认轮换' } }}
      onFinish={({ graceHours }) => onRotate(graceHours)}
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        data-testid="rotate-warning"
        message="将生成新密钥，新密钥只显示一次"
        description={`宽限期内旧密钥仍可${oldKeyUse}，宽限期结束后只有新密钥有效；宽限期填 0 则旧密钥立即失效。`}
      />
      <ProFormDigit
        name="graceHours"
        label="旧密钥宽限期（小时）"
        min={0}
        max={maxGraceHours}
        fieldProps={{ precision: 0, 'aria-label': '旧密钥宽限期（小时）' }}
        extra={`0–${maxGraceHours} 小时，默认 ${defaultGraceHours} 小时`}
        rules={[{ required: true, message: '请输入宽限期' }]}
      />
    </ModalForm>
  );
}
