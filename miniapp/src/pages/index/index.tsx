import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import type { TMyEnterprise, TVerification } from '@xyd/shared'
import EnterpriseCard from '../../components/EnterpriseCard'
import PageState from '../../components/PageState'
import { useRemoteData } from '../../hooks/useRemoteData'
import { creditProfileUrl } from '../../services/credit'
import { listMyVerificationsNewestFirst } from '../../services/enterprise'
import { PRODUCTS_PAGE, myApplicationsUrl, myGrantsUrl, myNeedsUrl, needFormUrl } from '../../services/finance'
import { listMyEnterprises } from '../../services/generated'
import { refreshUnreadBadge } from '../../services/messages'
import { BIND_PAGE, PROGRESS_PAGE } from '../../routes'
import './index.css'

interface HomeData {
  enterprises: TMyEnterprise[]
  latestVerification: TVerification | undefined
}

const FEATURES = [
  { key: 'demand', title: '融资需求', desc: '一键发布，智能匹配产品' },
  { key: 'products', title: '金融产品', desc: '浏览银行产品与申请条件' },
  { key: 'needs', title: '我的融资需求', desc: '推荐产品与匹配理由' },
  { key: 'applications', title: '我的融资申请', desc: '审批进度、批复与放款' },
  { key: 'profile', title: '信用画像', desc: '查看企业信用评价' },
  { key: 'policy', title: '政策匹配', desc: '找到可申报的扶持政策' },
  { key: 'authorisation', title: '授权管理', desc: '管理数据授权与查询记录' },
]

/** Where a feature opens: 金融产品 is public; the others need a bound enterprise; the rest are still to come. */
function featureUrl(key: string, enterprise: TMyEnterprise | undefined): string | undefined {
  if (key === 'products') return PRODUCTS_PAGE
  if (!enterprise) return undefined
  if (key === 'demand') return needFormUrl(enterprise.id)
  if (key === 'needs') return myNeedsUrl(enterprise.id)
  if (key === 'applications') return myApplicationsUrl(enterprise.id)
  if (key === 'authorisation') return myGrantsUrl(enterprise.id)
  if (key === 'profile') return creditProfileUrl(enterprise.id)
  return undefined
}

async function loadHome(): Promise<HomeData> {
  const [enterprises, verifications] = await Promise.all([listMyEnterprises(), listMyVerificationsNewestFirst()])
  return { enterprises, latestVerification: verifications[0] }
}

function BindPrompt({ latest }: { latest: TVerification | undefined }) {
  if (latest?.status === 'pending') {
    return (
      <View className='card home-prompt' data-testid='home-pending'>
        <Text className='card__title'>企业认证审核中</Text>
        <Text className='card__text'>已提交“{latest.enterpriseName}”的认证申请，融资顾问审核后会通知您。</Text>
        <Button className='btn btn--ghost btn--block' onClick={() => Taro.navigateTo({ url: PROGRESS_PAGE })}>
          查看审核进度
        </Button>
      </View>
    )
  }
  return (
    <View className='card home-prompt' data-testid='home-bind-prompt'>
      <Text className='card__title'>绑定您的企业</Text>
      <Text className='card__text'>
        {latest?.status === 'rejected'
          ? `上次认证未通过：${latest.rejectReason ?? '请核对信息后重新提交'}`
          : '完成企业认证后，即可发布融资需求、查看信用画像、匹配扶持政策。'}
      </Text>
      <Button
        className='btn btn--primary btn--block'
        data-testid='home-bind-button'
        onClick={() => Taro.navigateTo({ url: BIND_PAGE })}
      >
        {latest?.status === 'rejected' ? '重新提交认证' : '立即绑定企业'}
      </Button>
    </View>
  )
}

export default function Home() {
  const home = useRemoteData(loadHome)

  useDidShow(() => {
    home.reload()
    refreshUnreadBadge()
  })

  usePullDownRefresh(async () => {
    await home.reload()
    Taro.stopPullDownRefresh()
  })

  const enterprises = home.data?.enterprises ?? []

  return (
    <View className='page home'>
      <View className='home-banner'>
        <Text className='home-banner__title'>信易贷</Text>
        <Text className='home-banner__subtitle'>以信用促融资，让守信企业更快获得贷款</Text>
      </View>

      <PageState loading={home.loading} error={home.error} hasData={home.data !== undefined} onRetry={home.reload}>
        {enterprises.length > 0
          ? enterprises.map((enterprise) => (
              <EnterpriseCard
                key={enterprise.id}
                name={enterprise.name}
                uscc={enterprise.uscc}
                memberRole={enterprise.memberRole}
              >
                <View
                  className='home-card-link'
                  data-testid='home-credit-profile'
                  onClick={() => Taro.navigateTo({ url: creditProfileUrl(enterprise.id) })}
                >
                  <Text>信用画像</Text>
                  <Text className='home-card-link__hint'>评分、评级与改进建议 ›</Text>
                </View>
                <View
                  className='home-card-link'
                  data-testid='home-need-form'
                  onClick={() => Taro.navigateTo({ url: needFormUrl(enterprise.id) })}
                >
                  <Text>发布融资需求</Text>
                  <Text className='home-card-link__hint'>一键发布，顾问复核推荐 ›</Text>
                </View>
                <View
                  className='home-card-link'
                  data-testid='home-my-needs'
                  onClick={() => Taro.navigateTo({ url: myNeedsUrl(enterprise.id) })}
                >
                  <Text>我的融资需求</Text>
                  <Text className='home-card-link__hint'>推荐产品与匹配理由 ›</Text>
                </View>
                <View
                  className='home-card-link'
                  data-testid='home-my-applications'
                  onClick={() => Taro.navigateTo({ url: myApplicationsUrl(enterprise.id) })}
                >
                  <Text>我的融资申请</Text>
                  <Text className='home-card-link__hint'>审批进度与数据授权 ›</Text>
                </View>
              </EnterpriseCard>
            ))
          : <BindPrompt latest={home.data?.latestVerification} />}
      </PageState>

      <Text className='section-title'>企业服务</Text>
      <View className='home-features'>
        {FEATURES.map((feature) => {
          const url = featureUrl(feature.key, enterprises[0])
          return (
            <View
              key={feature.key}
              className='home-feature'
              data-testid={`feature-${feature.key}`}
              onClick={() => (url ? Taro.navigateTo({ url }) : Taro.showToast({ title: `${feature.title}即将开放`, icon: 'none' }))}
            >
              <Text className='home-feature__title'>{feature.title}</Text>
              <Text className='home-feature__desc'>{feature.desc}</Text>
              {url ? null : <Text className='tag home-feature__tag'>即将开放</Text>}
            </View>
          )
        })}
      </View>
    </View>
  )
}
