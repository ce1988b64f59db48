import { Button, ScrollView, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useReachBottom, useRouter } from '@tarojs/taro'
import type { TCreditCategory, TCreditRecord, TCreditRecordSummary } from '@xyd/shared'
import { useCallback, useEffect, useRef, useState } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import { asCategory, disputeFormUrl, onDisputeRaised, rememberRecordToDispute } from '../../../services/credit'
import {
  CATEGORY_LABELS,
  CREDIT_RECORD_PAGE_SIZE,
  categoryTabs,
  firstCategoryWithData,
  recordPeriod,
} from '../../../services/credit-data'
import { getMyCreditSummary, listMyCreditRecords, listMyEnterprises } from '../../../services/generated'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import './index.css'

interface Summary {
  enterpriseId: string
  items: TCreditRecordSummary
}

interface RecordPages {
  /** Which list these are: `enterpriseId:category`. */
  key: string
  list: TCreditRecord[]
  total: number
  /** Pages loaded so far. */
  page: number
}

function disputeRecord(record: TCreditRecord) {
  rememberRecordToDispute(record)
  Taro.navigateTo({ url: disputeFormUrl(record) })
}

/** Only a current record can be disputed, and only once at a time (the server refuses a second open dispute). */
const disputable = (record: TCreditRecord) => record.status === 'current' && !record.disputed

function CreditRecordCard({ record }: { record: TCreditRecord }) {
  return (
    <View className='card credit-record' data-testid='credit-record' data-id={record.id}>
      <View className='credit-record__head'>
        <Text className='credit-record__period' data-testid='credit-record-period'>
          {recordPeriod(record) || '日期未知'}
        </Text>
        <View className='credit-record__tags'>
          {record.adverse ? <Text className='tag tag--danger'>不良信息</Text> : null}
          {record.corrected ? (
            <Text className='tag tag--success' data-testid='credit-record-corrected'>
              已信用修复
            </Text>
          ) : null}
          {record.disputed ? (
            <Text className='tag tag--warning' data-testid='credit-record-disputed'>
              异议中
            </Text>
          ) : null}
          {record.status === 'withdrawn' ? (
            <Text className='tag' data-testid='credit-record-withdrawn'>
              已撤回
            </Text>
          ) : null}
        </View>
      </View>
      {record.fields.map((field, index) => (
        <View key={`${field.label}-${index}`} className='credit-record__field' data-testid='credit-record-field'>
          <Text className='credit-record__label'>{field.label}</Text>
          <Text className='credit-record__value'>{field.value}</Text>
        </View>
      ))}
      <Text className='muted credit-record__source' data-testid='credit-record-source'>
        来源：{record.sourceName || '未知'} · 接收于 {formatDateTime(record.receivedAt)}
      </Text>
      {disputable(record) ? (
        <View className='credit-record__actions'>
          <Button className='btn btn--ghost' size='mini' data-testid='credit-record-dispute' onClick={() => disputeRecord(record)}>
            提出异议
          </Button>
        </View>
      ) : null}
    </View>
  )
}

/** 我的数据: the credit data the platform holds on the user's enterprise, by category, with where each item came from. */
export default function MyData() {
  // 信用画像 opens this page at an enterprise and one of its categories.
  const params = useRouter()?.params
  const enterprises = useRemoteData(listMyEnterprises)
  const [chosenEnterprise, setChosenEnterprise] = useState<string | undefined>(params?.enterpriseId || undefined)
  const [chosenCategory, setChosenCategory] = useState<TCreditCategory | undefined>(asCategory(params?.category))
  const list = enterprises.data ?? []
  const enterprise = list.find((e) => e.id === chosenEnterprise) ?? list[0]
  const enterpriseId = enterprise?.id

  const summary = useRemoteData<Summary | undefined>(async () =>
    enterpriseId ? { enterpriseId, items: await getMyCreditSummary({ id: enterpriseId }) } : undefined,
  )
  // A summary of the enterprise on screen only (not one still arriving for the previous choice).
  const items = summary.data && summary.data.enterpriseId === enterpriseId ? summary.data.items : undefined
  const tabs = items ? categoryTabs(items) : []
  const category = items ? (chosenCategory ?? firstCategoryWithData(tabs)) : undefined
  const totalRecords = tabs.reduce((sum, t) => sum + t.count, 0)

  const [records, setRecords] = useState<RecordPages>()
  const [recordsError, setRecordsError] = useState('')
  const [loadingRecords, setLoadingRecords] = useState(false)
  const ticket = useRef(0)

  /** Page 1 replaces the list; later pages are appended. Answers to an older request are dropped. */
  const loadRecords = useCallback(async (id: string, cat: TCreditCategory, page: number) => {
    const mine = ++ticket.current
    const key = `${id}:${cat}`
    setLoadingRecords(true)
    try {
      const result = await listMyCreditRecords({ id, category: cat, page, pageSize: CREDIT_RECORD_PAGE_SIZE })
      if (mine !== ticket.current) return
      setRecords((current) => {
        if (page === 1 || !current || current.key !== key) return { key, list: result.list, total: result.total, page }
        const known = new Set(current.list.map((r) => r.id))
        return { key, list: [...current.list, ...result.list.filter((r) => !known.has(r.id))], total: result.total, page }
      })
      setRecordsError('')
    } catch (e) {
      if (mine !== ticket.current) return
      if (page === 1) setRecords(undefined)
      setRecordsError(errorMessage(e, '加载失败，请稍后重试'))
    } finally {
      if (mine === ticket.current) setLoadingRecords(false)
    }
  }, [])

  useEffect(() => {
    if (enterpriseId) summary.reload()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enterpriseId])

  useEffect(() => {
    if (enterpriseId && category) loadRecords(enterpriseId, category, 1)
  }, [enterpriseId, category, loadRecords])

  // Back from the dispute form: the record shows 异议中 without a reload.
  useEffect(
    () =>
      onDisputeRaised((recordId) =>
        setRecords((current) =>
          current ? { ...current, list: current.list.map((r) => (r.id === recordId ? { ...r, disputed: true } : r)) } : current,
        ),
      ),
    [],
  )

  useDidShow(() => {
    enterprises.reload()
  })

  usePullDownRefresh(async () => {
    await enterprises.reload()
    if (enterpriseId) {
      await summary.reload()
      if (category) await loadRecords(enterpriseId, category, 1)
    }
    Taro.stopPullDownRefresh()
  })

  const shown = records && enterpriseId && category && records.key === `${enterpriseId}:${category}` ? records : undefined

  useReachBottom(() => {
    if (!shown || !enterpriseId || !category || loadingRecords || shown.list.length >= shown.total) return
    loadRecords(enterpriseId, category, shown.page + 1)
  })

  const chooseEnterprise = (id: string) => {
    if (id === enterpriseId) return
    setChosenEnterprise(id)
    setChosenCategory(undefined)
  }

  return (
    <View className='page my-data'>
      <PageState loading={enterprises.loading} error={enterprises.error} hasData={enterprises.data !== undefined} onRetry={enterprises.reload}>
        {!enterprise ? (
          <View className='card' data-testid='my-data-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，可以在这里查看平台汇集的本企业信用数据。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : (
          <>
            {list.length > 1 ? (
              <View className='my-data-enterprises' data-testid='my-data-enterprises'>
                {list.map((e) => (
                  <Text
                    key={e.id}
                    className={`my-data-enterprise${e.id === enterpriseId ? ' my-data-enterprise--active' : ''}`}
                    data-testid='my-data-enterprise'
                    data-active={e.id === enterpriseId ? 'true' : 'false'}
                    onClick={() => chooseEnterprise(e.id)}
                  >
                    {e.name}
                  </Text>
                ))}
              </View>
            ) : (
              <Text className='section-title' data-testid='my-data-enterprise-name'>
                {enterprise.name}
              </Text>
            )}

            <PageState loading={summary.loading} error={summary.error} hasData={items !== undefined} onRetry={summary.reload}>
              {/* The open tab is scrolled into view: on a narrow screen the one chosen first may sit far to the right. */}
              <ScrollView
                scrollX
                scrollWithAnimation
                scrollIntoView={category ? `my-data-tab-${category}` : undefined}
                className='my-data-tabs'
                data-testid='my-data-tabs'
              >
                {tabs.map((tab) => (
                  <Text
                    key={tab.category}
                    id={`my-data-tab-${tab.category}`}
                    className={`my-data-tab${tab.category === category ? ' my-data-tab--active' : ''}`}
                    data-testid='my-data-tab'
                    data-category={tab.category}
                    data-active={tab.category === category ? 'true' : 'false'}
                    onClick={() => setChosenCategory(tab.category)}
                  >
                    {tab.label}（{tab.count}）
                  </Text>
                ))}
              </ScrollView>

              {totalRecords === 0 ? (
                <View className='card' data-testid='my-data-empty'>
                  <Text className='card__title'>暂无数据</Text>
                  <Text className='card__text'>有关部门报送的本企业登记、纳税、社保、水电气等数据，入库后会显示在这里。</Text>
                </View>
              ) : (
                <>
                  {recordsError ? (
                    <View className='notice notice--error' data-testid='my-data-records-error'>
                      <Text>{recordsError}</Text>
                    </View>
                  ) : null}
                  {!shown && loadingRecords ? <Text className='muted my-data-end'>加载中…</Text> : null}
                  {shown && shown.list.length === 0 ? (
                    <View className='card' data-testid='my-data-category-empty'>
                      <Text className='card__text'>暂无数据</Text>
                      <Text className='muted'>尚未收到本企业的{category ? CATEGORY_LABELS[category] : ''}数据。</Text>
                    </View>
                  ) : null}
                  {shown?.list.map((record) => <CreditRecordCard key={record.id} record={record} />)}
                  {shown && shown.list.length > 0 && shown.list.length >= shown.total ? (
                    <Text className='muted my-data-end'>没有更多了</Text>
                  ) : null}
                  {shown && loadingRecords ? <Text className='muted my-data-end'>加载中…</Text> : null}
                </>
              )}
            </PageState>
          </>
        )}
      </PageState>
    </View>
  )
}
