import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import { DATA_SCOPES, DATA_SCOPE_DETAILS, DATA_SCOPE_LABELS, addDays, shanghaiDate } from '@xyd/shared';
import Apply from '../../miniapp/src/subpackages/finance/apply/index';
import ProductDetail from '../../miniapp/src/subpackages/finance/product/index';
import { FakeApi, fail, ok, type ApiCall } from './support/fake-api';
import { applicationDetail } from './support/application-fixtures';
import { ENTERPRISE, myNeed, publicProduct } from './support/finance-fixtures';
import { nativeInput, renderPage } from './support/page';

const APPLY_PAGE = '/subpackages/finance/apply/index';
const APPLICATIONS_PATH = '/api/v1/me/enterprises/5/applications';
const PRODUCT_PATH = '/api/v1/public/products/12';
const CONSENT = '我已阅读并同意上述数据授权';

/** 10–300 万元, 3–36 months. */
const PRODUCT = publicProduct('12', { name: '科创信用贷' });

async function typeInto(testId: string, value: string) {
  fireEvent.input(await nativeInput(screen.getByTestId(testId)), { target: { value } });
}

async function inputValue(testId: string): Promise<string> {
  return (await nativeInput(screen.getByTestId(testId))).value;
}

async function typePurpose(value: string) {
  let textarea: HTMLTextAreaElement | null = null;
  await waitFor(() => {
    textarea = screen.getByTestId('apply-purpose').querySelector('textarea');
    if (!textarea) throw new Error('Taro Textarea has not rendered its <textarea> yet');
  });
  fireEvent.input(textarea!, { target: { value } });
}

/** What Taro's date Picker emits once the user confirms a day. */
function pickDate(value: string) {
  fireEvent(screen.getByTestId('apply-expires'), new CustomEvent('change', { detail: { value } }));
}

const checked = (testId: string) => screen.getByTestId(testId).getAttribute('data-checked');
const today = () => shanghaiDate(Date.now());
const keyOf = (call: ApiCall) => call.header['Idempotency-Key'];

describe('融资申请 form', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE])).on('GET', PRODUCT_PATH, ok(PRODUCT));
    jest.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' });
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    Current.router = { params: { productId: '12', enterpriseId: '5' }, path: APPLY_PAGE } as never;
  });

  afterEach(() => {
    Current.router = null;
  });

  it('states the grant in plain words, ticks the firm’s data and credit report but not the records, and leaves consent unticked', async () => {
    await renderPage(Apply);

    const grant = await screen.findByTestId('apply-grant');
    const lastDay = addDays(today(), 90);
    expect(within(grant).getByTestId('apply-grant-statement').textContent).toBe(
      `授权 示例银行北京分行 在本申请（科创信用贷）的审批和贷后管理中查看以下数据，至 ${lastDay} 止`,
    );
    expect(screen.getByTestId('apply-expires-value').textContent).toBe(lastDay);
    expect(screen.getByTestId('apply-expires-field').textContent).toContain(`最长 365 天，最晚 ${addDays(today(), 365)}`);

    // Every scope, the firm's data and its credit report first and ticked, then the records of each group of
    // categories under their own heading, none ticked.
    const scopes = screen.getByTestId('apply-scopes');
    const shown = Array.from(scopes.querySelectorAll('[data-testid^="apply-scope"]'), (el) => el.getAttribute('data-testid'));
    expect(shown).toEqual([
      'apply-scope-registration',
      'apply-scope-credit_score',
      'apply-scopes-records',
      'apply-scope-public_records',
      'apply-scope-tax',
      'apply-scope-social_security',
      'apply-scope-utility',
      'apply-scope-court_case',
      'apply-scope-logistics',
    ]);
    expect(screen.getByTestId('apply-scopes-records').textContent).toBe('信用记录明细（按类别授权）');
    expect(DATA_SCOPES.map((scope) => [scope, checked(`apply-scope-${scope}`)])).toEqual(
      DATA_SCOPES.map((scope) => [scope, scope === 'registration' || scope === 'credit_score' ? 'true' : 'false']),
    );
    // Each scope in the platform's words, with what it shows.
    expect(screen.getByTestId('apply-scope-registration').textContent).toBe(`✓工商登记信息${DATA_SCOPE_DETAILS.registration}`);
    expect(screen.getByTestId('apply-scope-credit_score').textContent).toBe(`✓信用报告${DATA_SCOPE_DETAILS.credit_score}`);
    expect(screen.getByTestId('apply-scope-tax').textContent).toBe(`纳税记录${DATA_SCOPE_DETAILS.tax}`);
    expect(screen.getByTestId('apply-scope-court_case').textContent).toBe(`${DATA_SCOPE_LABELS.court_case}${DATA_SCOPE_DETAILS.court_case}`);

    const facts = screen.getByTestId('apply-grant-facts').textContent;
    expect(facts).toContain('随时撤销');
    expect(facts).toContain('撤销后机构立即无法再查看');
    expect(facts).toContain('每一次查看都会被记录');
    expect(facts).toContain('谁查看了我的数据');
    expect(facts).toContain('委托信用服务机构');
    expect(facts).toContain('平台会告知您');

    // The consent is its own tick, outside the grant's card, with nothing else in it.
    expect(checked('apply-consent')).toBe('false');
    expect(screen.getByTestId('apply-consent').textContent).toBe(CONSENT);
    expect(within(grant).queryByTestId('apply-consent')).toBeNull();
    // Without a need the form starts at the product's smallest amount and a year's term.
    expect(await inputValue('apply-amount')).toBe('10');
    expect(await inputValue('apply-term')).toBe('12');
  });

  it('refuses to submit until the consent is ticked, then sends fen, the scopes and the last day with an idempotency key', async () => {
    api.on('POST', APPLICATIONS_PATH, { status: 201, body: { success: true, data: applicationDetail() } });
    await renderPage(Apply);
    await screen.findByTestId('apply-grant');

    await typeInto('apply-amount', '12.34');
    await typeInto('apply-term', '18');
    await typePurpose('  采购原材料  ');
    // Ticked out of order: sent in the platform's.
    fireEvent.click(screen.getByTestId('apply-scope-court_case'));
    fireEvent.click(screen.getByTestId('apply-scope-public_records'));
    const lastDay = addDays(today(), 30);
    pickDate(lastDay);
    await waitFor(() => expect(screen.getByTestId('apply-grant-statement').textContent).toContain(`至 ${lastDay} 止`));

    fireEvent.click(screen.getByTestId('apply-submit'));
    expect((await screen.findByTestId('apply-consent-error')).textContent).toBe('请先勾选“我已阅读并同意上述数据授权”，再提交申请');
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '请先勾选“我已阅读并同意上述数据授权”，再提交申请', icon: 'none' });
    expect(api.callsTo('POST', APPLICATIONS_PATH)).toHaveLength(0);

    // Tapping the words ticks the box, as a user (and the browser test) does.
    fireEvent.click(screen.getByText(CONSENT));
    await waitFor(() => expect(checked('apply-consent')).toBe('true'));
    expect(screen.queryByTestId('apply-consent-error')).toBeNull();
    fireEvent.click(screen.getByText('提交申请'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/finance/application/index?id=31&enterpriseId=5' }));
    const [sent] = api.callsTo('POST', APPLICATIONS_PATH);
    expect(sent.body).toEqual({
      productId: '12',
      amountFen: 12_340_000,
      termMonths: 18,
      purpose: '采购原材料',
      grant: { scopes: ['registration', 'credit_score', 'public_records', 'court_case'], expiresOn: lastDay, consent: true },
    });
    expect(keyOf(sent)).toBeTruthy();
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '申请已提交', icon: 'success' });
  });

  it('ticking 纳税记录 grants the tax records alone among the records', async () => {
    api.on('POST', APPLICATIONS_PATH, { status: 201, body: { success: true, data: applicationDetail() } });
    await renderPage(Apply);
    await screen.findByTestId('apply-grant');

    fireEvent.click(screen.getByText('纳税记录'));
    await waitFor(() => expect(checked('apply-scope-tax')).toBe('true'));
    expect(checked('apply-scope-court_case')).toBe('false');
    fireEvent.click(screen.getByTestId('apply-consent'));
    await waitFor(() => expect(checked('apply-consent')).toBe('true'));
    fireEvent.click(screen.getByTestId('apply-submit'));

    await waitFor(() => expect(api.callsTo('POST', APPLICATIONS_PATH)).toHaveLength(1));
    expect((api.callsTo('POST', APPLICATIONS_PATH)[0].body as { grant: unknown }).grant).toEqual({ scopes: ['registration', 'credit_score', 'tax'], expiresOn: addDays(today(), 90), consent: true });
  });

  it('takes the consent back when what is granted changes after it was ticked', async () => {
    await renderPage(Apply);
    await screen.findByTestId('apply-grant');

    fireEvent.click(screen.getByTestId('apply-consent'));
    await waitFor(() => expect(checked('apply-consent')).toBe('true'));
    fireEvent.click(screen.getByTestId('apply-scope-social_security'));

    await waitFor(() => expect(checked('apply-consent')).toBe('false'));
    expect(screen.getByTestId('apply-consent-reset').textContent).toBe('授权内容已修改，请重新确认。');
    fireEvent.click(screen.getByTestId('apply-submit'));
    await screen.findByTestId('apply-consent-error');
    expect(api.callsTo('POST', APPLICATIONS_PATH)).toHaveLength(0);
  });

  it('checks the amount and term against the product, and the grant, before sending anything', async () => {
    await renderPage(Apply);
    await screen.findByTestId('apply-grant');
    fireEvent.click(screen.getByTestId('apply-consent'));

    await typeInto('apply-amount', '500');
    await typeInto('apply-term', '48');
    fireEvent.click(screen.getByTestId('apply-scope-registration'));
    fireEvent.click(screen.getByTestId('apply-scope-credit_score'));
    fireEvent.click(screen.getByTestId('apply-submit'));

    expect((await screen.findByTestId('apply-amount-error')).textContent).toBe('申请金额应在本产品额度范围内（10–300 万元）');
    expect(screen.getByTestId('apply-term-error').textContent).toBe('申请期限应在本产品期限范围内（3–36 个月）');
    expect(screen.getByTestId('apply-scopes-error').textContent).toBe('请至少选择一项授权数据');

    await typeInto('apply-amount', '');
    await typeInto('apply-term', '2');
    pickDate(addDays(today(), 366));
    fireEvent.click(screen.getByTestId('apply-submit'));
    await waitFor(() => expect(screen.getByTestId('apply-amount-error').textContent).toBe('请填写申请金额'));
    expect(screen.getByTestId('apply-term-error').textContent).toBe('申请期限应在本产品期限范围内（3–36 个月）');
    expect(screen.getByTestId('apply-expires-error').textContent).toBe(`授权最长 365 天，截止日期不能晚于 ${addDays(today(), 365)}`);

    await typeInto('apply-amount', '12.3456789');
    await typeInto('apply-term', '6.5');
    pickDate(today());
    fireEvent.click(screen.getByTestId('apply-submit'));
    await waitFor(() => expect(screen.getByTestId('apply-amount-error').textContent).toBe('申请金额最多精确到分（小数点后 6 位）'));
    expect(screen.getByTestId('apply-term-error').textContent).toBe('申请期限应为整月数');
    expect(screen.getByTestId('apply-expires-error').textContent).toBe('授权截止日期应晚于今天');

    expect(api.callsTo('POST', APPLICATIONS_PATH)).toHaveLength(0);

    // The limits themselves are allowed.
    api.on('POST', APPLICATIONS_PATH, { status: 201, body: { success: true, data: applicationDetail() } });
    await typeInto('apply-amount', '300');
    await typeInto('apply-term', '36');
    pickDate(addDays(today(), 365));
    fireEvent.click(screen.getByTestId('apply-scope-credit_score'));
    fireEvent.click(screen.getByTestId('apply-consent'));
    await waitFor(() => expect(checked('apply-consent')).toBe('true'));
    fireEvent.click(screen.getByTestId('apply-submit'));
    await waitFor(() => expect(api.callsTo('POST', APPLICATIONS_PATH)).toHaveLength(1));
    expect(api.callsTo('POST', APPLICATIONS_PATH)[0].body).toMatchObject({
      amountFen: 300_0000_00,
      termMonths: 36,
      grant: { scopes: ['credit_score'], expiresOn: addDays(today(), 365), consent: true },
    });
  });

  it('applying from a need’s recommendation starts from the need and sends its id', async () => {
    Current.router = { params: { productId: '12', needId: '77', enterpriseId: '5' }, path: APPLY_PAGE } as never;
    api
      .on('GET', '/api/v1/me/enterprises/5/needs/77', ok(myNeed({ amountFen: 80_0000_00, termMonths: 24, purpose: 'equipment' })))
      .on('POST', APPLICATIONS_PATH, { status: 201, body: { success: true, data: applicationDetail({ needId: '77' }) } });
    await renderPage(Apply);
    await screen.findByTestId('apply-grant');

    await waitFor(async () => expect(await inputValue('apply-amount')).toBe('80'));
    expect(await inputValue('apply-term')).toBe('24');
    fireEvent.click(screen.getByTestId('apply-consent'));
    fireEvent.click(screen.getByTestId('apply-submit'));

    await waitFor(() => expect(api.callsTo('POST', APPLICATIONS_PATH)).toHaveLength(1));
    expect(api.callsTo('POST', APPLICATIONS_PATH)[0].body).toMatchObject({ productId: '12', needId: '77', amountFen: 80_0000_00, termMonths: 24, purpose: '设备购置' });
  });

  it('puts the server’s field messages beside the fields, and sends the corrected form with the same key', async () => {
    let calls = 0;
    api.on('POST', APPLICATIONS_PATH, () => {
      calls += 1;
      return calls === 1
        ? fail(400, 'VALIDATION_FAILED', '提交的信息有误', [
            { field: 'termMonths', message: '申请期限不能超过 360 个月' },
            { field: 'grant.expiresOn', message: '授权截止日期应为 YYYY-MM-DD' },
            { field: 'grant.scopes.0', message: '授权范围不正确' },
          ])
        : { status: 201, body: { success: true, data: applicationDetail() } };
    });
    await renderPage(Apply);
    await screen.findByTestId('apply-grant');
    fireEvent.click(screen.getByTestId('apply-consent'));
    fireEvent.click(screen.getByTestId('apply-submit'));

    expect((await screen.findByTestId('apply-term-error')).textContent).toBe('申请期限不能超过 360 个月');
    expect(screen.getByTestId('apply-expires-error').textContent).toBe('授权截止日期应为 YYYY-MM-DD');
    expect(screen.getByTestId('apply-scopes-error').textContent).toBe('授权范围不正确');
    expect(screen.getByTestId('apply-form-error').textContent).toBe('提交的信息有误');
    expect(Taro.redirectTo).not.toHaveBeenCalled();

    await typeInto('apply-term', '24');
    fireEvent.click(screen.getByTestId('apply-submit'));
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    const [first, second] = api.callsTo('POST', APPLICATIONS_PATH);
    expect(second.body).toMatchObject({ termMonths: 24 });
    expect(keyOf(second)).toBe(keyOf(first));
  });

  it('asks an unbound user to bind an enterprise first', async () => {
    Current.router = { params: { productId: '12' }, path: APPLY_PAGE } as never;
    api.on('GET', '/api/v1/me/enterprises', ok([]));
    await renderPage(Apply);

    expect((await screen.findByTestId('apply-unbound')).textContent).toContain('尚未绑定企业');
    expect(api.callsTo('GET', PRODUCT_PATH)).toHaveLength(0);
  });
});

describe('产品详情: 申请', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', PRODUCT_PATH, ok(PRODUCT));
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
  });

  afterEach(() => {
    Current.router = null;
  });

  it('offers 申请 to a member of a bound enterprise, carrying on the need it was recommended for', async () => {
    Current.router = { params: { id: '12', needId: '77', enterpriseId: '5' }, path: '/subpackages/finance/product/index' } as never;
    api.on('GET', '/api/v1/me/enterprises', ok([{ ...ENTERPRISE, id: '4' }, ENTERPRISE]));
    await renderPage(ProductDetail);

    fireEvent.click(await screen.findByText('申请'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/apply/index?productId=12&needId=77&enterpriseId=5' });
  });

  it('opened from the product list, applies for the user’s enterprise without a need', async () => {
    Current.router = { params: { id: '12' }, path: '/subpackages/finance/product/index' } as never;
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]));
    await renderPage(ProductDetail);

    fireEvent.click(await screen.findByTestId('product-apply'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/apply/index?productId=12&enterpriseId=5' });
  });

  it('offers no 申请 without a bound enterprise', async () => {
    Current.router = { params: { id: '12' }, path: '/subpackages/finance/product/index' } as never;
    api.on('GET', '/api/v1/me/enterprises', ok([]));
    await renderPage(ProductDetail);
    await screen.findByTestId('product-name');

    await waitFor(() => expect(api.callsTo('GET', '/api/v1/me/enterprises')).toHaveLength(1));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(screen.queryByTestId('product-apply')).toBeNull();
    expect(screen.getByTestId('product-publish-need')).toBeTruthy();
  });
});
