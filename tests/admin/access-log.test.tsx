import type { TAccessLogEntry } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

function entry(overrides: Partial<TAccessLogEntry> = {}): TAccessLogEntry {
  return {
    id: '9001',
    at: '2026-03-03T02:00:00.000Z',
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    organisationId: '10',
    organisationName: '杭州银行',
    userName: '业务员刘洋',
    scope: 'credit_score',
    action: 'credit_report',
    applicationId: '7',
    grantId: '61',
    channel: 'console',
    page: '/admin/finance/applications/7',
    ...overrides,
  };
}

function filters(): HTMLElement {
  return document.querySelector('.ant-pro-table-search') as HTMLElement;
}

function search(user: ReturnType<typeof userEvent.setup>) {
  return user.click(within(filters()).getByRole('button', { name: /查\s?询/ }));
}

describe('data access log (数据访问日志)', () => {
  it('lists every read under a grant: when, whose data, who read it, what, how and from which page', async () => {
    api.on(
      'GET /api/v1/access-log',
      page([
        entry(),
        entry({
          id: '9002',
          scope: 'registration',
          action: 'registration',
          channel: 'api',
          applicationId: null,
          userName: '接口客户端 core-bank',
          page: '/api/v1/enterprises/42',
        }),
      ]),
    );
    await renderConsole('/platform/access-log', userOf('platform_admin'));
    expect(await findPageTitle('数据访问日志')).toBeInTheDocument();
    const rows = await screen.findAllByTestId('access-row');
    expect(api.callsTo('GET /api/v1/access-log')[0].query).toMatchObject({ current: '1', pageSize: '20' });
    for (const text of [
      '2026-03-03 10:00:00',
      '杭州青禾农业科技有限公司',
      '#42',
      '杭州银行',
      '#10',
      '业务员刘洋',
      '信用报告',
      '查看信用报告',
      '管理后台',
      '/admin/finance/applications/7',
    ]) {
      expect(rows[0]).toHaveTextContent(text);
    }
    expect(within(rows[0]).getByRole('link', { name: '申请 #7' })).toHaveAttribute('href', '/finance/applications/7');
    for (const text of ['工商登记信息', '查看工商登记信息', '机构系统接口', '/api/v1/enterprises/42']) {
      expect(rows[1]).toHaveTextContent(text);
    }
    expect(within(rows[1]).queryByRole('link')).not.toBeInTheDocument();
  });

  it('filters by enterprise, organisation, application and dates, refusing an id that is not a number', async () => {
    api.on('GET /api/v1/access-log', page([entry()]));
    await renderConsole('/platform/access-log', userOf('platform_admin'));
    await screen.findByTestId('access-row');
    const user = userEvent.setup();

    fillIn(within(filters()).getByLabelText('企业编号'), '青禾');
    await search(user);
    expect(await within(filters()).findByText('企业编号应为数字')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/access-log')).toHaveLength(1);

    fillIn(within(filters()).getByLabelText('企业编号'), ' 42 ');
    fillIn(within(filters()).getByLabelText('机构编号'), '10');
    fillIn(within(filters()).getByLabelText('申请编号'), '7');
    const [from, to] = within(filters()).getAllByPlaceholderText(/开始日期|结束日期/);
    fireEvent.mouseDown(from);
    fireEvent.focus(from);
    fillIn(from, '2026-03-01');
    fireEvent.keyDown(from, { key: 'Enter', code: 'Enter', keyCode: 13 });
    fillIn(to, '2026-03-31');
    fireEvent.keyDown(to, { key: 'Enter', code: 'Enter', keyCode: 13 });
    await search(user);
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/access-log').at(-1)!.query).toMatchObject({
        enterpriseId: '42',
        organisationId: '10',
        applicationId: '7',
        from: '2026-03-01',
        to: '2026-03-31',
      }),
    );
  });

  it('is for platform admins only', async () => {
    await renderConsole('/platform/access-log', userOf('advisor'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/access-log')).toHaveLength(0);
  });
});
