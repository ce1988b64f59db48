import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import NeedForm from '../../miniapp/src/subpackages/finance/need-form/index';
import { FakeApi, fail, ok, type ApiCall } from './support/fake-api';
import { ENTERPRISE, myNeed, prefill } from './support/finance-fixtures';
import { nativeInput, renderPage } from './support/page';

const PREFILL_PATH = '/api/v1/me/enterprises/5/need-prefill';
const NEEDS_PATH = '/api/v1/me/enterprises/5/needs';
const FORM_PAGE = '/subpackages/finance/need-form/index';

async function typeInto(testId: string, value: string) {
  fireEvent.input(await nativeInput(screen.getByTestId(testId)), { target: { value } });
}

async function inputValue(testId: string): Promise<string> {
  return (await nativeInput(screen.getByTestId(testId))).value;
}

/** What Taro's Picker emits once the user confirms a choice (its H5 popup cannot be driven in jsdom). */
function pick(testId: string, index: number) {
  fireEvent(screen.getByTestId(testId), new CustomEvent('change', { detail: { value: index } }));
}

async function typeNote(value: string) {
  let textarea: HTMLTextAreaElement | null = null;
  await waitFor(() => {
    textarea = screen.getByTestId('need-note').querySelector('textarea');
    if (!textarea) throw new Error('Taro Textarea has not rendered its <textarea> yet');
  });
  fireEvent.input(textarea!, { target: { value } });
}

const selected = (group: string) =>
  within(screen.getByTestId(group))
    .getAllByText(/.+/)
    .filter((chip) => chip.getAttribute('data-selected') === 'true')
    .map((chip) => chip.getAttribute('data-testid'));

const keyOf = (call: ApiCall) => call.header['Idempotency-Key'];

describe('一键融资需求 form', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE])).on('GET', PREFILL_PATH, ok(prefill()));
    jest.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' });
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
  });

  afterEach(() => {
    Current.router = null;
  });

  it('shows the firm and fills the form from the prefill, in 万元 and %', async () => {
    await renderPage(NeedForm);

    const firm = await screen.findByTestId('need-firm');
    expect(within(firm).getByTestId('need-firm-name').textContent).toBe('北京示例科技有限公司');
    expect(within(firm).getByTestId('need-firm-region').textContent).toBe('北京市海淀区');
    expect(within(firm).getByTestId('need-firm-industry').textContent).toBe('软件开发');
    expect(within(firm).getByTestId('need-firm-scale').textContent).toBe('小型企业');
    expect(within(firm).getByTestId('need-firm-years').textContent).toBe('成立 2.1 年');
    expect(within(firm).getByTestId('need-firm-rating').textContent).toBe('信用评级 BBB');

    expect(await inputValue('need-amount')).toBe('50');
    expect(await inputValue('need-rate')).toBe('4.35');
    expect(screen.getByTestId('need-term-value').textContent).toBe('12 个月');
    expect(screen.getByTestId('need-purpose-value').textContent).toBe('流动资金');
    expect(selected('need-guarantee')).toEqual(['need-guarantee-credit']);
    expect(selected('need-urgency')).toEqual(['need-urgency-month']);
    expect(screen.queryByTestId('need-open')).toBeNull();
  });

  it('sends exactly what was typed: 万元 to fen, % to basis points, no rate as null', async () => {
    api.on('POST', NEEDS_PATH, { status: 201, body: { success: true, data: myNeed({ id: '88' }) } });
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    await typeInto('need-amount', '12.34');
    await typeInto('need-rate', '4.35');
    pick('need-term', 4); // 1, 3, 6, 12, 18, …
    pick('need-purpose', 1);
    fireEvent.click(screen.getByTestId('need-guarantee-mortgage'));
    fireEvent.click(screen.getByTestId('need-urgency-week'));
    await typeNote('  订单回款约 3 个月  ');
    await waitFor(() => expect(screen.getByTestId('need-term-value').textContent).toBe('18 个月'));
    expect(screen.getByTestId('need-purpose-value').textContent).toBe('设备购置');

    fireEvent.click(screen.getByTestId('need-submit'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/finance/need/index?id=88&enterpriseId=5' }));
    expect(api.callsTo('POST', NEEDS_PATH)[0].body).toEqual({
      amountFen: 12_340_000,
      termMonths: 18,
      purpose: 'equipment',
      guaranteeMethods: ['credit', 'mortgage'],
      maxRateBp: 435,
      urgency: 'week',
      note: '订单回款约 3 个月',
    });
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '需求已发布', icon: 'success' });
  });

  it('sends no ceiling when the rate is left empty, and the smallest amount of 0.1 万元 as 100,000 fen', async () => {
    api.on('POST', NEEDS_PATH, { status: 201, body: { success: true, data: myNeed() } });
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    await typeInto('need-amount', '0.1');
    await typeInto('need-rate', '');
    fireEvent.click(screen.getByTestId('need-submit'));

    await waitFor(() => expect(api.callsTo('POST', NEEDS_PATH)).toHaveLength(1));
    expect(api.callsTo('POST', NEEDS_PATH)[0].body).toMatchObject({ amountFen: 100_000, maxRateBp: null });
  });

  it('refuses what the server would refuse, in Chinese beside each field, and sends nothing', async () => {
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    await typeInto('need-amount', '');
    await typeInto('need-rate', '0');
    fireEvent.click(screen.getByTestId('need-guarantee-credit'));
    fireEvent.click(screen.getByTestId('need-submit'));

    expect((await screen.findByTestId('need-amount-error')).textContent).toBe('请填写融资金额');
    expect(screen.getByTestId('need-rate-error').textContent).toBe('可接受利率应大于 0');
    expect(screen.getByTestId('need-guarantee-error').textContent).toBe('请至少选择一种可接受的担保方式');

    await typeInto('need-amount', '0.09');
    await typeInto('need-rate', '36.5');
    fireEvent.click(screen.getByTestId('need-submit'));
    await waitFor(() => expect(screen.getByTestId('need-amount-error').textContent).toBe('融资金额至少 1,000 元'));
    expect(screen.getByTestId('need-rate-error').textContent).toBe('可接受利率不能超过 36%');

    await typeInto('need-amount', '1000001');
    await typeInto('need-rate', '4.355');
    fireEvent.click(screen.getByTestId('need-submit'));
    await waitFor(() => expect(screen.getByTestId('need-amount-error').textContent).toBe('融资金额不能超过 100 亿元'));
    expect(screen.getByTestId('need-rate-error').textContent).toBe('可接受利率最多保留 2 位小数');

    await typeInto('need-amount', '12.3456789');
    await typeNote('字'.repeat(501));
    fireEvent.click(screen.getByTestId('need-submit'));
    await waitFor(() => expect(screen.getByTestId('need-amount-error').textContent).toBe('融资金额最多精确到分（小数点后 6 位）'));
    expect(screen.getByTestId('need-note-error').textContent).toBe('补充说明最多 500 个字');

    // Correcting a field clears its message.
    await typeInto('need-amount', '50');
    await waitFor(() => expect(screen.queryByTestId('need-amount-error')).toBeNull());
    expect(api.callsTo('POST', NEEDS_PATH)).toHaveLength(0);
  });

  it('files one need for two quick taps and for a retry after a lost answer, with the one key of this form', async () => {
    api.on('POST', NEEDS_PATH, { status: 201, body: { success: true, data: myNeed() } });
    const request = jest.spyOn(Taro, 'request');
    const server = request.getMockImplementation()!;
    let attempt = 0;
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    request.mockImplementation(((options: Taro.request.Option) => {
      if (options.url !== NEEDS_PATH || options.method !== 'POST') return server(options);
      attempt += 1;
      // The first attempt never reaches the server; the second waits until the test lets it through.
      if (attempt === 1) return Promise.reject({ errMsg: 'request:fail' });
      return answered.then(() => server(options));
    }) as unknown as typeof Taro.request);
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    fireEvent.click(screen.getByTestId('need-submit'));
    expect((await screen.findByTestId('need-form-error')).textContent).toBe('网络连接失败，请检查网络后重试');

    fireEvent.click(screen.getByTestId('need-submit'));
    fireEvent.click(screen.getByTestId('need-submit'));
    await waitFor(() => expect(screen.getByTestId('need-submit').hasAttribute('disabled')).toBe(true));
    fireEvent.click(screen.getByTestId('need-submit'));
    answer();

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledTimes(1));
    const sent = request.mock.calls.filter(([o]) => o.url === NEEDS_PATH && o.method === 'POST').map(([o]) => o.header as Record<string, string>);
    expect(sent).toHaveLength(2);
    expect(sent[0]['Idempotency-Key']).toBeTruthy();
    expect(sent[1]['Idempotency-Key']).toBe(sent[0]['Idempotency-Key']);
    expect(api.callsTo('POST', NEEDS_PATH)).toHaveLength(1);
  });

  it('puts the server’s field messages beside the fields, and sends the corrected form with the same key', async () => {
    let calls = 0;
    api.on('POST', NEEDS_PATH, () => {
      calls += 1;
      return calls === 1
        ? fail(400, 'VALIDATION_FAILED', '提交的信息有误', [
            { field: 'amountFen', message: '融资金额不能超过 100 亿元' },
            { field: 'guaranteeMethods.0', message: '担保方式不正确' },
          ])
        : { status: 201, body: { success: true, data: myNeed() } };
    });
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    fireEvent.click(screen.getByTestId('need-submit'));

    expect((await screen.findByTestId('need-amount-error')).textContent).toBe('融资金额不能超过 100 亿元');
    expect(screen.getByTestId('need-guarantee-error').textContent).toBe('担保方式不正确');
    expect(screen.getByTestId('need-form-error').textContent).toBe('提交的信息有误');
    expect(Taro.redirectTo).not.toHaveBeenCalled();

    await typeInto('need-amount', '30');
    fireEvent.click(screen.getByTestId('need-submit'));
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    const [first, second] = api.callsTo('POST', NEEDS_PATH);
    expect(second.body).toMatchObject({ amountFen: 30_0000_00 });
    expect(keyOf(second)).toBe(keyOf(first));
  });

  it('points to the need already in progress', async () => {
    api.on('GET', PREFILL_PATH, ok(prefill({ openNeedId: '66' })));
    await renderPage(NeedForm);

    expect((await screen.findByTestId('need-open')).textContent).toContain('您已有一笔进行中的需求');
    fireEvent.click(screen.getByTestId('need-open-link'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/need/index?id=66&enterpriseId=5' });
  });

  it('edits a need: starts from it and saves with PUT', async () => {
    Current.router = { params: { enterpriseId: '5', needId: '77' }, path: FORM_PAGE } as never;
    const need = myNeed({ amountFen: 80_0000_00, termMonths: 24, purpose: 'expansion', guaranteeMethods: ['mortgage'], maxRateBp: null, urgency: 'quarter', note: '扩建厂房' });
    api
      .on('GET', PREFILL_PATH, ok(prefill({ openNeedId: '77' })))
      .on('GET', `${NEEDS_PATH}/77`, ok(need))
      .on('PUT', `${NEEDS_PATH}/77`, (call) => ok({ ...need, ...(call.body as object) }));
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    expect(await inputValue('need-amount')).toBe('80');
    expect(await inputValue('need-rate')).toBe('');
    expect(screen.getByTestId('need-term-value').textContent).toBe('24 个月');
    expect(screen.getByTestId('need-purpose-value').textContent).toBe('扩大经营');
    expect(selected('need-guarantee')).toEqual(['need-guarantee-mortgage']);
    expect(selected('need-urgency')).toEqual(['need-urgency-quarter']);
    // The open need is this one.
    expect(screen.queryByTestId('need-open')).toBeNull();

    await typeInto('need-amount', '60');
    fireEvent.click(screen.getByTestId('need-submit'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/finance/need/index?id=77&enterpriseId=5' }));
    expect(api.callsTo('PUT', `${NEEDS_PATH}/77`)[0].body).toEqual({
      amountFen: 60_0000_00,
      termMonths: 24,
      purpose: 'expansion',
      guaranteeMethods: ['mortgage'],
      maxRateBp: null,
      urgency: 'quarter',
      note: '扩建厂房',
    });
    expect(api.callsTo('POST', NEEDS_PATH)).toHaveLength(0);
  });

  it('inside WeChat offers the recommendation notice in the submit tap, and submits whatever the answer', async () => {
    process.env.TARO_ENV = 'weapp';
    jest.spyOn(Taro, 'login').mockResolvedValue({ code: 'wx-code', errMsg: 'login:ok' });
    api
      .on('GET', '/api/v1/wechat/templates', ok([
        { key: 'verification_result', templateId: 'tmpl-verify', title: '企业认证结果通知', granted: 0 },
        { key: 'need_recommendation', templateId: 'tmpl-need', title: '融资产品推荐通知', granted: 0 },
      ]))
      .on('POST', '/api/v1/wechat/subscriptions', ok({ granted: { 'tmpl-need': 1 } }))
      .on('POST', NEEDS_PATH, { status: 201, body: { success: true, data: myNeed() } });
    const ask = jest
      .spyOn(Taro, 'requestSubscribeMessage')
      .mockResolvedValue({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-need': 'accept' } as never);
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    fireEvent.click(screen.getByTestId('need-submit'));

    expect(ask).toHaveBeenCalledWith({ tmplIds: ['tmpl-need'] });
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    expect(api.callsTo('POST', '/api/v1/wechat/subscriptions')[0].body).toEqual({ results: { 'tmpl-need': 'accept' } });
    expect(api.callsTo('POST', NEEDS_PATH)).toHaveLength(1);
  });

  it('inside WeChat still submits when the user turned subscriptions off', async () => {
    process.env.TARO_ENV = 'weapp';
    jest.spyOn(Taro, 'login').mockResolvedValue({ code: 'wx-code', errMsg: 'login:ok' });
    api
      .on('GET', '/api/v1/wechat/templates', ok([{ key: 'need_recommendation', templateId: 'tmpl-need', title: '融资产品推荐通知', granted: 0 }]))
      .on('POST', NEEDS_PATH, { status: 201, body: { success: true, data: myNeed() } });
    jest.spyOn(Taro, 'requestSubscribeMessage').mockRejectedValue({ errMsg: 'requestSubscribeMessage:fail switch is off', errCode: 20004 });
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    fireEvent.click(screen.getByTestId('need-submit'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    expect(api.callsTo('POST', NEEDS_PATH)).toHaveLength(1);
  });

  it('in the browser never asks for subscriptions', async () => {
    api.on('POST', NEEDS_PATH, { status: 201, body: { success: true, data: myNeed() } });
    const ask = jest.spyOn(Taro, 'requestSubscribeMessage');
    await renderPage(NeedForm);
    await screen.findByTestId('need-firm');

    fireEvent.click(screen.getByTestId('need-submit'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    expect(ask).not.toHaveBeenCalled();
    expect(api.callsTo('GET', '/api/v1/wechat/templates')).toHaveLength(0);
  });

  it('fills the form after a failed load is retried', async () => {
    let loads = 0;
    api.on('GET', PREFILL_PATH, () => (++loads === 1 ? fail(500, 'INTERNAL', '服务暂时不可用，请稍后再试') : ok(prefill())));
    await renderPage(NeedForm);

    expect((await screen.findByTestId('page-error')).textContent).toContain('服务暂时不可用，请稍后再试');
    fireEvent.click(screen.getByText('重试'));

    await screen.findByTestId('need-firm');
    expect(await inputValue('need-amount')).toBe('50');
  });

  it('asks an unbound user to bind an enterprise first', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([]));
    await renderPage(NeedForm);

    expect((await screen.findByTestId('need-unbound')).textContent).toContain('尚未绑定企业');
    expect(api.callsTo('GET', PREFILL_PATH)).toHaveLength(0);
  });
});
