import type { TCreditHistory, TCreditProfile, TCreditRecord, TCreditScore, TEnterpriseDetail } from '@xyd/shared';
import { CREDIT_CATEGORIES } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

const detail: TEnterpriseDetail = {
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
  legalRepIdMasked: '330106********1234',
  address: null,
  businessScope: null,
  members: [],
};

function score(overrides: Partial<TCreditScore> = {}): TCreditScore {
  return {
    id: '5001',
    enterpriseId: '42',
    scorecardId: '1',
    scorecardVersion: 1,
    scorecardName: '专家评分卡 V1',
    role: 'active',
    asOf: '2026-03-01',
    computedAt: '2026-03-01T02:00:00.000Z',
    score: 702,
    rating: 'BB',
    bandRating: 'BB',
    noRatingReason: null,
    cap: null,
    badProbability: 0.00731,
    dimensions: { basic: 81, operations: 64, tax: 92, social: 55, negative: 38 },
    reasons: [
      {
        feature: 'seriousPenalties24m',
        label: '近 24 个月较重及以上处罚',
        dimension: 'negative',
        lost: 26,
        binLabel: '1 次',
        reason: '近 24 个月受到较重及以上行政处罚',
        advice: '整改完毕后申请信用修复',
      },
      {
        feature: 'socialArrears',
        label: '社保欠费',
        dimension: 'social',
        lost: 12,
        binLabel: '有欠费',
        reason: '最近 3 个月有社保欠缴',
        advice: '结清社保欠费',
      },
    ],
    points: [
      { feature: 'yearsEstablished', label: '成立年限', dimension: 'basic', bin: 1, binLabel: '5 至 10 年', points: 40, minPoints: 18, maxPoints: 46 },
      { feature: 'seriousPenalties24m', label: '近 24 个月较重及以上处罚', dimension: 'negative', bin: 1, binLabel: '1 次', points: 18, minPoints: 18, maxPoints: 44 },
      { feature: 'socialArrears', label: '社保欠费', dimension: 'social', bin: 1, binLabel: '有欠费', points: 18, minPoints: 18, maxPoints: 30 },
    ],
    ...overrides,
  };
}

function profile(overrides: Partial<TCreditProfile> = {}): TCreditProfile {
  return {
    enterpriseId: '42',
    enterpriseName: detail.name,
    uscc: detail.uscc,
    score: score(),
    features: [
      { feature: 'yearsEstablished', label: '成立年限', value: 7.8, unit: '年' },
      { feature: 'scale', label: '企业规模', value: 'small', unit: null },
      { feature: 'socialArrears', label: '社保欠费', value: true, unit: null },
      { feature: 'taxTrend', label: '纳税趋势', value: null, unit: null },
    ],
    recordCounts: [
      { category: 'penalty', label: '行政处罚', count: 3, adverse: 2, disputed: 1 },
      { category: 'tax', label: '纳税', count: 24, adverse: 0, disputed: 0 },
    ],
    openWarnings: 2,
    openDisputes: 1,
    ...overrides,
  };
}

const history: TCreditHistory = {
  points: [
    { scoreId: '4001', computedAt: '2025-12-01T02:00:00.000Z', asOf: '2025-12-01', score: 731, rating: 'A', scorecardVersion: 1, retro: false },
    { scoreId: '4002', computedAt: '2026-01-10T02:00:00.000Z', asOf: '2026-01-10', score: 728, rating: 'A', scorecardVersion: 1, retro: false },
    { scoreId: '5001', computedAt: '2026-03-01T02:00:00.000Z', asOf: '2026-03-01', score: 702, rating: 'BB', scorecardVersion: 1, retro: false },
  ],
  at: null,
};

function record(overrides: Partial<TCreditRecord> = {}): TCreditRecord {
  return {
    id: '9001',
    category: 'penalty',
    enterpriseId: '42',
    uscc: detail.uscc,
    sourceId: '701',
    sourceName: '杭州市市场监督管理局处罚数据',
    externalId: 'CF-2025-001',
    period: null,
    occurredOn: '2025-06-18',
    endsOn: null,
    adverse: true,
    corrected: false,
    status: 'current',
    disputed: false,
    payload: {},
    fields: [{ label: '处罚决定书文号', value: '杭市监罚〔2025〕18号' }],
    receivedAt: '2025-06-20T02:00:00.000Z',
    ...overrides,
  };
}

function fakeDetail(credit: TCreditProfile, records: TCreditRecord[] = []) {
  api.on('GET /api/v1/enterprises/:id', ok(detail));
  api.on('GET /api/v1/enterprises/:id/credit', ok(credit));
  api.on('GET /api/v1/enterprises/:id/credit/history', (req) =>
    ok(req.query.at ? { points: history.points, at: req.query.at < '2025-12-01' ? null : score({ id: '4002', score: 728, rating: 'A', computedAt: '2026-01-10T02:00:00.000Z' }) } : history),
  );
  api.on('GET /api/v1/enterprises/:id/credit-records/summary', ok(CREDIT_CATEGORIES.map((category) => ({ category, count: category === 'penalty' ? records.length : 0, latest: null }))));
  api.on('GET /api/v1/enterprises/:id/credit-records', page(records));
}

/** The date input of 查看某日评分: a date typed and confirmed with Enter, as a keyboard user would. */
async function pickDay(day: string) {
  const input = (await screen.findByTestId('credit-at-date')).querySelector('input') ?? screen.getByLabelText('查看某日评分');
  fireEvent.mouseDown(input);
  fireEvent.focus(input);
  fireEvent.change(input, { target: { value: day } });
  fireEvent.keyDown(input, { key: 'Enter', code: 'Enter', keyCode: 13 });
}

describe('credit profile on the enterprise detail (信用画像)', () => {
  it('shows the score, rating, version, dimensions, reasons with advice, points, features, record counts and history', async () => {
    fakeDetail(profile());
    await renderConsole('/enterprises/42', userOf('advisor'));
    expect(await findPageTitle('企业详情')).toBeInTheDocument();

    expect(await screen.findByTestId('credit-score')).toHaveTextContent('702');
    expect(screen.getAllByTestId('credit-rating')[0]).toHaveTextContent('BB');
    const facts = screen.getByTestId('credit-score-facts');
    expect(facts).toHaveTextContent('专家评分卡 V1（第 1 版）');
    expect(facts).toHaveTextContent('2026-03-01 10:00:00');
    expect(facts).toHaveTextContent('0.73%');
    expect(screen.queryByTestId('credit-cap')).not.toBeInTheDocument();
    // Open warnings link to the warning list narrowed to this firm.
    expect(within(facts).getByTestId('credit-open-warnings')).toHaveAttribute('href', '/credit/warnings?enterpriseId=42');

    expect(screen.getByTestId('credit-dimension-tax')).toHaveTextContent('纳税信用');
    expect(within(screen.getByTestId('credit-dimension-tax')).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '92');
    expect(within(screen.getByTestId('credit-dimension-negative')).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '38');

    const reasons = screen.getAllByTestId('credit-reason');
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toHaveTextContent('近 24 个月较重及以上处罚');
    expect(reasons[0]).toHaveTextContent('1 次');
    expect(reasons[0]).toHaveTextContent('−26 分');
    expect(reasons[0]).toHaveTextContent('近 24 个月受到较重及以上行政处罚');
    expect(reasons[0]).toHaveTextContent('建议：整改完毕后申请信用修复');
    expect(reasons[1]).toHaveTextContent('建议：结清社保欠费');

    // 得分明细 is folded until asked for.
    expect(screen.queryAllByTestId('credit-points-row')).toHaveLength(0);
    await userEvent.setup().click(screen.getByText('得分明细（3 项特征）'));
    const points = await screen.findAllByTestId('credit-points-row');
    expect(points).toHaveLength(3);
    expect(points[0]).toHaveTextContent('成立年限');
    expect(points[0]).toHaveTextContent('5 至 10 年');
    expect(points[0]).toHaveTextContent('40');
    expect(points[0]).toHaveTextContent('46');

    const features = screen.getAllByTestId('credit-feature-row');
    expect(features[0]).toHaveTextContent('7.8 年');
    expect(features[1]).toHaveTextContent('小型');
    expect(features[2]).toHaveTextContent('是');
    expect(features[3]).toHaveTextContent('-');

    const penalty = screen.getAllByTestId('credit-count-row').find((r) => r.getAttribute('data-category') === 'penalty')!;
    expect(penalty).toHaveTextContent('行政处罚');
    expect(within(penalty).getAllByRole('cell').map((c) => c.textContent)).toEqual(['行政处罚', '3', '2', '1']);

    const chart = await screen.findByTestId('credit-history-chart');
    expect(within(chart).getAllByTestId('credit-history-point')).toHaveLength(3);
    expect(chart.querySelector('polyline')!.getAttribute('points')!.split(' ')).toHaveLength(3);
    expect(chart).toHaveTextContent('2025-12-01');
    expect(chart).toHaveTextContent('2026-03-01');
    const rows = screen.getAllByTestId('credit-history-row');
    expect(rows).toHaveLength(3);
    // Newest first.
    expect(rows[0]).toHaveTextContent('702');
    expect(rows[2]).toHaveTextContent('731');
  });

  it('draws the line lower where the score fell', async () => {
    fakeDetail(profile());
    await renderConsole('/enterprises/42', userOf('platform_admin'));
    const chart = await screen.findByTestId('credit-history-chart');
    const [first, , last] = within(chart).getAllByTestId('credit-history-point');
    // SVG y grows downwards: the fall from 731 to 702 puts the last point below the first, and to its right.
    expect(Number(last.getAttribute('cy'))).toBeGreaterThan(Number(first.getAttribute('cy')));
    expect(Number(last.getAttribute('cx'))).toBeGreaterThan(Number(first.getAttribute('cx')));
    expect(first.textContent).toContain('731 分');
  });

  it('shows a rating cap with its reason, and 不予评级 with why', async () => {
    fakeDetail(profile({ score: score({ rating: 'B', bandRating: 'A', cap: { code: 'blacklist_active', reason: '企业在黑名单中且尚未移出，评级最高为 B', from: 'A', to: 'B' } }) }));
    const { unmount } = await renderConsole('/enterprises/42', userOf('gov'));
    expect(await screen.findByTestId('credit-cap')).toHaveTextContent('评级上限 B：企业在黑名单中且尚未移出，评级最高为 B');
    expect(screen.getAllByTestId('credit-rating')[0]).toHaveTextContent('B');
    // Government users read warnings: the count links to them.
    expect(screen.getByTestId('credit-open-warnings')).toBeInTheDocument();
    unmount();

    api.reset();
    fakeDetail(profile({ openWarnings: 1, score: score({ rating: null, bandRating: 'C', noRatingReason: '企业已吊销或注销，不予评级' }) }));
    await renderConsole('/enterprises/42', userOf('fi_officer'));
    expect(await screen.findByTestId('credit-no-rating')).toHaveTextContent('不予评级：企业已吊销或注销，不予评级');
    expect(screen.getAllByTestId('credit-rating')[0]).toHaveTextContent('不予评级');
    // A bank user has no warning list: the count is plain text.
    expect(screen.queryByTestId('credit-open-warnings')).not.toBeInTheDocument();
    expect(screen.getByTestId('credit-score-facts')).toHaveTextContent('1 条');
  });

  it('says so when the enterprise has no score yet', async () => {
    fakeDetail(profile({ score: null, features: [], recordCounts: [] }));
    await renderConsole('/enterprises/42', userOf('advisor'));
    expect(await screen.findByTestId('credit-profile-empty')).toHaveTextContent('暂无评分，数据汇入后自动计算');
    expect(screen.queryByTestId('credit-score')).not.toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/enterprises/42/credit/history')).toHaveLength(0);
  });

  it('查看某日评分 asks for the score in force on that day and shows it with its version', async () => {
    fakeDetail(profile());
    await renderConsole('/enterprises/42', userOf('advisor'));
    await screen.findByTestId('credit-history-chart');

    await pickDay('2026-02-01');
    const result = await screen.findByTestId('credit-at-result');
    const asked = api.callsTo('GET /api/v1/enterprises/42/credit/history').filter((c) => c.query.at);
    expect(asked).toHaveLength(1);
    expect(asked[0].query).toEqual({ at: '2026-02-01' });
    expect(result).toHaveTextContent('2026-02-01');
    expect(result).toHaveTextContent('728 分');
    expect(result).toHaveTextContent('A');
    expect(result).toHaveTextContent('专家评分卡 V1（第 1 版）');

    await pickDay('2025-01-01');
    await waitFor(() => expect(screen.getByTestId('credit-at-result')).toHaveTextContent('2025-01-01 尚无评分'));
    expect(api.callsTo('GET /api/v1/enterprises/42/credit/history').at(-1)!.query).toEqual({ at: '2025-01-01' });
  });

  it('marks a disputed record 异议中 and a withdrawn one with its status', async () => {
    fakeDetail(profile(), [record({ disputed: true }), record({ id: '9002', status: 'withdrawn', adverse: true })]);
    await renderConsole('/enterprises/42', userOf('advisor'));
    const rows = await screen.findAllByTestId('credit-record-row');
    expect(within(rows[0]).getByTestId('credit-record-disputed')).toHaveTextContent('异议中');
    expect(within(rows[1]).queryByTestId('credit-record-disputed')).not.toBeInTheDocument();
    expect(within(rows[1]).getByTestId('credit-record-status')).toHaveTextContent('异议成立已撤回');
  });
});
