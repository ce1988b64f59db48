import type { TCreditCategory, TCreditRecord, TCreditRecordSummary } from '@xyd/shared'

/** 我的数据 (subpackages/enterprise in app.config.ts). */
export const MY_DATA_PAGE = '/subpackages/enterprise/data/index'

export const CREDIT_RECORD_PAGE_SIZE = 20

/**
 * The same order and labels as shared's CREDIT_CATEGORIES / CREDIT_CATEGORY_LABELS, which live beside zod schemas the
 * mini-program does not bundle (tests/miniapp/my-data.test.tsx checks that they agree).
 */
export const CATEGORY_LABELS: Readonly<Record<TCreditCategory, string>> = {
  registration: '登记注册',
  licence: '行政许可',
  penalty: '行政处罚',
  blacklist: '黑名单',
  honour: '荣誉（红名单）',
  tax: '纳税',
  social_security: '社会保险',
  utility: '水电气',
  court_case: '司法诉讼',
  logistics: '物流仓单',
}
export const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS) as TCreditCategory[]

export interface CategoryTab {
  category: TCreditCategory
  label: string
  count: number
}

/** One tab per category, in the platform's order, with the firm's record count. */
export function categoryTabs(summary: TCreditRecordSummary): CategoryTab[] {
  const counts = new Map(summary.map((s) => [s.category, s.count]))
  return CATEGORY_ORDER.map((category) => ({ category, label: CATEGORY_LABELS[category], count: counts.get(category) ?? 0 }))
}

/** The tab to open first: the first category with data, or the first category when there is none. */
export function firstCategoryWithData(tabs: CategoryTab[]): TCreditCategory {
  return (tabs.find((t) => t.count > 0) ?? tabs[0])?.category ?? CATEGORY_ORDER[0]
}

/** When the record happened: its month (monthly data) or its date, and until when it runs. */
export function recordPeriod(record: Pick<TCreditRecord, 'period' | 'occurredOn' | 'endsOn'>): string {
  const start = record.period ?? record.occurredOn ?? ''
  if (!start) return record.endsOn ? `至 ${record.endsOn}` : ''
  return record.endsOn ? `${start} 至 ${record.endsOn}` : start
}
