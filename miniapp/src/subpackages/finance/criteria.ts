import { PENALTY_SEVERITIES, PENALTY_SEVERITY_LABELS, industryByCode } from '@xyd/shared'
import { listRegions, type ListRegionsResult } from '../../services/generated'
import { SCALE_LABELS, type PublicProduct } from '../../services/finance'

/**
 * A product's admission criteria in plain Chinese, for the product page. Kept in the subpackage: industry names
 * come from shared's GB/T 4754 table, which the main package must not carry.
 */

export type ProductCriteria = PublicProduct['criteria']

export interface CriterionLine {
  key: string
  label: string
  text: string
}

type Region = ListRegionsResult[number]

/** The region lists already fetched, by parent code ('' for the provinces); they never change while the app runs. */
const regionLists = new Map<string, Promise<Region[]>>()

function regionsUnder(parent: string): Promise<Region[]> {
  let list = regionLists.get(parent)
  if (!list) {
    list = listRegions(parent ? { parent } : {})
    // A failed fetch is not kept: the next page open asks again.
    list.catch(() => regionLists.delete(parent))
    regionLists.set(parent, list)
  }
  return list
}

/**
 * The full name of a GB/T 2260 code ("浙江省杭州市西湖区"), walking province → city → district the way the server
 * files them (a municipality's districts sit right under it); the code itself when the server does not know it.
 */
async function regionFullName(code: string): Promise<string> {
  const provinceCode = `${code.slice(0, 2)}0000`
  const province = (await regionsUnder('')).find((r) => r.code === provinceCode)
  if (!province) return code
  if (code === provinceCode) return province.name
  const underProvince = await regionsUnder(provinceCode)
  const direct = underProvince.find((r) => r.code === code)
  if (direct) return province.name + direct.name
  const city = underProvince.find((r) => r.code === `${code.slice(0, 4)}00`)
  if (!city) return code
  const district = (await regionsUnder(city.code)).find((r) => r.code === code)
  return district ? province.name + city.name + district.name : code
}

/** Names of the given region codes; the page still shows the codes when the lookup fails. */
export async function regionNames(codes: readonly string[]): Promise<Map<string, string>> {
  const names = await Promise.all(codes.map((code) => regionFullName(code).catch(() => code)))
  return new Map(codes.map((code, i) => [code, names[i]]))
}

function industryName(code: string): string {
  return industryByCode(code)?.name ?? code
}

/** Penalties more severe than the limit's, in words: maxSeverity 一般 → "较重、严重". */
function severitiesAbove(maxSeverity: (typeof PENALTY_SEVERITIES)[number]): string {
  return PENALTY_SEVERITIES.slice(PENALTY_SEVERITIES.indexOf(maxSeverity) + 1)
    .map((s) => PENALTY_SEVERITY_LABELS[s])
    .join('、')
}

/** One line per criterion, in the order the matcher checks them; 不限 where the product sets none. */
export function criteriaLines(criteria: ProductCriteria, regions: ReadonlyMap<string, string>): CriterionLine[] {
  const lines: CriterionLine[] = []
  const add = (key: string, label: string, text: string) => lines.push({ key, label, text })

  add('region', '区域', criteria.regionCodes.length === 0 ? '全国' : criteria.regionCodes.map((c) => regions.get(c) ?? c).join('、'))

  const included = criteria.industriesIncluded.map(industryName).join('、')
  const excluded = criteria.industriesExcluded.map(industryName).join('、')
  add('industry', '行业', `${included || '不限'}${excluded ? `（不含${excluded}）` : ''}`)

  add('scale', '企业规模', criteria.scales.length === 0 ? '不限' : `${criteria.scales.map((s) => SCALE_LABELS[s]).join('、')}企业`)
  add('years', '成立年限', criteria.minYearsEstablished ? `成立满 ${criteria.minYearsEstablished} 年` : '不限')
  add('rating', '信用评级', criteria.minRating ? `${criteria.minRating} 及以上` : '不限')

  const above = criteria.penaltyLimit ? severitiesAbove(criteria.penaltyLimit.maxSeverity) : ''
  add(
    'penalty',
    '行政处罚',
    criteria.penaltyLimit && above ? `近 ${criteria.penaltyLimit.months} 个月内无${above}行政处罚（已信用修复的不计）` : '不限',
  )

  const exclusions = [
    criteria.excludeBlacklisted ? '列入失信黑名单' : '',
    criteria.noTaxArrears ? '存在欠税' : '',
    criteria.noSocialArrears ? '拖欠社保费' : '',
    criteria.noEnforcement ? '有未结的被执行案件' : '',
  ].filter(Boolean)
  add('exclusions', '不予受理', exclusions.length === 0 ? '无' : exclusions.join('、'))
  return lines
}
