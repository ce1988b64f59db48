import type { TApiClient, TApiClientCredentials } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const YEAR_MS = 365 * 86_400_000;

const core: TApiClient = {
  id: '501',
  organisationId: '10',
  orgType: 'bank',
  name: '核心系统',
  keyId: 'ak_core0001',
  roles: ['fi_officer'],
  expiresAt: new Date(Date.now() + YEAR_MS).toISOString(),
  ipAllowList: ['203.0.113.10', '10.20.0.0/16'],
  disabled: false,
  disabledAt: null,
  previousSecretValidUntil: null,
  rotatedAt: null,
  createdAt: '2026-01-05T02:00:00.000Z',
};
const oldReporting: TApiClient = {
  ...core,
  id: '502',
  name: '旧报送系统',
  keyId: 'ak_report01',
  ipAllowList: [],
  disabled: true,
  disabledAt: '2026-02-01T00:00:00.000Z',
};
const lapsed: TApiClient = { ...core, id: '503', name: '测试环境', keyId: 'ak_test0001', ipAllowList: [], expiresAt: '2026-01-31T15:59:59.000Z' };

const SECRET = 'sk_live_7Qm2cV9xR4tLp8Zw1Nd6Hy3Fb5Kj0Ae';

function rowOf(name: string) {
  return screen.getAllByTestId('api-client-row').find((row) => row.textContent?.includes(name))!;
}

describe('API clients (系统对接)', () => {
  it('is for institution administrators only', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    await renderConsole('/api-clients', userOf('fi_officer'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/api-clients')).toHaveLength(0);
  });

  it('lists the clients with their roles, status, expiry and allow-list, and points to the guide', async () => {
    api.on('GET /api/v1/api-clients', page([core, oldReporting, lapsed]));
    await renderConsole('/api-clients', userOf('fi_admin'));

    expect(await findPageTitle('系统对接（接口客户端）')).toBeInTheDocument();
    const rows = await screen.findAllByTestId('api-client-row');
    expect(rows).toHaveLength(3);
    expect(screen.getByTestId('integration-guide')).toHaveTextContent('签名方法见 docs/integration.md');

    const first = rowOf('核心系统');
    expect(first).toHaveTextContent('ak_core0001');
    expect(first).toHaveTextContent('机构业务员');
    expect(first).toHaveTextContent('203.0.113.10');
    expect(first).toHaveTextContent('10.20.0.0/16');
    expect(first).toHaveTextContent('2026-01-05 10:00:00'); // created at, in Asia/Shanghai
    expect(within(first).getByTestId('client-status')).toHaveTextContent('启用');
    expect(within(rowOf('旧报送系统')).getByTestId('client-status')).toHaveTextContent('已停用');
    expect(within(rowOf('测试环境')).getByTestId('client-status')).toHaveTextContent('已过期');
    expect(rowOf('测试环境')).toHaveTextContent('2026-01-31 23:59:59');
    expect(rowOf('测试环境')).toHaveTextContent('不限');
    // A disabled client cannot be rotated or edited.
    expect(within(rowOf('旧报送系统')).queryByTestId('client-rotate')).not.toBeInTheDocument();
    expect(within(first).getByTestId('client-rotate')).toBeInTheDocument();
  });

  it('新建客户端 sends the fixed officer role, an end-of-day expiry and the allow-list, then shows the secret once', async () => {
    let clients: TApiClient[] = [];
    api.on('GET /api/v1/api-clients', () => page(clients));
    api.on('POST /api/v1/api-clients', (req) => {
      const client: TApiClient = { ...core, name: req.body.name, expiresAt: req.body.expiresAt, ipAllowList: req.body.ipAllowList };
      clients = [client];
      const credentials: TApiClientCredentials = { client, keyId: client.keyId, secret: SECRET };
      return { status: 201, body: { success: true, data: credentials } };
    });
    await renderConsole('/api-clients', userOf('fi_admin'));
    await findPageTitle('系统对接（接口客户端）');

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-create'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('client-role')).toHaveTextContent('机构业务员');
    fillIn(within(dialog).getByLabelText('名称'), '  核心系统 ');
    fillIn(within(dialog).getByLabelText('IP 白名单'), '203.0.113.10\n\n 10.20.0.0/16 \n');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));

    const modal = await screen.findByTestId('secret-modal');
    expect(within(modal).getByTestId('secret-value')).toHaveTextContent(SECRET);
    expect(within(modal).getByTestId('secret-key-id')).toHaveTextContent('ak_core0001');
    expect(within(modal).getByTestId('secret-warning')).toHaveTextContent('请立即复制并妥善保存，关闭后将无法再次查看');
    expect(within(modal).getByRole('button', { name: /复制密钥/ })).toBeInTheDocument();

    const sent = api.callsTo('POST /api/v1/api-clients');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toMatchObject({ name: '核心系统', roles: ['fi_officer'], ipAllowList: ['203.0.113.10', '10.20.0.0/16'] });
    expect(sent[0].body.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T23:59:59\+08:00$/);
    // The default is about a year ahead.
    const ahead = new Date(sent[0].body.expiresAt).getTime() - Date.now();
    expect(ahead).toBeGreaterThan(YEAR_MS - 86_400_000);
    expect(ahead).toBeLessThan(YEAR_MS + 2 * 86_400_000);

    // The list shows the new client, and once closed the secret is gone for good.
    await waitFor(() => expect(screen.getAllByTestId('api-client-row')).toHaveLength(1));
    await user.click(screen.getByTestId('secret-close'));
    await waitFor(() => expect(screen.queryByText(SECRET)).not.toBeInTheDocument());
    expect(screen.getByTestId('api-client-row')).toHaveTextContent('ak_core0001');
  });

  it('refuses a malformed allow-list entry before sending, and shows the server’s reason for a refusal', async () => {
    api.on('GET /api/v1/api-clients', page([]));
    api.on('POST /api/v1/api-clients', fail(400, 'VALIDATION_FAILED', '有效期必须晚于当前时间'));
    await renderConsole('/api-clients', userOf('fi_admin'));
    await findPageTitle('系统对接（接口客户端）');

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-create'));
    const dialog = await screen.findByRole('dialog');
    fillIn(within(dialog).getByLabelText('名称'), '核心系统');
    fillIn(within(dialog).getByLabelText('IP 白名单'), '203.0.113.10\n10.0.0.300');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    expect(await within(dialog).findByText(/“10\.0\.0\.300”不是有效的/)).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/api-clients')).toHaveLength(0);

    fillIn(within(dialog).getByLabelText('IP 白名单'), '');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    expect(await screen.findByText('有效期必须晚于当前时间')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/api-clients')).toHaveLength(1);
    expect(screen.queryByTestId('secret-modal')).not.toBeInTheDocument();
  });

  it('轮换密钥 asks first, sends the default grace period, shows the new secret and until when the old one works', async () => {
    const graceUntil = '2026-03-02T04:00:00.000Z';
    let client = core;
    api.on('GET /api/v1/api-clients', () => page([client]));
    api.on('POST /api/v1/api-clients/:id/rotate', (req) => {
      client = { ...core, id: req.params.id, previousSecretValidUntil: graceUntil, rotatedAt: '2026-03-01T04:00:00.000Z' };
      return ok({ client, keyId: client.keyId, secret: SECRET });
    });
    await renderConsole('/api-clients', userOf('fi_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-rotate'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('rotate-warning')).toHaveTextContent('新密钥只显示一次');
    expect(within(dialog).getByLabelText('旧密钥宽限期（小时）')).toHaveValue('24');
    expect(api.callsTo('POST /api/v1/api-clients/501/rotate')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: '确认轮换' }));

    const modal = await screen.findByTestId('secret-modal');
    expect(within(modal).getByTestId('secret-value')).toHaveTextContent(SECRET);
    expect(within(modal).getByTestId('secret-warning')).toHaveTextContent('关闭后将无法再次查看');
    expect(within(modal).getByTestId('secret-previous')).toHaveTextContent('旧密钥在 2026-03-02 12:00:00 前仍可使用');
    const sent = api.callsTo('POST /api/v1/api-clients/501/rotate');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({ graceHours: 24 });
  });

  it('轮换密钥 with no grace period says the old secret ended at once', async () => {
    api.on('GET /api/v1/api-clients', page([core]));
    api.on('POST /api/v1/api-clients/:id/rotate', (req) =>
      ok({ client: { ...core, previousSecretValidUntil: null, rotatedAt: '2026-03-01T04:00:00.000Z' }, keyId: core.keyId, secret: `${SECRET}${req.body.graceHours}` }),
    );
    await renderConsole('/api-clients', userOf('fi_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-rotate'));
    const dialog = await screen.findByRole('dialog');
    const grace = within(dialog).getByLabelText('旧密钥宽限期（小时）');
    await user.clear(grace);
    await user.type(grace, '0');
    await user.click(within(dialog).getByRole('button', { name: '确认轮换' }));

    const modal = await screen.findByTestId('secret-modal');
    expect(within(modal).getByTestId('secret-value')).toHaveTextContent(`${SECRET}0`);
    expect(within(modal).getByTestId('secret-previous')).toHaveTextContent('旧密钥已立即失效');
  });

  it('停用 asks for confirmation, then disables the client at once', async () => {
    let client = core;
    api.on('GET /api/v1/api-clients', () => page([client]));
    api.on('POST /api/v1/api-clients/:id/disable', (req) => {
      client = { ...core, id: req.params.id, disabled: true, disabledAt: '2026-03-01T04:00:00.000Z' };
      return ok(client);
    });
    await renderConsole('/api-clients', userOf('fi_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-disable'));
    expect(await screen.findByText('停用 核心系统？')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/api-clients/501/disable')).toHaveLength(0);
    await user.click(screen.getByTestId('client-disable-confirm'));

    await waitFor(() => expect(screen.getByTestId('api-client-row')).toHaveAttribute('data-status', 'disabled'));
    expect(within(screen.getByTestId('api-client-row')).getByTestId('client-status')).toHaveTextContent('已停用');
    expect(api.callsTo('POST /api/v1/api-clients/501/disable')).toHaveLength(1);
    expect(screen.queryByTestId('client-disable')).not.toBeInTheDocument();
  });

  it('编辑 sends only what changed', async () => {
    let client = core;
    api.on('GET /api/v1/api-clients', () => page([client]));
    api.on('PATCH /api/v1/api-clients/:id', (req) => {
      client = { ...client, ...req.body };
      return ok(client);
    });
    await renderConsole('/api-clients', userOf('fi_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-edit'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('名称')).toHaveValue('核心系统');
    expect(within(dialog).getByLabelText('IP 白名单')).toHaveValue('203.0.113.10\n10.20.0.0/16');
    fillIn(within(dialog).getByLabelText('IP 白名单'), '203.0.113.10');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));

    await waitFor(() => expect(api.callsTo('PATCH /api/v1/api-clients/501')).toHaveLength(1));
    expect(api.callsTo('PATCH /api/v1/api-clients/501')[0].body).toEqual({ ipAllowList: ['203.0.113.10'] });
    await waitFor(() => expect(screen.getByTestId('api-client-row')).not.toHaveTextContent('10.20.0.0/16'));
  });
});
