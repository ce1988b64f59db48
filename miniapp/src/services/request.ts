import Taro from '@tarojs/taro'
import type { ApiEnvelope, TFieldError, TWechatLoginResult } from '@xyd/shared'
import { clearToken, getToken, obtainLoginCode, randomHex, setToken } from './session'

/** Codes the client produces itself, beside the server's stable codes (`shared/src/api/errors.ts`). */
export const CLIENT_ERROR = {
  NETWORK: 'NETWORK_ERROR',
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const

/** Every failed call: the HTTP status (0 when the server was not reached), the stable code and a message for the user. */
export class ApiError extends Error {
  readonly status: number
  readonly errorCode: string
  readonly fields: TFieldError[]

  constructor(init: { status: number; errorCode: string; message: string; fields?: TFieldError[] }) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.errorCode = init.errorCode
    this.fields = init.fields ?? []
  }

  /** The server's messages by field name, for showing beside form inputs. */
  fieldMessages(): Record<string, string> {
    const messages: Record<string, string> = {}
    for (const { field, message } of this.fields) messages[field] ??= message
    return messages
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  url: string
  method?: HttpMethod
  /** JSON body, or the query for GET. */
  data?: unknown
  /** Send the session token (and sign in when there is none). Only the login call itself turns this off. */
  auth?: boolean
  /** Creating calls only: reuse the key of an earlier attempt of the same action; by default each call gets a new one. */
  idempotencyKey?: string
}

export interface UploadOptions {
  url: string
  filePath: string
  /** Multipart field name of the file. */
  name: string
  fileName?: string
  formData?: Record<string, string>
  idempotencyKey?: string
}

interface RawResponse {
  statusCode: number
  data: unknown
}

type Transport = (header: Record<string, string>) => Promise<RawResponse>

const apiBase = (process.env.TARO_APP_API_BASE || '').replace(/\/+$/, '')

export const IDEMPOTENCY_HEADER = 'Idempotency-Key'

/** Time-ordered prefix plus 96 random bits: unique per user action even where the randomness is Math.random. */
export function newIdempotencyKey(): string {
  return `${Date.now().toString(36)}-${randomHex(12)}`
}

/** Every POST creates or changes something, except signing in and out, which carry no lasting result to replay. */
export function isCreatingRequest(method: HttpMethod, url: string): boolean {
  return method === 'POST' && !url.split('?')[0].startsWith('/api/v1/auth/')
}

/** The header of a creating call; the same object goes with every attempt of it (see `send`), so the key is reused. */
function idempotencyHeader(method: HttpMethod, url: string, key: string | undefined): Record<string, string> {
  return isCreatingRequest(method, url) ? { [IDEMPOTENCY_HEADER]: key || newIdempotencyKey() } : {}
}

function fallbackMessage(status: number): string {
  if (status === 401) return '登录已失效，请重新进入小程序'
  if (status === 403) return '没有权限执行此操作'
  if (status === 404) return '请求的内容不存在'
  if (status === 413) return '上传的内容过大'
  if (status === 429) return '操作过于频繁，请稍后再试'
  if (status >= 500) return '服务暂时不可用，请稍后再试'
  return `请求失败（${status}）`
}

function parseBody(data: unknown): unknown {
  // Taro.uploadFile hands back the body as text.
  if (typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch {
    return undefined
  }
}

function isEnvelope(body: unknown): body is ApiEnvelope<unknown> {
  return typeof body === 'object' && body !== null && typeof (body as { success?: unknown }).success === 'boolean'
}

/** Taro resolves on every HTTP status: success is a 2xx carrying `success: true`, anything else an ApiError. */
function unwrap<T>({ statusCode, data }: RawResponse): T {
  const body = parseBody(data)
  if (!isEnvelope(body)) {
    throw new ApiError({
      status: statusCode,
      errorCode: CLIENT_ERROR.BAD_RESPONSE,
      message: statusCode >= 200 && statusCode < 300 ? '服务返回了无法识别的内容' : fallbackMessage(statusCode),
    })
  }
  if (statusCode >= 200 && statusCode < 300 && body.success) return body.data as T
  throw new ApiError({
    status: statusCode,
    errorCode: body.errorCode || CLIENT_ERROR.BAD_RESPONSE,
    message: body.errorMessage || fallbackMessage(statusCode),
    fields: body.errorFields,
  })
}

async function exchange(transport: Transport, auth: boolean): Promise<RawResponse> {
  const header: Record<string, string> = {}
  const token = auth ? getToken() : ''
  if (token) header.Authorization = `Bearer ${token}`
  try {
    return await transport(header)
  } catch {
    throw new ApiError({ status: 0, errorCode: CLIENT_ERROR.NETWORK, message: '网络连接失败，请检查网络后重试' })
  }
}

let signingIn: Promise<void> | null = null

async function performSignIn(): Promise<void> {
  const code = await obtainLoginCode()
  const result = await send<TWechatLoginResult>(
    (header) => Taro.request({ url: `${apiBase}/api/v1/auth/wechat/login`, method: 'POST', data: { code }, header }),
    false,
  )
  setToken(result.token)
}

/** Signs in with WeChat (or the development code in a browser). Concurrent callers share one sign-in. */
export function signIn(): Promise<void> {
  signingIn ??= performSignIn().finally(() => {
    signingIn = null
  })
  return signingIn
}

async function send<T>(transport: Transport, auth: boolean): Promise<T> {
  if (auth && !getToken()) await signIn()
  let response = await exchange(transport, auth)
  if (auth && response.statusCode === 401) {
    // The session expired or was revoked: sign in again, once, and repeat the call.
    clearToken()
    await signIn()
    response = await exchange(transport, auth)
  }
  return unwrap<T>(response)
}

export function request<T>({ url, method = 'GET', data, auth = true, idempotencyKey }: RequestOptions): Promise<T> {
  const idempotency = idempotencyHeader(method, url, idempotencyKey)
  return send<T>(
    (header) =>
      Taro.request({
        url: apiBase + url,
        method,
        data: data as TaroGeneral.IAnyObject | undefined,
        header: {
          ...(method === 'GET' || data === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...idempotency,
          ...header,
        },
      }),
    auth,
  )
}

/** Longest wait for an upload. Taro's H5 upload never settles when the browser refuses to read the blob URL. */
const UPLOAD_TIMEOUT_MS = 2 * 60 * 1000

function settleWithin<R>(promise: Promise<R>, ms: number): Promise<R> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('upload timed out')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** multipart/form-data upload of one local file (a WeChat temp path, or a blob URL in the browser). */
export function upload<T>({ url, filePath, name, fileName, formData, idempotencyKey }: UploadOptions): Promise<T> {
  const idempotency = idempotencyHeader('POST', url, idempotencyKey)
  return send<T>(
    (header) =>
      settleWithin(
        Taro.uploadFile({ url: apiBase + url, filePath, name, fileName, formData, header: { ...idempotency, ...header } }),
        UPLOAD_TIMEOUT_MS,
      ),
    true,
  )
}
