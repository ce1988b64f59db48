import Taro from '@tarojs/taro'

const TOKEN_KEY = 'xyd.session.token'
const DEV_CODE_KEY = 'xyd.session.devLoginCode'

export function getToken(): string {
  return Taro.getStorageSync<string>(TOKEN_KEY) || ''
}

export function setToken(token: string): void {
  Taro.setStorageSync(TOKEN_KEY, token)
}

export function clearToken(): void {
  Taro.removeStorageSync(TOKEN_KEY)
}

/** True only inside WeChat: the h5 build has no Taro.login, subscription messages or other WeChat capabilities. */
export function isWechat(): boolean {
  return process.env.TARO_ENV === 'weapp'
}

/** Random hex; getRandomValues where the platform has it (browsers), Math.random inside WeChat, which lacks it. */
export function randomHex(bytes: number): string {
  const values = new Uint8Array(bytes)
  const cryptoApi = (globalThis as { crypto?: Crypto }).crypto
  if (cryptoApi?.getRandomValues) {
    cryptoApi.getRandomValues(values)
  } else {
    for (let i = 0; i < bytes; i++) values[i] = Math.floor(Math.random() * 256)
  }
  return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The code sent to POST /api/v1/auth/wechat/login. In WeChat it comes from Taro.login; the browser build uses the
 * server's development login mode with a random code kept in storage, so that the same browser stays the same user.
 */
export async function obtainLoginCode(): Promise<string> {
  if (isWechat()) {
    const { code } = await Taro.login().catch(() => ({ code: '' }))
    if (!code) throw new Error('微信登录失败，请稍后重试')
    return code
  }
  let code = Taro.getStorageSync<string>(DEV_CODE_KEY)
  if (!code) {
    code = `dev-${randomHex(12)}`
    Taro.setStorageSync(DEV_CODE_KEY, code)
  }
  return code
}
