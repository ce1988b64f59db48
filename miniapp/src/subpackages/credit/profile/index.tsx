import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { shanghaiDate, shiftDate } from '@xyd/shared'
import DimensionBars from '../../../components/charts/DimensionBars'
import ScoreLine from '../../../components/charts/ScoreLine'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import {
  DIMENSION_LABELS,
  DIMENSION_ORDER,
  historySeries,
  lostPointsText,
  myDataUrl,
  myDisputesUrl,
  ratingTone,
  tagClass,
  type CreditHistory,
  type CreditProfile,
  type CreditScore,
} from '../../../services/credit'
import { getMyCreditHistory, getMyCreditProfile, listMyEnterprises } from '../../../services/generated'
import { formatDateTime } from '../../../utils/format'
import './index.css'

interface ProfileData {
  profile: CreditProfile
  history: CreditHistory
}

/** The chart shows a year: the server answers at most 1,000 points, oldest first. */
const HISTORY_MONTHS = 12

/** The enterprise the URL names (from its card), else the user's first one; undefined when none is bound. */
async function loadProfile(requestedId: string | undefined): Promise<ProfileData | undefined> {
  const id = requestedId ?? (await listMyEnterprises())[0]?.id
  if (!id) return undefined
  const from = shiftDate(shanghaiDate(Date.now()), -HISTORY_MONTHS)
  const [profile, history] = await Promise.all([getMyCreditProfile({ id }), getMyCreditHistory({ id, from })])
  return { profile, history }
}

function ScoreSummary({ score }: { score: CreditScore }) {
  return (
    <View className='card credit-score' data-testid='credit-score-card'>
      <View className='credit-score__main'>
        <View>
          <Text className='credit-score__value' data-testid='credit-score'>
            {score.score}
          </Text>
          <Text className='credit-score__unit'>分</Text>
        </View>
        <Text className={`${tagClass(ratingTone(score.rating))} credit-score__rating`} data-testid='credit-rating'>
          {score.rating ?? '不予评级'}
        </Text>
      </View>
      {score.rating === null && score.noRatingReason ? (
        <Text className='notice notice--warning credit-score__note' data-testid='credit-no-rating-reason'>
          不予评级：{score.noRatingReason}
        </Text>
      ) : null}
      {score.cap ? (
        <Text className='notice notice--warning credit-score__note' data-testid='credit-cap'>
          {score.cap.reason}：评级由 {score.cap.from} 调整为 {score.cap.to}
        </Text>
      ) : null}
      <Text className='muted credit-score__version' data-testid='credit-version'>
        {score.scorecardName}（第 {score.scorecardVersion} 版）· 评分日期 {score.asOf} · 更新于 {formatDateTime(score.computedAt)}
      </Text>
    </View>
  )
}

function Reasons({ score }: { score: CreditScore }) {
  return (
    <View className='card'>
      <Text className='card__title'>扣分原因与改进建议</Text>
      {score.reasons.length === 0 ? (
        <Text className='card__text' data-testid='credit-no-reasons'>
          各项指标均已得到满分，请继续保持。
        </Text>
      ) : (
        score.reasons.map((reason) => (
          <View key={reason.feature} className='credit-reason' data-testid='credit-reason' data-feature={reason.feature}>
            <View className='credit-reason__head'>
              <Text className='credit-reason__label'>
                {reason.label}
                <Text className='muted'>（{DIMENSION_LABELS[reason.dimension]}）</Text>
              </Text>
              <Text className='credit-reason__lost' data-testid='credit-reason-lost'>
                {lostPointsText(reason.lost)}
              </Text>
            </View>
            <Text className='credit-reason__text'>{reason.reason}</Text>
            <Text className='credit-reason__advice' data-testid='credit-reason-advice'>
              建议：{reason.advice}
            </Text>
          </View>
        ))
      )}
    </View>
  )
}

function History({ history }: { history: CreditHistory }) {
  const series = historySeries(history)
  return (
    <View className='card' data-testid='credit-history'>
      <Text className='card__title'>评分历史</Text>
      {series.length === 0 ? (
        <Text className='card__text'>近一年暂无评分记录。</Text>
      ) : (
        <ScoreLine
          points={series.map((point, i) => ({
            key: `${point.asOf}-${i}`,
            value: point.score,
            label: point.asOf,
            // The rating where it changed (and at the start), with the score at the ends.
            note:
              i === 0 || i === series.length - 1
                ? `${point.rating ?? '不予评级'} ${point.score}`
                : point.rating !== series[i - 1].rating
                  ? (point.rating ?? '不予评级')
                  : undefined,
          }))}
        />
      )}
    </View>
  )
}

/** 信用画像: the enterprise's score and rating, why, what to do about it, its data and the score's history. */
export default function CreditProfile() {
  const router = useRouter()
  const requestedId = router?.params?.enterpriseId || undefined
  const page = useRemoteData(() => loadProfile(requestedId))

  useDidShow(() => {
    page.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const profile = page.data?.profile
  const score = profile?.score ?? null

  return (
    <View className='page credit-profile'>
      <PageState loading={page.loading} error={page.error} hasData={page.data !== undefined} onRetry={page.reload}>
        {!page.data || !profile ? (
          <View className='card' data-testid='credit-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，可以查看本企业的信用评分与评级。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : (
          <>
            <Text className='section-title' data-testid='credit-enterprise-name'>
              {profile.enterpriseName}
            </Text>

            {score ? (
              <>
                <ScoreSummary score={score} />
                <View className='card'>
                  <Text className='card__title'>五维得分</Text>
                  <DimensionBars items={DIMENSION_ORDER.map((key) => ({ key, label: DIMENSION_LABELS[key], value: score.dimensions[key] ?? null }))} />
                </View>
                <Reasons score={score} />
              </>
            ) : (
              <View className='card' data-testid='credit-no-score'>
                <Text className='card__title'>暂无评分：数据汇入后自动计算</Text>
                <Text className='card__text'>有关部门报送的本企业数据入库后，平台会自动计算信用评分与评级。</Text>
              </View>
            )}

            <View className='list-item credit-disputes-link' data-testid='credit-disputes-link' onClick={() => Taro.navigateTo({ url: myDisputesUrl(profile.enterpriseId) })}>
              <Text className='list-item__label'>我的异议</Text>
              <View>
                {profile.openDisputes > 0 ? (
                  <Text className='tag tag--warning' data-testid='credit-open-disputes'>
                    处理中 {profile.openDisputes}
                  </Text>
                ) : null}
                <Text className='list-item__arrow'> ›</Text>
              </View>
            </View>

            <View className='card'>
              <Text className='card__title'>数据记录</Text>
              {profile.recordCounts.map((count) => (
                <View
                  key={count.category}
                  className='credit-count'
                  data-testid='credit-record-count'
                  data-category={count.category}
                  onClick={() => Taro.navigateTo({ url: myDataUrl(profile.enterpriseId, count.category) })}
                >
                  <Text className='credit-count__label'>{count.label}</Text>
                  <View className='credit-count__figures'>
                    {count.adverse > 0 ? <Text className='tag tag--danger'>不良 {count.adverse}</Text> : null}
                    {count.disputed > 0 ? <Text className='tag tag--warning'>异议中 {count.disputed}</Text> : null}
                    <Text className='credit-count__value' data-testid='credit-record-count-value'>
                      {count.count} 条
                    </Text>
                    <Text className='list-item__arrow'> ›</Text>
                  </View>
                </View>
              ))}
            </View>

            <History history={page.data.history} />
          </>
        )}
      </PageState>
    </View>
  )
}
