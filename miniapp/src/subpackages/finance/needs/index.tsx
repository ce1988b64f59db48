import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import { tagClass } from '../../../services/credit'
import {
  NEED_PURPOSE_LABELS,
  NEED_STATUS_LABELS,
  fenToWan,
  needFormUrl,
  needStatusTone,
  needUrl,
  type NeedSummary,
} from '../../../services/finance'
import { listMyEnterprises, listMyNeeds } from '../../../services/generated'
import { formatDateTime } from '../../../utils/format'
import './index.css'

interface NeedsData {
  enterpriseId: string
  needs: NeedSummary[]
}

/** The enterprise the URL names, else the user's first; undefined when none is bound. */
async function loadNeeds(requestedId: string | undefined): Promise<NeedsData | undefined> {
  const enterpriseId = requestedId ?? (await listMyEnterprises())[0]?.id
  return enterpriseId ? { enterpriseId, needs: await listMyNeeds({ id: enterpriseId }) } : undefined
}

function NeedCard({ need }: { need: NeedSummary }) {
  return (
    <View
      className='card need-item'
      data-testid='need-item'
      data-id={need.id}
      data-status={need.status}
      onClick={() => Taro.navigateTo({ url: needUrl(need.id, need.enterpriseId) })}
    >
      <View className='need-item__head'>
        <Text className='need-item__amount' data-testid='need-item-amount'>
          {fenToWan(need.amountFen)} 万元 · {need.termMonths} 个月
        </Text>
        <Text className={tagClass(needStatusTone(need.status))} data-testid='need-item-status'>
          {NEED_STATUS_LABELS[need.status]}
        </Text>
      </View>
      <Text className='need-item__purpose'>{NEED_PURPOSE_LABELS[need.purpose]}</Text>
      <Text className='muted need-item__time' data-testid='need-item-submitted'>
        提交于 {formatDateTime(need.submittedAt)}
      </Text>
    </View>
  )
}

/** 我的融资需求: the enterprise's needs, newest first, each opening its recommendation. */
export default function MyNeeds() {
  const requestedId = useRouter()?.params?.enterpriseId || undefined
  const page = useRemoteData(() => loadNeeds(requestedId))

  useDidShow(() => {
    page.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const data = page.data

  return (
    <View className='page my-needs'>
      <PageState loading={page.loading} error={page.error} hasData={page.data !== undefined} onRetry={page.reload}>
        {!data ? (
          <View className='card' data-testid='needs-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，即可发布融资需求并查看推荐产品。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : (
          <>
            {data.needs.length === 0 ? (
              <View className='card' data-testid='needs-empty'>
                <Text className='card__title'>暂无融资需求</Text>
                <Text className='card__text'>一键发布需求，平台为您匹配银行产品，融资顾问复核后推荐。</Text>
              </View>
            ) : (
              data.needs.map((need) => <NeedCard key={need.id} need={need} />)
            )}
            <Button
              className='btn btn--primary btn--block'
              data-testid='needs-new'
              onClick={() => Taro.navigateTo({ url: needFormUrl(data.enterpriseId) })}
            >
              发布融资需求
            </Button>
          </>
        )}
      </PageState>
    </View>
  )
}
