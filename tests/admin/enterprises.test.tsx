import type { TEnterprise, TEnterpriseDetail } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const enterprise: TEnterprise = {
  id: '42',
  uscc: '91330106MA2XXXXX1L',
  name: '杭州青禾农业科技有限公司',
  legalRepName: '王芳',
  registeredCapitalFen: '500000000',
  establishedOn: '2018-05-20',
  industryCode: 'A0141',
  industryName: '蔬菜种植',
  regionCode: '330106',
  regionName: '浙江省杭州市西湖区',
  scale: 'small',
  status: 'active',
  memberCount: 1,
};

const detail: TEnterpriseDetail = {
  ...enterprise,
  legalRepIdMasked: '330106********1234',
  address: '杭州市西湖区文三路 1 号',
  businessScope: '蔬菜种植；农业技术推广',
  members: [{ id: '5', displayName: '王芳', role: 'ent_owner', since: '2025-03-01T02:00:00.000Z' }],
};

describe('enterprises', () => {
  it('lists the enterprises the server scopes to the caller and searches by keyword', async () => {
    api.on('GET /api/v1/enterprises', page([enterprise]));
    await renderConsole('/enterprises', userOf('gov'));

    expect(await findPageTitle('企业库')).toBeInTheDocument();
    const [row] = await screen.findAllByTestId('enterprise-row');
    expect(within(row).getByText('杭州青禾农业科技有限公司')).toBeInTheDocument();
    expect(within(row).getByText('500.00 万元')).toBeInTheDocument();
    expect(within(row).getByText('小型')).toBeInTheDocument();

    const user = userEvent.setup();
    fillIn(screen.getByLabelText('关键字'), '青禾');
    await user.click(screen.getByRole('button', { name: /查\s?询/ }));
    await waitFor(() => expect(api.callsTo('GET /api/v1/enterprises').at(-1)!.query).toMatchObject({ keyword: '青禾' }));

    // A credit code pasted from a document, with spaces and full-width characters, is searched for as the code.
    fillIn(screen.getByLabelText('关键字'), ' ９１３５ ０１００\u3000ｍ０００１００ｙ４３ ');
    await user.click(screen.getByRole('button', { name: /查\s?询/ }));
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/enterprises').at(-1)!.query).toMatchObject({ keyword: '91350100M000100Y43' }),
    );
  });

  it('filters by a region picked level by level from /regions', async () => {
    api.on('GET /api/v1/enterprises', page([enterprise]));
    api.on('GET /api/v1/regions', (req) =>
      ok(
        req.query.parent === '330000'
          ? [{ code: '330100', name: '杭州市', level: 'city', parentCode: '330000' }]
          : req.query.parent
            ? []
            : [{ code: '330000', name: '浙江省', level: 'province', parentCode: null }],
      ),
    );
    await renderConsole('/enterprises', userOf('gov'));
    await screen.findAllByTestId('enterprise-row');

    const user = userEvent.setup();
    const regionItem = screen.getByText('地区', { selector: 'label' }).closest('.ant-form-item') as HTMLElement;
    fireEvent.mouseDown(regionItem.querySelector('.ant-select-selector')!);
    await user.click(await screen.findByText('浙江省'));
    await user.click(await screen.findByText('杭州市'));
    await user.click(screen.getByRole('button', { name: /查\s?询/ }));
    await waitFor(() => expect(api.callsTo('GET /api/v1/enterprises').at(-1)!.query).toMatchObject({ regionCode: '330100' }));
  });

  it('opens the detail with registration data and bound members', async () => {
    api.on('GET /api/v1/enterprises', page([enterprise]));
    api.on('GET /api/v1/enterprises/:id', ok(detail));
    const { history } = await renderConsole('/enterprises', userOf('advisor'));

    const user = userEvent.setup();
    await user.click(await screen.findByText('杭州青禾农业科技有限公司', { selector: 'a' }));
    expect(await findPageTitle('企业详情')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/enterprises/42');
    const registration = await screen.findByTestId('enterprise-registration');
    expect(within(registration).getByText('330106********1234')).toBeInTheDocument();
    expect(within(registration).getByText('蔬菜种植（A0141）')).toBeInTheDocument();
    expect(screen.getByText('绑定用户（1）')).toBeInTheDocument();
    expect(screen.getByText('法定代表人', { selector: 'td' })).toBeInTheDocument();
  });

  it('says “not found” for an enterprise outside the caller’s scope', async () => {
    api.on('GET /api/v1/enterprises/:id', fail(404, 'NOT_FOUND', '企业不存在'));
    await renderConsole('/enterprises/99', userOf('fi_officer'));
    expect(await screen.findByText('该企业不存在，或不在您的查看范围内。')).toBeInTheDocument();
  });
});

describe('workbench and session end', () => {
  it('opens the list behind a workbench card', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [{ key: 'pending', title: '待审核认证', value: 4, link: '/verifications' }] }));
    api.on('GET /api/v1/verifications', page([]));
    const { history } = await renderConsole('/', userOf('advisor'));

    const card = await screen.findByTestId('workbench-card-pending');
    expect(card).toHaveTextContent('4');
    await userEvent.setup().click(card);
    expect(await findPageTitle('企业认证审核')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/verifications');
  });

  it('goes back to sign-in when the server says the session has ended', async () => {
    api.on('GET /api/v1/enterprises', fail(401, 'UNAUTHENTICATED', '登录已过期，请重新登录'));
    const { history } = await renderConsole('/enterprises', userOf('gov'));

    expect(await findPageTitle('账号登录')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/login');
    expect(new URLSearchParams(history().location.search).get('redirect')).toBe('/enterprises');
    expect(await screen.findByText('登录已过期，请重新登录')).toBeInTheDocument();
  });

  it('signs out from the user menu', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    api.on('POST /api/v1/auth/logout', ok(null));
    const { history } = await renderConsole('/workbench', userOf('agency'));

    const user = userEvent.setup();
    await user.hover(await screen.findByTestId('current-user'));
    await user.click(await screen.findByTestId('logout'));
    expect(await findPageTitle('账号登录')).toBeInTheDocument();
    expect(history().location.pathname).toBe('/login');
    expect(api.callsTo('POST /api/v1/auth/logout')).toHaveLength(1);
  });
});
