import type { TCreditDispute } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

function dispute(overrides: Partial<TCreditDispute> = {}): TCreditDispute {
  return {
    id: '6001',
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    recordId: '9001',
    category: 'penalty',
    recordSummary: '处罚决定书文号：杭市监罚〔2026〕18号；处罚金额：¥50,000.00',
    sourceId: '701',
    sourceName: '杭州市市场监督管理局处罚数据',
    reason: '该处罚已被复议撤销，附复议决定书',
    evidenceFileId: '77',
    status: 'open',
    raisedAt: '2026-03-02T02:00:00.000Z',
    dueOn: '2026-03-22',
    daysLeft: 12,
    resolvedAt: null,
    resolvedByName: null,
    resolutionNote: null,
    ...overrides,
  };
}

const dueSoon = dispute({ id: '6002', enterpriseId: '43', enterpriseName: '杭州绿源食品有限公司', category: 'tax', recordSummary: '所属期：2026-01；欠税：是', evidenceFileId: null, daysLeft: 2, dueOn: '2026-03-12' });
const overdue = dispute({ id: '6003', daysLeft: -3, dueOn: '2026-03-07' });
const resolved = dispute({
  id: '6004',
  status: 'rejected',
  daysLeft: null,
  resolvedAt: '2026-03-05T02:00:00.000Z',
  resolvedByName: '顾问李敏',
  resolutionNote: '经核实处罚仍有效',
});

describe('credit-record disputes (异议处理)', () => {
  it('lists open disputes with the record, source, reason, evidence and the 20-day clock', async () => {
    api.on('GET /api/v1/credit/disputes', page([dispute(), dueSoon, overdue]));
    await renderConsole('/credit/disputes', userOf('advisor'));
    expect(await findPageTitle('异议处理')).toBeInTheDocument();

    const rows = await screen.findAllByTestId('dispute-row');
    expect(rows).toHaveLength(3);
    expect(api.callsTo('GET /api/v1/credit/disputes')[0].query).toMatchObject({ status: 'open', current: '1', pageSize: '20' });
    expect(rows[0]).toHaveTextContent('2026-03-02 10:00:00');
    expect(within(rows[0]).getByTestId('dispute-enterprise')).toHaveAttribute('href', '/enterprises/42');
    expect(rows[0]).toHaveTextContent('行政处罚');
    expect(rows[0]).toHaveTextContent('杭市监罚〔2026〕18号');
    expect(rows[0]).toHaveTextContent('杭州市市场监督管理局处罚数据');
    expect(rows[0]).toHaveTextContent('该处罚已被复议撤销，附复议决定书');
    expect(within(rows[0]).getByTestId('dispute-evidence')).toHaveAttribute('href', '/api/v1/credit/disputes/6001/evidence');
    expect(within(rows[1]).queryByTestId('dispute-evidence')).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('纳税');

    expect(rows[0]).toHaveTextContent('2026-03-22');
    const relaxed = within(rows[0]).getByTestId('dispute-clock');
    expect(relaxed).toHaveTextContent('剩余 12 天');
    expect(relaxed).not.toHaveClass('ant-tag-red');
    expect(within(rows[1]).getByTestId('dispute-clock')).toHaveTextContent('剩余 2 天');
    expect(within(rows[1]).getByTestId('dispute-clock')).toHaveClass('ant-tag-red');
    expect(within(rows[2]).getByTestId('dispute-clock')).toHaveTextContent('已超期 3 天');
    expect(within(rows[2]).getByTestId('dispute-clock')).toHaveClass('ant-tag-red');
    for (const row of rows) expect(within(row).getByTestId('dispute-status')).toHaveTextContent('处理中');
  });

  it('shows a resolved dispute’s outcome, who decided and why, with no clock and no action', async () => {
    api.on('GET /api/v1/credit/disputes', page([resolved]));
    await renderConsole('/credit/disputes?status=all', userOf('advisor'));
    const row = await screen.findByTestId('dispute-row');
    expect(api.callsTo('GET /api/v1/credit/disputes')[0].query.status).toBeUndefined();
    expect(within(row).getByTestId('dispute-status')).toHaveTextContent('异议不成立（记录维持）');
    expect(row).toHaveTextContent('顾问李敏 · 2026-03-05 10:00:00');
    expect(row).toHaveTextContent('经核实处罚仍有效');
    expect(within(row).queryByTestId('dispute-clock')).not.toBeInTheDocument();
    expect(within(row).queryByTestId('dispute-resolve')).not.toBeInTheDocument();
  });

  it('resolves a dispute only with an outcome and a note, and sends both', async () => {
    let current = dispute();
    api.on('GET /api/v1/credit/disputes', () => page([current]));
    api.on('POST /api/v1/credit/disputes/:id/resolve', (req) => {
      current = { ...current, status: req.body.outcome, daysLeft: null, resolvedAt: '2026-03-06T02:00:00.000Z', resolvedByName: '顾问李敏', resolutionNote: req.body.note };
      return ok(current);
    });
    await renderConsole('/credit/disputes?status=all', userOf('advisor'));

    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId('dispute-row')).getByTestId('dispute-resolve'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('处理异议：杭州青禾农业科技有限公司');
    expect(within(dialog).getByTestId('dispute-resolve-record')).toHaveTextContent('行政处罚：处罚决定书文号：杭市监罚〔2026〕18号');
    await user.click(within(dialog).getByRole('button', { name: '提交处理结果' }));
    expect(await within(dialog).findByText('请选择处理结果：异议成立或不成立')).toBeInTheDocument();
    expect(within(dialog).getByText('请填写处理说明')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/credit/disputes/6001/resolve')).toHaveLength(0);

    await user.click(within(dialog).getByRole('radio', { name: '异议成立（撤回记录）' }));
    fillIn(within(dialog).getByTestId('dispute-resolve-note'), ' 复议决定书真实有效，处罚已撤销 ');
    await user.click(within(dialog).getByRole('button', { name: '提交处理结果' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/disputes/6001/resolve')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/credit/disputes/6001/resolve')[0].body).toEqual({ outcome: 'upheld', note: '复议决定书真实有效，处罚已撤销' });
    expect(await screen.findByText('异议成立，记录已撤回，企业评分将重新计算')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('dispute-status')).toHaveTextContent('异议成立（记录已撤回）'));
    expect(screen.queryByTestId('dispute-resolve')).not.toBeInTheDocument();
  });

  it('sends a rejection, and keeps the dialog when the server refuses', async () => {
    api.on('GET /api/v1/credit/disputes', page([dispute()]));
    api.on('POST /api/v1/credit/disputes/:id/resolve', fail(409, 'CONFLICT', '异议已被他人处理，请刷新'));
    await renderConsole('/credit/disputes', userOf('fi_admin'));

    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId('dispute-row')).getByTestId('dispute-resolve'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('radio', { name: '异议不成立（维持记录）' }));
    fillIn(within(dialog).getByTestId('dispute-resolve-note'), '处罚决定仍有效');
    await user.click(within(dialog).getByRole('button', { name: '提交处理结果' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/disputes/6001/resolve')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/credit/disputes/6001/resolve')[0].body).toEqual({ outcome: 'rejected', note: '处罚决定仍有效' });
    expect(await screen.findByText('异议已被他人处理，请刷新')).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('filters by status, and lets government users read without deciding', async () => {
    api.on('GET /api/v1/credit/disputes', page([dispute()]));
    await renderConsole('/credit/disputes', userOf('gov'));
    const row = await screen.findByTestId('dispute-row');
    expect(within(row).queryByTestId('dispute-resolve')).not.toBeInTheDocument();

    const user = userEvent.setup();
    const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
    fireEvent.mouseDown((within(filters).getByText('状态', { selector: 'label' }).closest('.ant-form-item') as HTMLElement).querySelector('.ant-select-selector')!);
    await user.click(await screen.findByTitle('异议成立（记录已撤回）'));
    await user.click(within(filters).getByRole('button', { name: /查\s?询/ }));
    await waitFor(() => expect(api.callsTo('GET /api/v1/credit/disputes').at(-1)!.query).toMatchObject({ status: 'upheld' }));
  });

  it('opens the dispute a notification links to, whatever its status, marked', async () => {
    api.on('GET /api/v1/credit/disputes', page([dueSoon, dispute()]));
    await renderConsole('/credit/disputes?id=6001', userOf('advisor'));
    const rows = await screen.findAllByTestId('dispute-row');
    expect(api.callsTo('GET /api/v1/credit/disputes')[0].query.status).toBeUndefined();
    expect(rows.map((r) => r.getAttribute('data-linked'))).toEqual(['false', 'true']);
  });
});
