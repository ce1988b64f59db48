import { fireEvent, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Home from '../../miniapp/src/pages/index/index';
import Mine from '../../miniapp/src/pages/mine/index';
import { FakeApi, ok } from './support/fake-api';
import { verification } from './support/fixtures';
import { renderPage } from './support/page';

const ENTERPRISE = {
  id: '5',
  name: '北京示例科技有限公司',
  uscc: '91110108600040399G',
  memberRole: 'ent_owner',
  members: [
    { displayName: '张三', role: 'ent_owner' },
    { displayName: '李四', role: 'ent_agent' },
  ],
};

describe('home', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/messages/unread-count', ok({ count: 0 }));
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'removeTabBarBadge:ok' });
  });

  it('invites an unbound user to bind an enterprise', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([])).on('GET', '/api/v1/verifications/mine', ok([]));
    await renderPage(Home);

    fireEvent.click(await screen.findByTestId('home-bind-button'));

    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/bind/index' });
    expect(screen.queryByTestId('enterprise-card')).toBeNull();
  });

  it('shows a pending verification instead of the invitation', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([]))
      .on('GET', '/api/v1/verifications/mine', ok([verification({ status: 'pending' })]));
    await renderPage(Home);

    expect((await screen.findByTestId('home-pending')).textContent).toContain('北京示例科技有限公司');
  });

  it('summarises the bound enterprise with a masked credit code and the member role', async () => {
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/verifications/mine', ok([verification({ status: 'approved' })]));
    await renderPage(Home);

    expect((await screen.findByTestId('enterprise-name')).textContent).toBe('北京示例科技有限公司');
    expect(screen.getByTestId('enterprise-uscc').textContent).toBe('统一社会信用代码 911101********399G');
    expect(screen.getByTestId('enterprise-role').textContent).toBe('法定代表人');
    expect(screen.queryByTestId('home-bind-prompt')).toBeNull();
  });

  it('shows the later features as coming soon', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([])).on('GET', '/api/v1/verifications/mine', ok([]));
    await renderPage(Home);

    for (const key of ['demand', 'profile', 'policy', 'authorisation']) {
      expect(screen.getByTestId(`feature-${key}`).textContent).toContain('即将开放');
    }
    fireEvent.click(screen.getByTestId('feature-demand'));
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '融资需求即将开放', icon: 'none' });
  });
});

describe('mine', () => {
  it("lists the enterprise's members with their roles", async () => {
    const api = new FakeApi().install();
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/auth/me', ok({ kind: 'wechat', id: '1', displayName: '张三', role: 'ent_owner' }))
      .on('GET', '/api/v1/messages/unread-count', ok({ count: 0 }));
    jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'removeTabBarBadge:ok' });
    await renderPage(Mine);

    expect((await screen.findByTestId('mine-user-name')).textContent).toBe('张三');
    const members = screen.getAllByTestId('enterprise-member').map((m) => m.textContent);
    expect(members).toEqual(['张三法定代表人', '李四经办人']);
  });
});
