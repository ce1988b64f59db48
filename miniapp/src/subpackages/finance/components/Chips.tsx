import { Text, View } from '@tarojs/components'
import './Chips.css'

export interface ChipOption<T extends string> {
  value: T
  label: string
}

interface Props<T extends string> {
  /** Each chip's test id is `${testId}-${value}`. */
  testId: string
  options: readonly ChipOption<T>[]
  selected: readonly T[]
  onToggle: (value: T) => void
}

/** A row of tappable chips; the caller decides whether a tap selects one or toggles many. */
export default function Chips<T extends string>({ testId, options, selected, onToggle }: Props<T>) {
  return (
    <View className='chips' data-testid={testId}>
      {options.map((option) => {
        const active = selected.includes(option.value)
        return (
          <Text
            key={option.value}
            className={`chip${active ? ' chip--active' : ''}`}
            data-testid={`${testId}-${option.value}`}
            data-selected={active ? 'true' : 'false'}
            onClick={() => onToggle(option.value)}
          >
            {option.label}
          </Text>
        )
      })}
    </View>
  )
}
