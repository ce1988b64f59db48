import type { TProduct, TProductDetail } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { formFieldOf, percentToBp, wanToFen } from '@/pages/products/terms';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

function product(overrides: Partial<TProduct> = {}): TProduct {
  return {
    id: '501',
    institutionId: '10',
    institutionName: '杭州银行',
    name: '科创信用贷',
    type: 'credit',
    summary: '面向科技型小微企业的纯信用贷款',
    amountMinFen: 10_000_000,
    amountMaxFen: 300_000_000,
    termMinMonths: 6,
    termMaxMonths: 36,
    rateMinBp: 345,
    rateMaxBp: 485,
    guaranteeMethods: ['credit'],
    repaymentMethods: ['interest_first', 'equal_instalment'],
    criteria: {
      regionCodes: [],
      industriesIncluded: ['C34', 'I'],
      industriesExcluded: [],
      scales: ['micro', 'small'],
      minYearsEstablished: 2,
      minRating: 'BBB',
      penaltyLimit: { maxSeverity: 'general', months: 24 },
      excludeBlacklisted: true,
      noTaxArrears: true,
      noSocialArrears: false,
      noEnforcement: true,
    },
    requiredDocuments: ['营业执照', '近一年财务报表'],
    acceptDays: 2,
    turnaroundDays: 5,
    policySupport: true,
    status: 'draft',
    revision: 3,
    revisionId: '9003',
    publishedAt: null,
    updatedAt: '2026-03-02T02:00:00.000Z',
    problems: [],
    ...overrides,
  };
}

function detailOf(overrides: Partial<TProduct> = {}): TProductDetail {
  const p = product(overrides);
  return {
    ...p,
    revisions: [3, 2, 1].slice(3 - p.revision).map((n) => ({
      id: `900${n}`,
      revision: n,
      createdAt: `2026-03-0${n}T02:00:00.000Z`,
      createdByName: n === 1 ? '机构管理员陈静' : '机构管理员周宁',
    })),
  };
}

const REGIONS: Record<string, { code: string; name: string; level: 'province' | 'city' | 'district'; parentCode: string | null }[]> = {
  '': [
    { code: '330000', name: '浙江省', level: 'province', parentCode: null },
    { code: '320000', name: '江苏省', level: 'province', parentCode: null },
  ],
  '330000': [{ code: '330100', name: '杭州市', level: 'city', parentCode: '330000' }],
  '330100': [{ code: '330106', name: '西湖区', level: 'district', parentCode: '330100' }],
};

function fakeRegions() {
  api.on('GET /api/v1/regions', (req) => ok(REGIONS[req.query.parent ?? ''] ?? []));
}

function filterBox(label: string): HTMLElement {
  const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
  return (within(filters).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement).querySelector(
    '.ant-select-selector',
  ) as HTMLElement;
}

/** The explanation antd shows under a form field (its validation or server message). */
function fieldError(container: HTMLElement, label: string): HTMLElement | null {
  const item = within(container).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement;
  return item.querySelector('.ant-form-item-explain-error');
}

async function openDrawer(): Promise<HTMLElement> {
  await screen.findByText(/新建产品|编辑产品/, { selector: '.ant-drawer-title' });
  return document.querySelector('.ant-drawer-content') as HTMLElement;
}

describe('unit conversion', () => {
  it('turns 万元 into integer fen and % into basis points without float drift', () => {
    expect(wanToFen(300)).toBe(300_000_000);
    expect(wanToFen(0.5)).toBe(500_000);
    expect(wanToFen(1.000001)).toBe(1_000_001); // 1.000001 × 10⁶ is 1000000.9999999999 in floating point
    expect(wanToFen(1_000_000)).toBe(1_000_000_000_000);
    expect(percentToBp(4.35)).toBe(435); // 434.99999999999994 before rounding
    expect(percentToBp(0.29)).toBe(29);
    expect(percentToBp(3.855)).toBe(386);
  });

  it('places server field errors on the editor’s fields', () => {
    expect(formFieldOf('terms.amountMinFen')).toEqual(['amountMinWan']);
    expect(formFieldOf('rateMaxBp')).toEqual(['ratePercentMax']);
    expect(formFieldOf('criteria.regionCodes')).toEqual(['regionCodes']);
    expect(formFieldOf('terms.criteria.regionCodes.1')).toEqual(['regionCodes', 1]);
    expect(formFieldOf('terms.criteria.industriesIncluded.3')).toEqual(['industriesIncluded']);
    expect(formFieldOf('terms.criteria.penaltyLimit.months')).toEqual(['penaltyMonths']);
    expect(formFieldOf('institutionId')).toBeNull();
  });
});

describe('product list (金融产品)', () => {
  it('lists products with their ranges in 万元, months and %, and filters them', async () => {
    api.on('GET /api/v1/products', page([product(), product({ id: '502', name: '厂房抵押贷', type: 'mortgage', status: 'published', amountMinFen: 50_000_000, amountMaxFen: 50_000_000, rateMinBp: 400, rateMaxBp: 400, revision: 1 })]));
    await renderConsole('/finance/products', userOf('fi_admin'));
    expect(await findPageTitle('金融产品')).toBeInTheDocument();

    const rows = await screen.findAllByTestId('product-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('product-link')).toHaveAttribute('href', '/finance/products/501');
    expect(rows[0]).toHaveTextContent('信用贷款');
    expect(rows[0]).toHaveTextContent('杭州银行');
    expect(rows[0]).toHaveTextContent('10–300 万元');
    expect(rows[0]).toHaveTextContent('6–36 个月');
    expect(rows[0]).toHaveTextContent('3.45%–4.85%');
    expect(within(rows[0]).getByTestId('product-status')).toHaveTextContent('草稿');
    expect(rows[0]).toHaveTextContent('第 3 版');
    expect(rows[0]).toHaveTextContent('2026-03-02 10:00:00');
    expect(rows[1]).toHaveTextContent('50 万元');
    expect(rows[1]).toHaveTextContent('4%');
    expect(within(rows[1]).getByTestId('product-status')).toHaveTextContent('已上架');
    expect(screen.getByTestId('product-create')).toBeInTheDocument();

    const user = userEvent.setup();
    fireEvent.mouseDown(filterBox('状态'));
    await user.click(await screen.findByTitle('已下架'));
    fireEvent.mouseDown(filterBox('类型'));
    await user.click(await screen.findByTitle('抵押贷款'));
    fillIn(screen.getByLabelText('关键字'), ' 厂房 ');
    await user.click(within(document.querySelector('.ant-pro-table-search') as HTMLElement).getByRole('button', { name: /查\s?询/ }));
    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/products').at(-1)!.query).toMatchObject({ status: 'offline', type: 'mortgage', keyword: '厂房' }),
    );
  });

  it('offers no editing to users who only read products', async () => {
    api.on('GET /api/v1/products', page([product({ status: 'published' })]));
    await renderConsole('/finance/products', userOf('advisor'));
    await screen.findByTestId('product-row');
    expect(screen.queryByTestId('product-create')).not.toBeInTheDocument();
  });

  it('creates a draft, sending 万元 as integer fen and % as basis points', async () => {
    api.on('GET /api/v1/products', page([]));
    api.on('POST /api/v1/products', (req) => ({ status: 201, body: { success: true, data: product({ ...req.body.terms, id: '777', revision: 1 }) } }));
    api.on('GET /api/v1/products/:id', (req) => ok(detailOf({ id: req.params.id, revision: 1 })));
    const { history } = await renderConsole('/finance/products', userOf('fi_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('product-create'));
    const drawer = await openDrawer();

    fillIn(within(drawer).getByLabelText('产品名称'), ' 小微快贷 ');
    fillIn(within(drawer).getByLabelText('最低额度（万元）'), '0.5');
    fillIn(within(drawer).getByLabelText('最高额度（万元）'), '1.000001');
    fillIn(within(drawer).getByLabelText('最短期限（个月）'), '3');
    fillIn(within(drawer).getByLabelText('最长期限（个月）'), '12');
    fillIn(within(drawer).getByLabelText('最低年利率（%）'), '4.35');
    fillIn(within(drawer).getByLabelText('最高年利率（%）'), '8.57');
    await user.click(within(drawer).getByLabelText('随借随还'));
    await user.click(within(drawer).getByLabelText('小型'));
    await user.click(within(drawer).getByLabelText('无欠税'));
    const included = within(drawer).getByLabelText('准入行业');
    fillIn(included, 'c34');
    fireEvent.keyDown(included, { key: 'Enter', code: 'Enter', keyCode: 13 });
    // 受理时限 starts at the platform default of 3 working days.
    expect(within(drawer).getByLabelText('受理时限（工作日）')).toHaveValue('3');
    fillIn(within(drawer).getByLabelText('办结时限（工作日，自受理起）'), '3');
    await user.click(within(drawer).getByRole('button', { name: /保\s?存/ }));

    await waitFor(() => expect(api.callsTo('POST /api/v1/products')).toHaveLength(1));
    const body = api.callsTo('POST /api/v1/products')[0].body;
    expect(body).toEqual({
      terms: {
        name: '小微快贷',
        type: 'credit',
        summary: '',
        amountMinFen: 500_000,
        amountMaxFen: 1_000_001,
        termMinMonths: 3,
        termMaxMonths: 12,
        rateMinBp: 435,
        rateMaxBp: 857,
        guaranteeMethods: ['credit'],
        repaymentMethods: ['flexible'],
        criteria: {
          regionCodes: [],
          industriesIncluded: ['C34'],
          industriesExcluded: [],
          scales: ['small'],
          minYearsEstablished: null,
          minRating: null,
          penaltyLimit: null,
          excludeBlacklisted: true,
          noTaxArrears: true,
          noSocialArrears: false,
          noEnforcement: false,
        },
        requiredDocuments: [],
        acceptDays: 3,
        turnaroundDays: 3,
        policySupport: false,
      },
    });
    await waitFor(() => expect(history().location.pathname).toBe('/finance/products/777'));
  });

  it('checks the form before sending: required terms and ranges that run backwards', async () => {
    api.on('GET /api/v1/products', page([]));
    await renderConsole('/finance/products', userOf('fi_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('product-create'));
    const drawer = await openDrawer();
    fillIn(within(drawer).getByLabelText('最低额度（万元）'), '300');
    fillIn(within(drawer).getByLabelText('最高额度（万元）'), '10');
    await user.click(within(drawer).getByRole('button', { name: /保\s?存/ }));
    expect(await within(drawer).findByText('最高额度不能低于最低额度')).toBeInTheDocument();
    expect(within(drawer).getByText('请填写产品名称')).toBeInTheDocument();
    expect(within(drawer).getByText('请至少选择一种还款方式')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/products')).toHaveLength(0);
  });
});

describe('product detail (产品详情)', () => {
  it('shows the terms, criteria and revisions, and the problems that stop publishing', async () => {
    fakeRegions();
    api.on(
      'GET /api/v1/products/:id',
      ok(detailOf({ criteria: { ...product().criteria, regionCodes: ['330106', '320000'] }, problems: [{ field: 'criteria.industriesIncluded', message: '行业代码 C99 不在 GB/T 4754-2017 中' }, { field: 'rateMaxBp', message: '最高年利率不能低于最低年利率' }] })),
    );
    await renderConsole('/finance/products/501', userOf('fi_admin'));
    expect(await findPageTitle('产品详情')).toBeInTheDocument();

    const terms = await screen.findByTestId('product-terms');
    expect(terms).toHaveTextContent('10–300 万元');
    expect(terms).toHaveTextContent('3.45%–4.85%');
    expect(terms).toHaveTextContent('先息后本、等额本息');
    expect(terms).toHaveTextContent('受理时限2 个工作日（自提交起）');
    expect(terms).toHaveTextContent('办结时限5 个工作日（自受理起）');
    const criteria = screen.getByTestId('product-criteria');
    await waitFor(() => expect(criteria).toHaveTextContent('浙江省 / 杭州市 / 西湖区'));
    expect(criteria).toHaveTextContent('江苏省');
    expect(criteria).toHaveTextContent('C34 通用设备制造业');
    expect(criteria).toHaveTextContent('BBB');
    expect(criteria).toHaveTextContent('近 24 个月内的行政处罚不超过“一般”');
    expect(criteria).toHaveTextContent('小型');

    expect(screen.getByTestId('product-problems')).toHaveTextContent('不能上架：行业代码 C99 不在 GB/T 4754-2017 中；最高年利率不能低于最低年利率');
    // A draft may only be published, and not with problems.
    expect(screen.getByTestId('product-move-published')).toBeDisabled();
    expect(screen.queryByTestId('product-move-offline')).not.toBeInTheDocument();

    const revisions = screen.getAllByTestId('product-revision');
    expect(revisions.map((r) => r.getAttribute('data-revision'))).toEqual(['3', '2', '1']);
    expect(revisions[0]).toHaveTextContent('版本 3');
    expect(revisions[0]).toHaveTextContent('当前');
    expect(revisions[2]).toHaveTextContent('机构管理员陈静');
    expect(revisions[2]).toHaveTextContent('2026-03-01 10:00:00');
  });

  it.each([
    ['draft', 'published', '上架'],
    ['published', 'offline', '下架'],
    ['offline', 'published', '重新上架'],
  ] as const)('offers the %s product only the move to %s (%s), after confirmation', async (from, to, label) => {
    let status: TProduct['status'] = from;
    api.on('GET /api/v1/products/:id', () => ok(detailOf({ status })));
    api.on('POST /api/v1/products/:id/status', (req) => {
      status = req.body.to;
      return ok(product({ status }));
    });
    await renderConsole('/finance/products/501', userOf('fi_admin'));
    const button = await screen.findByTestId(`product-move-${to}`);
    expect(button).toHaveTextContent(label);
    expect(screen.getAllByTestId(/^product-move-/)).toHaveLength(1);

    const user = userEvent.setup();
    await user.click(button);
    await user.click(await screen.findByRole('button', { name: `确认${label}` }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/products/501/status')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/products/501/status')[0].body).toEqual({ to });
    await waitFor(() => expect(screen.getAllByTestId('product-status')[0]).toHaveTextContent(to === 'published' ? '已上架' : '已下架'));
  });

  it('shows products read-only to those who cannot edit them', async () => {
    api.on('GET /api/v1/products/:id', ok(detailOf({ status: 'published' })));
    await renderConsole('/finance/products/501', userOf('gov'));
    expect(await screen.findByTestId('product-criteria')).toHaveTextContent('全国');
    expect(screen.queryByTestId('product-edit')).not.toBeInTheDocument();
    expect(screen.queryByTestId(/^product-move-/)).not.toBeInTheDocument();
  });

  it('edits on top of the revision it showed, in fen and basis points', async () => {
    fakeRegions();
    api.on('GET /api/v1/products/:id', ok(detailOf({ criteria: { ...product().criteria, regionCodes: ['330100'] } })));
    api.on('PUT /api/v1/products/:id', (req) => ok(product({ ...req.body.terms, revision: 3 })));
    await renderConsole('/finance/products/501', userOf('fi_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('product-edit'));
    // What is typed and cancelled is gone when the editor opens again.
    fillIn(within(await openDrawer()).getByLabelText('产品名称'), '草稿名');
    await user.click(within(await openDrawer()).getByRole('button', { name: /取\s?消/ }));
    await waitFor(() => expect(document.querySelector('.ant-drawer-open')).toBeNull());
    await user.click(screen.getByTestId('product-edit'));
    const drawer = await openDrawer();
    expect(within(drawer).getByLabelText('产品名称')).toHaveValue('科创信用贷');
    expect(within(drawer).getByLabelText('最高额度（万元）')).toHaveValue('300');
    expect(within(drawer).getByLabelText('最低年利率（%）')).toHaveValue('3.45');
    expect(within(drawer).getByLabelText('统计近几个月（月）')).toHaveValue('24');
    expect(within(drawer).getByLabelText('受理时限（工作日）')).toHaveValue('2');
    await waitFor(() => expect(within(drawer).getByTestId('product-regions')).toHaveTextContent('浙江省 / 杭州市'));
    // A second region, added and then removed again, leaves the first one as it was.
    await user.click(within(drawer).getByTestId('product-add-region'));
    expect(within(drawer).getAllByText('删除')).toHaveLength(2);
    await user.click(within(drawer).getAllByText('删除')[1]);

    fillIn(within(drawer).getByLabelText('最高额度（万元）'), '500');
    fillIn(within(drawer).getByLabelText('最高年利率（%）'), '5.15');
    fillIn(within(drawer).getByLabelText('受理时限（工作日）'), '4');
    await user.click(within(drawer).getByRole('button', { name: /保\s?存/ }));
    await waitFor(() => expect(api.callsTo('PUT /api/v1/products/501')).toHaveLength(1));
    const body = api.callsTo('PUT /api/v1/products/501')[0].body;
    expect(body.baseRevision).toBe(3);
    expect(body.terms).toMatchObject({
      amountMinFen: 10_000_000,
      amountMaxFen: 500_000_000,
      rateMinBp: 345,
      rateMaxBp: 515,
      criteria: { regionCodes: ['330100'], industriesIncluded: ['C34', 'I'], minRating: 'BBB', penaltyLimit: { maxSeverity: 'general', months: 24 } },
      requiredDocuments: ['营业执照', '近一年财务报表'],
      acceptDays: 4,
      turnaroundDays: 5,
    });
    expect(await screen.findByText('产品已保存')).toBeInTheDocument();
    await waitFor(() => expect(document.querySelector('.ant-drawer-open')).toBeNull());
  });

  it('shows the server’s field errors on the fields and a 409 above the form', async () => {
    api.on('GET /api/v1/products/:id', ok(detailOf({ status: 'published' })));
    api.on(
      'PUT /api/v1/products/:id',
      fail(400, 'VALIDATION_FAILED', '已上架产品的修改须符合上架条件：行业代码 C99 不在 GB/T 4754-2017 中', [
        { field: 'criteria.industriesIncluded', message: '行业代码 C99 不在 GB/T 4754-2017 中' },
        { field: 'terms.amountMaxFen', message: '最高额度不能超过 100 亿元' },
      ]),
    );
    await renderConsole('/finance/products/501', userOf('fi_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('product-edit'));
    const drawer = await openDrawer();
    await user.click(within(drawer).getByRole('button', { name: /保\s?存/ }));

    await waitFor(() => expect(fieldError(drawer, '准入行业')).toHaveTextContent('行业代码 C99 不在 GB/T 4754-2017 中'));
    expect(fieldError(drawer, '最高额度（万元）')).toHaveTextContent('最高额度不能超过 100 亿元');
    expect(document.querySelector('.ant-drawer-open')).not.toBeNull();

    api.on('PUT /api/v1/products/:id', fail(409, 'CONFLICT', '产品已被他人修改（当前第 4 版），请刷新后再编辑'));
    await user.click(within(drawer).getByRole('button', { name: /保\s?存/ }));
    expect(await within(drawer).findByTestId('product-form-error')).toHaveTextContent('产品已被他人修改（当前第 4 版），请刷新后再编辑');
    expect(api.callsTo('PUT /api/v1/products/501').every((c) => c.body.baseRevision === 3)).toBe(true);
  });
});
