import Taro from '@tarojs/taro'
import type { TApplicationAction, TApplicationStatus, TDataScope } from '@xyd/shared'
import { ApiError } from '@xyd/shared'
import type { Tone } from './credit'
import { amountRangeText, fenToWan, formatRateBp, parseWanToFen, termRangeText, type PublicProduct } from './finance'
import {
  consentToReferral,
  getMyApplication,
  listMyEnterprises,
  moveMyApplication,
  revokeApplicationGrant,
  submitApplication,
  type GetMyApplicationResult,
  type ListMyAccessLogResult,
  type ListMyApplicationsResult,
  type ListMyGrantsResult,
  type SubmitApplicationBody,
} from './generated'

/** The API's shapes as the generated client types them. */
export type ApplicationDetail = GetMyApplicationResult
export type ApplicationSummary = ListMyApplicationsResult[number]
export type ApplicationEvent = ApplicationDetail['events'][number]
export type ApplicationOffer = NonNullable<ApplicationDetail['offer']>
export type ApplicationLoan = NonNullable<ApplicationDetail['loan']>
export type Grant = ListMyGrantsResult[number]
export type AccessLogPage = ListMyAccessLogResult
export type AccessLogEntry = AccessLogPage['list'][number]
export type ApplicationBody = SubmitApplicationBody

// ---- labels and limits ----------------------------------------------------------------------------------------------

/** From shared's zod-free modules (applications/states.ts, applications/labels.ts, common/calendar.ts). */
import { DATA_SCOPES, GRANT_DEFAULT_DAYS, GRANT_MAX_DAYS, RECORD_SCOPES, addDays, shanghaiDate } from '@xyd/shared'

export {
  ACCESS_ACTION_LABELS,
  ACCESS_CHANNEL_LABELS,
  APPLICATION_ACTION_LABELS,
  APPLICATION_STATUS_LABELS,
  DATA_SCOPES,
  DATA_SCOPE_DETAILS,
  DATA_SCOPE_LABELS,
  GRANT_DEFAULT_DAYS,
  GRANT_MAX_DAYS,
  GRANT_STATUS_LABELS,
  LOAN_STATUS_LABELS,
} from '@xyd/shared'

export const ACCESS_LOG_PAGE_SIZE = 20
export const APPLICATION_PURPOSE_MAX = 200

/** The moves a member of the enterprise makes; anything else in `moves` is not the firm's to show. */
export const ENTERPRISE_ACTIONS: readonly TApplicationAction[] = ['accept_offer', 'decline_offer', 'withdraw']

/** The buttons to show: the server's `moves`, in the order above. */
export const enterpriseMoves = (detail: Pick<ApplicationDetail, 'moves'>): TApplicationAction[] =>
  ENTERPRISE_ACTIONS.filter((action) => detail.moves.includes(action))

/** Waiting amber, an offer blue, money out green, refused or late red, closed plain grey (see credit.ts's tagClass). */
export function applicationStatusTone(status: TApplicationStatus): Tone | null {
  if (status === 'submitted' || status === 'accepted' || status === 'investigating') return 'warning'
  if (status === 'approved') return 'primary'
  if (status === 'disbursed') return 'success'
  if (status === 'rejected' || status === 'overdue') return 'danger'
  return null
}

/** The statuses after the institution recorded the disbursement: only then is there a loan to show. */
export const LOAN_STATUSES_OF_APPLICATION: readonly TApplicationStatus[] = ['disbursed', 'overdue', 'settled']

const ACTOR_LABELS: Record<ApplicationEvent['actorKind'], string> = {
  institution: '金融机构',
  enterprise: '企业',
  system: '系统',
  platform: '平台',
  agency: '信用服务机构',
}

/** Who made a step of the timeline: "金融机构 · 李经理", or the kind alone when the server names no one. */
export const eventActorText = (event: Pick<ApplicationEvent, 'actorKind' | 'actorName'>) =>
  event.actorName ? `${ACTOR_LABELS[event.actorKind]} · ${event.actorName}` : ACTOR_LABELS[event.actorKind]

export const scopesText = (scopes: readonly TDataScope[], labels: Record<TDataScope, string>) => scopes.map((s) => labels[s]).join('、')

export const offerText = (offer: Pick<ApplicationOffer, 'amountFen' | 'rateBp' | 'termMonths'>) =>
  `${fenToWan(offer.amountFen)} 万元、年利率 ${formatRateBp(offer.rateBp)}、${offer.termMonths} 个月`

// ---- the grant's dates ----------------------------------------------------------------------------------------------

export interface GrantDates {
  /** Today in Asia/Shanghai. */
  today: string
  /** The earliest last day the form accepts: tomorrow. */
  min: string
  /** The proposed last day. */
  proposed: string
  /** The latest last day: today + GRANT_MAX_DAYS. */
  max: string
}

export function grantDates(now: number = Date.now()): GrantDates {
  const today = shanghaiDate(now)
  return { today, min: addDays(today, 1), proposed: addDays(today, GRANT_DEFAULT_DAYS), max: addDays(today, GRANT_MAX_DAYS) }
}

// ---- the application form -------------------------------------------------------------------------------------------

export type ApplyField = 'amountFen' | 'termMonths' | 'purpose' | 'scopes' | 'expiresOn' | 'consent'
export type ApplyFieldErrors = Partial<Record<ApplyField, string>>

/** What the user typed and chose: the amount in 万元 and the term in months as text. */
export interface ApplyFormValues {
  amountWan: string
  termMonths: string
  purpose: string
  scopes: TDataScope[]
  expiresOn: string
  /** The separate tick under the grant: never on by default, never implied by anything else. */
  consent: boolean
}

/** The product's limits the form checks before sending. */
export type ProductLimits = Pick<PublicProduct, 'id' | 'amountMinFen' | 'amountMaxFen' | 'termMinMonths' | 'termMaxMonths'>

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

/** The scopes ticked at first: the firm's master data and its credit report, not the records item by item. */
export const DEFAULT_SCOPES: readonly TDataScope[] = ['registration', 'credit_score']

/**
 * The grant screen shows the records item by item, one scope per group of categories, under a heading of their own;
 * the registration records go with the firm's master data, above them with the credit report.
 */
export const RECORD_DETAIL_SCOPES: readonly TDataScope[] = RECORD_SCOPES.filter((s) => s !== 'registration')
export const OVERVIEW_SCOPES: readonly TDataScope[] = DATA_SCOPES.filter((s) => !RECORD_DETAIL_SCOPES.includes(s))

/**
 * The form's starting values: the need's amount and term when the firm applies from a recommendation, brought inside
 * the product's range; else the product's smallest amount and a year's term (within range). Consent starts unticked.
 */
export function applyFormValues(
  product: ProductLimits,
  dates: GrantDates,
  need?: { amountFen: number; termMonths: number; purpose?: string },
): ApplyFormValues {
  const amountFen = clamp(need?.amountFen ?? product.amountMinFen, product.amountMinFen, product.amountMaxFen)
  const termMonths = clamp(need?.termMonths ?? 12, product.termMinMonths, product.termMaxMonths)
  return {
    amountWan: fenToWan(amountFen),
    termMonths: String(termMonths),
    purpose: need?.purpose ?? '',
    scopes: [...DEFAULT_SCOPES],
    expiresOn: dates.proposed,
    consent: false,
  }
}

export const CONSENT_MISSING = '请先勾选“我已阅读并同意上述数据授权”，再提交申请'

/** The request to send, or the problems to show beside each field (ZApplicationCreate's rules plus the product's range). */
export function readApplyForm(
  values: ApplyFormValues,
  product: ProductLimits,
  dates: GrantDates,
  needId?: string,
): { body: ApplicationBody; errors?: undefined } | { body?: undefined; errors: ApplyFieldErrors } {
  const errors: ApplyFieldErrors = {}

  const amount = parseWanToFen(values.amountWan, '申请金额')
  if (!amount) errors.amountFen = '请填写申请金额'
  else if (amount.problem !== undefined) errors.amountFen = amount.problem
  else if (amount.value < product.amountMinFen || amount.value > product.amountMaxFen) {
    errors.amountFen = `申请金额应在本产品额度范围内（${amountRangeText(product.amountMinFen, product.amountMaxFen)}）`
  }

  const termText = values.termMonths.trim()
  const term = Number(termText)
  if (!termText) errors.termMonths = '请填写申请期限'
  else if (!/^\d+$/.test(termText)) errors.termMonths = '申请期限应为整月数'
  else if (term < product.termMinMonths || term > product.termMaxMonths) {
    errors.termMonths = `申请期限应在本产品期限范围内（${termRangeText(product.termMinMonths, product.termMaxMonths)}）`
  }

  const purpose = values.purpose.trim()
  if (purpose.length > APPLICATION_PURPOSE_MAX) errors.purpose = `资金用途最多 ${APPLICATION_PURPOSE_MAX} 个字`

  if (values.scopes.length === 0) errors.scopes = '请至少选择一项授权数据'
  if (!values.expiresOn) errors.expiresOn = '请选择授权截止日期'
  else if (values.expiresOn < dates.min) errors.expiresOn = '授权截止日期应晚于今天'
  else if (values.expiresOn > dates.max) errors.expiresOn = `授权最长 ${GRANT_MAX_DAYS} 天，截止日期不能晚于 ${dates.max}`

  if (!values.consent) errors.consent = CONSENT_MISSING

  if (Object.keys(errors).length > 0) return { errors }
  return {
    body: {
      productId: product.id,
      ...(needId ? { needId } : {}),
      amountFen: amount!.value as number,
      termMonths: term,
      purpose,
      grant: {
        // In the platform's order, whatever order they were ticked in.
        scopes: DATA_SCOPES.filter((s) => values.scopes.includes(s)),
        expiresOn: values.expiresOn,
        consent: true,
      },
    },
  }
}

const APPLY_FIELDS: readonly ApplyField[] = ['amountFen', 'termMonths', 'purpose', 'scopes', 'expiresOn', 'consent']

/** The server's field messages by form field: `grant.scopes.0` belongs to scopes, `grant.consent` to the consent tick. */
export function applyFieldErrorsOf(error: unknown): ApplyFieldErrors {
  if (!(error instanceof ApiError)) return {}
  const errors: ApplyFieldErrors = {}
  for (const { field, message } of error.errorFields) {
    const parts = field.split('.')
    const name = (parts[0] === 'grant' ? (parts[1] ?? 'consent') : parts[0]) as ApplyField
    if (APPLY_FIELDS.includes(name)) errors[name] ??= message
  }
  return errors
}

/** Sends the application; the key is the form's, so a double tap or a retry files one application. */
export function submitNewApplication(enterpriseId: string, body: ApplicationBody, idempotencyKey: string): Promise<ApplicationDetail> {
  return submitApplication({ id: enterpriseId }, body, { idempotencyKey })
}

// ---- one application ------------------------------------------------------------------------------------------------

/**
 * An application of one of the user's enterprises. Links from notifications name only the application, so without
 * an enterprise each of the user's enterprises is asked in turn (another enterprise's application answers 404).
 */
export async function findMyApplication(applicationId: string, enterpriseId?: string): Promise<ApplicationDetail> {
  if (enterpriseId) return getMyApplication({ id: enterpriseId, applicationId })
  for (const enterprise of await listMyEnterprises()) {
    try {
      return await getMyApplication({ id: enterprise.id, applicationId })
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e
    }
  }
  throw new ApiError({ status: 404, errorCode: 'NOT_FOUND', errorMessage: '申请不存在或无权访问' })
}

type ApplicationRef = Pick<ApplicationDetail, 'id' | 'enterpriseId'>
const pathOf = (application: ApplicationRef) => ({ id: application.enterpriseId, applicationId: application.id })

/** A move at the version the user saw: if the application changed meanwhile the server answers 409. */
export function moveApplication(application: ApplicationRef & Pick<ApplicationDetail, 'version'>, action: TApplicationAction): Promise<ApplicationDetail> {
  return moveMyApplication(pathOf(application), { action, version: application.version })
}

export function revokeGrant(application: ApplicationRef): Promise<ApplicationDetail> {
  return revokeApplicationGrant(pathOf(application))
}

export function consentReferral(application: ApplicationRef): Promise<ApplicationDetail> {
  return consentToReferral(pathOf(application), { consent: true })
}

/** The application changed under the user (another member, the institution): the page reloads and says so. */
export const isStale = (error: unknown) => error instanceof ApiError && error.status === 409
export const STALE_MESSAGE = '申请状态已变化，已刷新'

/** Asks before a revocation, in the words of what it does: access stops at once. */
export async function confirmRevokeGrant(organisationName: string): Promise<boolean> {
  const { confirm } = await Taro.showModal({
    title: '撤销数据授权',
    content: `撤销后，${organisationName}将立即无法再查看本企业的数据，本申请的审批或贷后管理可能因此无法继续。确定撤销吗？`,
    confirmText: '确定撤销',
  })
  return confirm
}
