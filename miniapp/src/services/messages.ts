import Taro from '@tarojs/taro'
import type { PageResult, TMessage } from '@xyd/shared'
import { request } from './request'

export const MESSAGE_PAGE_SIZE = 20
/** Position of 消息 in app.config.ts's tab bar. */
const MESSAGES_TAB_INDEX = 1

export function fetchMessages(current: number, pageSize = MESSAGE_PAGE_SIZE): Promise<PageResult<TMessage>> {
  return request<PageResult<TMessage>>({ url: '/api/v1/messages', data: { current, pageSize } })
}

export async function fetchUnreadCount(): Promise<number> {
  const { count } = await request<{ count: number }>({ url: '/api/v1/messages/unread-count' })
  return count
}

export function markMessageRead(id: string): Promise<null> {
  return request<null>({ url: `/api/v1/messages/${encodeURIComponent(id)}/read`, method: 'POST' })
}

export function markAllMessagesRead(): Promise<{ updated: number }> {
  return request<{ updated: number }>({ url: '/api/v1/messages/read-all', method: 'POST' })
}

/** Shows the unread count on the 消息 tab. Only tab pages may set it, so failures elsewhere are ignored. */
export function showUnreadBadge(count: number): void {
  const call =
    count > 0
      ? Taro.setTabBarBadge({ index: MESSAGES_TAB_INDEX, text: count > 99 ? '99+' : String(count) })
      : Taro.removeTabBarBadge({ index: MESSAGES_TAB_INDEX })
  Promise.resolve(call).catch(() => undefined)
}

/** Fetches the unread count and updates the tab badge; a failure leaves the badge as it was. */
export async function refreshUnreadBadge(): Promise<void> {
  try {
    showUnreadBadge(await fetchUnreadCount())
  } catch {
    // The badge is a hint; the message centre itself reports errors.
  }
}
