import { fireEvent, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Subscriptions from '../../miniapp/src/subpackages/account/subscriptions/index';
import { FakeApi, ok } from './support/fake-api';
import { renderPage } from './support/page';

const TEMPLATES = [
  { key: 'verification_result', templateId: 'tmpl-verify', title: '企业认证结果通知', granted: 0 },
  { key: 'application_progress', templateId: 'tmpl-progress', title: '融资申请进度通知', granted: 2 },
  { key: 'risk_notice', templateId: 'tmpl-risk', title: '信用风险提示', granted: 0 },
  { key: 'policy_match', templateId: 'tmpl-policy', title: '政策匹配通知', granted: 0 },
];

function insideWechat() {
  process.env.TARO_ENV = 'weapp';
  jest.spyOn(Taro, 'login').mockResolvedValue({ code: 'wx-code', errMsg: 'login:ok' });
}

describe('subscription settings', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/wechat/templates', ok(TEMPLATES));
    api.on('POST', '/api/v1/wechat/subscriptions', (call) => {
      const { results } = call.body as { results: Record<string, string> };
      const granted = Object.fromEntries(
        Object.entries(results)
          .filter(([, r]) => r === 'accept')
          .map(([id]) => [id, (TEMPLATES.find((t) => t.templateId === id)?.granted ?? 0) + 1]),
      );
      return ok({ granted });
    });
  });

  it('inside WeChat asks for at most three templates on a tap and reports the answers to the server', async () => {
    insideWechat();
    const ask = jest.spyOn(Taro, 'requestSubscribeMessage').mockResolvedValue({
      errMsg: 'requestSubscribeMessage:ok',
      'tmpl-verify': 'accept',
      'tmpl-progress': 'accept',
      'tmpl-risk': 'reject',
    } as never);
    await renderPage(Subscriptions);
    expect(await screen.findAllByTestId('subscription-template')).toHaveLength(4);
    expect(screen.queryByTestId('subscribe-unavailable')).toBeNull();

    fireEvent.click(screen.getByTestId('subscribe-button-0'));

    expect(ask).toHaveBeenCalledWith({ tmplIds: ['tmpl-verify', 'tmpl-progress', 'tmpl-risk'] });
    expect((await screen.findByTestId('subscribe-outcome')).textContent).toContain('已订阅 2 项通知');
    expect(api.callsTo('POST', '/api/v1/wechat/subscriptions')[0].body).toEqual({
      results: { 'tmpl-verify': 'accept', 'tmpl-progress': 'accept', 'tmpl-risk': 'reject' },
    });
    const granted = screen.getAllByTestId('subscription-granted').map((g) => g.textContent);
    expect(granted).toEqual(['剩余可接收 1 条', '剩余可接收 3 条', '剩余可接收 0 条', '剩余可接收 0 条']);
    expect(screen.getAllByTestId('subscription-result').map((r) => r.textContent)).toEqual(['已订阅', '已订阅', '已拒绝']);

    // The fourth template needs a tap of its own.
    fireEvent.click(screen.getByTestId('subscribe-button-1'));
    await waitFor(() => expect(ask).toHaveBeenLastCalledWith({ tmplIds: ['tmpl-policy'] }));
  });

  it('reports nothing when WeChat refuses the request', async () => {
    insideWechat();
    jest
      .spyOn(Taro, 'requestSubscribeMessage')
      .mockRejectedValue({ errMsg: 'requestSubscribeMessage:fail switch is off', errCode: 20004 });
    await renderPage(Subscriptions);
    await screen.findAllByTestId('subscription-template');

    fireEvent.click(screen.getByTestId('subscribe-button-0'));

    expect((await screen.findByTestId('subscribe-outcome')).textContent).toBe(
      '您已关闭订阅消息主开关，请在小程序“设置”中开启后重试',
    );
    expect(api.callsTo('POST', '/api/v1/wechat/subscriptions')).toHaveLength(0);
  });

  it('in the browser says subscription is unavailable and never asks', async () => {
    const ask = jest.spyOn(Taro, 'requestSubscribeMessage');
    await renderPage(Subscriptions);
    await screen.findAllByTestId('subscription-template');

    expect(screen.getByTestId('subscribe-unavailable').textContent).toContain('无法订阅微信消息');
    const button = screen.getByTestId('subscribe-button-0');
    expect(button.hasAttribute('disabled')).toBe(true);
    fireEvent.click(button);
    expect(ask).not.toHaveBeenCalled();
    expect(api.callsTo('POST', '/api/v1/wechat/subscriptions')).toHaveLength(0);
  });
});
