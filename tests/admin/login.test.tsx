import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

async function fillAndSubmit(username: string, password: string) {
  const user = userEvent.setup();
  fillIn(await screen.findByTestId('login-username'), username);
  fillIn(screen.getByTestId('login-password'), password);
  await user.click(screen.getByTestId('login-submit'));
  return user;
}

describe('sign-in', () => {
  it('sends a signed-out visitor to the sign-in page, remembering where they were going', async () => {
    const { history } = await renderConsole('/verifications', null);
    expect(await findPageTitle('账号登录')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/login');
    expect(new URLSearchParams(history().location.search).get('redirect')).toBe('/verifications');
  });

  it('signs in with username and password and lands on the workbench', async () => {
    const advisor = userOf('advisor');
    api.on('POST /api/v1/auth/admin/login', ok(advisor));
    api.on('GET /api/v1/workbench', ok({ cards: [{ key: 'pendingVerifications', title: '待审核认证', value: 3, link: '/verifications' }] }));
    const { history } = await renderConsole('/login', null);

    await fillAndSubmit('advisor1', 'Secret-pass-123');

    expect(await findPageTitle('工作台')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/workbench');
    expect(api.callsTo('POST /api/v1/auth/admin/login')[0].body).toEqual({ username: 'advisor1', password: 'Secret-pass-123' });
    expect(await screen.findByTestId('workbench-card-pendingVerifications')).toHaveTextContent('待审核认证');
    expect(screen.getByTestId('current-user')).toHaveTextContent('顾问李敏');
  });

  it('asks for the TOTP code when the server says TOTP_REQUIRED, then sends it with the password', async () => {
    const admin = userOf('platform_admin', { totpEnabled: true });
    api.on('POST /api/v1/auth/admin/login', (req) =>
      req.body.totp === '123456' ? ok(admin) : fail(401, 'TOTP_REQUIRED', '请输入动态验证码'),
    );
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    const { history } = await renderConsole('/login?redirect=%2Fplatform%2Faudit-logs', null);
    api.on('GET /api/v1/audit-logs', ok({ list: [], total: 0 }));
    api.on(
      'GET /api/v1/audit-logs/verify',
      ok({ ok: true, checked: 0, broken: [], firstBrokenId: null, reason: null, sealedSeq: null, headHash: null, unsealed: 0, verifiedAt: null }),
    );
    api.on('GET /api/v1/audit-logs/anchors', ok({ list: [], total: 0 }));

    expect(screen.queryByTestId('login-totp')).not.toBeInTheDocument();
    const user = await fillAndSubmit('admin', 'Secret-pass-123');

    const totp = await screen.findByTestId('login-totp');
    expect(screen.getByTestId('login-error')).toHaveTextContent('请输入动态验证码');
    fillIn(totp, '123456');
    await user.click(screen.getByTestId('login-submit'));

    expect(await findPageTitle('审计日志')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/platform/audit-logs');
    const attempts = api.callsTo('POST /api/v1/auth/admin/login');
    expect(attempts).toHaveLength(2);
    expect(attempts[0].body.totp).toBeUndefined();
    expect(attempts[1].body).toEqual({ username: 'admin', password: 'Secret-pass-123', totp: '123456' });
  });

  it('shows the lockout message from the server and stays on the sign-in page', async () => {
    api.on('POST /api/v1/auth/admin/login', fail(429, 'ACCOUNT_LOCKED', '连续 5 次登录失败，账号已锁定至 2025-03-01 10:15'));
    const { history } = await renderConsole('/login', null);

    await fillAndSubmit('advisor1', 'wrong-password');

    const alert = await screen.findByTestId('login-error');
    expect(alert).toHaveTextContent('连续 5 次登录失败，账号已锁定至 2025-03-01 10:15');
    expect(alert).toHaveAttribute('data-error-code', 'ACCOUNT_LOCKED');
    expect(history().location.pathname).toBe('/login');
  });

  it('shows the wrong-credentials message from the server', async () => {
    api.on('POST /api/v1/auth/admin/login', fail(401, 'INVALID_CREDENTIALS', '用户名或密码错误'));
    await renderConsole('/login', null);

    await fillAndSubmit('advisor1', 'wrong-password');

    expect(await screen.findByTestId('login-error')).toHaveTextContent('用户名或密码错误');
    expect(screen.queryByTestId('login-totp')).not.toBeInTheDocument();
  });

  it('requires both fields before calling the server', async () => {
    await renderConsole('/login', null);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('login-submit'));
    expect(await screen.findByText('请输入用户名')).toBeInTheDocument();
    expect(screen.getByText('请输入密码')).toBeInTheDocument();
    await waitFor(() => expect(api.callsTo('POST /api/v1/auth/admin/login')).toHaveLength(0));
  });
});
