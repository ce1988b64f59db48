import type { TMessage } from '@xyd/shared';
import { callApi, fetchPage, type PageParams } from './api';

export function listMessages(params: PageParams & { unread?: boolean }) {
  return fetchPage<TMessage>('/api/v1/messages', {
    ...params,
    unread: params.unread === undefined ? undefined : String(params.unread),
  });
}

export function fetchUnreadCount() {
  return callApi<{ count: number }>('/api/v1/messages/unread-count', { method: 'GET', skipErrorHandler: true });
}

export function markMessageRead(id: string) {
  return callApi<null>(`/api/v1/messages/${id}/read`, { method: 'POST' });
}

export function markAllMessagesRead() {
  return callApi<{ updated: number }>('/api/v1/messages/read-all', { method: 'POST' });
}
