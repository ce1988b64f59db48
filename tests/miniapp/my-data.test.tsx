import type { TCreditCategory, TCreditRecord, TCreditRecordSummary } from '@xyd/shared';
import { CREDIT_CATEGORIES, CREDIT_CATEGORY_LABELS } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Mine from '../../miniapp/src/pages/mine/index';
import { CATEGORY_LABELS, CATEGORY_ORDER, CREDIT_RECORD_PAGE_SIZE } from '../../miniapp/src/services/credit-data';
import MyData from '../../miniapp/src/subpackages/enterprise/data/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { firePageLifecycle, renderPage } from './support/page';

const ENTERPRISE = {
  id: '5',
  name: '北京示例科技有限公司',
  uscc: '91110108600040399G',
  memberRole: 'ent_owner',
  members: [{ displayName: '张三', role: 'ent_owner' }],
};
const SECOND = { ...ENTERPRISE, id: '6', name: '北京示例物流有限公司', uscc: '91110108MA01ABCD2X' };

function summaryOf(counts: Partial<Record<TCreditCategory, number>>): TCreditRecordSummary {
  return CREDIT_CATEGORIES.map((category) => ({ category, count: counts[category] ?? 0, latest: null }));
}

function record(overrides: Partial<TCreditRecord> = {}): TCreditRecord {
  return {
    id: '9001',
    category: 'penalty',
    enterpriseId: '5',
    uscc: ENTERPRISE.uscc,
    sourceId: '701',
    sourceName: '北京市市场监督管理局',
    externalId: 'CF-2025-001',
    period: null,
    occurredOn: '2025-06-18',
    endsOn: null,
    adverse: true,
    corrected: false,
    disputed: false,
    status: 'current',
    payload: {},
    fields: [
      { label: '处罚决定书文号', value: '京市监罚〔2025〕18号' },
      { label: '处罚金额', value: '¥5,000.00' },
    ],
    receivedAt: '2025-06-20T02:00:00.000Z',
    ...overrides,
  };
}

const taxRecord = (id: string, period: string) =>
  record({ id, category: 'tax', period, occurredOn: null, adverse: false, sourceName: '国家税务总局北京市税务局', fields: [{ label: '实缴税额', value: '¥1,200.00' }] });

const tabOf = (category: TCreditCategory) => screen.getAllByTestId('my-data-tab').find((t) => t.getAttribute('data-category') === category)!;

describe('我的数据 (my credit data)', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'stopPullDownRefresh').mockImplementation(() => undefined);
  });

  it('keeps its category labels and order the same as shared’s', () => {
    expect(CATEGORY_ORDER).toEqual([...CREDIT_CATEGORIES]);
    expect(CATEGORY_LABELS).toEqual(CREDIT_CATEGORY_LABELS);
  });

  it('invites an unbound user to bind an enterprise', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([]));
    await renderPage(MyData);

    expect((await screen.findByTestId('my-data-unbound')).textContent).toContain('尚未绑定企业');
    fireEvent.click(screen.getByText('绑定企业'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/bind/index' });
  });

  it('shows category tabs with counts, opens the first with data, and lists its records with source, date and fields', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(summaryOf({ penalty: 2, tax: 3 })))
      .on('GET', '/api/v1/me/enterprises/5/credit-records', (call) =>
        call.query.category === 'penalty'
          ? ok({ list: [record(), record({ id: '9002', occurredOn: '2024-03-02', corrected: true })], total: 2 })
          : ok({ list: [], total: 0 }),
      );
    await renderPage(MyData);

    expect((await screen.findByTestId('my-data-enterprise-name')).textContent).toBe('北京示例科技有限公司');
    const tabs = await screen.findAllByTestId('my-data-tab');
    expect(tabs.map((t) => t.textContent)).toEqual(CREDIT_CATEGORIES.map((c) => `${CREDIT_CATEGORY_LABELS[c]}（${c === 'penalty' ? 2 : c === 'tax' ? 3 : 0}）`));
    expect(tabOf('penalty').getAttribute('data-active')).toBe('true');

    const records = await screen.findAllByTestId('credit-record');
    expect(records).toHaveLength(2);
    expect(api.callsTo('GET', '/api/v1/me/enterprises/5/credit-records')[0].query).toMatchObject({
      category: 'penalty',
      page: 1,
      pageSize: CREDIT_RECORD_PAGE_SIZE,
    });
    expect(within(records[0]).getByTestId('credit-record-period').textContent).toBe('2025-06-18');
    expect(within(records[0]).getAllByTestId('credit-record-field').map((f) => f.textContent)).toEqual([
      '处罚决定书文号京市监罚〔2025〕18号',
      '处罚金额¥5,000.00',
    ]);
    expect(within(records[0]).getByTestId('credit-record-source').textContent).toBe('来源：北京市市场监督管理局 · 接收于 2025-06-20 10:00');
    expect(within(records[0]).queryByTestId('credit-record-corrected')).toBeNull();
    expect(within(records[1]).getByTestId('credit-record-corrected').textContent).toBe('已信用修复');
  });

  it('switches category and says 暂无数据 for one without records', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(summaryOf({ penalty: 1, tax: 1 })))
      .on('GET', '/api/v1/me/enterprises/5/credit-records', (call) =>
        call.query.category === 'penalty'
          ? ok({ list: [record()], total: 1 })
          : call.query.category === 'tax'
            ? ok({ list: [taxRecord('9100', '2026-09')], total: 1 })
            : ok({ list: [], total: 0 }),
      );
    await renderPage(MyData);
    await screen.findAllByTestId('credit-record');

    fireEvent.click(tabOf('tax'));
    await waitFor(() => expect(screen.getByTestId('credit-record-period').textContent).toBe('2026-09'));
    expect(screen.getByTestId('credit-record-source').textContent).toContain('国家税务总局北京市税务局');
    expect(tabOf('tax').getAttribute('data-active')).toBe('true');

    fireEvent.click(tabOf('court_case'));
    expect((await screen.findByTestId('my-data-category-empty')).textContent).toContain('暂无数据');
    expect(screen.queryByTestId('credit-record')).toBeNull();
  });

  it('says 暂无数据 when nothing has been received for the enterprise', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(summaryOf({})))
      .on('GET', '/api/v1/me/enterprises/5/credit-records', ok({ list: [], total: 0 }));
    await renderPage(MyData);

    expect((await screen.findByTestId('my-data-empty')).textContent).toContain('暂无数据');
    expect(screen.queryByTestId('credit-record')).toBeNull();
  });

  it('lets a user of several enterprises pick one, and shows that one’s data', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE, SECOND]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(summaryOf({ penalty: 1 })))
      .on('GET', '/api/v1/me/enterprises/5/credit-records', ok({ list: [record()], total: 1 }))
      .on('GET', '/api/v1/me/enterprises/6/credit-records/summary', ok(summaryOf({ logistics: 1 })))
      .on('GET', '/api/v1/me/enterprises/6/credit-records', (call) =>
        ok({
          list: call.query.category === 'logistics' ? [record({ id: '9200', category: 'logistics', enterpriseId: '6', adverse: false, sourceName: '北京物流仓单平台' })] : [],
          total: call.query.category === 'logistics' ? 1 : 0,
        }),
      );
    await renderPage(MyData);

    const choices = await screen.findAllByTestId('my-data-enterprise');
    expect(choices.map((c) => c.textContent)).toEqual(['北京示例科技有限公司', '北京示例物流有限公司']);
    expect(choices[0].getAttribute('data-active')).toBe('true');
    await waitFor(() => expect(screen.getByTestId('credit-record-source').textContent).toContain('北京市市场监督管理局'));

    fireEvent.click(choices[1]);
    await waitFor(() => expect(screen.getByTestId('credit-record-source').textContent).toContain('北京物流仓单平台'));
    expect(tabOf('logistics').getAttribute('data-active')).toBe('true');
    expect(screen.getAllByTestId('my-data-enterprise')[1].getAttribute('data-active')).toBe('true');
    expect(api.callsTo('GET', '/api/v1/me/enterprises/6/credit-records').at(-1)!.query).toMatchObject({ category: 'logistics' });
  });

  it('loads the next page at the bottom of the list', async () => {
    const firstPage = Array.from({ length: CREDIT_RECORD_PAGE_SIZE }, (_, i) => taxRecord(`${1000 + i}`, '2026-09'));
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(summaryOf({ tax: CREDIT_RECORD_PAGE_SIZE + 1 })))
      .on('GET', '/api/v1/me/enterprises/5/credit-records', (call) =>
        ok({ list: call.query.page === 1 ? firstPage : [taxRecord('2000', '2025-01')], total: CREDIT_RECORD_PAGE_SIZE + 1 }),
      );
    await renderPage(MyData);
    await waitFor(() => expect(screen.getAllByTestId('credit-record')).toHaveLength(CREDIT_RECORD_PAGE_SIZE));

    await firePageLifecycle('onReachBottom');
    await waitFor(() => expect(screen.getAllByTestId('credit-record')).toHaveLength(CREDIT_RECORD_PAGE_SIZE + 1));
    expect(api.callsTo('GET', '/api/v1/me/enterprises/5/credit-records').at(-1)!.query).toMatchObject({ page: 2 });
    expect(screen.getByText('没有更多了')).toBeTruthy();
  });

  it('shows the server’s reason when the data cannot be loaded, and retries', async () => {
    let broken = true;
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', () =>
        broken ? fail(503, 'UNAVAILABLE', '数据服务维护中，请稍后再试') : ok(summaryOf({ penalty: 1 })),
      )
      .on('GET', '/api/v1/me/enterprises/5/credit-records', ok({ list: [record()], total: 1 }));
    await renderPage(MyData);

    expect((await screen.findByTestId('page-error')).textContent).toContain('数据服务维护中，请稍后再试');
    broken = false;
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByTestId('credit-record')).toBeTruthy();
  });
});

describe('mine: 我的数据 entry', () => {
  beforeEach(() => {
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'removeTabBarBadge:ok' });
  });

  it('is offered to a bound user and opens the page', async () => {
    new FakeApi()
      .install()
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/auth/me', ok({ kind: 'wechat', id: '1', displayName: '张三', role: 'ent_owner' }))
      .on('GET', '/api/v1/messages/unread-count', ok({ count: 0 }));
    await renderPage(Mine);

    fireEvent.click(await screen.findByTestId('mine-menu-my-data'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/data/index' });
  });

  it('is not offered before an enterprise is bound', async () => {
    new FakeApi()
      .install()
      .on('GET', '/api/v1/me/enterprises', ok([]))
      .on('GET', '/api/v1/auth/me', ok({ kind: 'wechat', id: '1', displayName: '微信用户', role: 'ent_user' }))
      .on('GET', '/api/v1/messages/unread-count', ok({ count: 0 }));
    await renderPage(Mine);

    expect(await screen.findByTestId('mine-no-enterprise')).toBeTruthy();
    expect(screen.queryByTestId('mine-menu-my-data')).toBeNull();
  });
});
