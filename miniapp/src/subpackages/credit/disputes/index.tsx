import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import { DISPUTE_LABELS, disputeClock, disputeTone, myDataUrl, tagClass, type CreditDispute } from '../../../services/credit'
import { CATEGORY_LABELS } from '../../../services/credit-data'
import { listMyCreditDisputes, listMyEnterprises } from '../../../services/generated'
import { formatDateTime } from '../../../utils/format'
import './index.css'

/** The enterprise the URL names, else the user's first; undefined when none is bound. */
async function loadDisputes(requestedId: string | undefined): Promise<CreditDispute[] | undefined> {
  const id = requestedId ?? (await listMyEnterprises())[0]?.id
  return id ? listMyCreditDisputes({ id }) : undefined
}

function DisputeCard({ dispute }: { dispute: CreditDispute }) {
  const clock = disputeClock(dispute)
  return (
    <View className='card dispute-item' data-testid='dispute-item' data-id={dispute.id}>
      <View className='dispute-item__head'>
        <Text className='dispute-item__category'>{CATEGORY_LABELS[dispute.category]}</Text>
        <Text className={tagClass(disputeTone(dispute.status))} data-testid='dispute-status'>
          {DISPUTE_LABELS[dispute.status]}
        </Text>
      </View>
      {dispute.recordSummary ? <Text className='dispute-item__summary'>{dispute.recordSummary}</Text> : null}
      <View className='dispute-item__row'>
        <Text className='dispute-item__label'>异议理由</Text>
        <Text className='dispute-item__value' data-testid='dispute-reason-text'>
          {dispute.reason}
        </Text>
      </View>
      <View className='dispute-item__row'>
        <Text className='dispute-item__label'>数据提供单位</Text>
        <Text className='dispute-item__value'>{dispute.sourceName || '未知'}</Text>
      </View>
      <View className='dispute-item__row'>
        <Text className='dispute-item__label'>提出时间</Text>
        <Text className='dispute-item__value'>{formatDateTime(dispute.raisedAt)}</Text>
      </View>
      {clock ? (
        <View className='dispute-item__row'>
          <Text className='dispute-item__label'>处理期限</Text>
          <Text className='dispute-item__value' data-testid='dispute-due'>
            {dispute.dueOn} 前
            <Text className={`dispute-item__clock${clock.overdue ? ' dispute-item__clock--overdue' : ''}`} data-testid='dispute-clock'>
              {clock.text}
            </Text>
          </Text>
        </View>
      ) : null}
      {dispute.resolvedAt ? (
        <View className='dispute-item__resolution' data-testid='dispute-resolution'>
          <Text className='dispute-item__resolution-title'>
            处理结果 · {formatDateTime(dispute.resolvedAt)}
            {dispute.resolvedByName ? ` · ${dispute.resolvedByName}` : ''}
          </Text>
          <Text className='dispute-item__resolution-note'>{dispute.resolutionNote || '（未填写说明）'}</Text>
        </View>
      ) : null}
    </View>
  )
}

/** 我的异议: the disputes the enterprise raised, the 20-day clock of each open one, and each outcome. */
export default function MyDisputes() {
  const router = useRouter()
  const requestedId = router?.params?.enterpriseId || undefined
  const disputes = useRemoteData(() => loadDisputes(requestedId))

  useDidShow(() => {
    disputes.reload()
  })

  usePullDownRefresh(async () => {
    await disputes.reload()
    Taro.stopPullDownRefresh()
  })

  const list = disputes.data

  return (
    <View className='page my-disputes'>
      <PageState loading={disputes.loading} error={disputes.error} hasData={list !== undefined} onRetry={disputes.reload}>
        {!list ? (
          <View className='card' data-testid='disputes-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : list.length === 0 ? (
          <View className='card' data-testid='disputes-empty'>
            <Text className='card__title'>暂无异议</Text>
            <Text className='card__text'>如果发现本企业的信用记录有误，可以在“我的数据”中对该记录提出异议。</Text>
            <Button className='btn btn--ghost btn--block' onClick={() => Taro.navigateTo({ url: myDataUrl(requestedId) })}>
              查看我的数据
            </Button>
          </View>
        ) : (
          list.map((dispute) => <DisputeCard key={dispute.id} dispute={dispute} />)
        )}
      </PageState>
    </View>
  )
}
