import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import type { TCurrentUser, TMyEnterprise } from '@xyd/shared'
import EnterpriseCard from '../../components/EnterpriseCard'
import PageState from '../../components/PageState'
import { useRemoteData } from '../../hooks/useRemoteData'
import { BIND_PAGE, PROGRESS_PAGE, SESSIONS_PAGE, SUBSCRIPTIONS_PAGE } from '../../routes'
import { MY_DATA_PAGE } from '../../services/credit-data'
import { getCurrentUser, listMyEnterprises } from '../../services/generated'
import { refreshUnreadBadge } from '../../services/messages'
import { memberRoleLabel } from '../../utils/format'
import './index.css'

interface MineData {
  user: TCurrentUser
  enterprises: TMyEnterprise[]
}

async function loadMine(): Promise<MineData> {
  const [user, enterprises] = await Promise.all([getCurrentUser(), listMyEnterprises()])
  return { user, enterprises }
}

const MENU = [
  { key: 'progress', title: '企业认证进度', url: PROGRESS_PAGE },
  { key: 'sessions', title: '登录设备管理', url: SESSIONS_PAGE },
  { key: 'subscriptions', title: '消息订阅设置', url: SUBSCRIPTIONS_PAGE },
]

export default function Mine() {
  const mine = useRemoteData(loadMine)

  useDidShow(() => {
    mine.reload()
    refreshUnreadBadge()
  })

  usePullDownRefresh(async () => {
    await mine.reload()
    Taro.stopPullDownRefresh()
  })

  const enterprises = mine.data?.enterprises ?? []

  return (
    <View className='page mine'>
      <PageState loading={mine.loading} error={mine.error} hasData={mine.data !== undefined} onRetry={mine.reload}>
        <View className='mine-user'>
          <Text className='mine-user__name' data-testid='mine-user-name'>
            {mine.data?.user.displayName || '微信用户'}
          </Text>
          <Text className='mine-user__role'>{memberRoleLabel(enterprises[0]?.memberRole ?? 'ent_user')}</Text>
        </View>

        <Text className='section-title'>我的企业</Text>
        {enterprises.length === 0 ? (
          <View className='card' data-testid='mine-no-enterprise'>
            <Text className='card__text'>尚未绑定企业。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : (
          enterprises.map((enterprise) => (
            <EnterpriseCard
              key={enterprise.id}
              name={enterprise.name}
              uscc={enterprise.uscc}
              memberRole={enterprise.memberRole}
            >
              <View className='mine-members'>
                <Text className='mine-members__title'>企业成员（{enterprise.members.length}）</Text>
                {enterprise.members.map((member, index) => (
                  <View key={`${member.displayName}-${index}`} className='mine-member' data-testid='enterprise-member'>
                    <Text>{member.displayName}</Text>
                    <Text className='muted'>{memberRoleLabel(member.role)}</Text>
                  </View>
                ))}
              </View>
            </EnterpriseCard>
          ))
        )}
      </PageState>

      <Text className='section-title'>账户与设置</Text>
      <View className='mine-menu'>
        {enterprises.length > 0 ? (
          <View className='list-item' data-testid='mine-menu-my-data' onClick={() => Taro.navigateTo({ url: MY_DATA_PAGE })}>
            <Text className='list-item__label'>我的数据</Text>
            <Text className='list-item__arrow'>›</Text>
          </View>
        ) : null}
        {MENU.map((item) => (
          <View
            key={item.key}
            className='list-item'
            data-testid={`mine-menu-${item.key}`}
            onClick={() => Taro.navigateTo({ url: item.url })}
          >
            <Text className='list-item__label'>{item.title}</Text>
            <Text className='list-item__arrow'>›</Text>
          </View>
        ))}
      </View>
    </View>
  )
}
