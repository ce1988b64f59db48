import type { TAgencyAssignment, TApplication, TApplicationDetail, TCreditReport, TGrant, TLoan, TSlaClock } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { todayInShanghai } from '@/pages/applications/forms';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

function clock(overrides: Partial<TSlaClock> = {}): TSlaClock {
  return {
    stage: 'accept',
    workingDays: 3,
    dueOn: '2026-03-05',
    confirmed: true,
    state: 'on_time',
    workingDaysLeft: 2,
    metAt: null,
    ...overrides,
  };
}

function application(overrides: Partial<TApplication> = {}): TApplication {
  return {
    id: '7',
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    regionCode: '330106',
    productId: '501',
    productName: '科创信用贷',
    institutionId: '10',
    institutionName: '杭州银行',
    needId: null,
    status: 'submitted',
    version: 3,
    amountFen: 300_000_000,
    termMonths: 12,
    purpose: '旺季备货',
    offer: null,
    offerAccepted: false,
    rejection: null,
    sla: clock(),
    grantActive: true,
    submittedAt: '2026-03-02T02:00:00.000Z',
    updatedAt: '2026-03-02T02:00:00.000Z',
    ...overrides,
  };
}

const grant: TGrant = {
  id: '61',
  applicationId: '7',
  enterpriseId: '42',
  enterpriseName: '杭州青禾农业科技有限公司',
  organisationId: '10',
  organisationName: '杭州银行',
  organisationType: 'bank',
  purpose: '申请科创信用贷',
  scopes: ['registration', 'credit_score'],
  expiresOn: '2026-05-31',
  status: 'active',
  grantedAt: '2026-03-02T02:00:00.000Z',
  grantedByName: '王芳',
  revokedAt: null,
  revokedByName: null,
};

function assignment(overrides: Partial<TAgencyAssignment> = {}): TAgencyAssignment {
  return {
    id: '31',
    applicationId: '7',
    agencyId: '10',
    agencyName: '浙江信用评级有限公司',
    status: 'commissioned',
    request: '请出具评级与授信建议',
    commissionedAt: '2026-03-03T02:00:00.000Z',
    commissionedByName: '业务员刘洋',
    rating: null,
    summary: null,
    advice: null,
    reportedAt: null,
    reportedByName: null,
    ...overrides,
  };
}

const offer = {
  amountFen: 250_000_000,
  rateBp: 435,
  termMonths: 12,
  repaymentMethod: 'equal_instalment',
  guaranteeMethod: 'credit',
} as const;

function loan(overrides: Partial<TLoan> = {}): TLoan {
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
    schedule: [
      { dueOn: '2026-02-10', principalFen: 20_000_000, interestFen: 906_250 },
      { dueOn: '2026-03-10', principalFen: 20_000_000, interestFen: 833_750 },
    ],
    repayments: [
      {
        id: '801',
        paidOn: '2026-02-10',
        principalFen: 20_000_000,
        interestFen: 906_250,
        reference: 'R-0210',
        reportedAt: '2026-02-10T08:00:00.000Z',
        reportedByName: '业务员刘洋',
        channel: 'console',
      },
    ],
    figures: {
      balanceFen: 230_000_000,
      repaidPrincipalFen: 20_000_000,
      repaidInterestFen: 906_250,
      overdueFen: 20_833_750,
      daysOverdue: 5,
      overdueSince: '2026-03-10',
      loanClass: 'special_mention',
      status: 'overdue',
      nextDue: { dueOn: '2026-04-10', amountFen: 20_761_250 },
    },
    asOf: '2026-03-15',
    ...overrides,
  };
}

function detailOf(overrides: Partial<TApplicationDetail> = {}): TApplicationDetail {
  const base = application(overrides);
  return {
    ...base,
    events: [
      {
        id: '1001',
        kind: 'submit',
        label: '企业提交申请',
        fromStatus: null,
        toStatus: 'submitted',
        actorKind: 'enterprise',
        actorName: '王芳',
        note: '',
        at: '2026-03-02T02:00:00.000Z',
      },
    ],
    grants: [grant],
    clocks: [base.sla],
    moves: [],
    loan: null,
    agencies: [],
    visits: [],
    referral: { consentedAt: null, products: [] },
    ...overrides,
  };
}

/** A stateful server for application 7: each move bumps the version; a stale version answers 409. */
function serveApplication(initial: TApplicationDetail) {
  let state = initial;
  api.on('GET /api/v1/applications/:id', () => ok(state));
  api.on('POST /api/v1/applications/:id/moves', (req) => {
    if (req.body.version !== state.version) return fail(409, 'CONFLICT', '申请已被更新，请刷新后再操作');
    const to = { accept: 'accepted', investigate: 'investigating', approve: 'approved', reject: 'rejected', disburse: 'disbursed' }[
      req.body.action as string
    ];
    state = { ...state, status: (to ?? state.status) as TApplicationDetail['status'], version: state.version + 1, moves: [] };
    return ok(state);
  });
  return {
    get: () => state,
    /** A colleague moves it meanwhile. */
    changeBehindTheScenes: (change: Partial<TApplicationDetail>) => {
      state = { ...state, ...change, version: state.version + 1 };
    },
  };
}

function noCalendarWarning() {
  api.fallback('GET /api/v1/calendar/status', ok({ today: '2026-03-02', unconfirmedYears: [], message: null }));
}

function pageRendered() {
  return screen.findByTestId('application-summary');
}

/** antd Select inside a container: open it by its label, pick the option by its title. */
async function pick(user: ReturnType<typeof userEvent.setup>, container: HTMLElement, label: string, option: string) {
  fireEvent.mouseDown(within(container).getByRole('combobox', { name: label }));
  await user.click(await screen.findByTitle(option));
}

function fieldError(container: HTMLElement, label: string): HTMLElement | null {
  const item = within(container).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement;
  return item.querySelector('.ant-form-item-explain-error');
}

const REPORT: TCreditReport = {
  id: '7001',
  applicationId: '7',
  generatedAt: '2026-03-03T02:00:00.000Z',
  watermark: { institution: '杭州银行', user: '业务员刘洋', at: '2026-03-03T02:00:00.000Z', text: '杭州银行 业务员刘洋 2026-03-03 10:00' },
  enterprise: {
    id: '42',
    name: '杭州青禾农业科技有限公司',
    uscc: '91330106MA2XXXXX1L',
    legalRepName: '王芳',
    registeredCapitalFen: '500000000',
    establishedOn: '2018-05-20',
    industryName: '蔬菜种植',
    regionCode: '330106',
    scale: 'small',
    status: 'active',
  },
  profile: {
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    uscc: '91330106MA2XXXXX1L',
    score: {
      id: '5001',
      enterpriseId: '42',
      scorecardId: '1',
      scorecardVersion: 1,
      scorecardName: '专家评分卡 V1',
      role: 'active',
      asOf: '2026-03-01',
      computedAt: '2026-03-01T02:00:00.000Z',
      score: 712,
      rating: 'A',
      bandRating: 'A',
      noRatingReason: null,
      cap: null,
      badProbability: 0.006,
      dimensions: { basic: 81, operations: 64, tax: 92, social: 55, negative: 38 },
      reasons: [
        {
          feature: 'taxLate',
          label: '纳税信用',
          dimension: 'tax',
          lost: 8,
          binLabel: '1 次',
          reason: '近一年有 1 次逾期申报',
          advice: '按期申报',
        },
      ],
      points: [],
    },
    features: [],
    recordCounts: [
      { category: 'penalty', label: '行政处罚', count: 3, adverse: 2, disputed: 1 },
      { category: 'tax', label: '纳税', count: 24, adverse: 0, disputed: 0 },
    ],
    openWarnings: 1,
    openDisputes: 1,
  },
  warnings: [
    {
      id: '3001',
      enterpriseId: '42',
      enterpriseName: '杭州青禾农业科技有限公司',
      uscc: '91330106MA2XXXXX1L',
      regionCode: '330106',
      rule: 'penalty',
      ruleLabel: '新增行政处罚',
      severity: 'high',
      title: '新增较重行政处罚',
      detail: '',
      evidence: [],
      status: 'open',
      raisedAt: '2026-02-20T02:00:00.000Z',
      acknowledgedAt: null,
      closedAt: null,
      closeNote: null,
    },
  ],
  disputes: [
    {
      id: '6001',
      enterpriseId: '42',
      enterpriseName: '杭州青禾农业科技有限公司',
      recordId: '9001',
      category: 'penalty',
      recordSummary: '杭市监罚〔2026〕18号',
      sourceId: '701',
      sourceName: '市场监管处罚数据',
      reason: '该处罚已被复议撤销',
      evidenceFileId: null,
      status: 'open',
      raisedAt: '2026-03-01T02:00:00.000Z',
      dueOn: '2026-03-21',
      daysLeft: 18,
      resolvedAt: null,
      resolvedByName: null,
      resolutionNote: null,
    },
  ],
  agencies: [
    assignment({
      status: 'reported',
      rating: 'BBB',
      summary: '经营稳定，现金流偏紧',
      advice: '建议授信不超过 200 万元',
      reportedAt: '2026-03-04T02:00:00.000Z',
    }),
  ],
};

describe('application queue (融资申请)', () => {
  it('shows each application’s clock: the countdown, red when breached, orange when due soon, grey once met', async () => {
    noCalendarWarning();
    api.on(
      'GET /api/v1/applications',
      page([
        application(),
        application({
          id: '8',
          status: 'accepted',
          sla: clock({ stage: 'decide', workingDays: 10, dueOn: '2026-03-16', state: 'due_soon', workingDaysLeft: 1 }),
        }),
        application({ id: '9', sla: clock({ dueOn: '2026-02-27', state: 'breached', workingDaysLeft: -1, confirmed: false }) }),
        application({
          id: '10',
          status: 'approved',
          sla: clock({ stage: 'decide', state: 'met', workingDaysLeft: null, metAt: '2026-03-04T02:00:00.000Z' }),
        }),
        application({
          id: '11',
          status: 'rejected',
          sla: clock({ stage: 'decide', state: 'met_late', workingDaysLeft: null, metAt: '2026-03-20T02:00:00.000Z' }),
        }),
      ]),
    );
    await renderConsole('/finance/applications', userOf('fi_officer'));
    expect(await findPageTitle('融资申请')).toBeInTheDocument();
    const rows = await screen.findAllByTestId('application-row');
    expect(rows).toHaveLength(5);
    expect(api.callsTo('GET /api/v1/applications')[0].query).toMatchObject({ current: '1', pageSize: '20' });

    expect(within(rows[0]).getByTestId('application-link')).toHaveAttribute('href', '/finance/applications/7');
    for (const text of ['杭州青禾农业科技有限公司', '科创信用贷', '杭州银行', '300 万元', '12 个月', '已提交', '2026-03-02 10:00:00']) {
      expect(rows[0]).toHaveTextContent(text);
    }
    const countdown = (row: HTMLElement) => within(row).getByTestId('sla-countdown');
    expect(rows[0]).toHaveTextContent('受理时限 2026-03-05');
    expect(countdown(rows[0])).toHaveTextContent('剩 2 个工作日');
    expect(countdown(rows[0])).toHaveAttribute('data-tone', 'normal');
    expect(within(rows[0]).queryByTestId('sla-unconfirmed')).not.toBeInTheDocument();

    expect(rows[1]).toHaveTextContent('办结时限 2026-03-16');
    expect(countdown(rows[1])).toHaveTextContent('剩 1 个工作日');
    expect(countdown(rows[1])).toHaveStyle({ color: '#fa8c16' });

    expect(countdown(rows[2])).toHaveTextContent('已超时 1 个工作日');
    expect(countdown(rows[2])).toHaveClass('ant-typography-danger');
    expect(within(rows[2]).getByTestId('sla-unconfirmed')).toHaveTextContent('（日历未确认）');

    expect(countdown(rows[3])).toHaveTextContent('按时完成');
    expect(countdown(rows[3])).toHaveClass('ant-typography-secondary');
    expect(countdown(rows[4])).toHaveTextContent('超时完成');
    expect(countdown(rows[4])).toHaveClass('ant-typography-secondary');
  });

  it('filters by status, SLA and keyword', async () => {
    noCalendarWarning();
    api.on('GET /api/v1/applications', page([application()]));
    await renderConsole('/finance/applications', userOf('fi_admin'));
    await screen.findByTestId('application-row');
    const user = userEvent.setup();
    const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
    await pick(user, filters, '状态', '调查审批中');
    await pick(user, filters, '时限', '已超时');
    fillIn(within(filters).getByLabelText('关键字'), ' 青禾 ');
    await user.click(within(filters).getByRole('button', { name: /查\s?询/ }));
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/applications').at(-1)!.query).toMatchObject({
        status: 'investigating',
        sla: 'breached',
        keyword: '青禾',
      }),
    );
  });

  it('opens the queue to agencies, whose menu holds no products or needs', async () => {
    noCalendarWarning();
    api.on('GET /api/v1/applications', page([application()]));
    const { unmount } = await renderConsole('/finance/applications', userOf('agency'));
    expect(await findPageTitle('融资申请')).toBeInTheDocument();
    await screen.findByTestId('application-row');
    expect(screen.queryByText('金融产品')).not.toBeInTheDocument();
    expect(screen.queryByText('贷款管理')).not.toBeInTheDocument();
    unmount();

    api.reset();
    await renderConsole('/finance/products', userOf('agency'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
  });
});

describe('application detail (申请详情)', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('shows the application, its clocks, grants and timeline, and only the moves the server gives', async () => {
    window.history.replaceState(null, '', '/admin/finance/applications/7');
    serveApplication(
      detailOf({
        moves: ['accept', 'reject'],
        clocks: [clock(), clock({ stage: 'decide', workingDays: 5, dueOn: '2026-03-12', confirmed: false })],
        grants: [
          grant,
          {
            ...grant,
            id: '62',
            status: 'revoked',
            revokedAt: '2026-03-03T02:00:00.000Z',
            revokedByName: '王芳',
            scopes: ['tax', 'court_case'],
          },
        ],
        events: [
          { ...detailOf().events[0] },
          {
            id: '1002',
            kind: 'grant_revoked',
            label: '企业撤销了一项授权',
            fromStatus: null,
            toStatus: null,
            actorKind: 'enterprise',
            actorName: '王芳',
            note: '不再需要',
            at: '2026-03-03T02:00:00.000Z',
          },
        ],
      }),
    );
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    expect(await findPageTitle('申请详情')).toBeInTheDocument();
    const summary = await pageRendered();
    for (const text of ['杭州青禾农业科技有限公司', '科创信用贷', '杭州银行', '300 万元', '12 个月', '旺季备货', '已提交']) {
      expect(summary).toHaveTextContent(text);
    }
    const clocks = within(screen.getByTestId('application-clocks')).getAllByTestId('sla-clock');
    expect(clocks.map((c) => c.getAttribute('data-stage'))).toEqual(['accept', 'decide']);
    expect(clocks[0]).toHaveTextContent('受理时限 2026-03-05剩 2 个工作日');
    expect(clocks[1]).toHaveTextContent('（日历未确认）');

    const grants = within(screen.getByTestId('application-grants')).getAllByTestId('grant-row');
    expect(grants[0]).toHaveTextContent('工商登记信息');
    expect(grants[0]).toHaveTextContent('信用报告');
    expect(grants[0]).toHaveTextContent('2026-05-31');
    expect(grants[0]).toHaveTextContent('有效');
    expect(grants[1]).toHaveTextContent('纳税记录');
    expect(grants[1]).toHaveTextContent('司法诉讼记录');
    expect(grants[1]).toHaveTextContent('已撤销');

    const events = screen.getAllByTestId('application-event');
    expect(events[0]).toHaveTextContent('企业提交申请');
    expect(events[0]).toHaveTextContent('企业 王芳 · 2026-03-02 10:00:00');
    expect(events[1]).toHaveTextContent('不再需要');

    const moves = within(screen.getByTestId('application-moves')).getAllByRole('button');
    expect(moves.map((b) => b.textContent)).toEqual(['受理', '拒绝']);
    expect(screen.queryByRole('button', { name: '开始调查' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '批准' })).not.toBeInTheDocument();
    // Every API call names the console page it came from (the access log records it).
    expect(api.callsTo('GET /api/v1/applications/7')[0].headers['x-console-page']).toBe('/admin/finance/applications/7');
  });

  it('offers no move the server does not give, whatever the role', async () => {
    serveApplication(detailOf({ status: 'accepted', moves: [] }));
    await renderConsole('/finance/applications/7', userOf('fi_admin'));
    await pageRendered();
    expect(screen.queryByTestId('application-moves')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '开始调查' })).not.toBeInTheDocument();
  });

  it('accepts with an optional note, sending the version it loaded', async () => {
    const server = serveApplication(detailOf({ moves: ['accept', 'reject'] }));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '受理' }));
    const dialog = await screen.findByRole('dialog');
    fillIn(within(dialog).getByLabelText('备注（选填）'), ' 材料齐全 ');
    await user.click(within(dialog).getByRole('button', { name: '确认受理' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/moves')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/applications/7/moves')[0].body).toEqual({ action: 'accept', version: 3, note: '材料齐全' });
    await waitFor(() => expect(screen.getByTestId('application-status')).toHaveTextContent('已受理'));
    expect(server.get().version).toBe(4);
    expect(screen.queryByTestId('application-moves')).not.toBeInTheDocument();
  });

  it('approves with an offer typed in 元 and %, sent as fen and basis points with the version', async () => {
    serveApplication(detailOf({ status: 'investigating', moves: ['approve', 'reject'] }));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '批准' }));
    const dialog = await screen.findByRole('dialog');
    // Prefilled from the application.
    expect(within(dialog).getByLabelText('批准金额（元）')).toHaveValue('3000000');
    expect(within(dialog).getByLabelText('期限（个月）')).toHaveValue('12');

    await user.click(within(dialog).getByRole('button', { name: '确认批准' }));
    expect(await within(dialog).findByText('请填写年利率')).toBeInTheDocument();
    expect(within(dialog).getByText('请选择还款方式')).toBeInTheDocument();
    fillIn(within(dialog).getByLabelText('批准金额（元）'), '1234.567');
    await user.click(within(dialog).getByRole('button', { name: '确认批准' }));
    expect(await within(dialog).findByText('金额最多精确到分（小数点后 2 位）')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/applications/7/moves')).toHaveLength(0);

    fillIn(within(dialog).getByLabelText('批准金额（元）'), '2500000.1');
    fillIn(within(dialog).getByLabelText('年利率（%）'), '4.35');
    fillIn(within(dialog).getByLabelText('期限（个月）'), '24');
    await pick(user, dialog, '还款方式', '等额本息');
    await pick(user, dialog, '担保方式', '信用');
    await user.click(within(dialog).getByRole('button', { name: '确认批准' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/moves')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/applications/7/moves')[0].body).toEqual({
      action: 'approve',
      version: 3,
      note: '',
      offer: { amountFen: 250_000_010, rateBp: 435, termMonths: 24, repaymentMethod: 'equal_instalment', guaranteeMethod: 'credit' },
    });
    await waitFor(() => expect(screen.getByTestId('application-status')).toHaveTextContent('已批准（待放款）'));
  });

  it('rejects only with a reason code and its text, and marks the field the server refuses', async () => {
    serveApplication(detailOf({ status: 'investigating', moves: ['approve', 'reject'] }));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '拒绝' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认拒绝' }));
    expect(await within(dialog).findByText('请选择拒绝原因')).toBeInTheDocument();
    expect(within(dialog).getByText('请写明拒绝原因')).toBeInTheDocument();

    api.on(
      'POST /api/v1/applications/:id/moves',
      fail(400, 'VALIDATION_FAILED', 'rejection.text: 拒绝原因最多 500 个字', [
        { field: 'rejection.text', message: '拒绝原因最多 500 个字' },
      ]),
    );
    await pick(user, dialog, '拒绝原因', '信用状况不满足要求');
    fillIn(within(dialog).getByLabelText('原因说明'), ' 近一年有 2 次较重处罚 ');
    await user.click(within(dialog).getByRole('button', { name: '确认拒绝' }));
    await waitFor(() => expect(fieldError(dialog, '原因说明')).toHaveTextContent('拒绝原因最多 500 个字'));
    expect(api.callsTo('POST /api/v1/applications/7/moves')[0].body).toEqual({
      action: 'reject',
      version: 3,
      note: '',
      rejection: { code: 'credit', text: '近一年有 2 次较重处罚' },
    });
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('reloads an application someone else moved first (409) and says so; the next move names the new version', async () => {
    const server = serveApplication(detailOf({ moves: ['accept', 'reject'] }));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    server.changeBehindTheScenes({ status: 'accepted', moves: ['investigate', 'reject'] });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '受理' }));
    let dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认受理' }));
    expect(await screen.findByTestId('move-conflict')).toHaveTextContent('申请已被他人更新，已为您刷新');
    await waitFor(() => expect(api.callsTo('GET /api/v1/applications/7')).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId('application-status')).toHaveTextContent('已受理'));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByRole('button', { name: '受理' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: '开始调查' }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认开始调查' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/moves')).toHaveLength(2));
    expect(api.callsTo('POST /api/v1/applications/7/moves')[1].body).toEqual({ action: 'investigate', version: 4, note: '' });
    await waitFor(() => expect(screen.getByTestId('application-status')).toHaveTextContent('调查审批中'));
    expect(screen.queryByTestId('move-conflict')).not.toBeInTheDocument();
  });

  it('records the disbursement prefilled from the accepted offer', async () => {
    serveApplication(detailOf({ status: 'approved', offer, offerAccepted: true, moves: ['disburse'] }));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    const summary = await pageRendered();
    expect(within(summary).getByTestId('application-offer')).toHaveTextContent('250 万元，年利率 4.35%，12 个月，等额本息，信用');
    expect(within(summary).getByTestId('application-offer')).toHaveTextContent('企业已接受');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '登记放款' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('放款金额（元）')).toHaveValue('2500000');
    expect(within(dialog).getByLabelText('执行年利率（%）')).toHaveValue('4.35');
    expect(within(dialog).getByLabelText('贷款期限（个月）')).toHaveValue('12');
    expect(within(dialog).getByLabelText('是否信用贷款')).toBeChecked();
    fillIn(within(dialog).getByLabelText('合同编号'), ' HZB-2026-001 ');
    await user.click(within(dialog).getByRole('button', { name: '确认登记放款' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/moves')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/applications/7/moves')[0].body).toEqual({
      action: 'disburse',
      version: 3,
      note: '',
      loan: {
        amountFen: 250_000_000,
        rateBp: 435,
        termMonths: 12,
        disbursedOn: todayInShanghai(),
        repaymentMethod: 'equal_instalment',
        guaranteeMethod: 'credit',
        creditLoan: true,
        contractNo: 'HZB-2026-001',
      },
    });
    await waitFor(() => expect(screen.getByTestId('application-status')).toHaveTextContent('已放款'));
  });

  it('shows the credit report on request, under the viewer’s watermark, beside the agencies’ opinions', async () => {
    serveApplication(detailOf());
    api.on('GET /api/v1/applications/:id/report', ok(REPORT));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    // Nothing is read before the user asks: every view is logged.
    expect(api.callsTo('GET /api/v1/applications/7/report')).toHaveLength(0);
    await userEvent.setup().click(screen.getByRole('button', { name: '查看信用报告' }));
    const report = await screen.findByTestId('credit-report');
    const marks = within(report).getAllByTestId('report-watermark-text');
    expect(marks.length).toBeGreaterThan(10);
    expect(marks.every((m) => m.textContent === '杭州银行 业务员刘洋 2026-03-03 10:00')).toBe(true);
    expect(within(report).getByTestId('report-watermark')).toHaveStyle({ position: 'absolute', pointerEvents: 'none' });
    expect(within(report).getByTestId('report-caption')).toHaveTextContent('查看机构：杭州银行，查看人：业务员刘洋');

    const registration = within(report).getByTestId('report-registration');
    for (const text of ['91330106MA2XXXXX1L', '王芳', '500.00 万元', '2018-05-20', '蔬菜种植', '小型', '存续']) {
      expect(registration).toHaveTextContent(text);
    }
    expect(within(report).getByTestId('report-score-value')).toHaveTextContent('712');
    expect(within(report).getByTestId('report-rating')).toHaveTextContent('A');
    expect(within(report).getByTestId('report-reason')).toHaveTextContent('近一年有 1 次逾期申报');
    const counts = within(report).getAllByTestId('report-count-row');
    expect(counts[0]).toHaveTextContent('行政处罚');
    expect(counts[0]).toHaveTextContent('3');
    expect(within(report).getByTestId('report-warning')).toHaveTextContent('新增较重行政处罚');
    expect(within(report).getByTestId('report-dispute')).toHaveTextContent('该处罚已被复议撤销');
    const opinion = within(within(report).getByTestId('report-agencies')).getByTestId('report-agency-opinion');
    expect(opinion).toHaveTextContent('浙江信用评级有限公司');
    expect(opinion).toHaveTextContent('BBB');
    expect(opinion).toHaveTextContent('建议授信不超过 200 万元');
  });

  it('says why the report cannot be read when the grant is missing, revoked or expired', async () => {
    serveApplication(detailOf({ grantActive: false }));
    api.on('GET /api/v1/applications/:id/report', fail(404, 'NOT_FOUND', '信用报告不存在'));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    await userEvent.setup().click(screen.getByRole('button', { name: '查看信用报告' }));
    expect(await screen.findByTestId('report-refused')).toHaveTextContent('企业未授权或授权已撤销、已到期，无法查看信用报告');
    expect(screen.queryByTestId('credit-report')).not.toBeInTheDocument();
  });

  it('downloads the PDF as a file, and explains a refusal', async () => {
    serveApplication(detailOf());
    api.on('GET /api/v1/applications/:id/report.pdf', { status: 200, body: '%PDF-1.7 fake' });
    const createObjectURL = jest.fn(() => 'blob:report');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: { download: string; href: string }[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.href });
    });
    try {
      await renderConsole('/finance/applications/7', userOf('fi_officer'));
      await pageRendered();
      const user = userEvent.setup();
      await user.click(screen.getByRole('button', { name: '下载 PDF' }));
      await waitFor(() => expect(clicked).toHaveLength(1));
      expect(api.callsTo('GET /api/v1/applications/7/report.pdf')).toHaveLength(1);
      expect(clicked[0]).toEqual({ download: '信用报告-7.pdf', href: 'blob:report' });
      expect((createObjectURL.mock.calls[0] as unknown[])[0]).toBeInstanceOf(Blob);

      api.on('GET /api/v1/applications/:id/report.pdf', fail(404, 'NOT_FOUND', '信用报告不存在'));
      await user.click(screen.getByRole('button', { name: '下载 PDF' }));
      expect(await screen.findByText('企业未授权或授权已撤销、已到期，无法查看信用报告')).toBeInTheDocument();
      expect(clicked).toHaveLength(1);
    } finally {
      click.mockRestore();
    }
  });

  it('lets the institution commission an agency', async () => {
    serveApplication(detailOf({ status: 'investigating' }));
    api.on('GET /api/v1/agencies', ok([{ id: '20', name: '浙江信用评级有限公司', regionCode: '330000' }]));
    api.on('POST /api/v1/applications/:id/agencies', (req) => ({
      status: 201,
      body: { success: true, data: assignment({ agencyId: req.body.agencyId, request: req.body.request }) },
    }));
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '委托信用服务机构' }));
    const dialog = await screen.findByRole('dialog');
    await pick(user, dialog, '信用服务机构', '浙江信用评级有限公司');
    fillIn(within(dialog).getByLabelText('委托事项'), ' 请出具评级与授信建议 ');
    await user.click(within(dialog).getByRole('button', { name: '确认委托' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/agencies')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/applications/7/agencies')[0].body).toEqual({ agencyId: '20', request: '请出具评级与授信建议' });
    await waitFor(() => expect(api.callsTo('GET /api/v1/applications/7')).toHaveLength(2));
  });

  it('gives an agency the opinion form on its own commission only, with no moves', async () => {
    let state = detailOf({
      status: 'investigating',
      agencies: [assignment(), assignment({ id: '32', agencyId: '99', agencyName: '另一家评级公司' })],
    });
    api.on('GET /api/v1/applications/:id', () => ok(state));
    api.on('POST /api/v1/applications/:id/agencies/:assignmentId/opinion', (req) => {
      state = {
        ...state,
        agencies: state.agencies.map((a) => (a.id === req.params.assignmentId ? { ...a, ...req.body, status: 'reported' as const } : a)),
      };
      return ok(state.agencies[0]);
    });
    await renderConsole('/finance/applications/7', userOf('agency'));
    await pageRendered();
    expect(screen.queryByTestId('application-moves')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: '查看信用报告' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '委托信用服务机构' })).not.toBeInTheDocument();
    const forms = screen.getAllByTestId('agency-opinion-form');
    expect(forms).toHaveLength(1);
    const form = forms[0];
    expect(form).toHaveTextContent('请出具评级与授信建议');

    const user = userEvent.setup();
    await pick(user, form, '评级', 'A');
    fillIn(within(form).getByLabelText('报告摘要'), '太短');
    await user.click(within(form).getByRole('button', { name: '提交意见' }));
    expect(await within(form).findByText('报告摘要至少 10 个字')).toBeInTheDocument();
    expect(within(form).getByText('请填写授信建议')).toBeInTheDocument();

    fillIn(within(form).getByLabelText('报告摘要'), ' 企业经营稳定，纳税记录良好，现金流可覆盖本息 ');
    fillIn(within(form).getByLabelText('授信建议'), '建议授信 200 万元');
    await user.click(within(form).getByRole('button', { name: '提交意见' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/agencies/31/opinion')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/applications/7/agencies/31/opinion')[0].body).toEqual({
      rating: 'A',
      summary: '企业经营稳定，纳税记录良好，现金流可覆盖本息',
      advice: '建议授信 200 万元',
    });
    await waitFor(() => expect(screen.queryByTestId('agency-opinion-form')).not.toBeInTheDocument());
    expect(screen.getAllByTestId('agency-row')[0]).toHaveAttribute('data-status', 'reported');
  });

  it('shows the loan’s figures, schedule and repayments, and reports a repayment in 元 as fen', async () => {
    let state = detailOf({ status: 'overdue', offer, offerAccepted: true, loan: loan() });
    api.on('GET /api/v1/applications/:id', () => ok(state));
    api.on('POST /api/v1/loans/:id/repayments', (req) => {
      const repayment = {
        ...req.body,
        id: '802',
        reportedAt: '2026-03-15T08:00:00.000Z',
        reportedByName: '业务员刘洋',
        channel: 'console',
      };
      state = { ...state, loan: { ...state.loan!, repayments: [...state.loan!.repayments, repayment] } };
      return ok(state.loan);
    });
    await renderConsole('/finance/applications/7', userOf('fi_officer'));
    await pageRendered();
    const figures = screen.getByTestId('loan-figures');
    for (const text of [
      '230 万元',
      '关注',
      '5 天（自 2026-03-10）',
      '208,337.5 元',
      '2026-04-10 应还 207,612.5 元',
      'HZB-2026-001',
      '首贷户是',
    ]) {
      expect(figures).toHaveTextContent(text);
    }
    expect(screen.getAllByTestId('schedule-row')).toHaveLength(2);
    expect(screen.getAllByTestId('repayment-row')[0]).toHaveTextContent('R-0210');

    const form = screen.getByTestId('repayment-form');
    const user = userEvent.setup();
    fillIn(within(form).getByLabelText('还款流水号'), 'R-0315');
    await user.click(within(form).getByRole('button', { name: '报送还款' }));
    expect(await within(form).findByText('归还本金和利息不能都为 0')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/loans/91/repayments')).toHaveLength(0);

    api.on(
      'POST /api/v1/loans/:id/repayments',
      fail(400, 'VALIDATION_FAILED', 'principalFen: 归还本金不能超过贷款余额', [
        { field: 'principalFen', message: '归还本金不能超过贷款余额' },
      ]),
    );
    fillIn(within(form).getByLabelText('归还本金（元）'), '20000000');
    await user.click(within(form).getByRole('button', { name: '报送还款' }));
    await waitFor(() => expect(fieldError(form, '归还本金（元）')).toHaveTextContent('归还本金不能超过贷款余额'));

    api.on('POST /api/v1/loans/:id/repayments', (req) => {
      const repayment = {
        ...req.body,
        id: '802',
        reportedAt: '2026-03-15T08:00:00.000Z',
        reportedByName: '业务员刘洋',
        channel: 'console',
      };
      state = { ...state, loan: { ...state.loan!, repayments: [...state.loan!.repayments, repayment] } };
      return ok(state.loan);
    });
    fillIn(within(form).getByLabelText('归还本金（元）'), '200000');
    fillIn(within(form).getByLabelText('归还利息（元）'), '8337.5');
    await user.click(within(form).getByRole('button', { name: '报送还款' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/loans/91/repayments')).toHaveLength(2));
    expect(api.callsTo('POST /api/v1/loans/91/repayments')[1].body).toEqual({
      paidOn: todayInShanghai(),
      principalFen: 20_000_000,
      interestFen: 833_750,
      reference: 'R-0315',
    });
    await waitFor(() => expect(screen.getAllByTestId('repayment-row')).toHaveLength(2));
  });

  it('lets a government user read the loan without reporting repayments', async () => {
    serveApplication(detailOf({ status: 'disbursed', loan: loan() }));
    await renderConsole('/finance/applications/7', userOf('gov'));
    expect(await screen.findByTestId('loan-figures')).toBeInTheDocument();
    expect(screen.queryByTestId('repayment-form')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '查看信用报告' })).not.toBeInTheDocument();
    expect(screen.queryByTestId('visit-form')).not.toBeInTheDocument();
  });

  it('lets an advisor record a return visit once there is a decision', async () => {
    let state = detailOf({ status: 'submitted' });
    api.on('GET /api/v1/applications/:id', () => ok(state));
    const { unmount } = await renderConsole('/finance/applications/7', userOf('advisor'));
    await pageRendered();
    expect(screen.queryByTestId('visit-form')).not.toBeInTheDocument();
    unmount();

    state = detailOf({ status: 'rejected', rejection: { code: 'credit', text: '近一年有 2 次较重处罚', label: '信用状况不满足要求' } });
    api.on('POST /api/v1/applications/:id/visits', (req) => {
      const visit = {
        ...req.body,
        id: '41',
        applicationId: '7',
        stage: 'rejected',
        visitedAt: '2026-03-06T02:00:00.000Z',
        advisorName: '顾问李敏',
      };
      state = { ...state, visits: [visit] };
      return { status: 201, body: { success: true, data: visit } };
    });
    await renderConsole('/finance/applications/7', userOf('advisor'));
    const summary = await pageRendered();
    expect(within(summary).getByTestId('application-rejection')).toHaveTextContent('信用状况不满足要求：近一年有 2 次较重处罚');
    const form = screen.getByTestId('visit-form');
    const user = userEvent.setup();
    await user.click(within(form).getByRole('button', { name: '记录回访' }));
    expect(await within(form).findByText('请选择满意度（1–5）')).toBeInTheDocument();
    await pick(user, form, '满意度', '4 分 · 满意');
    await pick(user, form, '回访方式', '电话');
    fillIn(within(form).getByLabelText('回访记录'), ' 企业理解拒绝原因，同意推荐其他产品 ');
    await user.click(within(form).getByRole('button', { name: '记录回访' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/applications/7/visits')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/applications/7/visits')[0].body).toEqual({
      satisfaction: 4,
      channel: 'phone',
      note: '企业理解拒绝原因，同意推荐其他产品',
    });
    const visit = await screen.findByTestId('visit');
    expect(visit).toHaveTextContent('4 分 · 满意');
    expect(visit).toHaveTextContent('电话');
    expect(visit).toHaveTextContent('顾问李敏');
  });
});
