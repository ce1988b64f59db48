import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import NeedDetail from '../../miniapp/src/subpackages/finance/need/index';
import MyNeeds from '../../miniapp/src/subpackages/finance/needs/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { ENTERPRISE, myNeed, needMatch, publicProduct } from './support/finance-fixtures';
import { renderPage } from './support/page';

const NEED_PAGE = '/subpackages/finance/need/index';
const NEED_PATH = '/api/v1/me/enterprises/5/needs/77';

/** Fits: a plain credit loan, and one found after the release. */
const FIT = needMatch(publicProduct('12', { name: '科创信用贷', rateMinBp: 345 }));
const NEW_FIT = needMatch(publicProduct('11', { name: '普惠快贷', rateMinBp: 400 }, { id: '12', name: '北京农商银行' }), { isNew: true, review: 'pending' });
/** Near misses: three years established (the firm has two), and rating A with no social-insurance arrears. */
const TOO_YOUNG = needMatch(publicProduct('21', { name: '成长贷', criteria: { minYearsEstablished: 3 } }));
const RATING_AND_ARREARS = needMatch(publicProduct('22', { name: '优享贷', criteria: { minRating: 'A', noSocialArrears: true } }));

const RELEASED = myNeed({
  status: 'released',
  releasedAt: '2026-07-03T02:00:00.000Z',
  releaseMessage: '建议优先申请科创信用贷，利率最低、审批最快。',
  recommendations: [FIT, NEW_FIT],
  nearMisses: [TOO_YOUNG, RATING_AND_ARREARS],
});

describe('需求详情', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    Current.router = { params: { id: '77', enterpriseId: '5' }, path: NEED_PAGE } as never;
  });

  afterEach(() => {
    Current.router = null;
  });

  it('the matcher really produced fits and near misses for these fixtures', () => {
    expect([FIT, NEW_FIT].map((m) => m.outcome.fits)).toEqual([true, true]);
    expect(TOO_YOUNG.outcome.failed).toEqual(['years']);
    expect(RATING_AND_ARREARS.outcome.failed).toEqual(['rating', 'socialArrears']);
  });

  it('shows a released need’s recommendations in the given order, each with its score and every check', async () => {
    api.on('GET', NEED_PATH, ok(RELEASED));
    await renderPage(NeedDetail);

    expect((await screen.findByTestId('need-status')).textContent).toBe('已推荐');
    expect(screen.getByTestId('need-release-message').textContent).toBe('建议优先申请科创信用贷，利率最低、审批最快。');
    const cards = within(screen.getByTestId('need-recommendations')).getAllByTestId(/^rec-\d+$/);
    expect(cards.map((c) => c.getAttribute('data-testid'))).toEqual(['rec-12', 'rec-11']);

    const first = screen.getByTestId('rec-12');
    expect(within(first).getByTestId('match-product-name').textContent).toBe('科创信用贷');
    expect(within(first).getByTestId('match-institution').textContent).toBe('示例银行北京分行');
    expect(within(first).getByTestId('product-amount').textContent).toBe('10–300 万元');
    expect(within(first).getByTestId('rec-score').textContent).toBe(String(FIT.outcome.score));
    expect(first.textContent).toContain(`符合全部 ${FIT.outcome.checks.length} 项条件`);
    const checks = within(first).getAllByTestId('rec-check');
    expect(checks.map((c) => c.textContent)).toEqual(FIT.outcome.checks.map((c) => c.text));
    expect(checks.every((c) => c.getAttribute('data-ok') === 'true' && c.className.includes('need-check--ok'))).toBe(true);
    expect(checks.every((c) => c.textContent!.endsWith('✓'))).toBe(true);
    expect(within(first).queryByTestId('rec-new')).toBeNull();
    expect(within(screen.getByTestId('rec-11')).getByTestId('rec-new').textContent).toBe('新匹配');

    // The product opens with the need, so that 申请 there carries it on.
    fireEvent.click(first);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/product/index?id=12&needId=77&enterpriseId=5' });
  });

  it('shows each near miss with what it lacks and the advice that would change it', async () => {
    api.on('GET', NEED_PATH, ok(RELEASED));
    await renderPage(NeedDetail);

    const young = await screen.findByTestId('near-21');
    expect(within(young).getByTestId('near-headline').textContent).toBe('差 1 项：成立年限');
    const failed = within(young).getByTestId('near-failed');
    expect(failed.textContent).toBe(TOO_YOUNG.outcome.checks.find((c) => c.criterion === 'years')!.text);
    expect(failed.textContent!.endsWith('✗')).toBe(true);
    expect(failed.className).toContain('need-check--fail');
    expect(within(young).getAllByTestId('near-advice').map((a) => a.textContent)).toEqual(['成立满 3 年后（2027-05）可申请']);
    expect(young.textContent).toContain(`其余 ${TOO_YOUNG.outcome.checks.length - 1} 项条件均已符合`);

    const rated = screen.getByTestId('near-22');
    expect(within(rated).getByTestId('near-headline').textContent).toBe('差 2 项：信用评级、社保欠费');
    const gaps = within(rated).getAllByTestId('near-gap');
    expect(gaps.map((g) => g.getAttribute('data-criterion'))).toEqual(['rating', 'socialArrears']);
    expect(gaps.map((g) => within(g).getAllByTestId('near-advice').map((a) => a.textContent))).toEqual(
      RATING_AND_ARREARS.outcome.advice.map((a) => [a.text]),
    );
    // Near misses are not offered as recommendations.
    expect(screen.queryByTestId('rec-21')).toBeNull();
  });

  it('while the advisor reviews, says so and shows no products', async () => {
    api.on('GET', NEED_PATH, ok(myNeed({ status: 'reviewing' })));
    await renderPage(NeedDetail);

    const waiting = await screen.findByTestId('need-reviewing');
    expect(waiting.textContent).toContain('顾问复核中');
    expect(screen.getByTestId('need-status').textContent).toBe('顾问复核中');
    expect(screen.queryByTestId('need-recommendations')).toBeNull();
    expect(screen.queryByTestId('need-near-misses')).toBeNull();
    expect(screen.queryAllByTestId(/^(rec|near)-\d+$/)).toHaveLength(0);
    expect(document.body.textContent).not.toContain('预计');
  });

  it('opens from a notification that names only the need, finding which enterprise it belongs to', async () => {
    Current.router = { params: { id: '77' }, path: NEED_PAGE } as never;
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE, { ...ENTERPRISE, id: '6', name: '北京另一家科技有限公司' }]))
      .on('GET', NEED_PATH, fail(404, 'NOT_FOUND', '需求不存在或无权访问'))
      .on('GET', '/api/v1/me/enterprises/6/needs/77', ok({ ...RELEASED, enterpriseId: '6' }));
    await renderPage(NeedDetail);

    await screen.findByTestId('rec-12');
    fireEvent.click(screen.getByTestId('need-edit'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/need-form/index?enterpriseId=6&needId=77' });
  });

  it('closes the need after the user confirms, and not otherwise', async () => {
    api
      .on('GET', NEED_PATH, ok(RELEASED))
      .on('POST', `${NEED_PATH}/close`, ok({ ...RELEASED, status: 'closed', recommendations: [], nearMisses: [] }));
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'showModal:ok' } as never);
    await renderPage(NeedDetail);
    await screen.findByTestId('rec-12');

    fireEvent.click(screen.getByTestId('need-close'));
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1));
    expect(api.callsTo('POST', `${NEED_PATH}/close`)).toHaveLength(0);

    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'showModal:ok' } as never);
    fireEvent.click(screen.getByTestId('need-close'));

    expect((await screen.findByTestId('need-closed')).textContent).toContain('需求已关闭');
    expect(screen.getByTestId('need-status').textContent).toBe('已关闭');
    expect(api.callsTo('POST', `${NEED_PATH}/close`)).toHaveLength(1);
    expect(screen.queryByTestId('need-close')).toBeNull();
    expect(screen.queryByTestId('need-edit')).toBeNull();
  });

  it('says so when the server refuses to close', async () => {
    api.on('GET', NEED_PATH, ok(RELEASED)).on('POST', `${NEED_PATH}/close`, fail(409, 'CONFLICT', '需求刚被修改过，请刷新后重试'));
    jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'showModal:ok' } as never);
    await renderPage(NeedDetail);
    await screen.findByTestId('rec-12');

    fireEvent.click(screen.getByTestId('need-close'));

    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '需求刚被修改过，请刷新后重试', icon: 'none' }));
    expect(screen.getByTestId('need-status').textContent).toBe('已推荐');
  });
});

describe('我的融资需求', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
  });

  it('lists the needs with status, amount, term and when they were submitted, each opening its page', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE])).on(
      'GET',
      '/api/v1/me/enterprises/5/needs',
      ok([
        { ...myNeed({ id: '78', status: 'released', amountFen: 12_340_000, termMonths: 6, submittedAt: '2026-07-02T06:30:00.000Z' }), clock: null, advisorId: null },
        { ...myNeed({ id: '77', status: 'reviewing' }), clock: null, advisorId: null },
        { ...myNeed({ id: '70', status: 'closed' }), clock: null, advisorId: null },
      ]),
    );
    await renderPage(MyNeeds);

    const items = await screen.findAllByTestId('need-item');
    expect(items.map((i) => within(i).getByTestId('need-item-status').textContent)).toEqual(['已推荐', '顾问复核中', '已关闭']);
    expect(within(items[0]).getByTestId('need-item-amount').textContent).toBe('12.34 万元 · 6 个月');
    expect(within(items[0]).getByTestId('need-item-submitted').textContent).toBe('提交于 2026-07-02 14:30');

    fireEvent.click(items[1]);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/need/index?id=77&enterpriseId=5' });
    fireEvent.click(screen.getByTestId('needs-new'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/need-form/index?enterpriseId=5' });
  });

  it('invites a firm with no needs to publish one', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE])).on('GET', '/api/v1/me/enterprises/5/needs', ok([]));
    await renderPage(MyNeeds);

    expect((await screen.findByTestId('needs-empty')).textContent).toContain('暂无融资需求');
  });
});
