import { industryByCode } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import ProductDetail from '../../miniapp/src/subpackages/finance/product/index';
import Products from '../../miniapp/src/subpackages/finance/products/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { publicProduct } from './support/finance-fixtures';
import { firePageLifecycle, nativeInput, renderPage } from './support/page';

const PRODUCTS_PATH = '/api/v1/public/products';
const INSTITUTIONS = [
  { id: '9', name: '示例银行北京分行', publishedProducts: 3 },
  { id: '12', name: '北京农商银行', publishedProducts: 1 },
];

async function typeInto(testId: string, value: string) {
  fireEvent.input(await nativeInput(screen.getByTestId(testId)), { target: { value } });
}

function pick(testId: string, index: number) {
  fireEvent(screen.getByTestId(testId), new CustomEvent('change', { detail: { value: index } }));
}

/** Twelve products, answered a page at a time as the server pages them. */
const CATALOGUE = Array.from({ length: 12 }, (_, i) => publicProduct(String(100 + i), { name: `产品${i + 1}` }));

describe('金融产品 list', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    api.on('GET', '/api/v1/public/institutions', ok(INSTITUTIONS)).on('GET', PRODUCTS_PATH, (call) => {
      const current = Number(call.query.current ?? 1);
      const pageSize = Number(call.query.pageSize ?? 20);
      return ok({ list: CATALOGUE.slice((current - 1) * pageSize, current * pageSize), total: CATALOGUE.length });
    });
  });

  it('shows each product’s institution and terms in 万元, months and annual rate', async () => {
    api.on(
      'GET',
      PRODUCTS_PATH,
      ok({
        list: [
          publicProduct('101', {
            name: '科创信用贷',
            type: 'credit',
            amountMinFen: 10_0000_00,
            amountMaxFen: 300_0000_00,
            termMinMonths: 3,
            termMaxMonths: 36,
            rateMinBp: 345,
            rateMaxBp: 435,
            guaranteeMethods: ['credit', 'guarantee'],
          }),
          publicProduct('102', { name: '厂房抵押贷', type: 'mortgage', amountMinFen: 5_5000_00, amountMaxFen: 5_5000_00, termMinMonths: 12, termMaxMonths: 12, rateMinBp: 400, rateMaxBp: 400, guaranteeMethods: ['mortgage'] }),
        ],
        total: 2,
      }),
    );
    await renderPage(Products);

    const [first, second] = await screen.findAllByTestId('product-card');
    expect(within(first).getByTestId('product-name').textContent).toBe('科创信用贷');
    expect(within(first).getByTestId('product-institution').textContent).toBe('示例银行北京分行');
    expect(within(first).getByTestId('product-amount').textContent).toBe('10–300 万元');
    expect(within(first).getByTestId('product-term').textContent).toBe('3–36 个月');
    expect(within(first).getByTestId('product-rate').textContent).toBe('3.45%–4.35%');
    expect(within(first).getByTestId('product-guarantee').textContent).toBe('信用贷款 · 信用、保证（担保）');
    expect(within(second).getByTestId('product-amount').textContent).toBe('5.5 万元');
    expect(within(second).getByTestId('product-term').textContent).toBe('12 个月');
    expect(within(second).getByTestId('product-rate').textContent).toBe('4%');
    expect(screen.getByTestId('products-total').textContent).toBe('共 2 款产品');
    expect(screen.queryByTestId('products-more')).toBeNull();

    fireEvent.click(second);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/product/index?id=102' });
  });

  it('sends the filters as the server’s query: 万元 as fen, the chosen guarantee and institution', async () => {
    await renderPage(Products);
    await screen.findAllByTestId('product-card');
    expect(api.callsTo('GET', PRODUCTS_PATH)[0].query).toEqual({ current: 1, pageSize: 10 });

    await typeInto('products-amount', '50.5');
    await typeInto('products-term', '12');
    fireEvent.click(screen.getByTestId('products-search'));
    await waitFor(() => expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(2));
    expect(api.callsTo('GET', PRODUCTS_PATH)[1].query).toEqual({ current: 1, pageSize: 10, amountFen: 50_500_000, termMonths: 12 });

    fireEvent.click(screen.getByTestId('products-guarantee-mortgage'));
    await waitFor(() => expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(3));
    expect(api.callsTo('GET', PRODUCTS_PATH)[2].query).toMatchObject({ amountFen: 50_500_000, termMonths: 12, guarantee: 'mortgage' });
    expect(screen.getByTestId('products-guarantee-mortgage').getAttribute('data-selected')).toBe('true');

    await waitFor(() => expect(api.callsTo('GET', '/api/v1/public/institutions')).toHaveLength(1));
    pick('products-institution', 2);
    await waitFor(() => expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(4));
    expect(api.callsTo('GET', PRODUCTS_PATH)[3].query).toMatchObject({ guarantee: 'mortgage', institutionId: '12' });
    expect(screen.getByTestId('products-institution-value').textContent).toBe('北京农商银行');

    // 全部 clears the guarantee; the first picker entry clears the institution.
    fireEvent.click(screen.getByTestId('products-guarantee-all'));
    await waitFor(() => expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(5));
    pick('products-institution', 0);
    await waitFor(() => expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(6));
    expect(api.callsTo('GET', PRODUCTS_PATH)[5].query).toEqual({ current: 1, pageSize: 10, amountFen: 50_500_000, termMonths: 12 });
  });

  it('says what is wrong with a typed filter instead of asking the server', async () => {
    await renderPage(Products);
    await screen.findAllByTestId('product-card');

    await typeInto('products-amount', '1.23456789');
    fireEvent.click(screen.getByTestId('products-search'));
    expect((await screen.findByTestId('products-filter-error')).textContent).toBe('金额最多精确到分（小数点后 6 位）');

    await typeInto('products-amount', '');
    await typeInto('products-term', '400');
    fireEvent.click(screen.getByTestId('products-search'));
    await waitFor(() => expect(screen.getByTestId('products-filter-error').textContent).toBe('期限不能超过 360 个月'));
    expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(1);

    await typeInto('products-term', '24');
    fireEvent.click(screen.getByTestId('products-search'));
    await waitFor(() => expect(screen.queryByTestId('products-filter-error')).toBeNull());
    expect(api.callsTo('GET', PRODUCTS_PATH)[1].query).toMatchObject({ termMonths: 24 });
  });

  it('loads the next page on 加载更多 and at the bottom, until all are shown', async () => {
    await renderPage(Products);
    expect(await screen.findAllByTestId('product-card')).toHaveLength(10);

    fireEvent.click(screen.getByTestId('products-more'));
    // Counted, not matched with toHaveLength: printing a failed match of DOM elements is slow on every retry.
    await waitFor(() => expect(screen.getAllByTestId('product-card').length).toBe(12));
    expect(api.callsTo('GET', PRODUCTS_PATH)[1].query).toMatchObject({ current: 2, pageSize: 10 });
    expect(screen.getAllByTestId('product-card').map((c) => c.getAttribute('data-id'))).toEqual(CATALOGUE.map((p) => p.id));
    expect(screen.queryByTestId('products-more')).toBeNull();

    await firePageLifecycle('onReachBottom');

    expect(api.callsTo('GET', PRODUCTS_PATH)).toHaveLength(2);
  });

  it('says so when nothing matches', async () => {
    api.on('GET', PRODUCTS_PATH, ok({ list: [], total: 0 }));
    await renderPage(Products);

    expect((await screen.findByTestId('products-empty')).textContent).toContain('没有符合条件的产品');
  });
});

describe('产品详情', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    Current.router = { params: { id: '101' }, path: '/subpackages/finance/product/index' } as never;
    api
      .on('GET', '/api/v1/regions', (call) => {
        const parent = call.query.parent;
        if (!parent) return ok([{ code: '110000', name: '北京市', level: 'province', parentCode: null }, { code: '330000', name: '浙江省', level: 'province', parentCode: null }]);
        if (parent === '110000') return ok([{ code: '110108', name: '海淀区', level: 'district', parentCode: '110000' }]);
        if (parent === '330000') return ok([{ code: '330100', name: '杭州市', level: 'city', parentCode: '330000' }]);
        if (parent === '330100') return ok([{ code: '330106', name: '西湖区', level: 'district', parentCode: '330100' }]);
        return ok([]);
      });
  });

  afterEach(() => {
    Current.router = null;
  });

  it('shows every term and the admission criteria in plain Chinese, and leads to the need form', async () => {
    api.on(
      'GET',
      '/api/v1/public/products/101',
      ok(
        publicProduct('101', {
          name: '科创信用贷',
          summary: '面向科技型中小企业的纯信用贷款',
          repaymentMethods: ['interest_first', 'equal_instalment'],
          turnaroundDays: 5,
          policySupport: true,
          requiredDocuments: ['营业执照', '近两年财务报表'],
          criteria: {
            regionCodes: ['110000', '330106'],
            industriesIncluded: ['I65'],
            industriesExcluded: ['I6550'],
            scales: ['micro', 'small'],
            minYearsEstablished: 3,
            minRating: 'A',
            penaltyLimit: { maxSeverity: 'general', months: 24 },
            excludeBlacklisted: true,
            noTaxArrears: true,
            noSocialArrears: false,
            noEnforcement: true,
          },
        }),
      ),
    );
    await renderPage(ProductDetail);

    expect((await screen.findByTestId('product-name')).textContent).toBe('科创信用贷');
    expect(screen.getByTestId('product-repayment').textContent).toBe('先息后本、等额本息');
    expect(screen.getByTestId('product-turnaround').textContent).toBe('申请后 5 个工作日内给出审批结果');
    expect(screen.getByTestId('product-amount').textContent).toBe('10–300 万元');

    const criterion = (key: string) => screen.getByTestId(`product-criterion-${key}`).textContent;
    await waitFor(() => expect(criterion('region')).toBe('区域北京市、浙江省杭州市西湖区'));
    expect(criterion('industry')).toBe(`行业${industryByCode('I65')!.name}（不含${industryByCode('I6550')!.name}）`);
    expect(criterion('scale')).toBe('企业规模微型、小型企业');
    expect(criterion('years')).toBe('成立年限成立满 3 年');
    expect(criterion('rating')).toBe('信用评级A 及以上');
    expect(criterion('penalty')).toBe('行政处罚近 24 个月内无较重、严重行政处罚（已信用修复的不计）');
    expect(criterion('exclusions')).toBe('不予受理列入失信黑名单、存在欠税、有未结的被执行案件');
    expect(screen.getAllByTestId('product-document').map((d) => d.textContent)).toEqual(['1. 营业执照', '2. 近两年财务报表']);

    fireEvent.click(screen.getByTestId('product-publish-need'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/need-form/index' });
  });

  it('says 不限 for what a product does not require', async () => {
    api.on('GET', '/api/v1/public/products/101', ok(publicProduct('101', { criteria: { excludeBlacklisted: false } })));
    await renderPage(ProductDetail);
    await screen.findByTestId('product-criteria');

    const criterion = (key: string) => screen.getByTestId(`product-criterion-${key}`).textContent;
    expect(criterion('region')).toBe('区域全国');
    expect(criterion('industry')).toBe('行业不限');
    expect(criterion('scale')).toBe('企业规模不限');
    expect(criterion('rating')).toBe('信用评级不限');
    expect(criterion('penalty')).toBe('行政处罚不限');
    expect(criterion('exclusions')).toBe('不予受理无');
    expect(api.callsTo('GET', '/api/v1/regions')).toHaveLength(0);
  });

  it('shows the server’s message for a product taken off the shelf', async () => {
    api.on('GET', '/api/v1/public/products/101', fail(404, 'NOT_FOUND', '产品不存在或已下架'));
    await renderPage(ProductDetail);

    expect((await screen.findByTestId('page-error')).textContent).toContain('产品不存在或已下架');
  });
});
