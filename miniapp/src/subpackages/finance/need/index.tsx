import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { useState, type ReactNode } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { tagClass } from '../../../services/credit'
import {
  GUARANTEE_METHOD_LABELS,
  NEED_PURPOSE_LABELS,
  NEED_STATUS_LABELS,
  NEED_URGENCY_LABELS,
  closeNeed,
  explainOutcome,
  fenToWan,
  findMyNeed,
  formatRateBp,
  myNeedsUrl,
  needFormUrl,
  needStatusTone,
  productUrl,
  type MyNeed,
  type NeedMatch,
} from '../../../services/finance'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import { flag } from '../../../utils/props'
import ProductFacts from '../components/ProductFacts'
import './index.css'

type Check = NeedMatch['outcome']['checks'][number]

/** One criterion's line as the matcher wrote it ("评级 A ≥ 要求 BBB ✓"), green when met and red when not. */
function CheckLine({ check, testId }: { check: Check; testId: string }) {
  return (
    <Text
      className={`need-check ${check.ok ? 'need-check--ok' : 'need-check--fail'}`}
      data-testid={testId}
      data-criterion={check.criterion}
      data-ok={check.ok ? 'true' : 'false'}
    >
      {check.text}
    </Text>
  )
}

function ProductHead({ match, children }: { match: NeedMatch; children?: ReactNode }) {
  return (
    <>
      <View className='need-match__head'>
        <Text className='need-match__name' data-testid='match-product-name'>
          {match.product.name}
        </Text>
        <View className='need-match__tags'>{children}</View>
      </View>
      <Text className='need-match__institution' data-testid='match-institution'>
        {match.product.institutionName}
      </Text>
      <ProductFacts product={match.product} />
    </>
  )
}

/** A recommended product: how well it fits, and every criterion checked against the firm; it opens with the need, to apply. */
function RecommendationCard({ match, need }: { match: NeedMatch; need: MyNeed }) {
  const { headline } = explainOutcome(match.outcome)
  return (
    <View
      className='card need-match rec-card'
      data-testid={`rec-${match.productId}`}
      data-product-id={match.productId}
      onClick={() => Taro.navigateTo({ url: productUrl(match.productId, { needId: need.id, enterpriseId: need.enterpriseId }) })}
    >
      <ProductHead match={match}>
        {match.isNew ? (
          <Text className='tag tag--danger' data-testid='rec-new'>
            新匹配
          </Text>
        ) : null}
        {match.addedByAdvisor ? <Text className='tag tag--primary'>顾问推荐</Text> : null}
      </ProductHead>
      <View className='need-match__score'>
        <Text className='need-match__score-label'>匹配度</Text>
        <Text className='need-match__score-value' data-testid='rec-score'>
          {match.outcome.score}
        </Text>
        <Text className='muted'>/ 100 · {headline}</Text>
      </View>
      <View className='need-match__checks'>
        {match.outcome.checks.map((check) => (
          <CheckLine key={check.criterion} check={check} testId='rec-check' />
        ))}
      </View>
    </View>
  )
}

/** A product the firm almost qualifies for: what it misses, and what would change that. */
function NearMissCard({ match }: { match: NeedMatch }) {
  const { headline } = explainOutcome(match.outcome)
  const failed = match.outcome.checks.filter((c) => !c.ok)
  const met = match.outcome.checks.length - failed.length
  return (
    <View className='card need-match near-card' data-testid={`near-${match.productId}`} data-product-id={match.productId}>
      <ProductHead match={match} />
      <Text className='near-card__headline' data-testid='near-headline'>
        {headline}
      </Text>
      {match.outcome.failed.map((criterion) => {
        const check = failed.find((c) => c.criterion === criterion)
        const advice = match.outcome.advice.filter((a) => a.criterion === criterion)
        return (
          <View key={criterion} className='near-card__gap' data-testid='near-gap' data-criterion={criterion}>
            {check ? <CheckLine check={check} testId='near-failed' /> : null}
            {advice.map((a, i) => (
              <Text key={i} className='near-card__advice' data-testid='near-advice'>
                {a.text}
              </Text>
            ))}
          </View>
        )
      })}
      {met > 0 ? <Text className='muted near-card__met'>其余 {met} 项条件均已符合</Text> : null}
      <Text className='near-card__link' onClick={() => Taro.navigateTo({ url: productUrl(match.productId) })}>
        查看产品 ›
      </Text>
    </View>
  )
}

function NeedSummaryCard({ need }: { need: MyNeed }) {
  const rows: Array<[string, string]> = [
    ['资金用途', NEED_PURPOSE_LABELS[need.purpose]],
    ['可接受担保', need.guaranteeMethods.map((m) => GUARANTEE_METHOD_LABELS[m]).join('、')],
    ['最高年利率', need.maxRateBp === null ? '不限' : formatRateBp(need.maxRateBp)],
    ['用款时间', NEED_URGENCY_LABELS[need.urgency]],
    ['提交时间', formatDateTime(need.submittedAt)],
  ]
  if (need.advisorName) rows.push(['融资顾问', need.advisorName])
  if (need.note) rows.push(['补充说明', need.note])
  return (
    <View className='card' data-testid='need-summary'>
      <View className='need-summary__head'>
        <Text className='need-summary__amount' data-testid='need-summary-amount'>
          {fenToWan(need.amountFen)} 万元 · {need.termMonths} 个月
        </Text>
        <Text className={tagClass(needStatusTone(need.status))} data-testid='need-status'>
          {NEED_STATUS_LABELS[need.status]}
        </Text>
      </View>
      {rows.map(([label, value]) => (
        <View key={label} className='need-row'>
          <Text className='need-row__label'>{label}</Text>
          <Text className='need-row__value'>{value}</Text>
        </View>
      ))}
    </View>
  )
}

function Released({ need }: { need: MyNeed }) {
  return (
    <>
      <View className='card need-release' data-testid='need-release'>
        <Text className='card__title'>融资顾问的推荐</Text>
        {need.releaseMessage ? (
          <Text className='card__text' data-testid='need-release-message'>
            {need.releaseMessage}
          </Text>
        ) : null}
        <Text className='muted need-release__meta'>
          {need.advisorName ? `${need.advisorName} · ` : ''}
          {need.releasedAt ? `推荐于 ${formatDateTime(need.releasedAt)}` : ''}
        </Text>
      </View>

      <Text className='section-title'>推荐产品（{need.recommendations.length}）</Text>
      <View data-testid='need-recommendations'>
        {need.recommendations.length === 0 ? (
          <View className='card' data-testid='need-no-recommendations'>
            <Text className='card__text'>暂时没有完全符合条件的产品{need.nearMisses.length > 0 ? '，可参考下方“差一点符合”的产品及改进建议。' : '。'}</Text>
          </View>
        ) : (
          need.recommendations.map((match) => <RecommendationCard key={match.productId} match={match} need={need} />)
        )}
      </View>

      {need.nearMisses.length > 0 ? (
        <View data-testid='need-near-misses'>
          <Text className='section-title'>差一点符合（{need.nearMisses.length}）</Text>
          <View className='notice notice--info'>
            <Text>这些产品只差一两项条件。按下面的建议改进，或到期后修改需求重新匹配，就可能获得推荐。</Text>
          </View>
          {need.nearMisses.map((match) => (
            <NearMissCard key={match.productId} match={match} />
          ))}
        </View>
      ) : null}
    </>
  )
}

/** 需求详情: the need, where it stands, and once the advisor released it the products with their reasons. */
export default function NeedDetail() {
  const params = useRouter()?.params
  const needId = params?.id ?? ''
  const page = useRemoteData(() => findMyNeed(needId, params?.enterpriseId || undefined))
  const [closing, setClosing] = useState(false)

  useDidShow(() => {
    page.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const need = page.data

  const close = async () => {
    if (!need || closing) return
    const { confirm } = await Taro.showModal({
      title: '关闭需求',
      content: '关闭后融资顾问将不再为这笔需求推荐产品，确定关闭吗？',
      confirmText: '关闭需求',
    })
    if (!confirm) return
    setClosing(true)
    try {
      page.setData(await closeNeed(need.enterpriseId, need.id))
      Taro.showToast({ title: '需求已关闭', icon: 'success' })
    } catch (e) {
      Taro.showToast({ title: errorMessage(e, '关闭失败，请稍后重试'), icon: 'none' })
    } finally {
      setClosing(false)
    }
  }

  return (
    <View className='page need'>
      <PageState loading={page.loading} error={page.error} hasData={need !== undefined} onRetry={page.reload}>
        {need ? (
          <>
            <NeedSummaryCard need={need} />

            {need.status === 'reviewing' ? (
              <View className='card' data-testid='need-reviewing'>
                <Text className='card__title'>顾问复核中</Text>
                <Text className='card__text'>系统已按企业情况匹配产品，融资顾问正在逐一复核。推荐结果发布后会通知您。</Text>
              </View>
            ) : null}
            {need.status === 'closed' ? (
              <View className='card' data-testid='need-closed'>
                <Text className='card__title'>需求已关闭</Text>
                <Text className='card__text'>如仍有融资需要，可以重新发布需求。</Text>
              </View>
            ) : null}
            {need.status === 'released' ? <Released need={need} /> : null}

            {need.status === 'closed' ? (
              <Button className='btn btn--primary btn--block' data-testid='need-new' onClick={() => Taro.navigateTo({ url: needFormUrl(need.enterpriseId) })}>
                发布新的需求
              </Button>
            ) : (
              <View className='need-actions'>
                <Button
                  className='btn btn--ghost need-actions__button'
                  data-testid='need-edit'
                  onClick={() => Taro.navigateTo({ url: needFormUrl(need.enterpriseId, need.id) })}
                >
                  修改需求
                </Button>
                <Button
                  className='btn btn--ghost need-actions__button need-actions__button--danger'
                  data-testid='need-close'
                  disabled={flag(closing)}
                  loading={flag(closing)}
                  onClick={close}
                >
                  关闭需求
                </Button>
              </View>
            )}
            <Text className='need-all-link' onClick={() => Taro.navigateTo({ url: myNeedsUrl(need.enterpriseId) })}>
              我的全部融资需求 ›
            </Text>
          </>
        ) : null}
      </PageState>
    </View>
  )
}
