import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { LoginForm, ProFormText } from '@ant-design/pro-components';
import { history, useModel, useSearchParams } from '@umijs/max';
import { Alert, App, type ButtonProps } from 'antd';
import { useState } from 'react';
import { flushSync } from 'react-dom';
import Logo from '@/components/Logo';
import { ApiError } from '@xyd/shared';
import { errorMessageOf } from '@/requestErrorConfig';
import { adminLogin } from '@/services/generated';
import { safeRedirect } from '@/utils/route';

interface LoginValues {
  username: string;
  password: string;
  totp?: string;
}

/** Codes the page answers in place rather than as a toast. */
type LoginProblem = { code: string; message: string };

export default function LoginPage() {
  const { setInitialState } = useModel('@@initialState');
  const { message } = App.useApp();
  const [searchParams] = useSearchParams();
  const [totpRequired, setTotpRequired] = useState(false);
  const [problem, setProblem] = useState<LoginProblem | null>(null);

  const onFinish = async (values: LoginValues) => {
    setProblem(null);
    try {
      const currentUser = await adminLogin(
        {
          username: values.username.trim(),
          password: values.password,
          ...(totpRequired && values.totp ? { totp: values.totp } : {}),
        },
        // The sign-in page shows the server's own message (locked, wrong password, TOTP needed) in place.
        { skipErrorHandler: true },
      );
      message.success('登录成功');
      flushSync(() => setInitialState((s) => ({ ...s!, currentUser })));
      history.replace(safeRedirect(searchParams.get('redirect')));
    } catch (error) {
      if (error instanceof ApiError && error.errorCode === 'TOTP_REQUIRED') {
        // Password was right; the account has two-step sign-in. Ask for the code and send again.
        setTotpRequired(true);
        setProblem({ code: error.errorCode, message: error.errorMessage || '请输入动态验证码' });
        return;
      }
      setProblem({ code: error instanceof ApiError ? error.errorCode : 'NETWORK', message: errorMessageOf(error) });
    }
  };

  return (
    <div style={{ minHeight: '100vh', background: '#f0f2f5', paddingTop: '10vh' }}>
      <LoginForm<LoginValues>
        logo={<Logo size={44} />}
        title="信易贷"
        subTitle="中小微企业融资综合信用服务平台 · 管理后台"
        onFinish={onFinish}
        submitter={{ searchConfig: { submitText: '登录' }, submitButtonProps: { 'data-testid': 'login-submit' } as ButtonProps }}
        aria-label="登录"
      >
        <h1 data-testid="page-title" style={{ textAlign: 'center', fontSize: 18, fontWeight: 500, margin: '0 0 24px' }}>
          账号登录
        </h1>
        {problem && (
          <Alert
            style={{ marginBottom: 24 }}
            type={problem.code === 'TOTP_REQUIRED' ? 'info' : 'error'}
            showIcon
            message={problem.message}
            data-testid="login-error"
            data-error-code={problem.code}
          />
        )}
        <ProFormText
          name="username"
          fieldProps={{
            size: 'large',
            prefix: <UserOutlined />,
            autoComplete: 'username',
            id: 'username',
            'aria-label': '用户名',
            'data-testid': 'login-username',
          } as object}
          placeholder="用户名"
          rules={[{ required: true, whitespace: true, message: '请输入用户名' }]}
        />
        <ProFormText.Password
          name="password"
          fieldProps={{
            size: 'large',
            prefix: <LockOutlined />,
            autoComplete: 'current-password',
            id: 'password',
            'aria-label': '密码',
            'data-testid': 'login-password',
          } as object}
          placeholder="密码"
          rules={[{ required: true, message: '请输入密码' }]}
        />
        {totpRequired && (
          <ProFormText
            name="totp"
            fieldProps={{
              size: 'large',
              prefix: <SafetyCertificateOutlined />,
              autoComplete: 'one-time-code',
              inputMode: 'numeric',
              maxLength: 6,
              autoFocus: true,
              id: 'totp',
              'aria-label': '动态验证码',
              'data-testid': 'login-totp',
            } as object}
            placeholder="6 位动态验证码"
            rules={[
              { required: true, message: '请输入动态验证码' },
              { pattern: /^\d{6}$/, message: '动态验证码应为 6 位数字' },
            ]}
          />
        )}
      </LoginForm>
    </div>
  );
}
