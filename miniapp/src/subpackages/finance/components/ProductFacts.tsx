import { Text, View } from '@tarojs/components'
import {
  PRODUCT_TYPE_LABELS,
  amountRangeText,
  guaranteeText,
  rateRangeText,
  termRangeText,
  type PublicProduct,
} from '../../../services/finance'
import './ProductFacts.css'

type Terms = Pick<
  PublicProduct,
  'type' | 'amountMinFen' | 'amountMaxFen' | 'termMinMonths' | 'termMaxMonths' | 'rateMinBp' | 'rateMaxBp' | 'guaranteeMethods'
>

/** A product's headline terms: amount in 万元, term, annual rate and guarantee methods, as every finance card shows them. */
export default function ProductFacts({ product }: { product: Terms }) {
  return (
    <View className='product-facts'>
      <View className='product-facts__item'>
        <Text className='product-facts__label'>额度</Text>
        <Text className='product-facts__value' data-testid='product-amount'>
          {amountRangeText(product.amountMinFen, product.amountMaxFen)}
        </Text>
      </View>
      <View className='product-facts__item'>
        <Text className='product-facts__label'>期限</Text>
        <Text className='product-facts__value' data-testid='product-term'>
          {termRangeText(product.termMinMonths, product.termMaxMonths)}
        </Text>
      </View>
      <View className='product-facts__item'>
        <Text className='product-facts__label'>年利率</Text>
        <Text className='product-facts__value product-facts__value--rate' data-testid='product-rate'>
          {rateRangeText(product.rateMinBp, product.rateMaxBp)}
        </Text>
      </View>
      <View className='product-facts__item'>
        <Text className='product-facts__label'>类型 · 担保</Text>
        <Text className='product-facts__value' data-testid='product-guarantee'>
          {PRODUCT_TYPE_LABELS[product.type]} · {guaranteeText(product.guaranteeMethods)}
        </Text>
      </View>
    </View>
  )
}
