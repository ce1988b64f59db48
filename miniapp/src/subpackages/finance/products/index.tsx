import { Button, Input, Picker, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro'
import type { TGuaranteeMethod } from '@xyd/shared'
import { useCallback, useRef, useState } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import {
  GUARANTEE_METHODS,
  GUARANTEE_METHOD_LABELS,
  NO_PRODUCT_FILTERS,
  productQuery,
  productUrl,
  type ProductFilters,
  type PublicProduct,
} from '../../../services/finance'
import { listPublicInstitutions, listPublicProducts } from '../../../services/generated'
import { errorMessage } from '../../../utils/errors'
import { flag } from '../../../utils/props'
import Chips from '../components/Chips'
import ProductFacts from '../components/ProductFacts'
import './index.css'

interface ProductPages {
  list: PublicProduct[]
  total: number
  /** Pages loaded so far. */
  page: number
}

const GUARANTEE_CHIPS = [
  { value: 'all' as const, label: '全部' },
  ...GUARANTEE_METHODS.map((m) => ({ value: m, label: GUARANTEE_METHOD_LABELS[m] })),
]

function ProductCard({ product }: { product: PublicProduct }) {
  return (
    <View
      className='card product-card'
      data-testid='product-card'
      data-id={product.id}
      onClick={() => Taro.navigateTo({ url: productUrl(product.id) })}
    >
      <View className='product-card__head'>
        <Text className='product-card__name' data-testid='product-name'>
          {product.name}
        </Text>
        {product.policySupport || product.type === 'policy' ? <Text className='tag tag--success'>政策支持</Text> : null}
      </View>
      <Text className='product-card__institution' data-testid='product-institution'>
        {product.institutionName}
      </Text>
      <ProductFacts product={product} />
    </View>
  )
}

/** 金融产品: the published products, filtered by what the firm needs, a page at a time. */
export default function Products() {
  const institutions = useRemoteData(listPublicInstitutions)
  // What is typed in the inputs; applied with 查询 (chips and the institution picker apply at once).
  const [typed, setTyped] = useState({ amountWan: '', termMonths: '' })
  const [filters, setFilters] = useState<ProductFilters>(NO_PRODUCT_FILTERS)
  const [filterProblem, setFilterProblem] = useState('')
  const [pages, setPages] = useState<ProductPages>()
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')
  const ticket = useRef(0)

  /** Page 1 replaces the list; later pages are appended. Answers to an older request are dropped. */
  const load = useCallback(async (next: ProductFilters, page: number) => {
    const built = productQuery(next, page)
    if (built.problem !== undefined) {
      setFilterProblem(built.problem)
      return
    }
    setFilterProblem('')
    setFilters(next)
    const mine = ++ticket.current
    setLoading(true)
    try {
      const result = await listPublicProducts(built.query)
      if (mine !== ticket.current) return
      setPages((current) => {
        if (page === 1 || !current) return { list: result.list, total: result.total, page }
        const known = new Set(current.list.map((p) => p.id))
        return { list: [...current.list, ...result.list.filter((p) => !known.has(p.id))], total: result.total, page }
      })
      setError('')
    } catch (e) {
      if (mine !== ticket.current) return
      setError(errorMessage(e, '加载失败，请稍后重试'))
    } finally {
      if (mine === ticket.current) setLoading(false)
    }
  }, [])

  useDidShow(() => {
    institutions.reload()
    if (!pages) load(filters, 1)
  })

  usePullDownRefresh(async () => {
    await Promise.all([institutions.reload(), load(filters, 1)])
    Taro.stopPullDownRefresh()
  })

  const hasMore = pages !== undefined && pages.list.length < pages.total
  const loadMore = () => {
    if (pages && hasMore && !loading) load(filters, pages.page + 1)
  }
  useReachBottom(loadMore)

  const search = () => load({ ...filters, ...typed }, 1)
  const chooseGuarantee = (value: TGuaranteeMethod | 'all') =>
    load({ ...filters, ...typed, guarantee: value === 'all' || value === filters.guarantee ? undefined : value }, 1)

  const institutionList = institutions.data ?? []
  const institutionNames = ['全部机构', ...institutionList.map((i) => i.name)]
  const institutionIndex = Math.max(0, institutionList.findIndex((i) => i.id === filters.institutionId) + 1)
  const chooseInstitution = (index: number) => load({ ...filters, ...typed, institutionId: institutionList[index - 1]?.id }, 1)

  return (
    <View className='page products'>
      <View className='card products-filters'>
        <View className='products-filters__row'>
          <View className='products-filters__field'>
            <Text className='products-filters__label'>融资金额（万元）</Text>
            <Input
              className='input'
              data-testid='products-amount'
              type='digit'
              placeholder='不限'
              value={typed.amountWan}
              onInput={(e) => setTyped((t) => ({ ...t, amountWan: e.detail.value }))}
              onConfirm={search}
            />
          </View>
          <View className='products-filters__field'>
            <Text className='products-filters__label'>期限（月）</Text>
            <Input
              className='input'
              data-testid='products-term'
              type='number'
              placeholder='不限'
              value={typed.termMonths}
              onInput={(e) => setTyped((t) => ({ ...t, termMonths: e.detail.value }))}
              onConfirm={search}
            />
          </View>
        </View>

        <Text className='products-filters__label'>担保方式</Text>
        <Chips testId='products-guarantee' options={GUARANTEE_CHIPS} selected={[filters.guarantee ?? 'all']} onToggle={chooseGuarantee} />

        <Text className='products-filters__label'>金融机构</Text>
        <Picker
          mode='selector'
          range={institutionNames}
          value={institutionIndex}
          data-testid='products-institution'
          onChange={(e) => chooseInstitution(Number(e.detail.value))}
        >
          <View className='products-picker'>
            <Text data-testid='products-institution-value'>{institutionNames[institutionIndex]}</Text>
            <Text className='list-item__arrow'>›</Text>
          </View>
        </Picker>

        {filterProblem ? (
          <Text className='products-filters__error' data-testid='products-filter-error'>
            {filterProblem}
          </Text>
        ) : null}
        <Button className='btn btn--primary btn--block' data-testid='products-search' onClick={search}>
          查询
        </Button>
      </View>

      <PageState loading={loading} error={error} hasData={pages !== undefined} onRetry={() => load(filters, 1)}>
        {pages && pages.list.length === 0 ? (
          <View className='card' data-testid='products-empty'>
            <Text className='card__title'>没有符合条件的产品</Text>
            <Text className='card__text'>可以放宽金额、期限或担保方式后再查询。</Text>
          </View>
        ) : null}
        {pages ? (
          <Text className='section-title' data-testid='products-total'>
            共 {pages.total} 款产品
          </Text>
        ) : null}
        {pages?.list.map((product) => <ProductCard key={product.id} product={product} />)}
        {hasMore ? (
          <Button className='btn btn--ghost btn--block' data-testid='products-more' disabled={flag(loading)} loading={flag(loading)} onClick={loadMore}>
            加载更多
          </Button>
        ) : pages && pages.list.length > 0 ? (
          <Text className='muted products-end'>没有更多了</Text>
        ) : null}
      </PageState>
    </View>
  )
}
