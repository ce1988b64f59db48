import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import type { TVerification } from '@xyd/shared'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE, HOME_PAGE } from '../../../routes'
import { listMyVerificationsNewestFirst } from '../../../services/enterprise'
import { formatDateTime, maskUscc, memberRoleLabel } from '../../../utils/format'
import './index.css'

// Same labels as shared's VERIFICATION_STATUS_LABELS, which lives beside zod schemas the mini-program does not bundle.
const STATUS: Record<TVerification['status'], { label: string; tone: string; text: string }> = {
  pending: { label: '审核中', tone: 'warning', text: '融资顾问正在核验您提交的信息，审核结果会通过消息通知您。' },
  approved: { label: '已通过', tone: 'success', text: '企业认证已通过，现在可以使用企业服务。' },
  rejected: { label: '已驳回', tone: 'danger', text: '认证未通过，请根据驳回原因修改后重新提交。' },
}

function LatestVerification({ verification }: { verification: TVerification }) {
  const status = STATUS[verification.status]
  return (
    <View className='card progress-latest' data-testid='verification-latest'>
      <View className='progress-latest__head'>
        <Text className='card__title'>{verification.enterpriseName}</Text>
        <Text
          className={`tag tag--${status.tone}`}
          data-testid='verification-status'
          data-status={verification.status}
        >
          {status.label}
        </Text>
      </View>
      <Text className='card__text'>{status.text}</Text>
      {verification.status === 'rejected' ? (
        <View className='notice notice--error progress-reason' data-testid='verification-reason'>
          <Text>驳回原因：{verification.rejectReason || '未说明'}</Text>
        </View>
      ) : null}
      <View className='progress-facts'>
        <Text className='progress-fact'>统一社会信用代码：{maskUscc(verification.uscc)}</Text>
        <Text className='progress-fact'>申请人身份：{memberRoleLabel(`ent_${verification.applicantRole}`)}</Text>
        <Text className='progress-fact'>提交时间：{formatDateTime(verification.createdAt)}</Text>
        {verification.reviewedAt ? (
          <Text className='progress-fact'>审核时间：{formatDateTime(verification.reviewedAt)}</Text>
        ) : null}
      </View>
      {verification.status === 'rejected' ? (
        <Button
          className='btn btn--primary btn--block'
          data-testid='verification-resubmit'
          onClick={() => Taro.redirectTo({ url: `${BIND_PAGE}?resubmit=${encodeURIComponent(verification.id)}` })}
        >
          修改后重新提交
        </Button>
      ) : null}
      {verification.status === 'approved' ? (
        <Button className='btn btn--primary btn--block' onClick={() => Taro.switchTab({ url: HOME_PAGE })}>
          返回首页
        </Button>
      ) : null}
    </View>
  )
}

export default function VerificationProgress() {
  const verifications = useRemoteData(listMyVerificationsNewestFirst)

  useDidShow(() => {
    verifications.reload()
  })

  usePullDownRefresh(async () => {
    await verifications.reload()
    Taro.stopPullDownRefresh()
  })

  const [latest, ...earlier] = verifications.data ?? []

  return (
    <View className='page progress'>
      <PageState
        loading={verifications.loading}
        error={verifications.error}
        hasData={verifications.data !== undefined}
        onRetry={verifications.reload}
      >
        {latest ? (
          <LatestVerification verification={latest} />
        ) : (
          <View className='card' data-testid='verification-empty'>
            <Text className='card__title'>尚未提交企业认证</Text>
            <Text className='card__text'>绑定企业后即可使用融资、信用与政策服务。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.redirectTo({ url: BIND_PAGE })}>
              立即绑定企业
            </Button>
          </View>
        )}

        {earlier.length > 0 ? (
          <>
            <Text className='section-title'>历史申请</Text>
            {earlier.map((item) => (
              <View key={item.id} className='list-item' data-testid='verification-history-item'>
                <View>
                  <Text className='list-item__label'>{item.enterpriseName}</Text>
                  <Text className='muted progress-history__time'>{formatDateTime(item.createdAt)}</Text>
                </View>
                <Text className={`tag tag--${STATUS[item.status].tone}`}>{STATUS[item.status].label}</Text>
              </View>
            ))}
          </>
        ) : null}
      </PageState>
    </View>
  )
}
