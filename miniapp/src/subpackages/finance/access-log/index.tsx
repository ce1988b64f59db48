import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useReachBottom, useRouter } from '@tarojs/taro'
import { useCallback, useRef, useState } from 'react'
import PageState from '../../../components/PageState'
import { BIND_PAGE } from '../../../routes'
import {
  ACCESS_ACTION_LABELS,
  ACCESS_CHANNEL_LABELS,
  ACCESS_LOG_PAGE_SIZE,
  DATA_SCOPE_LABELS,
  type AccessLogEntry,
} from '../../../services/applications'
import { applicationUrl, myGrantsUrl } from '../../../services/finance'
import { listMyAccessLog, listMyApplications, listMyEnterprises } from '../../../services/generated'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import { flag } from '../../../utils/props'
import './index.css'

interface LogPages {
  /** null when the user has no bound enterprise. */
  enterpriseId: string | null
  list: AccessLogEntry[]
  total: number
  /** Pages loaded so far. */
  page: number
  /** Product names by application id, to say which application a read was for. */
  products: ReadonlyMap<string, string>
}

/** The names are a courtesy: without them an entry names the application by its number. */
async function productNames(enterpriseId: string): Promise<ReadonlyMap<string, string>> {
  try {
    return new Map((await listMyApplications({ id: enterpriseId })).map((a) => [a.id, a.productName]))
  } catch {
    return new Map()
  }
}

function AccessEntry({ entry, productName }: { entry: AccessLogEntry; productName?: string }) {
  return (
    <View className='card access-entry' data-testid='access-entry' data-id={entry.id}>
      <View className='access-entry__head'>
        <Text className='access-entry__organisation' data-testid='access-entry-organisation'>
          {entry.organisationName}
        </Text>
        <Text className='muted' data-testid='access-entry-time'>
          {formatDateTime(entry.at)}
        </Text>
      </View>
      <View className='access-row'>
        <Text className='access-row__label'>查看人</Text>
        <Text className='access-row__value' data-testid='access-entry-user'>
          {entry.userName}
        </Text>
      </View>
      <View className='access-row'>
        <Text className='access-row__label'>操作</Text>
        <Text className='access-row__value' data-testid='access-entry-action'>
          {ACCESS_ACTION_LABELS[entry.action]}
        </Text>
      </View>
      <View className='access-row'>
        <Text className='access-row__label'>数据</Text>
        <Text className='access-row__value' data-testid='access-entry-scope'>
          {DATA_SCOPE_LABELS[entry.scope]}
        </Text>
      </View>
      <View className='access-row'>
        <Text className='access-row__label'>渠道</Text>
        <Text className='access-row__value' data-testid='access-entry-channel'>
          {ACCESS_CHANNEL_LABELS[entry.channel]}
        </Text>
      </View>
      {entry.applicationId ? (
        <View
          className='access-row'
          onClick={() => entry.applicationId && Taro.navigateTo({ url: applicationUrl(entry.applicationId, entry.enterpriseId) })}
        >
          <Text className='access-row__label'>所属申请</Text>
          <Text className='access-row__value access-row__link' data-testid='access-entry-application'>
            {productName ?? `申请 ${entry.applicationId}`} ›
          </Text>
        </View>
      ) : null}
    </View>
  )
}

/** 谁查看了我的数据: every read of the enterprise's data under its grants, newest first, a page at a time. */
export default function AccessLog() {
  const requestedId = useRouter()?.params?.enterpriseId || undefined
  const [pages, setPages] = useState<LogPages>()
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')
  const ticket = useRef(0)

  /** Page 1 finds the enterprise and replaces the list; later pages are appended. Older answers are dropped. */
  const load = useCallback(
    async (page: number, known?: LogPages) => {
      const mine = ++ticket.current
      setLoading(true)
      try {
        const enterpriseId = known ? known.enterpriseId : (requestedId ?? (await listMyEnterprises())[0]?.id ?? null)
        if (!enterpriseId) {
          if (mine === ticket.current) setPages({ enterpriseId: null, list: [], total: 0, page: 1, products: new Map() })
          return
        }
        const [result, products] = await Promise.all([
          listMyAccessLog({ id: enterpriseId, current: page, pageSize: ACCESS_LOG_PAGE_SIZE }),
          known && page > 1 ? Promise.resolve(known.products) : productNames(enterpriseId),
        ])
        if (mine !== ticket.current) return
        setPages((current) => {
          if (page === 1 || !current) return { enterpriseId, list: result.list, total: result.total, page, products }
          const seen = new Set(current.list.map((e) => e.id))
          return { ...current, list: [...current.list, ...result.list.filter((e) => !seen.has(e.id))], total: result.total, page }
        })
        setError('')
      } catch (e) {
        if (mine === ticket.current) setError(errorMessage(e, '加载失败，请稍后重试'))
      } finally {
        if (mine === ticket.current) setLoading(false)
      }
    },
    [requestedId],
  )

  useDidShow(() => {
    load(1)
  })

  usePullDownRefresh(async () => {
    await load(1)
    Taro.stopPullDownRefresh()
  })

  const hasMore = pages !== undefined && pages.list.length < pages.total
  const loadMore = () => {
    if (pages && hasMore && !loading) load(pages.page + 1, pages)
  }
  useReachBottom(loadMore)

  return (
    <View className='page access-log'>
      <PageState loading={loading} error={error} hasData={pages !== undefined} onRetry={() => load(1)}>
        {pages && !pages.enterpriseId ? (
          <View className='card' data-testid='access-log-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，可以在这里查看金融机构对本企业数据的每一次查看。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : pages && pages.enterpriseId ? (
          <>
            <View className='notice notice--info'>
              <Text>金融机构及其委托的信用服务机构，凭您的授权每查看一次本企业数据，都会记录在这里。</Text>
              <Text
                className='access-log__link'
                data-testid='access-log-grants'
                onClick={() => pages.enterpriseId && Taro.navigateTo({ url: myGrantsUrl(pages.enterpriseId) })}
              >
                管理我的授权 ›
              </Text>
            </View>
            {pages.list.length === 0 ? (
              <View className='card' data-testid='access-log-empty'>
                <Text className='card__title'>暂无查看记录</Text>
                <Text className='card__text'>还没有机构查看过本企业的数据。</Text>
              </View>
            ) : (
              <Text className='section-title' data-testid='access-log-total'>
                共 {pages.total} 条记录
              </Text>
            )}
            {pages.list.map((entry) => (
              <AccessEntry key={entry.id} entry={entry} productName={entry.applicationId ? pages.products.get(entry.applicationId) : undefined} />
            ))}
            {hasMore ? (
              <Button className='btn btn--ghost btn--block' data-testid='access-log-more' disabled={flag(loading)} loading={flag(loading)} onClick={loadMore}>
                加载更多
              </Button>
            ) : pages.list.length > 0 ? (
              <Text className='muted access-log__end'>没有更多了</Text>
            ) : null}
          </>
        ) : null}
      </PageState>
    </View>
  )
}
