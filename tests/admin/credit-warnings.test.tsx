import type { TCreditWarning } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

function warning(overrides: Partial<TCreditWarning> = {}): TCreditWarning {
  return {
    id: '3001',
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    uscc: '91330106MA2XXXXX1L',
    regionCode: '330106',
    rule: 'penalty',
    ruleLabel: '新增行政处罚',
    severity: 'high',
    title: '新增较重行政处罚',
    detail: '2026-02-18 杭州市市场监督管理局作出较重处罚，罚款 ¥50,000.00',
    evidence: [{ recordId: '9001', category: 'penalty', summary: '处罚决定书文号：杭市监罚〔2026〕18号；处罚金额：¥50,000.00' }],
    status: 'open',
    raisedAt: '2026-02-20T02:00:00.000Z',
    acknowledgedAt: null,
    closedAt: null,
    closeNote: null,
    ...overrides,
  };
}

const headcount = warning({
  id: '3002',
  enterpriseId: '43',
  enterpriseName: '杭州绿源食品有限公司',
  rule: 'headcount_drop',
  ruleLabel: '参保人数骤降',
  severity: 'medium',
  title: '参保人数骤降',
  detail: '2026-01 参保人数为上年同月的 45%',
  evidence: [],
  status: 'acknowledged',
  acknowledgedAt: '2026-02-21T02:00:00.000Z',
});

function filterBox(label: string): HTMLElement {
  const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
  return (within(filters).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement).querySelector(
    '.ant-select-selector',
  ) as HTMLElement;
}

function searchButton(): HTMLElement {
  const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
  return within(filters).getByRole('button', { name: /查\s?询/ });
}

describe('risk warnings (风险预警)', () => {
  it('lists open warnings with enterprise, rule, severity, content and status, and filters them', async () => {
    api.on('GET /api/v1/credit/warnings', page([warning(), headcount]));
    await renderConsole('/credit/warnings', userOf('advisor'));
    expect(await findPageTitle('风险预警')).toBeInTheDocument();

    const rows = await screen.findAllByTestId('warning-row');
    expect(rows).toHaveLength(2);
    expect(api.callsTo('GET /api/v1/credit/warnings')[0].query).toMatchObject({ status: 'open', current: '1', pageSize: '20' });
    expect(rows[0]).toHaveTextContent('2026-02-20 10:00:00');
    expect(within(rows[0]).getByTestId('warning-enterprise')).toHaveAttribute('href', '/enterprises/42');
    expect(rows[0]).toHaveTextContent('91330106MA2XXXXX1L');
    expect(rows[0]).toHaveTextContent('新增行政处罚');
    expect(rows[0]).toHaveTextContent('新增较重行政处罚');
    expect(rows[0]).toHaveTextContent('罚款 ¥50,000.00');
    expect(rows[0]).toHaveTextContent('待处理');
    const high = within(rows[0]).getByTestId('warning-severity');
    expect(high).toHaveTextContent('高');
    expect(high).toHaveClass('ant-tag-red');
    expect(within(rows[1]).getByTestId('warning-severity')).toHaveClass('ant-tag-orange');
    expect(rows[1]).toHaveTextContent('已确认');
    // Acknowledged: only closing is left.
    expect(within(rows[1]).queryByTestId('warning-acknowledge')).not.toBeInTheDocument();
    expect(within(rows[1]).getByTestId('warning-close')).toBeInTheDocument();

    const user = userEvent.setup();
    fireEvent.mouseDown(filterBox('预警规则'));
    await user.click(await screen.findByTitle('参保人数骤降'));
    fireEvent.mouseDown(filterBox('严重程度'));
    await user.click(await screen.findByTitle('中'));
    fillIn(screen.getByLabelText('关键字'), ' 绿源 ');
    await user.click(searchButton());
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/credit/warnings').at(-1)!.query).toMatchObject({
        rule: 'headcount_drop',
        severity: 'medium',
        keyword: '绿源',
        status: 'open',
      }),
    );
  });

  it('expands a warning to its evidence records', async () => {
    api.on('GET /api/v1/credit/warnings', page([warning()]));
    await renderConsole('/credit/warnings', userOf('gov'));
    const row = await screen.findByTestId('warning-row');
    expect(screen.queryByTestId('warning-evidence')).not.toBeInTheDocument();

    await userEvent.setup().click(within(row).getByRole('button', { name: /展开/ }));
    const evidence = await screen.findByTestId('warning-evidence');
    const items = within(evidence).getAllByTestId('warning-evidence-item');
    expect(items).toHaveLength(1);
    expect(items[0]).toHaveTextContent('行政处罚');
    expect(items[0]).toHaveTextContent('处罚决定书文号：杭市监罚〔2026〕18号；处罚金额：¥50,000.00');
  });

  it('acknowledges a warning', async () => {
    let current = warning();
    api.on('GET /api/v1/credit/warnings', () => page([current]));
    api.on('POST /api/v1/credit/warnings/:id/acknowledge', () => {
      current = { ...current, status: 'acknowledged', acknowledgedAt: '2026-02-21T02:00:00.000Z' };
      return ok(current);
    });
    await renderConsole('/credit/warnings?status=all', userOf('advisor'));
    const row = await screen.findByTestId('warning-row');
    expect(api.callsTo('GET /api/v1/credit/warnings')[0].query.status).toBeUndefined();

    await userEvent.setup().click(within(row).getByTestId('warning-acknowledge'));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/warnings/3001/acknowledge')).toHaveLength(1));
    expect(await screen.findByText('已确认，请跟进处理')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('warning-row')).toHaveAttribute('data-status', 'acknowledged'));
    expect(within(screen.getByTestId('warning-row')).queryByTestId('warning-acknowledge')).not.toBeInTheDocument();
  });

  it('closes a warning only with a note, and sends that note', async () => {
    let current = warning();
    api.on('GET /api/v1/credit/warnings', () => page([current]));
    api.on('POST /api/v1/credit/warnings/:id/close', (req) => {
      current = { ...current, status: 'closed', closedAt: '2026-02-22T02:00:00.000Z', closeNote: req.body.note };
      return ok(current);
    });
    await renderConsole('/credit/warnings?status=all', userOf('platform_admin'));
    const row = await screen.findByTestId('warning-row');

    const user = userEvent.setup();
    await user.click(within(row).getByTestId('warning-close'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('关闭预警：杭州青禾农业科技有限公司');
    await user.click(within(dialog).getByRole('button', { name: '确认关闭' }));
    expect(await within(dialog).findByText('请填写关闭说明')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/credit/warnings/3001/close')).toHaveLength(0);

    fillIn(within(dialog).getByTestId('warning-close-note'), '  已电话核实，企业已缴清罚款  ');
    await user.click(within(dialog).getByRole('button', { name: '确认关闭' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/warnings/3001/close')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/credit/warnings/3001/close')[0].body).toEqual({ note: '已电话核实，企业已缴清罚款' });
    expect(await screen.findByText('预警已关闭')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('warning-row')).toHaveAttribute('data-status', 'closed'));
    expect(within(screen.getByTestId('warning-row')).queryByTestId('warning-close')).not.toBeInTheDocument();
  });

  it('shows the server’s refusal and keeps the dialog open', async () => {
    api.on('GET /api/v1/credit/warnings', page([warning()]));
    api.on('POST /api/v1/credit/warnings/:id/close', fail(404, 'NOT_FOUND', '预警不存在或无权访问'));
    await renderConsole('/credit/warnings', userOf('advisor'));
    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId('warning-row')).getByTestId('warning-close'));
    const dialog = await screen.findByRole('dialog');
    fillIn(within(dialog).getByTestId('warning-close-note'), '已核实');
    await user.click(within(dialog).getByRole('button', { name: '确认关闭' }));
    expect(await screen.findByText('预警不存在或无权访问')).toBeInTheDocument();
    expect(screen.queryByText('预警已关闭')).not.toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('opens the warning a notification links to, whatever its status, expanded and marked', async () => {
    api.on('GET /api/v1/credit/warnings', page([headcount, warning({ status: 'closed', closedAt: '2026-02-22T02:00:00.000Z', closeNote: '已处理' })]));
    await renderConsole('/credit/warnings?id=3001', userOf('advisor'));
    const rows = await screen.findAllByTestId('warning-row');
    expect(api.callsTo('GET /api/v1/credit/warnings')[0].query.status).toBeUndefined();
    const linked = rows.find((r) => r.getAttribute('data-linked') === 'true')!;
    expect(linked).toHaveTextContent('新增较重行政处罚');
    expect(rows.filter((r) => r.getAttribute('data-linked') === 'true')).toHaveLength(1);
    const evidence = await screen.findByTestId('warning-evidence');
    expect(evidence).toHaveTextContent('处罚决定书文号');
    expect(evidence).toHaveTextContent('关闭时间2026-02-22 10:00:00');
    expect(evidence).toHaveTextContent('处理说明已处理');
  });

  it('narrows the list to one enterprise from its profile', async () => {
    api.on('GET /api/v1/credit/warnings', page([warning()]));
    await renderConsole('/credit/warnings?enterpriseId=42', userOf('gov'));
    await screen.findByTestId('warning-row');
    expect(api.callsTo('GET /api/v1/credit/warnings')[0].query).toMatchObject({ enterpriseId: '42', status: 'open' });
    expect(screen.getByTestId('warning-enterprise-filter')).toHaveTextContent('仅显示一家企业的预警');
  });

  it('lets government users read warnings without handling them, and is not offered to banks', async () => {
    api.on('GET /api/v1/credit/warnings', page([warning()]));
    const { unmount } = await renderConsole('/credit/warnings', userOf('gov'));
    const row = await screen.findByTestId('warning-row');
    expect(within(row).queryByTestId('warning-acknowledge')).not.toBeInTheDocument();
    expect(within(row).queryByTestId('warning-close')).not.toBeInTheDocument();
    expect(screen.queryByText('操作')).not.toBeInTheDocument();
    unmount();

    api.reset();
    await renderConsole('/credit/warnings', userOf('fi_officer'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/credit/warnings')).toHaveLength(0);
    // The credit-service group still offers a bank its disputes.
    expect(screen.getAllByText('异议处理').length).toBeGreaterThan(0);
    expect(screen.queryByText('风险预警')).not.toBeInTheDocument();
  });
});
