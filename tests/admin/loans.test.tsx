import type { TInstitutionFigures, TLoan } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

function loan(overrides: Partial<TLoan> = {}, figures: Partial<TLoan['figures']> = {}): TLoan {
  return {
    id: '91',
    applicationId: '7',
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    institutionId: '10',
    institutionName: '杭州银行',
    amountFen: 250_000_000,
    rateBp: 435,
    termMonths: 12,
    disbursedOn: '2026-01-10',
    maturityOn: '2027-01-10',
    repaymentMethod: 'equal_instalment',
    guaranteeMethod: 'credit',
    creditLoan: true,
    firstLoan: true,
    contractNo: 'HZB-2026-001',
    schedule: [],
    repayments: [],
    figures: {
      balanceFen: 230_000_000,
      repaidPrincipalFen: 20_000_000,
      repaidInterestFen: 906_250,
      overdueFen: 0,
      daysOverdue: 0,
      overdueSince: null,
      loanClass: 'normal',
      status: 'current',
      nextDue: { dueOn: '2026-04-10', amountFen: 20_761_250 },
      ...figures,
    },
    asOf: '2026-03-15',
    ...overrides,
  };
}

const figures: TInstitutionFigures = {
  institutionId: '10',
  institutionName: '杭州银行',
  applications: 12,
  open: 3,
  acceptBreaches: 2,
  decideBreaches: 0,
  approved: 6,
  rejected: 2,
  loans: 3,
  disbursedFen: 500_000_000,
  balanceFen: 420_000_000,
  weightedRateBp: 412,
  nplBalanceFen: 30_000_000,
  firstLoanFirms: 2,
  creditLoanShare: 2 / 3,
  byClass: { normal: 2, special_mention: 0, substandard: 1, doubtful: 0, loss: 0 },
  visits: 4,
  satisfiedShare: 0.75,
};

function filterBox(label: string): HTMLElement {
  const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
  return (within(filters).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement).querySelector(
    '.ant-select-selector',
  ) as HTMLElement;
}

describe('loans (贷款管理)', () => {
  it('shows each institution’s figures and every loan with its balance, days overdue and 五级分类', async () => {
    api.on(
      'GET /api/v1/financing/figures',
      ok([
        figures,
        {
          ...figures,
          institutionId: '11',
          institutionName: '浙商银行',
          visits: 0,
          satisfiedShare: null,
          creditLoanShare: null,
          weightedRateBp: null,
        },
      ]),
    );
    api.on(
      'GET /api/v1/loans',
      page([
        loan(),
        loan(
          { id: '92', applicationId: '8', enterpriseName: '杭州云栖制造有限公司', amountFen: 100_000_000, rateBp: 520 },
          { balanceFen: 30_000_000, daysOverdue: 95, overdueFen: 5_000_000, loanClass: 'substandard', status: 'overdue' },
        ),
      ]),
    );
    await renderConsole('/finance/loans', userOf('platform_admin'));
    expect(await findPageTitle('贷款管理')).toBeInTheDocument();

    const stats = await screen.findAllByTestId('figures-row');
    expect(stats).toHaveLength(2);
    for (const text of ['杭州银行', '12（在办 3）', '500 万元', '420 万元', '4.12%', '30 万元', '66.7%', '75%（4 次）']) {
      expect(stats[0]).toHaveTextContent(text);
    }
    const cells = within(stats[0])
      .getAllByRole('cell')
      .map((c) => c.textContent);
    // 受理超时, 办结超时, 放款笔数 and 首贷户, in the table's order.
    expect(cells.slice(2, 5)).toEqual(['2', '0', '3']);
    expect(cells[9]).toBe('2');
    expect(stats[1]).toHaveTextContent('浙商银行');
    expect(within(stats[1]).getAllByRole('cell').at(-1)).toHaveTextContent('-');

    const rows = await screen.findAllByTestId('loan-row');
    expect(within(rows[0]).getByTestId('loan-link')).toHaveAttribute('href', '/finance/applications/7');
    for (const text of ['杭州银行', '250 万元', '4.35%', '2026-01-10', '230 万元', '0 天']) {
      expect(rows[0]).toHaveTextContent(text);
    }
    expect(within(rows[0]).getByTestId('loan-class')).toHaveTextContent('正常');
    // The numbers a repayment file names the loan by.
    expect(within(rows[0]).getByTestId('loan-numbers')).toHaveTextContent('91');
    expect(within(rows[0]).getByTestId('loan-numbers')).toHaveTextContent('HZB-2026-001');
    expect(within(rows[0]).getByTestId('loan-status')).toHaveTextContent('正常还款中');
    expect(rows[1]).toHaveTextContent('95 天');
    expect(rows[1]).toHaveTextContent('30 万元');
    expect(within(rows[1]).getByTestId('loan-class')).toHaveTextContent('次级');
    expect(within(rows[1]).getByTestId('loan-status')).toHaveTextContent('逾期');
  });

  it('filters by 五级分类 and status', async () => {
    api.on('GET /api/v1/financing/figures', ok([]));
    api.on('GET /api/v1/loans', page([loan()]));
    await renderConsole('/finance/loans', userOf('fi_officer'));
    await screen.findByTestId('loan-row');
    const user = userEvent.setup();
    fireEvent.mouseDown(filterBox('五级分类'));
    await user.click(await screen.findByTitle('次级'));
    fireEvent.mouseDown(filterBox('状态'));
    await user.click(await screen.findByTitle('逾期'));
    await user.click(within(document.querySelector('.ant-pro-table-search') as HTMLElement).getByRole('button', { name: /查\s?询/ }));
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/loans').at(-1)!.query).toMatchObject({ loanClass: 'substandard', status: 'overdue' }),
    );
  });

  it('is closed to agencies, without calling the API', async () => {
    await renderConsole('/finance/loans', userOf('agency'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/loans')).toHaveLength(0);
    expect(api.callsTo('GET /api/v1/financing/figures')).toHaveLength(0);
  });
});
