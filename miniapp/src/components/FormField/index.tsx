import { Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'
import './index.css'

interface Props {
  /** Stable id for tests and e2e: the field's error text is `${testId}-error`. */
  testId: string
  label: string
  required?: boolean
  error?: string
  hint?: string
  children: ReactNode
}

export default function FormField({ testId, label, required, error, hint, children }: Props) {
  return (
    <View className={`form-field${error ? ' form-field--invalid' : ''}`} data-testid={`${testId}-field`}>
      <Text className='form-field__label'>
        {label}
        {required ? <Text className='form-field__required'>*</Text> : null}
      </Text>
      {children}
      {error ? (
        <Text className='form-field__error' data-testid={`${testId}-error`}>
          {error}
        </Text>
      ) : hint ? (
        <Text className='form-field__hint'>{hint}</Text>
      ) : null}
    </View>
  )
}
