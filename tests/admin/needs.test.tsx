import type { TCriterionCheck, TNeed, TNeedDetail, TNeedMatch, TProductTerms } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const terms: TProductTerms = {
  name: '科创信用贷',
  type: 'credit',
  summary: '',
  amountMinFen: 10_000_000,
  amountMaxFen: 300_000_000,
  termMinMonths: 6,
  termMaxMonths: 36,
  rateMinBp: 345,
  rateMaxBp: 485,
  guaranteeMethods: ['credit'],
  repaymentMethods: ['interest_first'],
  criteria: {
    regionCodes: [],
    industriesIncluded: [],
    industriesExcluded: [],
    scales: [],
    minYearsEstablished: null,
    minRating: 'BBB',
    penaltyLimit: null,
    excludeBlacklisted: true,
    noTaxArrears: false,
    noSocialArrears: false,
    noEnforcement: false,
  },
  requiredDocuments: [],
  acceptDays: 3,
  turnaroundDays: 5,
  policySupport: false,
};

const check = (criterion: TCriterionCheck['criterion'], ok: boolean, text: string): TCriterionCheck => ({ criterion, ok, text, remediable: true });

function match(productId: string, name: string, overrides: Partial<TNeedMatch> = {}, outcome: Partial<TNeedMatch['outcome']> = {}): TNeedMatch {
  return {
    productId,
    revisionId: `9${productId}`,
    revision: 1,
    product: { ...terms, name, id: productId, revisionId: `9${productId}`, institutionId: '10', institutionName: '杭州银行', publishedAt: '2026-01-05T02:00:00.000Z' },
    outcome: {
      productId,
      revisionId: `9${productId}`,
      fits: true,
      score: 82,
      scoreParts: { rate: 0.8, amount: 0.9, turnaround: 0.7, approval: 0.5, policy: 0 },
      checks: [check('rating', true, '评级 A ≥ 要求 BBB ✓'), check('amount', true, '金额 300 万元在 10–300 万元内 ✓')],
      failed: [],
      advice: [],
      ...outcome,
    },
    systemRank: 1,
    advisorRank: null,
    review: 'pending',
    reviewReason: null,
    addedByAdvisor: false,
    isNew: false,
    matchedAt: '2026-03-02T02:05:00.000Z',
    ...overrides,
  };
}

const nearMiss = match(
  '703',
  '成长贷',
  { systemRank: null },
  {
    fits: false,
    score: 60,
    checks: [check('rating', true, '评级 A ≥ 要求 BBB ✓'), check('years', false, '成立 2 年 < 要求 3 年 ✗')],
    failed: ['years'],
    advice: [{ criterion: 'years', text: '成立满 3 年后（2027-05）可申请', availableFrom: '2027-05' }],
  },
);

function need(overrides: Partial<TNeedDetail> = {}): TNeedDetail {
  return {
    id: '88',
    enterpriseId: '42',
    enterpriseName: '杭州青禾农业科技有限公司',
    regionCode: '330106',
    amountFen: 300_000_000,
    termMonths: 12,
    purpose: 'working_capital',
    guaranteeMethods: ['credit', 'guarantee'],
    maxRateBp: 500,
    urgency: 'month',
    note: '旺季备货',
    status: 'reviewing',
    advisorId: '1',
    advisorName: '顾问李敏',
    submittedAt: '2026-03-02T02:00:00.000Z',
    updatedAt: '2026-03-02T02:05:00.000Z',
    releasedAt: null,
    releaseMessage: null,
    matchedAt: '2026-03-02T02:05:00.000Z',
    fitCount: 3,
    clock: { dueOn: '2026-03-05', workingDaysLeft: 2, confirmed: true, unconfirmedYears: [], remindedAt: null, escalatedAt: null },
    version: 4,
    profile: {
      score: 712,
      rating: 'A',
      reasons: [{ label: '纳税信用', reason: '近一年有 1 次逾期申报', advice: '按期申报纳税可提升评分' }],
      openWarnings: [{ id: '3001', title: '新增较重行政处罚', severity: 'high', raisedAt: '2026-02-20T02:00:00.000Z' }],
      industryName: '谷物种植',
      scale: 'small',
      yearsEstablished: 2,
    },
    matches: [
      match('701', '科创信用贷'),
      match('702', '税易贷', { systemRank: 2, isNew: true }, { score: 75, checks: [check('rating', true, '评级 A ≥ 要求 BB ✓')] }),
      match('704', '政银担', { systemRank: null, addedByAdvisor: true, review: 'confirmed', reviewReason: '企业可提供担保' }, { fits: false, score: 40, checks: [check('guarantee', false, '担保方式不含 保证（担保） ✗')] }),
    ],
    nearMisses: [nearMiss],
    notes: [
      {
        id: '5',
        channel: 'call',
        contactedAt: '2026-03-02T03:00:00.000Z',
        outcome: '企业希望尽快放款',
        note: '',
        authorName: '顾问李敏',
        createdAt: '2026-03-02T03:01:00.000Z',
      },
    ],
    ...overrides,
  };
}

function listed(detail: TNeedDetail): TNeed {
  const { profile: _p, matches: _m, nearMisses: _n, notes: _o, ...rest } = detail;
  return rest;
}

/** A small stateful server for one need: every review step bumps the version, as the real one does. */
function serveNeed(initial: TNeedDetail) {
  let state = initial;
  const bump = (change: Partial<TNeedDetail>) => {
    state = { ...state, ...change, version: state.version + 1 };
    return ok(state);
  };
  api.on('GET /api/v1/needs/:id', () => ok(state));
  api.on('POST /api/v1/needs/:id/matches/:productId/review', (req) => {
    const review = req.body.action === 'confirm' ? 'confirmed' : req.body.action === 'remove' ? 'removed' : 'pending';
    return bump({ matches: state.matches.map((m) => (m.productId === req.params.productId ? { ...m, review, reviewReason: req.body.reason ?? null } : m)) });
  });
  api.on('PUT /api/v1/needs/:id/matches/order', (req) =>
    bump({ matches: (req.body.productIds as string[]).map((pid, i) => ({ ...state.matches.find((m) => m.productId === pid)!, advisorRank: i + 1 })) }),
  );
  api.on('POST /api/v1/needs/:id/notes', (req) => {
    const note = { ...req.body, id: String(100 + state.notes.length), authorName: '顾问李敏', createdAt: '2026-03-03T02:00:00.000Z' };
    state = { ...state, notes: [note, ...state.notes], version: state.version + 1 };
    return { status: 201, body: { success: true, data: note } };
  });
  api.on('POST /api/v1/needs/:id/release', (req) =>
    req.body.version === state.version
      ? bump({ status: 'released', releasedAt: '2026-03-03T02:00:00.000Z', releaseMessage: req.body.message || null })
      : fail(409, 'CONFLICT', '需求在您复核后有了变化，请刷新后确认再推荐'),
  );
  return {
    get: () => state,
    /** Someone else changes the need meanwhile (the firm edits it, a re-match runs). */
    changeBehindTheScenes: () => {
      state = { ...state, version: state.version + 1 };
    },
  };
}

function noCalendarWarning() {
  api.fallback('GET /api/v1/calendar/status', ok({ today: '2026-03-02', unconfirmedYears: [], message: null }));
}

function segment(label: string): HTMLElement {
  return within(screen.getByTestId('need-queue')).getByText(label);
}

describe('financing need queue (融资需求)', () => {
  it('lists the advisor’s own needs first, with amount, advisor, fits and the working-day clock', async () => {
    api.on('GET /api/v1/calendar/status', ok({ today: '2026-03-02', unconfirmedYears: [2027], message: '2027 年法定节假日安排尚未录入，工作日暂按周末计算，请尽快录入' }));
    const overdue = listed(
      need({
        id: '89',
        enterpriseName: '杭州云栖制造有限公司',
        advisorId: null,
        advisorName: null,
        matchedAt: null,
        fitCount: 0,
        clock: { dueOn: '2026-03-01', workingDaysLeft: -1, confirmed: false, unconfirmedYears: [2027], remindedAt: null, escalatedAt: '2026-03-02T01:00:00.000Z' },
      }),
    );
    api.on('GET /api/v1/needs', page([listed(need()), overdue]));
    await renderConsole('/finance/needs', userOf('advisor'));
    expect(await findPageTitle('融资需求')).toBeInTheDocument();
    expect(await screen.findByTestId('calendar-notice')).toHaveTextContent('2027 年法定节假日安排尚未录入');

    const rows = await screen.findAllByTestId('need-row');
    expect(api.callsTo('GET /api/v1/needs')[0].query).toMatchObject({ queue: 'mine', current: '1', pageSize: '20' });
    expect(within(rows[0]).getByTestId('need-link')).toHaveAttribute('href', '/finance/needs/88');
    expect(rows[0]).toHaveTextContent('300 万元');
    expect(rows[0]).toHaveTextContent('12 个月');
    expect(rows[0]).toHaveTextContent('流动资金');
    expect(rows[0]).toHaveTextContent('顾问复核中');
    expect(rows[0]).toHaveTextContent('顾问李敏');
    expect(rows[0]).toHaveTextContent('3 款');
    expect(rows[0]).toHaveTextContent('2026-03-05');
    expect(within(rows[0]).getByTestId('need-days-left')).toHaveTextContent('剩余 2 个工作日');
    expect(within(rows[0]).getByTestId('need-days-left')).toHaveAttribute('data-overdue', 'false');
    expect(within(rows[0]).queryByTestId('need-calendar-unconfirmed')).not.toBeInTheDocument();
    expect(within(rows[0]).queryByTestId('need-escalated')).not.toBeInTheDocument();

    expect(rows[1]).toHaveTextContent('平台队列');
    expect(rows[1]).toHaveTextContent('匹配中');
    const late = within(rows[1]).getByTestId('need-days-left');
    expect(late).toHaveTextContent('已超期 1 个工作日');
    expect(late).toHaveAttribute('data-overdue', 'true');
    expect(late).toHaveClass('ant-typography-danger');
    expect(within(rows[1]).getByTestId('need-calendar-unconfirmed')).toHaveTextContent('未确认日历');
    expect(within(rows[1]).getByTestId('need-escalated')).toHaveTextContent('已超时上报');

    // An advisor has their own queue and all of the region's, not the platform queue.
    expect(within(screen.getByTestId('need-queue')).queryByText('平台队列')).not.toBeInTheDocument();
    await userEvent.setup().click(segment('全部'));
    await waitFor(() => expect(api.callsTo('GET /api/v1/needs').at(-1)!.query).toMatchObject({ queue: 'all' }));
  });

  it('gives platform admins the platform queue, and filters by status', async () => {
    noCalendarWarning();
    api.on('GET /api/v1/needs', page([listed(need({ advisorId: null, advisorName: null }))]));
    await renderConsole('/finance/needs', userOf('platform_admin'));
    await screen.findByTestId('need-row');
    expect(api.callsTo('GET /api/v1/needs')[0].query.queue).toBe('unassigned');
    expect(within(screen.getByTestId('need-queue')).queryByText('分配给我')).not.toBeInTheDocument();

    const user = userEvent.setup();
    const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
    fireEvent.mouseDown((within(filters).getByText('状态', { selector: 'label' }).closest('.ant-form-item') as HTMLElement).querySelector('.ant-select-selector')!);
    await user.click(await screen.findByTitle('已推荐'));
    await user.click(within(filters).getByRole('button', { name: /查\s?询/ }));
    await waitFor(() => expect(api.callsTo('GET /api/v1/needs').at(-1)!.query).toMatchObject({ status: 'released', queue: 'unassigned' }));
  });

  it('shows government users every need of the region, without queues, and banks nothing', async () => {
    noCalendarWarning();
    api.on('GET /api/v1/needs', page([listed(need())]));
    const { unmount } = await renderConsole('/finance/needs', userOf('gov'));
    await screen.findByTestId('need-row');
    expect(api.callsTo('GET /api/v1/needs')[0].query.queue).toBe('all');
    expect(screen.queryByTestId('need-queue')).not.toBeInTheDocument();
    unmount();

    api.reset();
    await renderConsole('/finance/needs', userOf('fi_officer'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/needs')).toHaveLength(0);
  });
});

describe('need review (需求复核)', () => {
  it('shows the need, the firm’s profile, every check of every match and the near misses’ advice', async () => {
    serveNeed(need());
    await renderConsole('/finance/needs/88', userOf('advisor'));
    expect(await findPageTitle('需求复核')).toBeInTheDocument();

    const summary = await screen.findByTestId('need-summary');
    expect(summary).toHaveTextContent('300 万元');
    expect(summary).toHaveTextContent('12 个月');
    expect(summary).toHaveTextContent('信用、保证（担保）');
    expect(summary).toHaveTextContent('5%');
    expect(summary).toHaveTextContent('一个月内');
    expect(summary).toHaveTextContent('旺季备货');
    expect(summary).toHaveTextContent('顾问李敏');
    expect(summary).toHaveTextContent('剩余 2 个工作日');

    const profile = screen.getByTestId('need-profile');
    expect(within(profile).getByTestId('need-profile-score')).toHaveTextContent('712');
    expect(within(profile).getByTestId('need-profile-rating')).toHaveTextContent('A');
    expect(profile).toHaveTextContent('近一年有 1 次逾期申报');
    expect(profile).toHaveTextContent('建议：按期申报纳税可提升评分');
    expect(profile).toHaveTextContent('新增较重行政处罚');
    expect(within(profile).getByTestId('need-enterprise-link')).toHaveAttribute('href', '/enterprises/42');

    const first = screen.getByTestId('match-701');
    expect(first).toHaveTextContent('科创信用贷');
    expect(first).toHaveTextContent('杭州银行');
    expect(first).toHaveTextContent('10–300 万元');
    expect(first).toHaveTextContent('3.45%–4.85%');
    expect(within(first).getByTestId('match-score')).toHaveTextContent('82');
    expect(within(first).getByTestId('match-review')).toHaveTextContent('待复核');
    const checks = within(first).getAllByTestId('match-check');
    expect(checks.map((c) => c.textContent)).toEqual(['评级 A ≥ 要求 BBB ✓', '金额 300 万元在 10–300 万元内 ✓']);
    expect(checks[0].querySelector('.ant-typography-success')).not.toBeNull();
    expect(screen.getByTestId('match-702')).toHaveTextContent('新匹配');
    const added = screen.getByTestId('match-704');
    expect(added).toHaveTextContent('顾问添加');
    expect(added).toHaveTextContent('添加理由：企业可提供担保');
    const failed = within(added).getByTestId('match-check');
    expect(failed).toHaveAttribute('data-ok', 'false');
    expect(failed.querySelector('.ant-typography-danger')).toHaveTextContent('担保方式不含 保证（担保） ✗');

    const miss = screen.getByTestId('near-miss-703');
    expect(miss).toHaveTextContent('差 1 项：成立年限');
    expect(within(miss).getAllByTestId('match-check').map((c) => c.textContent)).toEqual(['成立 2 年 < 要求 3 年 ✗']);
    expect(within(miss).getByTestId('near-miss-advice')).toHaveTextContent('成立满 3 年后（2027-05）可申请');

    const notes = screen.getAllByTestId('need-note');
    expect(notes[0]).toHaveTextContent('电话');
    expect(notes[0]).toHaveTextContent('企业希望尽快放款');
    expect(notes[0]).toHaveTextContent('2026-03-02 11:00:00');
    expect(notes[0]).toHaveTextContent('顾问李敏');
  });

  it('confirms a match, and removes one only with a reason', async () => {
    const server = serveNeed(need());
    await renderConsole('/finance/needs/88', userOf('advisor'));
    const user = userEvent.setup();

    await user.click(within(await screen.findByTestId('match-701')).getByRole('button', { name: '确认' }));
    await waitFor(() => expect(screen.getByTestId('match-701')).toHaveAttribute('data-review', 'confirmed'));
    expect(api.callsTo('POST /api/v1/needs/88/matches/701/review')[0].body).toEqual({ action: 'confirm' });
    expect(within(screen.getByTestId('match-701')).queryByRole('button', { name: '确认' })).not.toBeInTheDocument();

    await user.click(within(screen.getByTestId('match-702')).getByRole('button', { name: '移除' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认移除' }));
    expect(await within(dialog).findByText('请填写移除原因')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/needs/88/matches/702/review')).toHaveLength(0);

    fillIn(within(dialog).getByTestId('remove-reason'), '  企业不接受该行的放款周期 ');
    await user.click(within(dialog).getByRole('button', { name: '确认移除' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/matches/702/review')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/needs/88/matches/702/review')[0].body).toEqual({ action: 'remove', reason: '企业不接受该行的放款周期' });
    const removed = screen.getByTestId('match-702');
    await waitFor(() => expect(removed).toHaveAttribute('data-review', 'removed'));
    expect(removed).toHaveTextContent('移除原因：企业不接受该行的放款周期');

    await user.click(within(removed).getByRole('button', { name: '恢复' }));
    await waitFor(() => expect(screen.getByTestId('match-702')).toHaveAttribute('data-review', 'pending'));
    expect(api.callsTo('POST /api/v1/needs/88/matches/702/review')[1].body).toEqual({ action: 'restore' });
    expect(server.get().version).toBe(7);
  });

  it('shows matches in recommended order and moves one by sending the whole new order', async () => {
    serveNeed(need({ matches: [...need().matches].reverse() }));
    await renderConsole('/finance/needs/88', userOf('advisor'));
    const user = userEvent.setup();
    const first = await screen.findByTestId('match-701');
    expect(screen.getAllByTestId(/^match-\d+$/).map((c) => c.getAttribute('data-testid'))).toEqual(['match-701', 'match-702', 'match-704']);
    expect(within(first).getByRole('button', { name: /上移/ })).toBeDisabled();
    await user.click(within(first).getByRole('button', { name: /下移/ }));
    await waitFor(() => expect(api.callsTo('PUT /api/v1/needs/88/matches/order')).toHaveLength(1));
    expect(api.callsTo('PUT /api/v1/needs/88/matches/order')[0].body).toEqual({ productIds: ['702', '701', '704'] });
    await waitFor(() =>
      expect(screen.getAllByTestId(/^match-\d+$/).map((c) => c.getAttribute('data-testid'))).toEqual(['match-702', 'match-701', 'match-704']),
    );
    expect(within(screen.getByTestId('match-704')).getByRole('button', { name: /下移/ })).toBeDisabled();

    await user.click(within(screen.getByTestId('match-704')).getByRole('button', { name: /上移/ }));
    await waitFor(() => expect(api.callsTo('PUT /api/v1/needs/88/matches/order')).toHaveLength(2));
    expect(api.callsTo('PUT /api/v1/needs/88/matches/order')[1].body).toEqual({ productIds: ['702', '704', '701'] });
  });

  it('releases with the version it reviewed; a need changed meanwhile is reloaded and the user told', async () => {
    const server = serveNeed(need());
    await renderConsole('/finance/needs/88', userOf('advisor'));
    const user = userEvent.setup();
    await screen.findByTestId('match-701');
    server.changeBehindTheScenes();

    await user.click(screen.getByTestId('release-need'));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('release-summary')).toHaveTextContent('推荐 3 款产品');
    fillIn(within(dialog).getByLabelText('给企业的留言'), ' 建议优先申请第一款 ');
    await user.click(within(dialog).getByRole('button', { name: '确认发布' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/release')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/needs/88/release')[0].body).toEqual({ message: '建议优先申请第一款', version: 4 });
    const conflict = await screen.findByTestId('release-conflict');
    expect(conflict).toHaveTextContent('需求在您复核后有了变化，请刷新后确认再推荐');
    expect(conflict).toHaveTextContent('页面已刷新为最新内容');
    await waitFor(() => expect(api.callsTo('GET /api/v1/needs/88')).toHaveLength(2));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await user.click(screen.getByTestId('release-need'));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认发布' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/release')).toHaveLength(2));
    expect(api.callsTo('POST /api/v1/needs/88/release')[1].body).toEqual({ message: '', version: 5 });
    await waitFor(() => expect(screen.getByTestId('need-status')).toHaveTextContent('已推荐'));
    expect(await screen.findByText('已向企业推荐 3 款产品')).toBeInTheDocument();
    expect(screen.queryByTestId('release-conflict')).not.toBeInTheDocument();
  });

  it('logs a contact and reloads the need, so that a release names the new version', async () => {
    serveNeed(need());
    await renderConsole('/finance/needs/88', userOf('advisor'));
    const user = userEvent.setup();
    const form = await screen.findByTestId('note-form');
    await user.click(within(form).getByRole('button', { name: '添加记录' }));
    expect(await within(form).findByText('请填写联系结果')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/needs/88/notes')).toHaveLength(0);

    const before = Date.now();
    fillIn(within(form).getByLabelText('联系结果'), ' 已上门核实经营情况 ');
    fillIn(within(form).getByLabelText('备注'), '厂房自有');
    await user.click(within(form).getByRole('button', { name: '添加记录' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/notes')).toHaveLength(1));
    const body = api.callsTo('POST /api/v1/needs/88/notes')[0].body;
    expect(body).toMatchObject({ channel: 'call', outcome: '已上门核实经营情况', note: '厂房自有' });
    // Defaults to now (the form opened a moment ago), sent as an ISO time.
    expect(body.contactedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(body.contactedAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(body.contactedAt)).toBeGreaterThan(before - 10 * 60_000);

    await waitFor(() => expect(screen.getAllByTestId('need-note')).toHaveLength(2));
    expect(screen.getAllByTestId('need-note')[0]).toHaveTextContent('已上门核实经营情况');
    await user.click(screen.getByTestId('release-need'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认发布' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/release')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/needs/88/release')[0].body.version).toBe(5);
    await waitFor(() => expect(screen.getByTestId('need-status')).toHaveTextContent('已推荐'));
  });

  it('marks the field the server refuses in a contact', async () => {
    serveNeed(need());
    api.on('POST /api/v1/needs/:id/notes', fail(400, 'VALIDATION_FAILED', 'contactedAt: 联系时间不能晚于现在', [{ field: 'contactedAt', message: '联系时间不能晚于现在' }]));
    await renderConsole('/finance/needs/88', userOf('advisor'));
    const form = await screen.findByTestId('note-form');
    fillIn(within(form).getByLabelText('联系结果'), '已电话沟通');
    await userEvent.setup().click(within(form).getByRole('button', { name: '添加记录' }));
    const item = within(form).getByText('联系时间', { selector: 'label' }).closest('.ant-form-item') as HTMLElement;
    await waitFor(() => expect(item.querySelector('.ant-form-item-explain-error')).toHaveTextContent('联系时间不能晚于现在'));
    expect(screen.getAllByTestId('need-note')).toHaveLength(1);
  });

  it('adds a published product with a reason', async () => {
    const server = serveNeed(need());
    api.on('GET /api/v1/products', (req) =>
      page(
        [{ ...terms, name: '厂房抵押贷', id: '705', revisionId: '9705', institutionId: '11', institutionName: '浙商银行', status: 'published', revision: 2, publishedAt: null, updatedAt: '2026-01-01T00:00:00.000Z', problems: [] }].filter(
          (p) => !req.query.keyword || p.name.includes(req.query.keyword),
        ),
      ),
    );
    api.on('POST /api/v1/needs/:id/matches', (req) =>
      ok({ ...server.get(), matches: [...server.get().matches, match(req.body.productId, '厂房抵押贷', { addedByAdvisor: true, review: 'confirmed', reviewReason: req.body.reason, systemRank: null })] }),
    );
    await renderConsole('/finance/needs/88', userOf('advisor'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('add-match'));
    const dialog = await screen.findByRole('dialog');
    const select = within(dialog).getByRole('combobox', { name: '已上架产品' });
    fireEvent.mouseDown(select);
    fillIn(select, '厂房');
    await waitFor(() => expect(api.callsTo('GET /api/v1/products').some((c) => c.query.keyword === '厂房')).toBe(true));
    expect(api.callsTo('GET /api/v1/products').every((c) => c.query.status === 'published')).toBe(true);
    // The option's text is split where the search term is highlighted; its title holds the whole label.
    await user.click((await screen.findAllByTitle('厂房抵押贷（浙商银行，10–300 万元，3.45%–4.85%）'))[0]);
    fillIn(within(dialog).getByLabelText('添加理由'), '企业有自有厂房可作抵押');
    await user.click(within(dialog).getByRole('button', { name: '确认添加' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/matches')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/needs/88/matches')[0].body).toEqual({ productId: '705', reason: '企业有自有厂房可作抵押' });
    expect(await screen.findByTestId('match-705')).toHaveTextContent('添加理由：企业有自有厂房可作抵押');
  });

  it('says the system is still matching and asks again until the match is done', async () => {
    let gets = 0;
    const matched = need();
    api.on('GET /api/v1/needs/:id', () => {
      gets += 1;
      return ok(gets < 3 ? need({ matchedAt: null, matches: [], nearMisses: [], fitCount: 0 }) : matched);
    });
    await renderConsole('/finance/needs/88', userOf('advisor'));
    expect(await screen.findByTestId('need-matching')).toHaveTextContent('系统匹配中…');
    expect(screen.getByTestId('release-need')).toBeDisabled();
    expect(await screen.findByTestId('match-701')).toBeInTheDocument();
    expect(gets).toBe(3);
    expect(screen.queryByTestId('need-matching')).not.toBeInTheDocument();
    expect(screen.getByTestId('release-need')).toBeEnabled();
  });

  it('lets others read a need without reviewing it', async () => {
    serveNeed(need({ advisorId: '2', advisorName: '顾问王伟' }));
    const { unmount } = await renderConsole('/finance/needs/88', userOf('advisor'));
    const card = await screen.findByTestId('match-701');
    expect(within(card).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.getByText('该需求由融资顾问顾问王伟负责，您可以查看但不能复核。')).toBeInTheDocument();
    expect(screen.queryByTestId('release-need')).not.toBeInTheDocument();
    expect(screen.queryByTestId('note-form')).not.toBeInTheDocument();
    unmount();

    api.reset();
    serveNeed(need());
    await renderConsole('/finance/needs/88', userOf('gov'));
    expect(within(await screen.findByTestId('match-701')).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByTestId('add-match')).not.toBeInTheDocument();
    expect(screen.queryByTestId('assign-need')).not.toBeInTheDocument();
  });

  it('lets a platform admin assign a need in the platform queue to an advisor of its region', async () => {
    const server = serveNeed(need({ advisorId: null, advisorName: null }));
    const advisor = (id: string, displayName: string, regionCode: string | null, orgRegion: string | null = '330000', disabled = false) => ({
      id,
      username: `adv${id}`,
      displayName,
      role: 'advisor',
      organisation: { id: '10', name: '信易贷平台运营中心', type: 'platform', regionCode: orgRegion },
      regionCode,
      regionName: regionCode === '330100' ? '杭州市' : null,
      disabled,
      totpEnabled: false,
      lockedUntil: null,
      lastLoginAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    api.on(
      'GET /api/v1/admin-users',
      page([advisor('21', '顾问赵一', '330100'), advisor('22', '顾问钱二', '320100'), advisor('23', '顾问孙三', null), advisor('24', '顾问李四', '330100', '330000', true)]),
    );
    api.on('POST /api/v1/needs/:id/assign', (req) => ok({ ...server.get(), advisorId: req.body.advisorId, advisorName: '顾问赵一', version: server.get().version + 1 }));
    await renderConsole('/finance/needs/88', userOf('platform_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('assign-need'));
    const dialog = await screen.findByRole('dialog');
    expect(api.callsTo('GET /api/v1/admin-users')[0].query).toMatchObject({ role: 'advisor' });
    fireEvent.mouseDown(within(dialog).getByRole('combobox', { name: '融资顾问' }));
    // Zhao covers Hangzhou; Sun has the organisation's province; Qian (Nanjing) and the disabled Li are not offered.
    expect(await screen.findByText('顾问赵一（杭州市）')).toBeInTheDocument();
    expect(screen.getByText(/顾问孙三/)).toBeInTheDocument();
    expect(screen.queryByText(/顾问钱二/)).not.toBeInTheDocument();
    expect(screen.queryByText(/顾问李四/)).not.toBeInTheDocument();
    await user.click(screen.getByText('顾问赵一（杭州市）'));
    await user.click(within(dialog).getByRole('button', { name: '确认指派' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/needs/88/assign')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/needs/88/assign')[0].body).toEqual({ advisorId: '21' });
    await waitFor(() => expect(screen.getByTestId('need-summary')).toHaveTextContent('顾问赵一'));
  });
});
