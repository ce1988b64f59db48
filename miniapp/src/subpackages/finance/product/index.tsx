import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { PRODUCT_TYPE_LABELS, REPAYMENT_METHOD_LABELS, applyUrl, needFormUrl, type PublicProduct } from '../../../services/finance'
import { getPublicProduct, listMyEnterprises } from '../../../services/generated'
import { formatDateTime } from '../../../utils/format'
import ProductFacts from '../components/ProductFacts'
import { criteriaLines, regionNames } from '../criteria'
import './index.css'

function Criteria({ product }: { product: PublicProduct }) {
  const [regions, setRegions] = useState<ReadonlyMap<string, string>>(new Map())
  const codes = product.criteria.regionCodes
  useEffect(() => {
    let current = true
    if (codes.length > 0) regionNames(codes).then((names) => current && setRegions(names))
    return () => {
      current = false
    }
    // The codes of one product revision; joined so that a new array of the same codes does not fetch again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [codes.join(',')])

  return (
    <View className='card' data-testid='product-criteria'>
      <Text className='card__title'>申请条件</Text>
      {criteriaLines(product.criteria, regions).map((line) => (
        <View key={line.key} className='product-row' data-testid={`product-criterion-${line.key}`}>
          <Text className='product-row__label'>{line.label}</Text>
          <Text className='product-row__value'>{line.text}</Text>
        </View>
      ))}
    </View>
  )
}

/** The enterprise that may apply: the one the URL names (a need's), else the user's first; none when unbound. */
async function applyingEnterprise(requestedId: string | undefined): Promise<string | null> {
  const enterprises = await listMyEnterprises()
  return (enterprises.find((e) => e.id === requestedId) ?? enterprises[0])?.id ?? null
}

/**
 * 产品详情: a published product's terms, who may apply, what to bring, and the way to ask for it. Opened from a
 * need's recommendation the URL carries the need, which goes on to the application.
 */
export default function ProductDetail() {
  const params = useRouter()?.params
  const id = params?.id ?? ''
  const needId = params?.needId || undefined
  const page = useRemoteData(() => getPublicProduct({ id }))
  // 申请 is for a member of a bound enterprise; the product itself is public, so this failing hides only the button.
  const applicant = useRemoteData(() => applyingEnterprise(params?.enterpriseId || undefined))

  useDidShow(() => {
    page.reload()
    applicant.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const product = page.data

  return (
    <View className='page product'>
      <PageState loading={page.loading} error={page.error} hasData={product !== undefined} onRetry={page.reload}>
        {product ? (
          <>
            <View className='card'>
              <Text className='product__name' data-testid='product-name'>
                {product.name}
              </Text>
              <View className='product__tags'>
                <Text className='tag tag--primary'>{PRODUCT_TYPE_LABELS[product.type]}</Text>
                {product.policySupport || product.type === 'policy' ? <Text className='tag tag--success'>政策支持</Text> : null}
              </View>
              <Text className='product__institution' data-testid='product-institution'>
                {product.institutionName}
              </Text>
              {product.summary ? <Text className='card__text product__summary'>{product.summary}</Text> : null}
              <ProductFacts product={product} />
            </View>

            <View className='card' data-testid='product-terms'>
              <Text className='card__title'>产品要素</Text>
              <View className='product-row'>
                <Text className='product-row__label'>还款方式</Text>
                <Text className='product-row__value' data-testid='product-repayment'>
                  {product.repaymentMethods.map((m) => REPAYMENT_METHOD_LABELS[m]).join('、')}
                </Text>
              </View>
              <View className='product-row'>
                <Text className='product-row__label'>办结时限</Text>
                <Text className='product-row__value' data-testid='product-turnaround'>
                  申请后 {product.turnaroundDays} 个工作日内给出审批结果
                </Text>
              </View>
              {product.publishedAt ? (
                <View className='product-row'>
                  <Text className='product-row__label'>上架时间</Text>
                  <Text className='product-row__value'>{formatDateTime(product.publishedAt)}</Text>
                </View>
              ) : null}
            </View>

            <Criteria product={product} />

            <View className='card' data-testid='product-documents'>
              <Text className='card__title'>申请材料</Text>
              {product.requiredDocuments.length === 0 ? (
                <Text className='card__text'>以金融机构受理时的要求为准。</Text>
              ) : (
                product.requiredDocuments.map((doc, index) => (
                  <Text key={`${doc}-${index}`} className='product-document' data-testid='product-document'>
                    {index + 1}. {doc}
                  </Text>
                ))
              )}
            </View>

            {applicant.data ? (
              <Button
                className='btn btn--primary btn--block'
                data-testid='product-apply'
                onClick={() => Taro.navigateTo({ url: applyUrl(product.id, needId, applicant.data ?? undefined) })}
              >
                申请
              </Button>
            ) : null}
            <Button
              className={`btn ${applicant.data ? 'btn--ghost' : 'btn--primary'} btn--block`}
              data-testid='product-publish-need'
              onClick={() => Taro.navigateTo({ url: needFormUrl() })}
            >
              发布融资需求
            </Button>
            <Text className='muted product__hint'>发布需求后，平台按企业情况匹配产品，融资顾问复核后向您推荐。</Text>
          </>
        ) : null}
      </PageState>
    </View>
  )
}
