import { Button, Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'
import './index.css'

interface Props {
  loading: boolean
  error: string
  /** Whether anything has loaded yet: errors on a reload keep the old content on screen. */
  hasData: boolean
  onRetry: () => void
  children: ReactNode
}

/** Loading, error-with-retry, or the page's content. */
export default function PageState({ loading, error, hasData, onRetry, children }: Props) {
  if (!hasData && loading) {
    return (
      <View className='page-state' data-testid='page-loading'>
        <Text className='page-state__text'>加载中…</Text>
      </View>
    )
  }
  if (!hasData && error) {
    return (
      <View className='page-state' data-testid='page-error'>
        <Text className='page-state__text'>{error}</Text>
        <Button className='btn btn--ghost page-state__retry' size='mini' onClick={onRetry}>
          重试
        </Button>
      </View>
    )
  }
  return (
    <>
      {error ? (
        <View className='notice notice--error' data-testid='page-error'>
          <Text>{error}</Text>
        </View>
      ) : null}
      {children}
    </>
  )
}
