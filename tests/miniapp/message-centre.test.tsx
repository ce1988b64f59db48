import { fireEvent, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import MessageCentre from '../../miniapp/src/pages/messages/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { message } from './support/fixtures';
import { renderPage } from './support/page';

const isRead = (item: HTMLElement) => item.getAttribute('data-read') === 'true';

describe('message centre', () => {
  let api: FakeApi;
  let unread: number;

  beforeEach(() => {
    unread = 2;
    api = new FakeApi().install();
    api.on(
      'GET',
      '/api/v1/messages',
      ok({
        list: [
          message({ id: '3', title: '认证审核通过', readAt: null }),
          message({ id: '2', title: '融资申请已受理', readAt: null }),
          message({ id: '1', title: '欢迎使用信易贷', readAt: '2025-11-19T00:00:00.000Z' }),
        ],
        total: 3,
      }),
    );
    api.on('GET', '/api/v1/messages/unread-count', () => ok({ count: unread }));
    jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'setTabBarBadge:ok' });
    jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'removeTabBarBadge:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
  });

  it('lists messages with the unread ones marked and puts the count on the tab', async () => {
    await renderPage(MessageCentre);

    const items = await screen.findAllByTestId('message-item');
    expect(items.map((i) => i.getAttribute('data-id'))).toEqual(['3', '2', '1']);
    expect(items.map(isRead)).toEqual([false, false, true]);
    expect(screen.getAllByTestId('message-unread-dot')).toHaveLength(2);
    expect(screen.getByTestId('messages-unread-count').textContent).toBe('2 条未读');
    expect(Taro.setTabBarBadge).toHaveBeenLastCalledWith({ index: 1, text: '2' });
  });

  it('marks a message read when it is opened and lowers the badge', async () => {
    api.on('POST', '/api/v1/messages/3/read', () => {
      unread -= 1;
      return ok(null);
    });
    await renderPage(MessageCentre);

    fireEvent.click((await screen.findAllByTestId('message-item'))[0]);

    await waitFor(() => expect(isRead(screen.getAllByTestId('message-item')[0])).toBe(true));
    expect(api.callsTo('POST', '/api/v1/messages/3/read')).toHaveLength(1);
    expect(screen.getByTestId('messages-unread-count').textContent).toBe('1 条未读');
    expect(Taro.setTabBarBadge).toHaveBeenLastCalledWith({ index: 1, text: '1' });

    // Opening a message that is already read sends nothing.
    fireEvent.click(screen.getAllByTestId('message-item')[2]);
    expect(api.apiCalls().filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('keeps a message unread when marking it fails', async () => {
    api.on('POST', '/api/v1/messages/3/read', fail(404, 'NOT_FOUND', '消息不存在'));
    await renderPage(MessageCentre);

    fireEvent.click((await screen.findAllByTestId('message-item'))[0]);

    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '消息不存在', icon: 'none' }));
    expect(isRead(screen.getAllByTestId('message-item')[0])).toBe(false);
  });

  it('marks all read and clears the badge', async () => {
    api.on('POST', '/api/v1/messages/read-all', ok({ updated: 2 }));
    await renderPage(MessageCentre);
    await screen.findAllByTestId('message-item');
    // No `disabled="false"` attribute, which the H5 button's stylesheet would still treat as disabled.
    expect(screen.getByTestId('messages-read-all').hasAttribute('disabled')).toBe(false);

    fireEvent.click(screen.getByTestId('messages-read-all'));

    await waitFor(() => expect(screen.getAllByTestId('message-item').every(isRead)).toBe(true));
    expect(screen.getByTestId('messages-read-all').hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('messages-unread-count').textContent).toBe('没有未读消息');
    expect(screen.queryAllByTestId('message-unread-dot')).toHaveLength(0);
    expect(Taro.removeTabBarBadge).toHaveBeenLastCalledWith({ index: 1 });
  });
});
