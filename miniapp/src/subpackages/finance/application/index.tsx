import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import type { TApplicationAction } from '@xyd/shared'
import { formatFenAsYuan } from '@xyd/shared'
import { useState } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import {
  APPLICATION_ACTION_LABELS,
  APPLICATION_STATUS_LABELS,
  DATA_SCOPE_LABELS,
  GRANT_STATUS_LABELS,
  LOAN_STATUSES_OF_APPLICATION,
  LOAN_STATUS_LABELS,
  STALE_MESSAGE,
  applicationStatusTone,
  confirmRevokeGrant,
  consentReferral,
  enterpriseMoves,
  eventActorText,
  findMyApplication,
  isStale,
  moveApplication,
  offerText,
  revokeGrant,
  scopesText,
  type ApplicationDetail,
  type ApplicationLoan,
  type ApplicationOffer,
} from '../../../services/applications'
import { tagClass } from '../../../services/credit'
import {
  GUARANTEE_METHOD_LABELS,
  REPAYMENT_METHOD_LABELS,
  accessLogUrl,
  fenToWan,
  formatRateBp,
  myApplicationsUrl,
  productUrl,
} from '../../../services/finance'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import { flag } from '../../../utils/props'
import './index.css'

type Rows = Array<[string, string, string?]>

/** Label–value lines; the third item is the value's test id. */
function RowList({ rows }: { rows: Rows }) {
  return (
    <>
      {rows.map(([label, value, testId]) => (
        <View key={label} className='app-row'>
          <Text className='app-row__label'>{label}</Text>
          <Text className='app-row__value' data-testid={testId}>
            {value}
          </Text>
        </View>
      ))}
    </>
  )
}

function SummaryCard({ application }: { application: ApplicationDetail }) {
  const rows: Rows = [
    ['金融机构', application.institutionName, 'application-institution'],
    ['申请金额', `${fenToWan(application.amountFen)} 万元`, 'application-amount'],
    ['申请期限', `${application.termMonths} 个月`, 'application-term'],
  ]
  if (application.purpose) rows.push(['资金用途', application.purpose])
  rows.push(['提交时间', formatDateTime(application.submittedAt), 'application-submitted'])
  return (
    <View className='card' data-testid='application-summary'>
      <View className='app-summary__head'>
        <Text className='app-summary__product' data-testid='application-product'>
          {application.productName}
        </Text>
        <Text className={tagClass(applicationStatusTone(application.status))} data-testid='application-status' data-status={application.status}>
          {APPLICATION_STATUS_LABELS[application.status]}
        </Text>
      </View>
      <RowList rows={rows} />
    </View>
  )
}

/** The institution's working-day clock while it has still to accept or decide. */
function SlaNotice({ application }: { application: ApplicationDetail }) {
  const open = application.status === 'submitted' || application.status === 'accepted' || application.status === 'investigating'
  if (!open || application.sla.metAt) return null
  const what = application.sla.stage === 'accept' ? '受理' : '给出审批结果'
  return (
    <View className='notice notice--info' data-testid='application-sla'>
      <Text>
        按平台服务时限，机构应在 {application.sla.dueOn} 前{what}
        {application.sla.confirmed ? '' : '（以当年节假日安排为准）'}。
      </Text>
    </View>
  )
}

function OfferCard({ application, offer }: { application: ApplicationDetail; offer: ApplicationOffer }) {
  const rows: Rows = [
    ['批准金额', `${fenToWan(offer.amountFen)} 万元`, 'application-offer-amount'],
    ['年利率', formatRateBp(offer.rateBp), 'application-offer-rate'],
    ['期限', `${offer.termMonths} 个月`, 'application-offer-term'],
    ['还款方式', REPAYMENT_METHOD_LABELS[offer.repaymentMethod]],
    ['担保方式', GUARANTEE_METHOD_LABELS[offer.guaranteeMethod]],
  ]
  return (
    <View className='card app-offer' data-testid='application-offer'>
      <Text className='card__title'>审批结果（批复）</Text>
      <RowList rows={rows} />
      {application.status === 'approved' && application.offerAccepted ? (
        <Text className='app-note' data-testid='application-offer-accepted'>
          您已接受批复，请等待机构办理放款。
        </Text>
      ) : null}
      {application.status === 'approved' && !application.offerAccepted ? (
        <Text className='app-note'>请确认是否接受以上批复；接受后机构方可办理放款。</Text>
      ) : null}
      {application.status === 'offer_declined' ? <Text className='app-note'>您已放弃本次批复。</Text> : null}
    </View>
  )
}

function LoanCard({ loan }: { loan: ApplicationLoan }) {
  const { figures } = loan
  const rows: Rows = [
    ['还款状态', LOAN_STATUS_LABELS[figures.status], 'application-loan-status'],
    ['放款金额', `${fenToWan(loan.amountFen)} 万元`, 'application-loan-amount'],
    ['执行年利率', formatRateBp(loan.rateBp)],
    ['放款日期', loan.disbursedOn],
    ['到期日期', loan.maturityOn],
    ['贷款余额', formatFenAsYuan(figures.balanceFen), 'application-loan-balance'],
  ]
  if (figures.overdueFen > 0) rows.push(['逾期金额', formatFenAsYuan(figures.overdueFen), 'application-loan-overdue'])
  if (figures.status !== 'settled') {
    rows.push(['下一期还款', figures.nextDue ? `${figures.nextDue.dueOn} · ${formatFenAsYuan(figures.nextDue.amountFen)}` : '—', 'application-loan-next'])
  }
  return (
    <View className='card' data-testid='application-loan'>
      <Text className='card__title'>贷款信息</Text>
      <RowList rows={rows} />
      <Text className='muted app-note'>数据截至 {loan.asOf}，以金融机构报送为准。</Text>
    </View>
  )
}

function Timeline({ application }: { application: ApplicationDetail }) {
  const events = [...application.events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  return (
    <View className='card' data-testid='application-timeline'>
      <Text className='card__title'>办理进度</Text>
      {events.length === 0 ? <Text className='card__text'>暂无记录。</Text> : null}
      {events.map((event) => (
        <View key={event.id} className='app-event' data-testid='application-event' data-kind={event.kind}>
          <View className='app-event__dot' />
          <View className='app-event__body'>
            <Text className='app-event__label' data-testid='application-event-label'>
              {event.label}
            </Text>
            <Text className='muted app-event__meta' data-testid='application-event-meta'>
              {formatDateTime(event.at)} · {eventActorText(event)}
            </Text>
            {event.note ? (
              <Text className='app-event__note' data-testid='application-event-note'>
                {event.note}
              </Text>
            ) : null}
          </View>
        </View>
      ))}
    </View>
  )
}

/** 申请详情: where the application stands, the offer and the firm's answer to it, the data grant, and the loan. */
export default function ApplicationPage() {
  const params = useRouter()?.params
  const applicationId = params?.id ?? ''
  const page = useRemoteData(() => findMyApplication(applicationId, params?.enterpriseId || undefined))
  const [busy, setBusy] = useState<string | null>(null)

  useDidShow(() => {
    page.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const application = page.data

  /** Runs a change the user confirmed; a 409 means the application moved meanwhile, so the page shows it as it is now. */
  const perform = async (key: string, change: () => Promise<ApplicationDetail>, done: string) => {
    if (busy) return
    setBusy(key)
    try {
      page.setData(await change())
      Taro.showToast({ title: done, icon: 'success' })
    } catch (e) {
      if (isStale(e)) {
        await page.reload()
        Taro.showToast({ title: STALE_MESSAGE, icon: 'none' })
      } else {
        Taro.showToast({ title: errorMessage(e, '操作失败，请稍后重试'), icon: 'none' })
      }
    } finally {
      setBusy(null)
    }
  }

  const move = async (action: TApplicationAction) => {
    if (!application || busy) return
    const ask = MOVE_CONFIRMS[action]
    if (ask) {
      const { confirm } = await Taro.showModal(ask(application))
      if (!confirm) return
    }
    await perform(action, () => moveApplication(application, action), MOVE_DONE[action] ?? '已提交')
  }

  const revoke = async () => {
    if (!application || busy) return
    const grant = application.grants.find((g) => g.status === 'active')
    if (!(await confirmRevokeGrant(grant?.organisationName ?? application.institutionName))) return
    await perform('revoke', () => revokeGrant(application), '授权已撤销')
  }

  const refer = async () => {
    if (!application || busy) return
    await perform('referral', () => consentReferral(application), '已同意推荐')
  }

  const moves = application ? enterpriseMoves(application) : []
  const hasActiveGrant = application ? application.grantActive || application.grants.some((g) => g.status === 'active') : false

  return (
    <View className='page application'>
      <PageState loading={page.loading} error={page.error} hasData={application !== undefined} onRetry={page.reload}>
        {application ? (
          <>
            <SummaryCard application={application} />
            <SlaNotice application={application} />

            {application.offer ? <OfferCard application={application} offer={application.offer} /> : null}

            {application.status === 'rejected' ? (
              <View className='card app-rejection' data-testid='application-rejection'>
                <Text className='card__title'>未通过原因</Text>
                {application.rejection ? (
                  <>
                    <Text className='app-rejection__label' data-testid='application-rejection-label'>
                      {application.rejection.label}
                    </Text>
                    <Text className='card__text' data-testid='application-rejection-text'>
                      {application.rejection.text}
                    </Text>
                  </>
                ) : null}
                {application.referral.consentedAt ? (
                  <View data-testid='application-referral'>
                    <Text className='app-note'>您已同意推荐给其他产品（{formatDateTime(application.referral.consentedAt)}）。</Text>
                    {application.referral.products.length === 0 ? (
                      <Text className='muted app-note' data-testid='application-referral-waiting'>
                        平台正在为您匹配其他产品，有结果后会通知您。
                      </Text>
                    ) : (
                      application.referral.products.map((product) => (
                        <View
                          key={product.id}
                          className='app-referral'
                          data-testid='application-referral-product'
                          onClick={() => Taro.navigateTo({ url: productUrl(product.id) })}
                        >
                          <Text className='app-referral__name'>{product.name}</Text>
                          <Text className='muted'>{product.institutionName} ›</Text>
                        </View>
                      ))
                    )}
                  </View>
                ) : (
                  <>
                    <Text className='app-note'>同意后，平台可将您推荐给其他可能符合条件的金融产品。</Text>
                    <Button
                      className='btn btn--primary btn--block'
                      data-testid='application-referral-consent'
                      disabled={flag(busy !== null)}
                      loading={flag(busy === 'referral')}
                      onClick={refer}
                    >
                      同意推荐给其他产品
                    </Button>
                  </>
                )}
              </View>
            ) : null}

            {application.loan && LOAN_STATUSES_OF_APPLICATION.includes(application.status) ? <LoanCard loan={application.loan} /> : null}

            {moves.length > 0 ? (
              <View className='app-moves' data-testid='application-moves'>
                {moves.map((action) => (
                  <Button
                    key={action}
                    className={`btn ${action === 'accept_offer' ? 'btn--primary' : 'btn--ghost app-moves__danger'} btn--block`}
                    data-testid={`application-move-${action}`}
                    disabled={flag(busy !== null)}
                    loading={flag(busy === action)}
                    onClick={() => move(action)}
                  >
                    {APPLICATION_ACTION_LABELS[action]}
                  </Button>
                ))}
              </View>
            ) : null}

            <Timeline application={application} />

            <Text className='section-title'>数据授权</Text>
            {application.grants.map((grant) => {
              const rows: Rows = [
                ['授权数据', scopesText(grant.scopes, DATA_SCOPE_LABELS), 'application-grant-scopes'],
                ['有效期至', grant.expiresOn, 'application-grant-expires'],
              ]
              if (grant.purpose) rows.push(['用途', grant.purpose])
              rows.push(['授权时间', `${formatDateTime(grant.grantedAt)} · ${grant.grantedByName}`])
              if (grant.revokedAt) rows.push(['撤销时间', `${formatDateTime(grant.revokedAt)}${grant.revokedByName ? ` · ${grant.revokedByName}` : ''}`])
              return (
                <View key={grant.id} className='card' data-testid='application-grant' data-status={grant.status}>
                  <View className='app-summary__head'>
                    <Text className='app-grant__organisation' data-testid='application-grant-organisation'>
                      {grant.organisationName}
                    </Text>
                    <Text className={tagClass(grant.status === 'active' ? 'success' : null)} data-testid='application-grant-status'>
                      {GRANT_STATUS_LABELS[grant.status]}
                    </Text>
                  </View>
                  <RowList rows={rows} />
                </View>
              )
            })}
            {application.agencies.length > 0 ? (
              <View className='card' data-testid='application-agencies'>
                <Text className='card__title'>受托信用服务机构</Text>
                {application.agencies.map((agency) => (
                  <Text key={agency.id} className='card__text' data-testid='application-agency'>
                    {agency.agencyName}：受{application.institutionName}委托（{formatDateTime(agency.commissionedAt)}），在本授权的范围和期限内查看数据。
                  </Text>
                ))}
              </View>
            ) : null}
            {hasActiveGrant ? (
              <Button
                className='btn btn--ghost btn--block app-moves__danger'
                data-testid='application-revoke-grant'
                disabled={flag(busy !== null)}
                loading={flag(busy === 'revoke')}
                onClick={revoke}
              >
                撤销授权
              </Button>
            ) : null}
            <View className='app-links'>
              <View className='list-item' data-testid='application-access-log' onClick={() => Taro.navigateTo({ url: accessLogUrl(application.enterpriseId) })}>
                <Text className='list-item__label'>谁查看了我的数据</Text>
                <Text className='list-item__arrow'>›</Text>
              </View>
              <View className='list-item' data-testid='application-all' onClick={() => Taro.navigateTo({ url: myApplicationsUrl(application.enterpriseId) })}>
                <Text className='list-item__label'>我的全部融资申请</Text>
                <Text className='list-item__arrow'>›</Text>
              </View>
            </View>
          </>
        ) : null}
      </PageState>
    </View>
  )
}

interface Confirm {
  title: string
  content: string
  confirmText: string
}

/** What each of the firm's moves asks first: none of them can be undone. */
const MOVE_CONFIRMS: Partial<Record<TApplicationAction, (application: ApplicationDetail) => Confirm>> = {
  withdraw: () => ({ title: '撤回申请', content: '撤回后机构将停止办理本申请，且不能恢复。确定撤回吗？', confirmText: '确定撤回' }),
  accept_offer: (application) => ({
    title: '接受批复',
    content: application.offer ? `接受 ${offerText(application.offer)} 的批复后，机构将为您办理放款。确定接受吗？` : '确定接受批复吗？',
    confirmText: '确定接受',
  }),
  decline_offer: () => ({ title: '放弃批复', content: '放弃后本次批复作废，如仍需融资须重新申请。确定放弃吗？', confirmText: '确定放弃' }),
}

const MOVE_DONE: Partial<Record<TApplicationAction, string>> = {
  withdraw: '申请已撤回',
  accept_offer: '已接受批复',
  decline_offer: '已放弃批复',
}
