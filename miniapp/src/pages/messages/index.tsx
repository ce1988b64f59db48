import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro'
import type { TMessage } from '@xyd/shared'
import { useEffect, useState } from 'react'
import PageState from '../../components/PageState'
import { useRemoteData } from '../../hooks/useRemoteData'
import { getUnreadMessageCount, listMessages, markAllMessagesRead, markMessageRead } from '../../services/generated'
import { MESSAGE_PAGE_SIZE, showUnreadBadge } from '../../services/messages'
import { errorMessage } from '../../utils/errors'
import { flag } from '../../utils/props'
import { formatDateTime } from '../../utils/format'
import './index.css'

interface Inbox {
  list: TMessage[]
  total: number
  /** Pages loaded so far. */
  current: number
  unread: number
}

/** A message may point at a page of this mini-program (`/subpackages/...`); tab pages need switchTab. */
function openLink(link: string | null) {
  if (!link || !link.startsWith('/')) return
  Taro.navigateTo({ url: link }).catch(() => Taro.switchTab({ url: link }).catch(() => undefined))
}

async function loadInbox(): Promise<Inbox> {
  const [page, unread] = await Promise.all([listMessages({ current: 1, pageSize: MESSAGE_PAGE_SIZE }), getUnreadMessageCount()])
  return { list: page.list, total: page.total, current: 1, unread: unread.count }
}

export default function MessageCentre() {
  const inbox = useRemoteData(loadInbox)
  const [loadingMore, setLoadingMore] = useState(false)
  const data = inbox.data

  const unread = data?.unread

  // The tab badge follows the count on this page, after loads and after marking read alike.
  useEffect(() => {
    if (unread !== undefined) showUnreadBadge(unread)
  }, [unread])

  useDidShow(() => {
    inbox.reload()
  })

  usePullDownRefresh(async () => {
    await inbox.reload()
    Taro.stopPullDownRefresh()
  })

  useReachBottom(async () => {
    if (!data || loadingMore || data.list.length >= data.total) return
    setLoadingMore(true)
    try {
      const page = await listMessages({ current: data.current + 1, pageSize: MESSAGE_PAGE_SIZE })
      inbox.setData((current) => {
        if (!current) return current
        const known = new Set(current.list.map((m) => m.id))
        return {
          ...current,
          list: [...current.list, ...page.list.filter((m) => !known.has(m.id))],
          total: page.total,
          current: current.current + 1,
        }
      })
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' })
    } finally {
      setLoadingMore(false)
    }
  })

  const openMessage = async (message: TMessage) => {
    if (!message.readAt) {
      try {
        await markMessageRead({ id: message.id })
        const readAt = new Date().toISOString()
        inbox.setData((current) => {
          if (!current) return current
          const wasUnread = current.list.some((m) => m.id === message.id && !m.readAt)
          return {
            ...current,
            list: current.list.map((m) => (m.id === message.id && !m.readAt ? { ...m, readAt } : m)),
            unread: wasUnread ? Math.max(current.unread - 1, 0) : current.unread,
          }
        })
      } catch (e) {
        Taro.showToast({ title: errorMessage(e), icon: 'none' })
        return
      }
    }
    openLink(message.link)
  }

  const readAll = async () => {
    if (!unread) return // Taro's H5 Button still fires onClick while disabled.
    try {
      await markAllMessagesRead()
      const readAt = new Date().toISOString()
      inbox.setData(
        (current) => current && { ...current, list: current.list.map((m) => (m.readAt ? m : { ...m, readAt })), unread: 0 },
      )
      Taro.showToast({ title: '已全部标为已读', icon: 'none' })
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' })
    }
  }

  return (
    <View className='page messages'>
      <PageState loading={inbox.loading} error={inbox.error} hasData={data !== undefined} onRetry={inbox.reload}>
        <View className='messages-toolbar'>
          <Text className='muted' data-testid='messages-unread-count'>
            {unread ? `${unread} 条未读` : '没有未读消息'}
          </Text>
          <Button
            className='btn btn--ghost'
            size='mini'
            data-testid='messages-read-all'
            disabled={flag(!unread)}
            onClick={readAll}
          >
            全部已读
          </Button>
        </View>

        {data && data.list.length === 0 ? (
          <View className='card' data-testid='messages-empty'>
            <Text className='card__text'>暂无消息。认证审核、融资进度等通知会显示在这里。</Text>
          </View>
        ) : null}

        {data?.list.map((message) => (
          <View
            key={message.id}
            className={`message${message.readAt ? '' : ' message--unread'}`}
            data-testid='message-item'
            data-id={message.id}
            data-read={message.readAt ? 'true' : 'false'}
            onClick={() => openMessage(message)}
          >
            <View className='message__head'>
              {message.readAt ? null : <View className='message__dot' data-testid='message-unread-dot' />}
              <Text className='message__title'>{message.title}</Text>
              <Text className='muted'>{formatDateTime(message.createdAt)}</Text>
            </View>
            <Text className='message__body'>{message.body}</Text>
          </View>
        ))}

        {data && data.list.length > 0 && data.list.length >= data.total ? (
          <Text className='muted messages-end'>没有更多了</Text>
        ) : null}
        {loadingMore ? <Text className='muted messages-end'>加载中…</Text> : null}
      </PageState>
    </View>
  )
}
