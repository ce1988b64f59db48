/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.jpg'
declare module '*.svg'
declare module '*.css'

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production' | 'test'
    /** The platform being built: `weapp` (WeChat) or `h5` (browser). */
    TARO_ENV: 'weapp' | 'h5'
    /** API origin without a trailing slash; empty means the page's own origin (the h5 build). From `.env*` files. */
    TARO_APP_API_BASE: string
  }
}
