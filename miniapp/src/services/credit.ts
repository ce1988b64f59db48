import Taro from '@tarojs/taro'
import type {
  TCreditCategory,
  TCreditDimension,
  TCreditRating,
  TCreditRecord,
  TDisputeCreate,
  TDisputeStatus,
} from '@xyd/shared'
import { CATEGORY_ORDER, MY_DATA_PAGE } from './credit-data'
import {
  raiseCreditDispute,
  type GetMyCreditHistoryResult,
  type GetMyCreditProfileResult,
  type ListMyCreditDisputesResult,
  type RaiseCreditDisputeResult,
} from './generated'
import { API_PATHS } from './generated/paths'
import { request, type LocalFile } from './request'

/** The API's shapes as the generated client types them (the OpenAPI document, where a record's keys are optional). */
export type CreditProfile = GetMyCreditProfileResult
export type CreditScore = NonNullable<CreditProfile['score']>
export type CreditHistory = GetMyCreditHistoryResult
export type CreditDispute = ListMyCreditDisputesResult[number]

/** 信用画像 and 异议 (subpackages/credit in app.config.ts). The server's notifications link to the profile page. */
export const CREDIT_PROFILE_PAGE = '/subpackages/credit/profile/index'
export const DISPUTE_FORM_PAGE = '/subpackages/credit/dispute/index'
export const MY_DISPUTES_PAGE = '/subpackages/credit/disputes/index'

/**
 * These duplicate shared's CREDIT_RATINGS, CREDIT_DIMENSIONS / CREDIT_DIMENSION_LABELS, DISPUTE_STATUS_LABELS,
 * DISPUTE_DEADLINE_DAYS and ZDisputeCreate's reason limits, which live beside zod schemas the mini-program does not
 * bundle (tests/miniapp/credit-profile.test.tsx and credit-dispute.test.tsx check that they agree).
 */
export const RATINGS: readonly TCreditRating[] = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C']
export const DIMENSION_LABELS: Readonly<Record<TCreditDimension, string>> = {
  basic: '基本信息',
  operations: '经营状况',
  tax: '纳税信用',
  social: '社会责任',
  negative: '负面记录',
}
export const DIMENSION_ORDER = Object.keys(DIMENSION_LABELS) as TCreditDimension[]
export const DISPUTE_LABELS: Readonly<Record<TDisputeStatus, string>> = {
  open: '处理中',
  upheld: '异议成立（记录已撤回）',
  rejected: '异议不成立（记录维持）',
  withdrawn: '已撤回异议',
}
export const DISPUTE_DEADLINE_DAYS = 20
export const DISPUTE_REASON_MIN = 5
export const DISPUTE_REASON_MAX = 500

// ---- navigation -------------------------------------------------------------------------------------------------

/** A page path with its query; empty values are left out. */
export const withParams = (page: string, params: Record<string, string | undefined>) => {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')
  return query ? `${page}?${query}` : page
}

/** Without an enterprise the pages open the user's first one (as the notification links do). */
export const creditProfileUrl = (enterpriseId?: string) => withParams(CREDIT_PROFILE_PAGE, { enterpriseId })
export const myDisputesUrl = (enterpriseId?: string) => withParams(MY_DISPUTES_PAGE, { enterpriseId })
/** 我的数据 opened at one enterprise and category (from the profile's record counts). */
export const myDataUrl = (enterpriseId?: string, category?: TCreditCategory) => withParams(MY_DATA_PAGE, { enterpriseId, category })
export const disputeFormUrl = (record: Pick<TCreditRecord, 'enterpriseId' | 'id' | 'category'>) =>
  withParams(DISPUTE_FORM_PAGE, { enterpriseId: record.enterpriseId, recordId: record.id, category: record.category })

// ---- the record being disputed ----------------------------------------------------------------------------------

/**
 * 我的数据 hands the tapped record to the dispute form here: there is no API for one record, and a URL is no place
 * for its fields. After a reload (H5) the form has only the ids from its URL and says so.
 */
let recordToDispute: TCreditRecord | undefined

export function rememberRecordToDispute(record: TCreditRecord): void {
  recordToDispute = record
}

export function recordToDisputeById(recordId: string | undefined): TCreditRecord | undefined {
  return recordToDispute && recordToDispute.id === recordId ? recordToDispute : undefined
}

/** Tells pages still open (我的数据) that a record is now under dispute, so they need not reload. */
const DISPUTE_RAISED = 'credit:dispute-raised'

export function announceDisputeRaised(dispute: Pick<CreditDispute, 'recordId'>): void {
  Taro.eventCenter.trigger(DISPUTE_RAISED, dispute.recordId)
}

/** Returns the unsubscribe function, for a useEffect cleanup. */
export function onDisputeRaised(handler: (recordId: string) => void): () => void {
  Taro.eventCenter.on(DISPUTE_RAISED, handler)
  return () => {
    Taro.eventCenter.off(DISPUTE_RAISED, handler)
  }
}

// ---- the dispute form -------------------------------------------------------------------------------------------

/** The same rule and words as ZDisputeCreate, which the server applies again. */
export function disputeReasonProblem(reason: string): string | null {
  const length = reason.trim().length
  if (length === 0) return '请填写异议理由'
  if (length < DISPUTE_REASON_MIN) return `异议理由至少 ${DISPUTE_REASON_MIN} 个字`
  if (length > DISPUTE_REASON_MAX) return `异议理由最多 ${DISPUTE_REASON_MAX} 个字`
  return null
}

export const EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
const EVIDENCE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'pdf']
const EVIDENCE_MIME_TYPES = ['image/jpeg', 'image/jpg', 'image/png', 'application/pdf']

/** A picked evidence photo. */
export interface EvidenceFile extends LocalFile {
  size: number
  /** H5: the browser's MIME type. */
  type?: string
}

/** Why a picked file cannot be sent as evidence, or null. The server reads the content itself; this spares a 5 MB upload. */
export function evidenceProblem(file: EvidenceFile): string | null {
  const extension = /\.([a-z0-9]+)$/i.exec(file.name ?? file.path)?.[1]?.toLowerCase()
  const type = (file.type ?? '').toLowerCase()
  if ((extension && !EVIDENCE_EXTENSIONS.includes(extension)) || (type.includes('/') && !EVIDENCE_MIME_TYPES.includes(type))) {
    return '证明材料只能是 JPEG、PNG 图片或 PDF 文件'
  }
  if (file.size > EVIDENCE_MAX_BYTES) return '证明材料不能超过 5 MB'
  return null
}

/**
 * Raises a dispute: multipart with the evidence when there is one (Taro can only upload a file), JSON otherwise,
 * which the route accepts too. Either way the creating call carries the caller's idempotency key.
 */
export function raiseDispute(
  enterpriseId: string,
  form: TDisputeCreate,
  evidence: LocalFile | null,
  idempotencyKey: string,
): Promise<RaiseCreditDisputeResult> {
  if (evidence) return raiseCreditDispute({ id: enterpriseId }, form, { evidence }, { idempotencyKey })
  return request<RaiseCreditDisputeResult>({
    url: API_PATHS.raiseCreditDispute.replace('{id}', encodeURIComponent(enterpriseId)),
    method: 'POST',
    data: form,
    idempotencyKey,
  })
}

// ---- showing scores and disputes --------------------------------------------------------------------------------

export type Tone = 'success' | 'primary' | 'warning' | 'danger'

/** The tag colour of a rating: A grades green, BBB–BB blue, B–CCC amber, CC–C red; no rating is a warning. */
export function ratingTone(rating: TCreditRating | null): Tone {
  if (!rating) return 'warning'
  const rank = RATINGS.indexOf(rating)
  if (rank <= 2) return 'success'
  if (rank <= 4) return 'primary'
  if (rank <= 6) return 'warning'
  return 'danger'
}

/** Points lost, as the reasons list shows them: `−12 分` (a tenth where the scorecard has fractions). */
export function lostPointsText(lost: number): string {
  const rounded = Math.round(lost * 10) / 10
  return `−${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)} 分`
}

export interface HistoryPoint {
  asOf: string
  score: number
  rating: TCreditRating | null
}

/**
 * The history as the chart draws it: one point per change of score or rating (recomputes that changed nothing add
 * no point), the latest `max` of them.
 */
export function historySeries(history: Pick<CreditHistory, 'points'>, max = 12): HistoryPoint[] {
  const changes: HistoryPoint[] = []
  for (const point of history.points) {
    const last = changes[changes.length - 1]
    if (last && last.score === point.score && last.rating === point.rating) continue
    changes.push({ asOf: point.asOf, score: point.score, rating: point.rating })
  }
  return changes.slice(-max)
}

/** The 20-day clock of an open dispute, from the server's count of days left; null once resolved. */
export function disputeClock(dispute: Pick<CreditDispute, 'status' | 'daysLeft'>): { text: string; overdue: boolean } | null {
  if (dispute.status !== 'open' || dispute.daysLeft === null) return null
  if (dispute.daysLeft > 0) return { text: `剩余 ${dispute.daysLeft} 天`, overdue: false }
  if (dispute.daysLeft === 0) return { text: '今日到期', overdue: false }
  return { text: `已超期 ${-dispute.daysLeft} 天`, overdue: true }
}

/** Upheld is good news for the firm; a dispute it withdrew itself is plain grey. */
export function disputeTone(status: TDisputeStatus): Tone | null {
  if (status === 'open') return 'warning'
  if (status === 'upheld') return 'success'
  if (status === 'rejected') return 'danger'
  return null
}

/** `tag tag--success`, or a plain `tag`. */
export const tagClass = (tone: Tone | null) => (tone ? `tag tag--${tone}` : 'tag')

/** The category a page's URL names, when it is one. */
export function asCategory(value: string | undefined): TCreditCategory | undefined {
  return CATEGORY_ORDER.find((c) => c === value)
}
