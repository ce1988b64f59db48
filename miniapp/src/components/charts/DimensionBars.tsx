import { Text, View } from '@tarojs/components'
import { clampPercent, pct } from './geometry'
import './index.css'

export interface DimensionBar {
  key: string
  label: string
  /** 0–100; null when the scorecard version does not assess the dimension. */
  value: number | null
}

interface Props {
  items: DimensionBar[]
  /** Below this a bar is drawn in the warning colour. */
  lowBelow?: number
}

/** Horizontal bars on a 0–100 scale, one per dimension: plain views with widths, no chart library. */
export default function DimensionBars({ items, lowBelow = 60 }: Props) {
  return (
    <View className='dimension-bars' data-testid='dimension-bars'>
      {items.map((item) => {
        if (item.value === null) {
          return (
            <View key={item.key} className='dimension-bars__row' data-testid='dimension-bar' data-key={item.key} data-value=''>
              <Text className='dimension-bars__label'>{item.label}</Text>
              <Text className='dimension-bars__value'>未评估</Text>
            </View>
          )
        }
        const value = clampPercent(item.value)
        return (
          <View key={item.key} className='dimension-bars__row' data-testid='dimension-bar' data-key={item.key} data-value={String(Math.round(value))}>
            <Text className='dimension-bars__label'>{item.label}</Text>
            <View className='dimension-bars__track'>
              <View
                className={`dimension-bars__fill${value < lowBelow ? ' dimension-bars__fill--low' : ''}`}
                data-testid='dimension-bar-fill'
                style={{ width: pct(value) }}
              />
            </View>
            <Text className='dimension-bars__value'>{Math.round(value)}</Text>
          </View>
        )
      })}
    </View>
  )
}
