import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import type { TSession } from '@xyd/shared'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { listSessions, revokeSession } from '../../../services/generated'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import './index.css'

/** A readable device name from a user agent string. */
function deviceName(userAgent: string | null): string {
  if (!userAgent) return '未知设备'
  if (/MicroMessenger/i.test(userAgent)) {
    if (/iPhone|iPad/i.test(userAgent)) return '微信（iOS）'
    if (/Android/i.test(userAgent)) return '微信（Android）'
    return '微信'
  }
  if (/iPhone|iPad/i.test(userAgent)) return 'iOS 浏览器'
  if (/Android/i.test(userAgent)) return 'Android 浏览器'
  return '浏览器'
}

export default function Sessions() {
  const sessions = useRemoteData(listSessions)

  useDidShow(() => {
    sessions.reload()
  })

  const revoke = async (session: TSession) => {
    const { confirm } = await Taro.showModal({
      title: '下线该设备',
      content: '该设备需要重新登录才能继续使用。',
      confirmText: '下线',
    })
    if (!confirm) return
    try {
      await revokeSession({ id: session.id })
      sessions.setData((current) => current?.filter((s) => s.id !== session.id))
      Taro.showToast({ title: '已下线', icon: 'success' })
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' })
    }
  }

  return (
    <View className='page sessions'>
      <View className='notice notice--info'>
        <Text>以下是您账号当前有效的登录。发现不认识的设备时，请将其下线。</Text>
      </View>
      <PageState
        loading={sessions.loading}
        error={sessions.error}
        hasData={sessions.data !== undefined}
        onRetry={sessions.reload}
      >
        {sessions.data?.map((session) => (
          <View key={session.id} className='card session' data-testid='session-item' data-current={String(session.current)}>
            <View className='session__head'>
              <Text className='session__device'>{deviceName(session.userAgent)}</Text>
              {session.current ? <Text className='tag tag--success'>本机</Text> : null}
            </View>
            <Text className='session__fact'>登录时间：{formatDateTime(session.createdAt)}</Text>
            <Text className='session__fact'>最近活动：{formatDateTime(session.lastSeenAt)}</Text>
            {session.ip ? <Text className='session__fact'>IP 地址：{session.ip}</Text> : null}
            {session.current ? null : (
              <Button
                className='btn btn--ghost session__revoke'
                size='mini'
                data-testid='session-revoke'
                onClick={() => revoke(session)}
              >
                下线
              </Button>
            )}
          </View>
        ))}
      </PageState>
    </View>
  )
}
