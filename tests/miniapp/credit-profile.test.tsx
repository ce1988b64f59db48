import type { TCreditHistory, TCreditProfile, TCreditScore } from '@xyd/shared';
import { CREDIT_CATEGORIES, CREDIT_CATEGORY_LABELS, CREDIT_DIMENSIONS, CREDIT_DIMENSION_LABELS, CREDIT_RATINGS } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import { plotPoints, plotSegments, valueRange } from '../../miniapp/src/components/charts/geometry';
import Home from '../../miniapp/src/pages/index/index';
import { DIMENSION_LABELS, DIMENSION_ORDER, RATINGS, historySeries, lostPointsText } from '../../miniapp/src/services/credit';
import CreditProfile from '../../miniapp/src/subpackages/credit/profile/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { firePageLifecycle, renderPage } from './support/page';

const ENTERPRISE = {
  id: '5',
  name: '北京示例科技有限公司',
  uscc: '91110108600040399G',
  memberRole: 'ent_owner',
  members: [{ displayName: '张三', role: 'ent_owner' }],
};

function score(overrides: Partial<TCreditScore> = {}): TCreditScore {
  return {
    id: '801',
    enterpriseId: '5',
    scorecardId: '1',
    scorecardVersion: 1,
    scorecardName: '专家评分卡',
    role: 'active',
    asOf: '2026-03-01',
    computedAt: '2026-03-01T02:30:00.000Z',
    score: 668,
    rating: 'A',
    bandRating: 'A',
    noRatingReason: null,
    cap: null,
    badProbability: 0.03,
    dimensions: { basic: 82, operations: 71, tax: 90, social: 45, negative: 100 },
    reasons: [
      {
        feature: 'social_arrears',
        label: '社保欠费',
        dimension: 'social',
        lost: 24,
        binLabel: '有欠费',
        reason: '近 12 个月有社会保险费欠缴记录',
        advice: '尽快补缴社会保险欠费',
      },
      {
        feature: 'penalties',
        label: '行政处罚',
        dimension: 'negative',
        lost: 7.5,
        binLabel: '一般处罚',
        reason: '近 24 个月有一般行政处罚',
        advice: '已整改的处罚可申请信用修复',
      },
    ],
    points: [],
    ...overrides,
  };
}

function profile(overrides: Partial<TCreditProfile> = {}): TCreditProfile {
  return {
    enterpriseId: '5',
    enterpriseName: ENTERPRISE.name,
    uscc: ENTERPRISE.uscc,
    score: score(),
    features: [],
    recordCounts: CREDIT_CATEGORIES.map((category) => ({
      category,
      label: CREDIT_CATEGORY_LABELS[category],
      count: category === 'penalty' ? 2 : category === 'tax' ? 24 : 0,
      adverse: category === 'penalty' ? 2 : 0,
      disputed: category === 'penalty' ? 1 : 0,
    })),
    openWarnings: 0,
    openDisputes: 1,
    ...overrides,
  };
}

const point = (asOf: string, value: number, rating: TCreditScore['rating']) => ({
  scoreId: asOf,
  computedAt: `${asOf}T02:00:00.000Z`,
  asOf,
  score: value,
  rating,
  scorecardVersion: 1,
  retro: false,
});

const HISTORY: TCreditHistory = {
  points: [point('2025-10-01', 640, 'BBB'), point('2025-11-01', 640, 'BBB'), point('2026-01-01', 655, 'A'), point('2026-03-01', 668, 'A')],
  at: null,
};

describe('信用画像 (credit profile)', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'stopPullDownRefresh').mockImplementation(() => undefined);
  });

  afterEach(() => {
    Current.router = null;
  });

  it('keeps its rating order and dimension labels the same as shared’s', () => {
    expect(RATINGS).toEqual([...CREDIT_RATINGS]);
    expect(DIMENSION_ORDER).toEqual([...CREDIT_DIMENSIONS]);
    expect(DIMENSION_LABELS).toEqual(CREDIT_DIMENSION_LABELS);
  });

  it('shows the score, rating, version, dimensions, reasons, record counts and history of the first enterprise', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit', ok(profile()))
      .on('GET', '/api/v1/me/enterprises/5/credit/history', ok(HISTORY));
    await renderPage(CreditProfile);

    expect((await screen.findByTestId('credit-score')).textContent).toBe('668');
    expect(screen.getByTestId('credit-enterprise-name').textContent).toBe(ENTERPRISE.name);
    expect(screen.getByTestId('credit-rating').textContent).toBe('A');
    expect(screen.getByTestId('credit-rating').className).toContain('tag--success');
    expect(screen.getByTestId('credit-version').textContent).toBe('专家评分卡（第 1 版）· 评分日期 2026-03-01 · 更新于 2026-03-01 10:30');
    expect(screen.queryByTestId('credit-no-rating-reason')).toBeNull();
    expect(screen.queryByTestId('credit-cap')).toBeNull();

    // Five bars, in shared's order, as wide as the dimension's score; a weak one in the warning colour.
    const bars = screen.getAllByTestId('dimension-bar');
    expect(bars.map((b) => b.getAttribute('data-key'))).toEqual([...CREDIT_DIMENSIONS]);
    expect(bars.map((b) => b.textContent)).toEqual(['基本信息82', '经营状况71', '纳税信用90', '社会责任45', '负面记录100']);
    const fills = screen.getAllByTestId('dimension-bar-fill');
    expect(fills.map((f) => f.style.width)).toEqual(['82%', '71%', '90%', '45%', '100%']);
    expect(fills[3].className).toContain('dimension-bars__fill--low');
    expect(fills[0].className).not.toContain('--low');

    const reasons = screen.getAllByTestId('credit-reason');
    expect(reasons).toHaveLength(2);
    expect(reasons[0].textContent).toContain('社保欠费（社会责任）');
    expect(reasons[0].textContent).toContain('近 12 个月有社会保险费欠缴记录');
    expect(within(reasons[0]).getByTestId('credit-reason-lost').textContent).toBe('−24 分');
    expect(within(reasons[0]).getByTestId('credit-reason-advice').textContent).toBe('建议：尽快补缴社会保险欠费');
    expect(within(reasons[1]).getByTestId('credit-reason-lost').textContent).toBe('−7.5 分');

    const counts = screen.getAllByTestId('credit-record-count');
    expect(counts.map((c) => c.getAttribute('data-category'))).toEqual([...CREDIT_CATEGORIES]);
    const penalty = counts.find((c) => c.getAttribute('data-category') === 'penalty')!;
    expect(penalty.textContent).toContain('行政处罚');
    expect(penalty.textContent).toContain('2 条');
    expect(penalty.textContent).toContain('不良 2');
    expect(penalty.textContent).toContain('异议中 1');
    expect(screen.getByTestId('credit-open-disputes').textContent).toBe('处理中 1');

    // The unchanged November recompute adds no point: three points, two segments, ratings where they change.
    expect(screen.getAllByTestId('score-line-point').map((p) => p.getAttribute('data-value'))).toEqual(['640', '655', '668']);
    expect(screen.getAllByTestId('score-line-segment')).toHaveLength(2);
    expect(screen.getAllByTestId('score-line-note').map((n) => n.textContent)).toEqual(['BBB 640', 'A', 'A 668']);
    expect(screen.getByTestId('score-line-from').textContent).toBe('2025-10-01');
    expect(screen.getByTestId('score-line-to').textContent).toBe('2026-03-01');

    // A year of history is asked for.
    const [historyCall] = api.callsTo('GET', '/api/v1/me/enterprises/5/credit/history');
    expect(historyCall.query.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const from = new Date(`${historyCall.query.from as string}T00:00:00Z`).getTime();
    expect(Date.now() - from).toBeGreaterThan(360 * 86_400_000);
    expect(Date.now() - from).toBeLessThan(370 * 86_400_000);
  });

  it('opens 我的数据 at a category, and 我的异议', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit', ok(profile()))
      .on('GET', '/api/v1/me/enterprises/5/credit/history', ok(HISTORY));
    await renderPage(CreditProfile);

    const counts = await screen.findAllByTestId('credit-record-count');
    fireEvent.click(counts.find((c) => c.getAttribute('data-category') === 'penalty')!);
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/enterprise/data/index?enterpriseId=5&category=penalty' });

    fireEvent.click(screen.getByTestId('credit-disputes-link'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/credit/disputes/index?enterpriseId=5' });
  });

  it('opens the enterprise the URL names, without listing the user’s enterprises', async () => {
    Current.router = { params: { enterpriseId: '6' }, path: '/subpackages/credit/profile/index' } as never;
    api
      .on('GET', '/api/v1/me/enterprises/6/credit', ok(profile({ enterpriseId: '6', enterpriseName: '北京示例物流有限公司', score: score({ score: 702, rating: 'AA' }) })))
      .on('GET', '/api/v1/me/enterprises/6/credit/history', ok({ points: [point('2026-03-01', 702, 'AA')], at: null }));
    await renderPage(CreditProfile);

    expect((await screen.findByTestId('credit-score')).textContent).toBe('702');
    expect(screen.getByTestId('credit-enterprise-name').textContent).toBe('北京示例物流有限公司');
    expect(api.callsTo('GET', '/api/v1/me/enterprises')).toHaveLength(0);
    // One score so far: a single point, no segment.
    expect(screen.getAllByTestId('score-line-point')).toHaveLength(1);
    expect(screen.queryAllByTestId('score-line-segment')).toHaveLength(0);
    expect(screen.queryByTestId('score-line-to')).toBeNull();
  });

  it('says 不予评级 with the reason, and explains a capped rating', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on(
        'GET',
        '/api/v1/me/enterprises/5/credit',
        ok(profile({ score: score({ rating: null, noRatingReason: '企业已吊销营业执照', reasons: [] }) })),
      )
      .on('GET', '/api/v1/me/enterprises/5/credit/history', ok({ points: [], at: null }));
    const view = await renderPage(CreditProfile);

    expect((await screen.findByTestId('credit-rating')).textContent).toBe('不予评级');
    expect(screen.getByTestId('credit-no-rating-reason').textContent).toBe('不予评级：企业已吊销营业执照');
    expect(screen.getByTestId('credit-no-reasons')).toBeTruthy();
    expect(screen.queryByTestId('score-line')).toBeNull();
    view.unmount();

    api.on(
      'GET',
      '/api/v1/me/enterprises/5/credit',
      ok(profile({ score: score({ rating: 'CCC', bandRating: 'A', cap: { code: 'blacklist', reason: '列入严重失信主体名单', from: 'A', to: 'CCC' } }) })),
    );
    await renderPage(CreditProfile);
    expect((await screen.findByTestId('credit-cap')).textContent).toBe('列入严重失信主体名单：评级由 A 调整为 CCC');
    expect(screen.getByTestId('credit-rating').textContent).toBe('CCC');
    expect(screen.getByTestId('credit-rating').className).toContain('tag--warning');
  });

  it('shows 暂无评分 before the first score, with the record counts still there', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit', ok(profile({ score: null, openDisputes: 0 })))
      .on('GET', '/api/v1/me/enterprises/5/credit/history', ok({ points: [], at: null }));
    await renderPage(CreditProfile);

    expect((await screen.findByTestId('credit-no-score')).textContent).toContain('暂无评分：数据汇入后自动计算');
    expect(screen.queryByTestId('credit-score')).toBeNull();
    expect(screen.queryByTestId('dimension-bars')).toBeNull();
    expect(screen.queryAllByTestId('credit-reason')).toHaveLength(0);
    expect(screen.queryByTestId('credit-open-disputes')).toBeNull();
    expect(screen.getAllByTestId('credit-record-count')).toHaveLength(CREDIT_CATEGORIES.length);
  });

  it('invites an unbound user to bind an enterprise', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([]));
    await renderPage(CreditProfile);

    expect(await screen.findByTestId('credit-unbound')).toBeTruthy();
    fireEvent.click(screen.getByText('绑定企业'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/bind/index' });
  });

  it('reloads on pull-down, and shows the server’s error with a retry', async () => {
    let current = score();
    let broken = true;
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit', () => (broken ? fail(503, 'UNAVAILABLE', '评分服务维护中') : ok(profile({ score: current }))))
      .on('GET', '/api/v1/me/enterprises/5/credit/history', ok(HISTORY));
    await renderPage(CreditProfile);

    expect((await screen.findByTestId('page-error')).textContent).toContain('评分服务维护中');
    broken = false;
    fireEvent.click(screen.getByText('重试'));
    expect((await screen.findByTestId('credit-score')).textContent).toBe('668');

    current = score({ score: 690 });
    await firePageLifecycle('onPullDownRefresh');
    await waitFor(() => expect(screen.getByTestId('credit-score').textContent).toBe('690'));
    expect(Taro.stopPullDownRefresh).toHaveBeenCalled();
  });
});

describe('home: 信用画像 entry', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/messages/unread-count', ok({ count: 0 })).on('GET', '/api/v1/verifications/mine', ok([]));
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'removeTabBarBadge:ok' });
  });

  it('opens the profile of the enterprise on the card, and from the 信用画像 tile', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE, { ...ENTERPRISE, id: '6', name: '北京示例物流有限公司' }]));
    await renderPage(Home);

    const links = await screen.findAllByTestId('home-credit-profile');
    expect(links).toHaveLength(2);
    fireEvent.click(links[1]);
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/credit/profile/index?enterpriseId=6' });

    const tile = screen.getByTestId('feature-profile');
    expect(tile.textContent).not.toContain('即将开放');
    fireEvent.click(tile);
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/credit/profile/index?enterpriseId=5' });
    expect(Taro.showToast).not.toHaveBeenCalled();
  });

  it('offers no profile before an enterprise is bound', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([]));
    await renderPage(Home);

    expect(await screen.findByTestId('home-bind-prompt')).toBeTruthy();
    expect(screen.queryByTestId('home-credit-profile')).toBeNull();
    fireEvent.click(screen.getByTestId('feature-profile'));
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '信用画像即将开放', icon: 'none' });
    expect(Taro.navigateTo).not.toHaveBeenCalled();
  });
});

describe('chart geometry and history', () => {
  it('joins points with segments of the right length and angle for the plot’s proportions', () => {
    // A plot twice as wide as high: from the bottom-left to the top-right corner is a rise of half the width.
    const [segment] = plotSegments(
      [
        { x: 0, y: 0 },
        { x: 100, y: 100 },
      ],
      { aspect: 0.5 },
    );
    expect(segment.length).toBeCloseTo(Math.hypot(1, 0.5) * 100, 6);
    expect(segment.angle).toBeCloseTo((-Math.atan(0.5) * 180) / Math.PI, 6);
    // Falling lines turn the other way; a flat one not at all.
    const [down, flat] = plotSegments(
      [
        { x: 0, y: 80 },
        { x: 50, y: 30 },
        { x: 100, y: 30 },
      ],
      { aspect: 1 },
    );
    expect(down.angle).toBeCloseTo(45, 6);
    expect(flat.angle).toBeCloseTo(0, 6);
    expect(flat.length).toBeCloseTo(50, 6);
  });

  it('places values inside a padded range, widening a flat series', () => {
    const range = valueRange([650, 650], 20);
    expect(range.max - range.min).toBeCloseTo(24, 6);
    const points = plotPoints([650, 650], range);
    expect(points).toEqual([
      { x: 0, y: 50 },
      { x: 100, y: 50 },
    ]);
    const spread = plotPoints([600, 700], valueRange([600, 700]));
    expect(spread[0].y).toBeGreaterThan(0);
    expect(spread[1].y).toBeLessThan(100);
  });

  it('keeps one history point per change, the latest ones', () => {
    const points = Array.from({ length: 20 }, (_, i) => point(`2026-01-${String(i + 1).padStart(2, '0')}`, 600 + i, 'BBB'));
    const series = historySeries({ points: [...points, point('2026-01-21', 619, 'BBB')] }, 12);
    expect(series).toHaveLength(12);
    expect(series[0].score).toBe(608);
    expect(series[11]).toEqual({ asOf: '2026-01-20', score: 619, rating: 'BBB' });
    // A change of rating alone is a change.
    expect(historySeries({ points: [point('2026-01-01', 640, 'A'), point('2026-01-02', 640, 'BBB')] })).toHaveLength(2);
  });

  it('writes lost points as whole points or tenths', () => {
    expect(lostPointsText(12)).toBe('−12 分');
    expect(lostPointsText(7.46)).toBe('−7.5 分');
    expect(lostPointsText(3.04)).toBe('−3 分');
  });
});
