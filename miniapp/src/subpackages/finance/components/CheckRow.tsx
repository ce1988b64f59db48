import { Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'
import './CheckRow.css'

interface Props {
  /** The row's test id; `data-checked` says whether it is ticked. */
  testId: string
  checked: boolean
  label: string
  /** A line of plain explanation under the label. */
  detail?: string
  onToggle: () => void
  children?: ReactNode
}

/** A tick box with its words: tapping the box or the words toggles it. */
export default function CheckRow({ testId, checked, label, detail, onToggle, children }: Props) {
  return (
    <View
      className={`check-row${checked ? ' check-row--checked' : ''}`}
      data-testid={testId}
      data-checked={checked ? 'true' : 'false'}
      role='checkbox'
      aria-checked={checked}
      onClick={onToggle}
    >
      <Text className='check-row__box'>{checked ? '✓' : ''}</Text>
      <View className='check-row__body'>
        <Text className='check-row__label'>{label}</Text>
        {detail ? <Text className='check-row__detail'>{detail}</Text> : null}
        {children}
      </View>
    </View>
  )
}
