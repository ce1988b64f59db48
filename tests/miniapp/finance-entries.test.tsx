import { fireEvent, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Home from '../../miniapp/src/pages/index/index';
import { FakeApi, ok } from './support/fake-api';
import { verification } from './support/fixtures';
import { ENTERPRISE } from './support/finance-fixtures';
import { renderPage } from './support/page';

describe('home: the financing entries', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/messages/unread-count', ok({ count: 0 }));
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'removeTabBarBadge:ok' });
  });

  it('gives a verified member 发布融资需求 and 我的融资需求 for its enterprise', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/verifications/mine', ok([verification({ status: 'approved' })]));
    await renderPage(Home);

    fireEvent.click(await screen.findByTestId('home-need-form'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/need-form/index?enterpriseId=5' });
    fireEvent.click(screen.getByTestId('home-my-needs'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/needs/index?enterpriseId=5' });
    fireEvent.click(screen.getByTestId('feature-demand'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/need-form/index?enterpriseId=5' });
    fireEvent.click(screen.getByTestId('feature-products'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/products/index' });
    expect(screen.getByTestId('feature-demand').textContent).not.toContain('即将开放');
  });

  it('reaches 我的融资申请 and 我的授权 where 我的融资需求 is', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/verifications/mine', ok([verification({ status: 'approved' })]));
    await renderPage(Home);

    fireEvent.click(await screen.findByText('我的融资申请', { selector: '.home-card-link *' }));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/applications/index?enterpriseId=5' });
    fireEvent.click(screen.getByTestId('feature-applications'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/applications/index?enterpriseId=5' });
    fireEvent.click(screen.getByTestId('feature-authorisation'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/finance/grants/index?enterpriseId=5' });
    expect(screen.getByTestId('feature-authorisation').textContent).not.toContain('即将开放');
  });

  it('lets anyone browse 金融产品, while the need entries wait for a bound enterprise', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([])).on('GET', '/api/v1/verifications/mine', ok([]));
    await renderPage(Home);
    await screen.findByTestId('home-bind-button');

    expect(screen.queryByTestId('home-need-form')).toBeNull();
    expect(screen.getByTestId('feature-products').textContent).not.toContain('即将开放');
    fireEvent.click(screen.getByTestId('feature-products'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/products/index' });
    fireEvent.click(screen.getByTestId('feature-needs'));
    fireEvent.click(screen.getByTestId('feature-applications'));
    expect(Taro.navigateTo).toHaveBeenCalledTimes(1);
  });
});
