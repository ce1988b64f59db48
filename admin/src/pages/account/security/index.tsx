import { PageContainer, ProCard, ProForm, ProFormText } from '@ant-design/pro-components';
import { useModel } from '@umijs/max';
import type { TTotpEnrolment } from '@xyd/shared';
import { Alert, App, Button, Input, QRCode, Result, Space, Steps, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { confirmPasswordRules, newPasswordRules } from '@/components/forms/passwordRules';
import { beginTotpEnrolment, changePassword, confirmTotpEnrolment } from '@/services/generated';

function ChangePasswordCard() {
  const { message } = App.useApp();
  const [form] = ProForm.useForm();
  return (
    <ProCard title="修改密码" bordered>
      <ProForm<{ oldPassword: string; newPassword: string; confirm: string }>
        form={form}
        layout="vertical"
        style={{ maxWidth: 420 }}
        submitter={{
          searchConfig: { submitText: '修改密码' },
          resetButtonProps: { style: { display: 'none' } },
          submitButtonProps: { 'data-testid': 'change-password-submit' } as ButtonProps,
        }}
        onFinish={async ({ oldPassword, newPassword }) => {
          try {
            await changePassword({ oldPassword, newPassword });
          } catch {
            return false;
          }
          message.success('密码已修改');
          form.resetFields();
          return true;
        }}
      >
        <ProFormText.Password
          name="oldPassword"
          label="原密码"
          rules={[{ required: true, message: '请输入原密码' }]}
          fieldProps={{ autoComplete: 'current-password', 'aria-label': '原密码' }}
        />
        <ProFormText.Password
          name="newPassword"
          label="新密码"
          extra="至少 12 位，包含大写字母、小写字母、数字、符号中的至少三类"
          rules={newPasswordRules}
          fieldProps={{ autoComplete: 'new-password', 'aria-label': '新密码' }}
        />
        <ProFormText.Password
          name="confirm"
          label="确认新密码"
          dependencies={['newPassword']}
          rules={confirmPasswordRules()}
          fieldProps={{ autoComplete: 'new-password', 'aria-label': '确认新密码' }}
        />
      </ProForm>
    </ProCard>
  );
}

/** TOTP enrolment: get a secret, add it to an authenticator app, prove it with one code. */
function TotpCard() {
  const { initialState, setInitialState } = useModel('@@initialState');
  const { message } = App.useApp();
  const [enrolment, setEnrolment] = useState<TTotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const enabled = !!initialState?.currentUser?.totpEnabled;

  if (enabled) {
    return (
      <ProCard title="动态验证码（两步登录）" bordered>
        <div data-testid="totp-enabled">
          <Result status="success" title="已启用动态验证码" subTitle="登录时除密码外还需输入验证器应用中的 6 位动态码。" />
        </div>
      </ProCard>
    );
  }

  const start = async () => {
    setBusy(true);
    try {
      setEnrolment(await beginTotpEnrolment());
    } catch {
      // shown globally
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!/^\d{6}$/.test(code)) {
      message.error('动态验证码应为 6 位数字');
      return;
    }
    setBusy(true);
    try {
      await confirmTotpEnrolment({ code });
      message.success('已启用动态验证码，下次登录时需要输入');
      setInitialState((s) =>
        s?.currentUser ? { ...s, currentUser: { ...s.currentUser, totpEnabled: true, mustEnrolTotp: false } } : s,
      );
    } catch {
      // shown globally (TOTP_INVALID: wrong code)
    } finally {
      setBusy(false);
    }
  };

  return (
    <ProCard title="动态验证码（两步登录）" bordered>
      {!enrolment ? (
        <Space direction="vertical">
          <Alert type="info" showIcon message="启用后，登录时需要输入验证器应用（如 Google Authenticator、Microsoft Authenticator）生成的 6 位动态码。" />
          <Button type="primary" loading={busy} onClick={start} data-testid="totp-enrol">
            启用动态验证码
          </Button>
        </Space>
      ) : (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Steps
            direction="vertical"
            size="small"
            items={[
              { title: '用验证器应用扫描二维码，或手动输入密钥', status: 'process' },
              { title: '输入验证器显示的 6 位动态码完成绑定', status: 'wait' },
            ]}
          />
          <Space align="start" size="large" wrap>
            <QRCode value={enrolment.otpauthUrl} type="svg" size={160} bordered data-testid="totp-qrcode" />
            <Space direction="vertical">
              <Typography.Text>密钥：</Typography.Text>
              <Typography.Text code copyable data-testid="totp-secret">
                {enrolment.secret}
              </Typography.Text>
              <Typography.Text type="secondary">绑定地址：</Typography.Text>
              <Typography.Text copyable style={{ wordBreak: 'break-all' }} data-testid="totp-otpauth-url">
                {enrolment.otpauthUrl}
              </Typography.Text>
            </Space>
          </Space>
          <Space.Compact style={{ maxWidth: 320 }}>
            <Input
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
              placeholder="6 位动态码"
              inputMode="numeric"
              autoComplete="one-time-code"
              aria-label="动态验证码"
              data-testid="totp-code"
              onPressEnter={confirm}
            />
            <Button type="primary" loading={busy} onClick={confirm} data-testid="totp-confirm">
              确认绑定
            </Button>
          </Space.Compact>
        </Space>
      )}
    </ProCard>
  );
}

/** Account security: password and two-step sign-in. */
export default function SecurityPage() {
  const { initialState } = useModel('@@initialState');
  return (
    <PageContainer title={<PageTitle>安全设置</PageTitle>}>
      {initialState?.currentUser?.mustEnrolTotp && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="totp-required"
          message="请先绑定动态验证码"
          description="本平台要求后台账号使用动态验证码（两步登录）。绑定完成前，其他功能暂不可用。"
        />
      )}
      <ProCard direction="column" gutter={[0, 16]} ghost>
        <ChangePasswordCard />
        <TotpCard />
      </ProCard>
    </PageContainer>
  );
}
