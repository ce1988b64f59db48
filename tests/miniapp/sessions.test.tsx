import { fireEvent, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Sessions from '../../miniapp/src/subpackages/account/sessions/index';
import { FakeApi, ok } from './support/fake-api';
import { renderPage } from './support/page';

const session = (id: string, current: boolean, userAgent: string) => ({
  id,
  createdAt: '2025-11-20T02:00:00.000Z',
  lastSeenAt: '2025-11-26T02:00:00.000Z',
  expiresAt: '2025-12-26T02:00:00.000Z',
  ip: '203.0.113.9',
  userAgent,
  current,
});

describe('sessions', () => {
  it('lists my sessions and revokes another device after confirmation', async () => {
    const api = new FakeApi().install();
    api
      .on('GET', '/api/v1/auth/sessions', ok([
        session('a', true, 'Mozilla/5.0 (iPhone) MicroMessenger/8.0'),
        session('b', false, 'Mozilla/5.0 (Linux; Android 14)'),
      ]))
      .on('DELETE', '/api/v1/auth/sessions/b', ok(null));
    jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'showModal:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    await renderPage(Sessions);

    const items = await screen.findAllByTestId('session-item');
    expect(items.map((i) => i.getAttribute('data-current'))).toEqual(['true', 'false']);
    expect(items[0].textContent).toContain('微信（iOS）');
    // The current session cannot be revoked from here.
    expect(screen.getAllByTestId('session-revoke')).toHaveLength(1);

    fireEvent.click(screen.getByTestId('session-revoke'));

    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(1));
    expect(api.callsTo('DELETE', '/api/v1/auth/sessions/b')).toHaveLength(1);
  });
});
