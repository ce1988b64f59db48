import Taro from '@tarojs/taro'
import { getUnreadMessageCount } from './generated'

export const MESSAGE_PAGE_SIZE = 20
/** Position of 消息 in app.config.ts's tab bar. */
const MESSAGES_TAB_INDEX = 1

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
    showUnreadBadge((await getUnreadMessageCount()).count)
  } catch {
    // The badge is a hint; the message centre itself reports errors.
  }
}
