import type { PropsWithChildren } from 'react'
import { useLaunch } from '@tarojs/taro'
import { signIn } from './services/request'
import { getToken } from './services/session'
import './app.css'

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Sign in early; pages that call the API before this settles share the same sign-in.
    if (!getToken()) signIn().catch(() => undefined)
  })

  // children are the pages being rendered
  return children
}

export default App
