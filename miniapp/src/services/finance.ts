import type { TGuaranteeMethod, TNeedPurpose, TNeedStatus, TNeedUrgency } from '@xyd/shared'
import { ApiError } from '@xyd/shared'
import { withParams, type Tone } from './credit'
import {
  closeMyNeed,
  getMyNeed,
  listMyEnterprises,
  submitNeed,
  updateMyNeed,
  type GetMyNeedResult,
  type GetNeedPrefillResult,
  type GetPublicProductResult,
  type ListMyNeedsResult,
  type ListPublicInstitutionsResult,
  type ListPublicProductsParams,
  type ListPublicProductsResult,
  type SubmitNeedBody,
} from './generated'

/** The API's shapes as the generated client types them. */
export type PublicProduct = GetPublicProductResult
export type ProductPage = ListPublicProductsResult
export type Institution = ListPublicInstitutionsResult[number]
export type NeedPrefill = GetNeedPrefillResult
export type MyNeed = GetMyNeedResult
export type NeedMatch = MyNeed['recommendations'][number]
export type NeedSummary = ListMyNeedsResult[number]
export type NeedBody = SubmitNeedBody
export type EnterpriseScale = NeedPrefill['scale']

// ---- pages (subpackages/finance in app.config.ts) -------------------------------------------------------------------

/** The server's notifications link to NEED_PAGE with only `id`: the page finds the enterprise itself. */
export const PRODUCTS_PAGE = '/subpackages/finance/products/index'
export const PRODUCT_PAGE = '/subpackages/finance/product/index'
export const NEED_FORM_PAGE = '/subpackages/finance/need-form/index'
export const MY_NEEDS_PAGE = '/subpackages/finance/needs/index'
export const NEED_PAGE = '/subpackages/finance/need/index'
/** 融资申请 and 授权 (services/applications.ts holds their calls). Notifications link to APPLICATION_PAGE with only `id`. */
export const APPLY_PAGE = '/subpackages/finance/apply/index'
export const MY_APPLICATIONS_PAGE = '/subpackages/finance/applications/index'
export const APPLICATION_PAGE = '/subpackages/finance/application/index'
export const ACCESS_LOG_PAGE = '/subpackages/finance/access-log/index'
export const MY_GRANTS_PAGE = '/subpackages/finance/grants/index'

/** A product; opened from a need's recommendation it carries the need (and its enterprise) on to the application. */
export const productUrl = (productId: string, from: { needId?: string; enterpriseId?: string } = {}) =>
  withParams(PRODUCT_PAGE, { id: productId, needId: from.needId, enterpriseId: from.enterpriseId })
/** Without an enterprise the pages use the user's first one; with a need id the form edits that need. */
export const needFormUrl = (enterpriseId?: string, needId?: string) => withParams(NEED_FORM_PAGE, { enterpriseId, needId })
export const myNeedsUrl = (enterpriseId?: string) => withParams(MY_NEEDS_PAGE, { enterpriseId })
export const needUrl = (needId: string, enterpriseId?: string) => withParams(NEED_PAGE, { id: needId, enterpriseId })
export const applyUrl = (productId: string, needId?: string, enterpriseId?: string) => withParams(APPLY_PAGE, { productId, needId, enterpriseId })
export const myApplicationsUrl = (enterpriseId?: string) => withParams(MY_APPLICATIONS_PAGE, { enterpriseId })
export const applicationUrl = (applicationId: string, enterpriseId?: string) => withParams(APPLICATION_PAGE, { id: applicationId, enterpriseId })
export const accessLogUrl = (enterpriseId?: string) => withParams(ACCESS_LOG_PAGE, { enterpriseId })
export const myGrantsUrl = (enterpriseId?: string) => withParams(MY_GRANTS_PAGE, { enterpriseId })

/** The subscription template the server uses to tell the firm its recommendation is out. */
export const NEED_RECOMMENDATION_TEMPLATE = 'need_recommendation'

// ---- labels and limits ----------------------------------------------------------------------------------------------

/**
 * Labels, limits, formatting and the explanation of a match come from shared's zod-free modules (matching/labels.ts,
 * matching/match.ts): the same code the server and the console use.
 */
import {
  GUARANTEE_METHODS,
  GUARANTEE_METHOD_LABELS,
  MAX_AMOUNT_FEN,
  MAX_RATE_BP,
  MAX_TERM_MONTHS,
  NEED_AMOUNT_MIN_FEN,
  NEED_NOTE_MAX,
  NEED_PURPOSES,
  NEED_URGENCIES,
  formatRateBp,
} from '@xyd/shared'

export {
  GUARANTEE_METHODS,
  GUARANTEE_METHOD_LABELS,
  MATCH_CRITERION_LABELS,
  MAX_AMOUNT_FEN,
  MAX_RATE_BP,
  MAX_TERM_MONTHS,
  NEED_AMOUNT_MIN_FEN,
  NEED_NOTE_MAX,
  NEED_PURPOSES,
  NEED_PURPOSE_LABELS,
  NEED_STATUS_LABELS,
  NEED_URGENCIES,
  NEED_URGENCY_LABELS,
  PRODUCT_TYPE_LABELS,
  REPAYMENT_METHOD_LABELS,
  SCALE_LABELS,
  explainOutcome,
  formatRateBp,
} from '@xyd/shared'

export const PRODUCT_PAGE_SIZE = 10

/** Exact decimal text of `value / 10^places` for a non-negative integer, without trailing zeros: (12340000, 6) → "12.34". */
function scaledText(value: number, places: number): string {
  const unit = 10 ** places
  const whole = Math.floor(value / unit)
  const fraction = String(value % unit).padStart(places, '0').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : String(whole)
}

/** Fen as 万元 for the form's input and the cards: 12340000 → "12.34". */
export const fenToWan = (fen: number) => scaledText(fen, 6)
/** Basis points as a percentage for the form's input: 385 → "3.85". */
export const bpToPercent = (bp: number) => scaledText(bp, 2)

export function amountRangeText(minFen: number, maxFen: number): string {
  return minFen === maxFen ? `${fenToWan(minFen)} 万元` : `${fenToWan(minFen)}–${fenToWan(maxFen)} 万元`
}

export function termRangeText(minMonths: number, maxMonths: number): string {
  return minMonths === maxMonths ? `${minMonths} 个月` : `${minMonths}–${maxMonths} 个月`
}

export function rateRangeText(minBp: number, maxBp: number): string {
  return minBp === maxBp ? formatRateBp(minBp) : `${formatRateBp(minBp)}–${formatRateBp(maxBp)}`
}

export const guaranteeText = (methods: readonly TGuaranteeMethod[]) => methods.map((m) => GUARANTEE_METHOD_LABELS[m]).join('、')

// ---- reading typed numbers exactly ----------------------------------------------------------------------------------

type Parsed = { value: number; problem?: undefined } | { value?: undefined; problem: string }

/**
 * A decimal typed by the user as an integer count of 10^-places units, by its digits (never through a float, so
 * 4.35 is 435 and not 434.99…). null for an empty input.
 */
function parseScaled(text: string, places: number, label: string, maxIntegerDigits: number, tooPrecise: string): Parsed | null {
  const trimmed = text.trim().replace(/,/g, '')
  if (trimmed === '') return null
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed)
  if (!match || (match[1] === '' && !match[2])) return { problem: `${label}应为数字` }
  const [, whole, fraction = ''] = match
  if (fraction.length > places) return { problem: tooPrecise }
  const digits = whole.replace(/^0+(?=\d)/, '')
  // Past this many digits the value is far beyond every limit; stop before a double loses integer precision.
  if (digits.length > maxIntegerDigits) return { value: Number.MAX_SAFE_INTEGER }
  return { value: Number(digits || '0') * 10 ** places + Number(fraction.padEnd(places, '0')) }
}

/** 万元 as typed → fen: "12.34" → 12,340,000. */
export const parseWanToFen = (text: string, label = '金额') => parseScaled(text, 6, label, 9, `${label}最多精确到分（小数点后 6 位）`)
/** % a year as typed → basis points: "3.85" → 385. */
export const parsePercentToBp = (text: string, label = '利率') => parseScaled(text, 2, label, 6, `${label}最多保留 2 位小数`)

// ---- the need form --------------------------------------------------------------------------------------------------

export type NeedField = 'amountFen' | 'termMonths' | 'purpose' | 'guaranteeMethods' | 'maxRateBp' | 'urgency' | 'note'
export type NeedFieldErrors = Partial<Record<NeedField, string>>

/** The request as the form holds it before its values are complete. */
export interface NeedDraft {
  amountFen: number | null
  termMonths: number | null
  purpose: TNeedPurpose | null
  guaranteeMethods: TGuaranteeMethod[]
  maxRateBp: number | null
  urgency: TNeedUrgency | null
  note: string
}

/** ZNeedInput's rules and words, first problem per field (the server applies them again). */
export function needDraftProblems(draft: NeedDraft): NeedFieldErrors {
  const errors: NeedFieldErrors = {}
  const amount = draft.amountFen
  if (amount === null || !Number.isFinite(amount)) errors.amountFen = '请填写融资金额'
  else if (!Number.isInteger(amount)) errors.amountFen = '金额应为以分为单位的整数'
  else if (amount < NEED_AMOUNT_MIN_FEN) errors.amountFen = '融资金额至少 1,000 元'
  else if (amount > MAX_AMOUNT_FEN) errors.amountFen = '融资金额不能超过 100 亿元'
  const term = draft.termMonths
  if (term === null || !Number.isFinite(term)) errors.termMonths = '请填写融资期限'
  else if (!Number.isInteger(term)) errors.termMonths = '期限应为整月数'
  else if (term < 1) errors.termMonths = '期限至少 1 个月'
  else if (term > MAX_TERM_MONTHS) errors.termMonths = '期限不能超过 360 个月'
  if (!draft.purpose || !NEED_PURPOSES.includes(draft.purpose)) errors.purpose = '请选择资金用途'
  if (draft.guaranteeMethods.some((m) => !GUARANTEE_METHODS.includes(m))) errors.guaranteeMethods = '担保方式不正确'
  else if (draft.guaranteeMethods.length === 0) errors.guaranteeMethods = '请至少选择一种可接受的担保方式'
  const rate = draft.maxRateBp
  if (rate !== null) {
    if (!Number.isInteger(rate)) errors.maxRateBp = '利率应为基点整数（385 表示 3.85%）'
    else if (rate < 1) errors.maxRateBp = '可接受利率应大于 0'
    else if (rate > MAX_RATE_BP) errors.maxRateBp = '可接受利率不能超过 36%'
  }
  if (!draft.urgency || !NEED_URGENCIES.includes(draft.urgency)) errors.urgency = '请选择用款时间'
  if (draft.note.trim().length > NEED_NOTE_MAX) errors.note = '补充说明最多 500 个字'
  return errors
}

/** What the user typed and chose: amounts and rates are text (万元, %), the rest as the request has them. */
export interface NeedFormValues {
  amountWan: string
  termMonths: number | null
  purpose: TNeedPurpose | null
  guaranteeMethods: TGuaranteeMethod[]
  maxRatePercent: string
  urgency: TNeedUrgency | null
  note: string
}

/** The form's starting values from a request (the prefill's suggestion, or the need being edited). */
export function needFormValues(input: Pick<NeedBody, 'amountFen' | 'termMonths' | 'purpose' | 'guaranteeMethods' | 'maxRateBp' | 'urgency' | 'note'>): NeedFormValues {
  return {
    amountWan: fenToWan(input.amountFen),
    termMonths: input.termMonths,
    purpose: input.purpose,
    guaranteeMethods: [...input.guaranteeMethods],
    maxRatePercent: input.maxRateBp === null ? '' : bpToPercent(input.maxRateBp),
    urgency: input.urgency,
    note: input.note ?? '',
  }
}

/** The request to send, or the problems to show beside each field. An empty rate means no ceiling (null). */
export function readNeedForm(values: NeedFormValues): { body: NeedBody; errors?: undefined } | { body?: undefined; errors: NeedFieldErrors } {
  const amount = parseWanToFen(values.amountWan, '融资金额')
  const rate = parsePercentToBp(values.maxRatePercent, '可接受利率')
  const draft: NeedDraft = {
    amountFen: amount?.value ?? null,
    termMonths: values.termMonths,
    purpose: values.purpose,
    guaranteeMethods: values.guaranteeMethods,
    maxRateBp: rate?.value ?? null,
    urgency: values.urgency,
    note: values.note,
  }
  const errors = needDraftProblems(draft)
  if (amount?.problem) errors.amountFen = amount.problem
  if (rate?.problem) errors.maxRateBp = rate.problem
  if (Object.keys(errors).length > 0) return { errors }
  return {
    body: {
      amountFen: draft.amountFen as number,
      termMonths: draft.termMonths as number,
      purpose: draft.purpose as TNeedPurpose,
      guaranteeMethods: [...draft.guaranteeMethods],
      maxRateBp: draft.maxRateBp,
      urgency: draft.urgency as TNeedUrgency,
      note: draft.note.trim(),
    },
  }
}

const NEED_FIELDS: readonly NeedField[] = ['amountFen', 'termMonths', 'purpose', 'guaranteeMethods', 'maxRateBp', 'urgency', 'note']

/** The server's field messages by form field: `guaranteeMethods.1` belongs to guaranteeMethods. */
export function needFieldErrorsOf(error: unknown): NeedFieldErrors {
  if (!(error instanceof ApiError)) return {}
  const errors: NeedFieldErrors = {}
  for (const { field, message } of error.errorFields) {
    const name = field.split('.')[0] as NeedField
    if (NEED_FIELDS.includes(name)) errors[name] ??= message
  }
  return errors
}

/** Terms the picker offers, with the value already chosen when it is not a usual one (a prefill of 9 months). */
const USUAL_TERMS = [1, 3, 6, 12, 18, 24, 36, 48, 60, 84, 120, 180, 240, 360]
export function termOptions(current: number | null): number[] {
  const terms = current && !USUAL_TERMS.includes(current) ? [...USUAL_TERMS, current] : USUAL_TERMS
  return [...terms].sort((a, b) => a - b)
}

/** Sends a new need; the key is the form's, so a double tap or a retry files one need. */
export function submitNewNeed(enterpriseId: string, body: NeedBody, idempotencyKey: string): Promise<MyNeed> {
  return submitNeed({ id: enterpriseId }, body, { idempotencyKey })
}

export function updateNeed(enterpriseId: string, needId: string, body: NeedBody): Promise<MyNeed> {
  return updateMyNeed({ id: enterpriseId, needId }, body)
}

export function closeNeed(enterpriseId: string, needId: string): Promise<MyNeed> {
  return closeMyNeed({ id: enterpriseId, needId })
}

/**
 * A need of one of the user's enterprises. Links from notifications name only the need, so without an enterprise
 * each of the user's enterprises is asked in turn (another enterprise's need answers 404).
 */
export async function findMyNeed(needId: string, enterpriseId?: string): Promise<MyNeed> {
  if (enterpriseId) return getMyNeed({ id: enterpriseId, needId })
  for (const enterprise of await listMyEnterprises()) {
    try {
      return await getMyNeed({ id: enterprise.id, needId })
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e
    }
  }
  throw new ApiError({ status: 404, errorCode: 'NOT_FOUND', errorMessage: '需求不存在或无权访问' })
}

// ---- browsing products ----------------------------------------------------------------------------------------------

/** The list's filters as the user set them: the amount typed in 万元 and the term in months, as text. */
export interface ProductFilters {
  amountWan: string
  termMonths: string
  guarantee?: TGuaranteeMethod
  institutionId?: string
}

export const NO_PRODUCT_FILTERS: ProductFilters = { amountWan: '', termMonths: '' }

/** The query for the filters, or the problem with what was typed (the same limits as ZPublicProductQuery). */
export function productQuery(
  filters: ProductFilters,
  current: number,
): { query: ListPublicProductsParams; problem?: undefined } | { query?: undefined; problem: string } {
  const amount = parseWanToFen(filters.amountWan, '金额')
  if (amount?.problem !== undefined) return { problem: amount.problem }
  const amountFen = amount?.value
  if (amountFen !== undefined && amountFen < 1) return { problem: '金额应大于 0' }
  if (amountFen !== undefined && amountFen > MAX_AMOUNT_FEN) return { problem: '金额不能超过 100 亿元' }
  const termText = filters.termMonths.trim()
  let termMonths: number | undefined
  if (termText) {
    if (!/^\d+$/.test(termText)) return { problem: '期限应为整月数' }
    termMonths = Number(termText)
    if (termMonths < 1) return { problem: '期限至少 1 个月' }
    if (termMonths > MAX_TERM_MONTHS) return { problem: '期限不能超过 360 个月' }
  }
  return {
    query: {
      current,
      pageSize: PRODUCT_PAGE_SIZE,
      amountFen,
      termMonths,
      guarantee: filters.guarantee,
      institutionId: filters.institutionId,
    },
  }
}

/** Waiting for the advisor amber, a recommendation out green, closed plain grey (see credit.ts's tagClass). */
export function needStatusTone(status: TNeedStatus): Tone | null {
  if (status === 'reviewing') return 'warning'
  if (status === 'released') return 'success'
  return null
}
