import { useCallback, useRef, useState, type Dispatch, type SetStateAction } from 'react'
import { errorMessage } from '../utils/errors'

export interface RemoteData<T> {
  data: T | undefined
  /** True until the first load settles, and again while reloading. */
  loading: boolean
  /** The last load's error message, cleared by a successful load. */
  error: string
  /** Loads again; resolves to the new data, or undefined when the load failed (see `error`). */
  reload: () => Promise<T | undefined>
  /** Local edits after an action the server confirmed (marking read, revoking). */
  setData: Dispatch<SetStateAction<T | undefined>>
}

/** Loads a page's data and keeps the latest answer; pages call `reload` from `useDidShow`. */
export function useRemoteData<T>(load: () => Promise<T>): RemoteData<T> {
  const loadRef = useRef(load)
  loadRef.current = load
  const [data, setData] = useState<T>()
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')

  const reload = useCallback(async () => {
    setLoading(true)
    try {
      const next = await loadRef.current()
      setData(next)
      setError('')
      return next
    } catch (e) {
      setError(errorMessage(e, '加载失败，请稍后重试'))
      return undefined
    } finally {
      setLoading(false)
    }
  }, [])

  return { data, loading, error, reload, setData }
}
