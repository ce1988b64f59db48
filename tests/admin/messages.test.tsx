import type { TMessage } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

function message(id: string, read: boolean): TMessage {
  return {
    id,
    title: `认证申请待审核 ${id}`,
    body: '杭州青禾农业科技有限公司提交了企业认证申请。',
    link: '/verifications/7',
    readAt: read ? '2025-03-01T03:00:00.000Z' : null,
    createdAt: '2025-03-01T02:00:00.000Z',
  };
}

/** A message store the fake server reads and writes, so the page and the header badge can be checked together. */
function serveMessages(initial: TMessage[]) {
  let messages = initial;
  const unread = () => messages.filter((m) => !m.readAt).length;
  api.on('GET /api/v1/messages', (req) => page(req.query.unread === 'true' ? messages.filter((m) => !m.readAt) : messages));
  api.on('GET /api/v1/messages/unread-count', () => ok({ count: unread() }));
  api.on('POST /api/v1/messages/:id/read', (req) => {
    messages = messages.map((m) => (m.id === req.params.id ? { ...m, readAt: '2025-03-01T04:00:00.000Z' } : m));
    return ok(null);
  });
  api.on('POST /api/v1/messages/read-all', () => {
    const updated = unread();
    messages = messages.map((m) => ({ ...m, readAt: m.readAt ?? '2025-03-01T04:00:00.000Z' }));
    return ok({ updated });
  });
}

describe('message centre', () => {
  it('shows the unread count in the header bell', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    await renderConsole('/workbench', userOf('gov'), { unread: 5 });
    const bell = await screen.findByTestId('notice-bell');
    await waitFor(() => expect(bell).toHaveAccessibleName('消息中心，5 条未读'));
    expect(within(bell).getByText('5')).toBeInTheDocument();
  });

  it('marks one message read, then all, and the badge follows', async () => {
    serveMessages([message('1', false), message('2', false), message('3', true)]);
    await renderConsole('/messages', userOf('advisor'));

    expect(await findPageTitle('消息中心')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('message-item')).toHaveLength(3));
    await waitFor(() => expect(screen.getByTestId('notice-bell')).toHaveAccessibleName('消息中心，2 条未读'));

    const user = userEvent.setup();
    const first = screen.getAllByTestId('message-item')[0];
    await user.click(within(first).getByTestId('mark-read'));
    await waitFor(() => expect(screen.getAllByTestId('message-item')[0]).toHaveAttribute('data-read', 'true'));
    await waitFor(() => expect(screen.getByTestId('notice-bell')).toHaveAccessibleName('消息中心，1 条未读'));
    expect(api.callsTo('POST /api/v1/messages/1/read')).toHaveLength(1);

    await user.click(screen.getByTestId('mark-all-read'));
    expect(await screen.findByText('已将 1 条消息标为已读')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('notice-bell')).toHaveAccessibleName('消息中心'));
    expect(screen.getAllByTestId('message-item').every((el) => el.getAttribute('data-read') === 'true')).toBe(true);
  });

  it('filters to unread messages', async () => {
    serveMessages([message('1', false), message('3', true)]);
    await renderConsole('/messages', userOf('advisor'));
    await waitFor(() => expect(screen.getAllByTestId('message-item')).toHaveLength(2));

    const user = userEvent.setup();
    await user.click(screen.getByText('未读消息'));
    await waitFor(() => expect(screen.getAllByTestId('message-item')).toHaveLength(1));
    expect(api.callsTo('GET /api/v1/messages').at(-1)!.query).toMatchObject({ unread: 'true', current: '1' });
  });
});
