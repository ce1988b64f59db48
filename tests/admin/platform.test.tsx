import type { TAdminUser, TAuditAnchor, TAuditLog, TAuditVerifyResult, TOrganisation, TRegion } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const REGIONS: Record<string, TRegion[]> = {
  '': [
    { code: '330000', name: '浙江省', level: 'province', parentCode: null },
    { code: '320000', name: '江苏省', level: 'province', parentCode: null },
  ],
  '330000': [{ code: '330100', name: '杭州市', level: 'city', parentCode: '330000' }],
  '330100': [{ code: '330106', name: '西湖区', level: 'district', parentCode: '330100' }],
};

function serveRegions() {
  api.on('GET /api/v1/regions', (req) => ok(REGIONS[req.query.parent ?? ''] ?? []));
}

const bank: TOrganisation = {
  id: '20',
  name: '杭州银行',
  type: 'bank',
  regionCode: '330100',
  regionName: '浙江省杭州市',
  disabled: false,
  userCount: 3,
  createdAt: '2025-01-01T00:00:00.000Z',
};

const officer: TAdminUser = {
  id: '31',
  username: 'hzbank.liu',
  displayName: '刘洋',
  role: 'fi_officer',
  organisation: { id: '20', name: '杭州银行', type: 'bank', regionCode: '330100' },
  regionCode: null,
  regionName: '杭州市',
  disabled: false,
  totpEnabled: false,
  lockedUntil: null,
  lastLoginAt: null,
  createdAt: '2025-01-02T00:00:00.000Z',
};

/** An option in the open region cascader (the users table may show the same region name). */
const cascaderOption = (name: string) => screen.findByText(name, { selector: '.ant-cascader-menu-item-content' });

/** The select box (antd Select or Cascader) of the form item labelled `label`. */
function selectBox(container: HTMLElement, label: string): HTMLElement {
  const item = within(container).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement;
  return item.querySelector('.ant-select-selector') as HTMLElement;
}

/** antd Select: open the dropdown, then pick the option by its title. */
async function pick(user: ReturnType<typeof userEvent.setup>, container: HTMLElement, label: string, option: string) {
  fireEvent.mouseDown(selectBox(container, label));
  await user.click(await screen.findByTitle(option));
}

describe('role-based menus', () => {
  it('shows platform administration to the platform admin', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    await renderConsole('/workbench', userOf('platform_admin'));
    expect(await findPageTitle('工作台')).toBeInTheDocument();
    for (const entry of ['企业认证审核', '企业库', '平台管理', '消息中心']) {
      expect(screen.getAllByText(entry).length).toBeGreaterThan(0);
    }
  });

  it('hides platform administration and the verification queue from a bank officer', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [{ key: 'applications', title: '待受理申请', value: 2, link: null }] }));
    await renderConsole('/workbench', userOf('fi_officer'));
    expect(await findPageTitle('工作台')).toBeInTheDocument();
    expect(screen.getAllByText('企业库').length).toBeGreaterThan(0);
    expect(screen.queryByText('平台管理')).not.toBeInTheDocument();
    expect(screen.queryByText('企业认证审核')).not.toBeInTheDocument();
  });

  it('refuses a platform page to a government user without calling its API', async () => {
    await renderConsole('/platform/users', userOf('gov'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/admin-users')).toHaveLength(0);
  });
});

describe('organisations', () => {
  it('creates an organisation with a type and a region picked from /regions', async () => {
    serveRegions();
    const created: TOrganisation[] = [];
    api.on('GET /api/v1/organisations', () => page([bank, ...created]));
    api.on('POST /api/v1/organisations', (req) => {
      const org = { ...bank, id: '21', ...req.body, regionName: '浙江省杭州市西湖区', userCount: 0 };
      created.push(org);
      return ok(org);
    });
    await renderConsole('/platform/organisations', userOf('platform_admin'));

    expect(await findPageTitle('机构管理')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('organisation-row')).toHaveLength(1));

    const user = userEvent.setup();
    await user.click(screen.getByTestId('org-create'));
    const dialog = await screen.findByRole('dialog');
    fillIn(within(dialog).getByLabelText('机构名称'), '浙江西湖担保有限公司');
    await pick(user, dialog, '机构类型', '担保机构');

    fireEvent.mouseDown(selectBox(dialog, '所在地区'));
    await user.click(await cascaderOption('浙江省'));
    await user.click(await cascaderOption('杭州市'));
    await user.click(await cascaderOption('西湖区'));

    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/organisations')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/organisations')[0].body).toEqual({
      name: '浙江西湖担保有限公司',
      type: 'guarantor',
      regionCode: '330106',
    });
    await waitFor(() => expect(screen.getAllByTestId('organisation-row')).toHaveLength(2));
  });

  it('disables an organisation after confirmation', async () => {
    api.on('GET /api/v1/organisations', page([bank]));
    api.on('PATCH /api/v1/organisations/:id', (req) => ok({ ...bank, ...req.body }));
    await renderConsole('/platform/organisations', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('org-toggle'));
    await user.click(await screen.findByRole('button', { name: '确定' }));
    await waitFor(() => expect(api.callsTo('PATCH /api/v1/organisations/20')).toHaveLength(1));
    expect(api.callsTo('PATCH /api/v1/organisations/20')[0].body).toEqual({ disabled: true });
  });
});

describe('console users', () => {
  it('resets a password, enforcing the policy and the confirmation', async () => {
    api.on('GET /api/v1/admin-users', page([officer]));
    api.on('POST /api/v1/admin-users/:id/reset-password', ok(null));
    await renderConsole('/platform/users', userOf('platform_admin'));

    expect(await findPageTitle('用户管理')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('user-reset-password'));
    const dialog = await screen.findByRole('dialog');
    fillIn(within(dialog).getByLabelText('新密码'), 'alllowercaseletters');
    fillIn(within(dialog).getByLabelText('确认新密码'), 'different');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    expect(await within(dialog).findByText('密码须包含大写字母、小写字母、数字、符号中的至少三类')).toBeInTheDocument();
    expect(within(dialog).getByText('两次输入的密码不一致')).toBeInTheDocument();

    fillIn(within(dialog).getByLabelText('新密码'), 'Reset-pass-2025');
    fillIn(within(dialog).getByLabelText('确认新密码'), 'Reset-pass-2025');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/admin-users/31/reset-password')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/admin-users/31/reset-password')[0].body).toEqual({ newPassword: 'Reset-pass-2025' });
  });

  it('creates an advisor: only platform organisations are offered, and a region is required', async () => {
    serveRegions();
    const platform: TOrganisation = { ...bank, id: '1', name: '信易贷平台运营中心', type: 'platform' };
    api.on('GET /api/v1/admin-users', page([officer]));
    api.on('GET /api/v1/organisations', page([bank, platform]));
    api.on('POST /api/v1/admin-users', (req) => ok({ ...officer, id: '32', ...req.body }));
    await renderConsole('/platform/users', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('user-create'));
    const dialog = await screen.findByRole('dialog');
    fillIn(within(dialog).getByLabelText('用户名'), 'advisor.hz');
    fillIn(within(dialog).getByLabelText('姓名'), '周顾问');
    await pick(user, dialog, '角色', '融资顾问');
    fireEvent.mouseDown(selectBox(dialog, '所属机构'));
    expect(await screen.findByTitle('信易贷平台运营中心（平台运营方）')).toBeInTheDocument();
    // The options are fetched again for the chosen role: an advisor belongs to the platform operator only.
    await waitFor(() => expect(screen.queryByTitle('杭州银行（银行）')).not.toBeInTheDocument());
    await user.click(screen.getByTitle('信易贷平台运营中心（平台运营方）'));
    fillIn(within(dialog).getByLabelText('初始密码'), 'Advisor-pass-2025');
    fillIn(within(dialog).getByLabelText('确认密码'), 'Advisor-pass-2025');

    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    expect(await within(dialog).findByText('请选择管辖地区')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/admin-users')).toHaveLength(0);

    fireEvent.mouseDown(selectBox(dialog, '管辖地区'));
    await user.click(await cascaderOption('浙江省'));
    await user.click(await cascaderOption('杭州市'));
    fireEvent.keyDown(selectBox(dialog, '管辖地区'), { key: 'Escape' });
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/admin-users')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/admin-users')[0].body).toEqual({
      username: 'advisor.hz',
      displayName: '周顾问',
      role: 'advisor',
      organisationId: '1',
      regionCode: '330100',
      password: 'Advisor-pass-2025',
    });
  });

  it('changes a user’s role and organisation', async () => {
    serveRegions();
    const gov: TOrganisation = { ...bank, id: '40', name: '杭州市发展和改革委员会', type: 'government' };
    api.on('GET /api/v1/admin-users', page([officer]));
    api.on('GET /api/v1/organisations', page([bank, gov]));
    api.on('PATCH /api/v1/admin-users/:id', (req) => ok({ ...officer, ...req.body }));
    await renderConsole('/platform/users', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('user-edit'));
    const dialog = await screen.findByRole('dialog');
    await pick(user, dialog, '角色', '政府用户');
    await pick(user, dialog, '所属机构', '杭州市发展和改革委员会（政府部门）');
    fireEvent.mouseDown(selectBox(dialog, '管辖地区'));
    await user.click(await cascaderOption('浙江省'));
    await user.click(await cascaderOption('杭州市'));
    // changeOnSelect: a city is a valid scope; close the picker by pressing Escape.
    fireEvent.keyDown(selectBox(dialog, '管辖地区'), { key: 'Escape' });

    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    await waitFor(() => expect(api.callsTo('PATCH /api/v1/admin-users/31')).toHaveLength(1));
    expect(api.callsTo('PATCH /api/v1/admin-users/31')[0].body).toEqual({
      displayName: '刘洋',
      role: 'gov',
      organisationId: '40',
      regionCode: '330100',
    });
  });
});

describe('audit log', () => {
  const row: TAuditLog = {
    id: '101',
    at: '2025-03-01T01:00:00.000Z',
    actorType: 'admin',
    actorId: '1',
    actorName: '平台管理员小王',
    action: 'auth.login',
    targetType: null,
    targetId: null,
    outcome: 'success',
    detail: null,
    ip: '127.0.0.1',
    seq: '101',
    hash: 'a3f1c2d4e5f60718293a4b5c6d7e8f90',
  };

  const HEAD = '9f2c4e1ab37d5c60e8f14b2a97c3d0e6f5a1b2c3d4e5f60718293a4b5c6d7e8f';
  const intact: TAuditVerifyResult = {
    ok: true,
    checked: 1234,
    broken: [],
    firstBrokenId: null,
    reason: null,
    sealedSeq: '1234',
    headHash: HEAD,
    unsealed: 3,
    verifiedAt: '2025-03-01T02:00:00.000Z',
  };
  const anchor: TAuditAnchor = { id: '501', seq: '1200', hash: 'c0ffee'.repeat(10) + 'beef', at: '2025-03-01T00:00:00.000Z' };

  function serveAudit(verify: TAuditVerifyResult | (() => TAuditVerifyResult) = intact) {
    api.on('GET /api/v1/audit-logs', page([row]));
    api.on('GET /api/v1/audit-logs/verify', () => ok(typeof verify === 'function' ? verify() : verify));
    api.on('GET /api/v1/audit-logs/anchors', page([anchor]));
  }

  it('shows the latest run: intact, when it ran, and the head hash to note down as an anchor', async () => {
    serveAudit();
    await renderConsole('/platform/audit-logs', userOf('platform_admin'));

    await waitFor(() => expect(screen.getByTestId('audit-chain-status')).toHaveAttribute('data-chain', 'ok'));
    expect(screen.getByTestId('audit-chain-status')).toHaveTextContent('已校验 1234 条记录');
    expect(screen.getByTestId('audit-verified-at')).toHaveTextContent('2025-03-01 10:00:00');
    expect(screen.getByTestId('audit-head-hash')).toHaveTextContent(HEAD);
    expect(screen.getByTestId('audit-unsealed')).toHaveTextContent('3 条');
    expect(await screen.findAllByTestId('audit-row')).toHaveLength(1);
    expect(screen.getByText('平台管理员小王（#1）')).toBeInTheDocument();

    const anchors = await screen.findAllByTestId('audit-anchor-row');
    expect(anchors).toHaveLength(1);
    expect(anchors[0]).toHaveTextContent(anchor.hash);
    expect(anchors[0]).toHaveTextContent('1200');
    expect(anchors[0]).toHaveTextContent('2025-03-01 08:00:00');
  });

  it('lists every broken row with its reason, not only the first', async () => {
    const broken = [
      { id: '57', seq: '57', reason: '第 57 条记录的内容与哈希不符' },
      { id: '58', seq: '58', reason: '第 58 条记录的 prevHash 与上一条不符' },
      { id: '90', seq: '90', reason: '第 90 条记录的内容与哈希不符' },
    ];
    serveAudit({ ...intact, ok: false, checked: 120, broken, firstBrokenId: '57', reason: broken[0].reason });
    await renderConsole('/platform/audit-logs', userOf('platform_admin'));

    await waitFor(() => expect(screen.getByTestId('audit-chain-status')).toHaveAttribute('data-chain', 'broken'));
    expect(screen.getByTestId('audit-chain-status')).toHaveTextContent('发现 3 条记录校验失败（已校验 120 条）');
    const rows = screen.getAllByTestId('audit-broken-row');
    expect(rows).toHaveLength(3);
    broken.forEach((b, i) => expect(rows[i]).toHaveTextContent(b.reason));
  });

  it('重新校验 queues a run and shows its result when it has finished', async () => {
    let verify = intact;
    serveAudit(() => verify);
    api.on('POST /api/v1/audit-logs/verify', () => {
      // The run is queued: the answer is still the previous result; the next read finds the new run.
      const previous = verify;
      verify = { ...intact, checked: 1240, sealedSeq: '1240', unsealed: 0, verifiedAt: '2025-03-01T03:00:00.000Z' };
      return ok(previous);
    });
    await renderConsole('/platform/audit-logs', userOf('platform_admin'));
    await waitFor(() => expect(screen.getByTestId('audit-chain-status')).toHaveAttribute('data-chain', 'ok'));

    const user = userEvent.setup();
    await user.click(screen.getByTestId('audit-verify-again'));
    await waitFor(() => expect(screen.getByTestId('audit-verified-at')).toHaveTextContent('2025-03-01 11:00:00'));
    expect(screen.getByTestId('audit-chain-status')).toHaveTextContent('已校验 1240 条记录');
    expect(api.callsTo('POST /api/v1/audit-logs/verify')).toHaveLength(1);
  });

  it('says so when no run has finished yet', async () => {
    serveAudit({ ...intact, checked: 0, sealedSeq: null, headHash: null, verifiedAt: null });
    await renderConsole('/platform/audit-logs', userOf('platform_admin'));
    await waitFor(() => expect(screen.getByTestId('audit-chain-status')).toHaveAttribute('data-chain', 'unknown'));
    expect(screen.getByTestId('audit-chain-status')).toHaveTextContent('尚未运行过审计日志链校验');
    expect(screen.getByTestId('audit-verified-at')).toHaveTextContent('尚未校验');
  });

  it('passes the filters to the server', async () => {
    serveAudit();
    await renderConsole('/platform/audit-logs', userOf('platform_admin'));
    await screen.findAllByTestId('audit-row');

    const user = userEvent.setup();
    fillIn(screen.getByLabelText('操作'), 'verification.approve');
    await user.click(screen.getByRole('button', { name: /查\s?询/ }));
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/audit-logs').at(-1)!.query).toMatchObject({ action: 'verification.approve', current: '1' }),
    );
  });
});
