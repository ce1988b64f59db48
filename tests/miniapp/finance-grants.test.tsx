import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import AccessLog from '../../miniapp/src/subpackages/finance/access-log/index';
import MyApplications from '../../miniapp/src/subpackages/finance/applications/index';
import MyGrants from '../../miniapp/src/subpackages/finance/grants/index';
import { FakeApi, ok } from './support/fake-api';
import { accessEntry, applicationDetail, applicationSummary, grant } from './support/application-fixtures';
import { ENTERPRISE } from './support/finance-fixtures';
import { renderPage } from './support/page';

const ACCESS_LOG_PATH = '/api/v1/me/enterprises/5/access-log';
const APPLICATIONS_PATH = '/api/v1/me/enterprises/5/applications';
const GRANTS_PATH = '/api/v1/me/enterprises/5/grants';

const text = (parent: HTMLElement, testId: string) => within(parent).getByTestId(testId).textContent;

describe('谁查看了我的数据', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE])).on('GET', APPLICATIONS_PATH, ok([applicationSummary()]));
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
  });

  it('lists each read: when, which institution, who, what, which data, through which channel, for which application', async () => {
    api.on(
      'GET',
      ACCESS_LOG_PATH,
      ok({
        list: [
          accessEntry(),
          accessEntry({
            id: '62',
            at: '2026-07-03T16:05:00.000Z',
            organisationName: '示例信用评级有限公司',
            userName: '王分析师',
            scope: 'tax',
            action: 'credit_records',
            channel: 'api',
            applicationId: null,
            grantId: null,
          }),
        ],
        total: 2,
      }),
    );
    await renderPage(AccessLog);

    const [first, second] = await screen.findAllByTestId('access-entry');
    expect(text(first, 'access-entry-time')).toBe('2026-07-02 11:15');
    expect(text(first, 'access-entry-organisation')).toBe('示例银行北京分行');
    expect(text(first, 'access-entry-user')).toBe('李经理');
    expect(text(first, 'access-entry-action')).toBe('查看信用报告');
    expect(text(first, 'access-entry-scope')).toBe('信用报告');
    expect(text(first, 'access-entry-channel')).toBe('管理后台');
    expect(text(first, 'access-entry-application')).toBe('科创信用贷 ›');

    expect(text(second, 'access-entry-time')).toBe('2026-07-04 00:05');
    expect(text(second, 'access-entry-organisation')).toBe('示例信用评级有限公司');
    expect(text(second, 'access-entry-action')).toBe('查看信用记录明细');
    expect(text(second, 'access-entry-scope')).toBe('纳税记录');
    expect(text(second, 'access-entry-channel')).toBe('机构系统接口');
    expect(within(second).queryByTestId('access-entry-application')).toBeNull();

    expect(api.callsTo('GET', ACCESS_LOG_PATH)[0].query).toEqual({ current: 1, pageSize: 20 });
    fireEvent.click(within(first).getByTestId('access-entry-application'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/application/index?id=31&enterpriseId=5' });
  });

  it('loads the next page on 加载更多 until every entry is shown', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => accessEntry({ id: String(100 + i) }));
    api.on('GET', ACCESS_LOG_PATH, (call) => {
      const current = Number(call.query.current);
      return ok({ list: entries.slice((current - 1) * 20, current * 20), total: entries.length });
    });
    await renderPage(AccessLog);

    // Counted, not matched with toHaveLength: printing a failed match of DOM elements is slow on every retry.
    await waitFor(() => expect(screen.getAllByTestId('access-entry').length).toBe(20));
    expect(screen.getByTestId('access-log-total').textContent).toBe('共 25 条记录');
    fireEvent.click(screen.getByTestId('access-log-more'));

    await waitFor(() => expect(screen.getAllByTestId('access-entry').length).toBe(25));
    expect(api.callsTo('GET', ACCESS_LOG_PATH).map((c) => c.query.current)).toEqual([1, 2]);
    expect(screen.queryByTestId('access-log-more')).toBeNull();
    expect(screen.getByText('没有更多了')).toBeTruthy();
  });

  it('says so when no one has read the data', async () => {
    api.on('GET', ACCESS_LOG_PATH, ok({ list: [], total: 0 }));
    await renderPage(AccessLog);

    expect((await screen.findByTestId('access-log-empty')).textContent).toContain('暂无查看记录');
  });
});

describe('我的授权', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]));
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
  });

  it('lists the grants with their status and revokes one in force after a confirm', async () => {
    let revoked = false;
    const active = grant();
    const expired = grant({ id: '40', applicationId: '30', organisationName: '北京农商银行', status: 'expired', expiresOn: '2026-06-30', scopes: ['registration'] });
    api
      .on('GET', GRANTS_PATH, () => ok([revoked ? { ...active, status: 'revoked', revokedAt: '2026-07-05T02:00:00.000Z', revokedByName: '张三' } : active, expired]))
      .on('POST', `${APPLICATIONS_PATH}/31/revoke-grant`, () => {
        revoked = true;
        return ok(applicationDetail({ grantActive: false }));
      });
    const modal = jest
      .spyOn(Taro, 'showModal')
      .mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'showModal:ok' } as never)
      .mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'showModal:ok' } as never);
    await renderPage(MyGrants);

    const items = await screen.findAllByTestId('grant-item');
    expect(items.map((i) => text(i, 'grant-item-status'))).toEqual(['有效', '已到期']);
    expect(text(items[0], 'grant-item-organisation')).toBe('示例银行北京分行');
    expect(text(items[0], 'grant-item-scopes')).toBe('授权数据：工商登记信息、信用报告');
    expect(text(items[0], 'grant-item-expires')).toBe('有效期至：2026-09-29');
    expect(within(items[1]).queryByTestId('grant-item-revoke')).toBeNull();

    fireEvent.click(within(items[0]).getByText('撤销'));
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1));
    expect(String(modal.mock.calls[0][0]?.content)).toContain('立即无法再查看');
    expect(api.callsTo('POST', `${APPLICATIONS_PATH}/31/revoke-grant`)).toHaveLength(0);

    fireEvent.click(within(items[0]).getByTestId('grant-item-revoke'));

    await waitFor(() => expect(text(screen.getAllByTestId('grant-item')[0], 'grant-item-status')).toBe('已撤销'));
    expect(api.callsTo('POST', `${APPLICATIONS_PATH}/31/revoke-grant`)).toHaveLength(1);
    expect(screen.queryByTestId('grant-item-revoke')).toBeNull();
  });
});

describe('我的融资申请', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    Current.router = { params: { enterpriseId: '5' }, path: '/subpackages/finance/applications/index' } as never;
  });

  afterEach(() => {
    Current.router = null;
  });

  it('lists product, institution, amount, status and submitted date, with the ways to the grants and their log', async () => {
    api.on(
      'GET',
      APPLICATIONS_PATH,
      ok([
        applicationSummary({ id: '32', status: 'approved', amountFen: 12_340_000, termMonths: 6, submittedAt: '2026-07-02T06:30:00.000Z' }),
        applicationSummary({ id: '31', status: 'rejected', productName: '普惠快贷', institutionName: '北京农商银行' }),
      ]),
    );
    await renderPage(MyApplications);

    const items = await screen.findAllByTestId('application-item');
    expect(items.map((i) => text(i, 'application-item-status'))).toEqual(['已批准（待放款）', '未通过']);
    expect(text(items[0], 'application-item-product')).toBe('科创信用贷');
    expect(text(items[0], 'application-item-institution')).toBe('示例银行北京分行');
    expect(text(items[0], 'application-item-amount')).toBe('12.34 万元 · 6 个月');
    expect(text(items[0], 'application-item-submitted')).toBe('提交于 2026-07-02 14:30');
    expect(text(items[1], 'application-item-product')).toBe('普惠快贷');

    fireEvent.click(items[1]);
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/application/index?id=31&enterpriseId=5' });
    fireEvent.click(screen.getByText('谁查看了我的数据'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/access-log/index?enterpriseId=5' });
    fireEvent.click(screen.getByText('我的授权'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/grants/index?enterpriseId=5' });
  });

  it('invites a firm with no applications to browse products', async () => {
    api.on('GET', APPLICATIONS_PATH, ok([]));
    await renderPage(MyApplications);

    expect((await screen.findByTestId('applications-empty')).textContent).toContain('暂无融资申请');
    fireEvent.click(screen.getByTestId('applications-products'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/products/index' });
  });
});
