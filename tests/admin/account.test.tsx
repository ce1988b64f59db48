import type { TSession } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const sessions: TSession[] = [
  {
    id: 's1',
    createdAt: '2025-03-01T00:00:00.000Z',
    lastSeenAt: '2025-03-01T02:00:00.000Z',
    expiresAt: '2025-03-02T00:00:00.000Z',
    ip: '10.0.0.8',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    current: true,
  },
  {
    id: 's2',
    createdAt: '2025-02-27T00:00:00.000Z',
    lastSeenAt: '2025-02-28T09:00:00.000Z',
    expiresAt: '2025-03-03T00:00:00.000Z',
    ip: '10.0.0.9',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
    current: false,
  },
];

describe('my sessions', () => {
  it('marks the current session and revokes another one', async () => {
    let live = [...sessions];
    api.on('GET /api/v1/auth/sessions', () => ok(live));
    api.on('DELETE /api/v1/auth/sessions/:id', (req) => {
      live = live.filter((s) => s.id !== req.params.id);
      return ok(null);
    });
    await renderConsole('/account/sessions', userOf('fi_officer'));

    expect(await findPageTitle('登录设备')).toBeInTheDocument();
    const rows = await screen.findAllByTestId('session-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute('data-current', 'true');
    expect(within(rows[0]).getByText('当前会话')).toBeInTheDocument();
    expect(within(rows[0]).getByText('Chrome · Windows')).toBeInTheDocument();
    expect(within(rows[0]).queryByTestId('revoke-session')).not.toBeInTheDocument();
    expect(within(rows[1]).getByText('Safari · macOS')).toBeInTheDocument();
    expect(within(rows[0]).getByText('2025-03-01 10:00:00')).toBeInTheDocument(); // lastSeenAt in Asia/Shanghai

    const user = userEvent.setup();
    await user.click(within(rows[1]).getByTestId('revoke-session'));
    await user.click(await screen.findByRole('button', { name: '确认下线' }));

    await waitFor(() => expect(screen.getAllByTestId('session-row')).toHaveLength(1));
    expect(api.callsTo('DELETE /api/v1/auth/sessions/s2')).toHaveLength(1);
    expect(await screen.findByText('已下线该设备')).toBeInTheDocument();
  });
});

describe('security', () => {
  it('enrols TOTP: shows the secret and otpauth URL, then confirms a code', async () => {
    api.on('POST /api/v1/auth/totp/enrol', ok({ secret: 'JBSWY3DPEHPK3PXP', otpauthUrl: 'otpauth://totp/xyd:advisor?secret=JBSWY3DPEHPK3PXP&issuer=xyd' }));
    api.on('POST /api/v1/auth/totp/confirm', (req) =>
      req.body.code === '654321' ? ok(null) : fail(401, 'TOTP_INVALID', '动态验证码错误'),
    );
    await renderConsole('/account/security', userOf('advisor'));
    const user = userEvent.setup();

    expect(await findPageTitle('安全设置')).toBeInTheDocument();
    await user.click(await screen.findByTestId('totp-enrol'));
    expect(await screen.findByTestId('totp-secret')).toHaveTextContent('JBSWY3DPEHPK3PXP');
    expect(screen.getByTestId('totp-otpauth-url')).toHaveTextContent('otpauth://totp/xyd:advisor');

    fillIn(screen.getByTestId('totp-code'), '111111');
    await user.click(screen.getByTestId('totp-confirm'));
    expect(await screen.findByText('动态验证码错误')).toBeInTheDocument();
    // A wrong code is not a signed-out session: the user stays here.
    expect(screen.getByTestId('totp-secret')).toBeInTheDocument();

    fillIn(screen.getByTestId('totp-code'), '654321');
    await user.click(screen.getByTestId('totp-confirm'));
    expect(await screen.findByTestId('totp-enabled')).toHaveTextContent('已启用动态验证码');
    expect(api.callsTo('POST /api/v1/auth/totp/confirm').map((c) => c.body.code)).toEqual(['111111', '654321']);
  });

  it('sends an account that must enrol TOTP to the security page, and lets it go once enrolled', async () => {
    api.on('GET /api/v1/workbench', fail(403, 'FORBIDDEN', '请先绑定动态验证码（TOTP）后再使用其他功能'));
    api.on('POST /api/v1/auth/totp/enrol', ok({ secret: 'JBSWY3DPEHPK3PXP', otpauthUrl: 'otpauth://totp/xyd:gov?secret=JBSWY3DPEHPK3PXP' }));
    api.on('POST /api/v1/auth/totp/confirm', ok(null));
    const { history } = await renderConsole('/workbench', userOf('gov', { mustEnrolTotp: true, totpEnabled: false }));

    expect(await findPageTitle('安全设置')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/account/security');
    expect(screen.getByTestId('totp-required')).toHaveTextContent('请先绑定动态验证码');

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('totp-enrol'));
    fillIn(await screen.findByTestId('totp-code'), '123456');
    await user.click(screen.getByTestId('totp-confirm'));
    expect(await screen.findByTestId('totp-enabled')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('totp-required')).not.toBeInTheDocument());
  });

  it('changes the password, checking the policy before asking the server', async () => {
    api.on('POST /api/v1/auth/password', ok(null));
    await renderConsole('/account/security', userOf('gov'));
    const user = userEvent.setup();

    fillIn(await screen.findByLabelText('原密码'), 'Old-password-1');
    fillIn(screen.getByLabelText('新密码'), 'short');
    fillIn(screen.getByLabelText('确认新密码'), 'short');
    await user.click(screen.getByTestId('change-password-submit'));
    expect(await screen.findByText('密码至少 12 位')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/auth/password')).toHaveLength(0);

    fillIn(screen.getByLabelText('新密码'), 'New-password-2025');
    fillIn(screen.getByLabelText('确认新密码'), 'New-password-2025');
    await user.click(screen.getByTestId('change-password-submit'));
    expect(await screen.findByText('密码已修改')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/auth/password')[0].body).toEqual({ oldPassword: 'Old-password-1', newPassword: 'New-password-2025' });
  });
});
