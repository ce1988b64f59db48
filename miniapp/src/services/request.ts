import Taro from '@tarojs/taro'
import { ApiError, CLIENT_ERROR, isApiEnvelope } from '@xyd/shared'
import type { WechatLoginResult } from './generated'
import { API_PATHS } from './generated/paths'
import { clearToken, getToken, obtainLoginCode, randomHex, setToken } from './session'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a caller of a generated function may add to the call. */
export interface CallOptions {
  /** Send the session token (and sign in when there is none). Only the login call itself turns this off. */
  auth?: boolean
  /** Creating calls only: reuse the key of an earlier attempt of the same action; by default each call gets a new one. */
  idempotencyKey?: string
}

export interface RequestOptions extends CallOptions {
  url: string
  method?: HttpMethod
  query?: object
  /** JSON body. */
  data?: unknown
}

/** A local file to upload: a WeChat temp path, or a blob URL in the browser. */
export interface LocalFile {
  path: string
  /** Original file name where the platform knows it (the browser); WeChat temp files have none. */
  name?: string
}

export interface UploadOptions extends CallOptions {
  url: string
  /** Multipart field name of the file. */
  name: string
  file: LocalFile
  /** The text fields, sent beside the file. */
  formData?: object
}

interface RawResponse {
  statusCode: number
  data: unknown
}

type Transport = (header: Record<string, string>) => Promise<RawResponse>

const apiBase = (process.env.TARO_APP_API_BASE || '').replace(/\/+$/, '')

/** The absolute address of an API path (and its query), for what is not a JSON call (an image source, a download). */
export function apiUrl(path: string, query?: object): string {
  return apiBase + (query ? withQuery(path, compactValues(query)) : path)
}

/** Only the values the caller chose: the server's schemas see no empty filters. */
function compactValues(values: object | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(values ?? {})) {
    if (value !== undefined && value !== null && value !== '') out[key] = value as string | number | boolean
  }
  return out
}

/** The query part of a generated call's `params`: everything but the path parameters already in the URL. */
export function queryOf<P extends object>(params: P, pathKeys: string[]): Partial<P> {
  const out: Partial<P> = {}
  for (const [key, value] of Object.entries(params)) if (!pathKeys.includes(key)) (out as Record<string, unknown>)[key] = value
  return out
}

function withQuery(url: string, query: Record<string, string | number | boolean>): string {
  const search = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  return search ? `${url}${url.includes('?') ? '&' : '?'}${search}` : url
}

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

/** Taro resolves on every HTTP status: success is a 2xx carrying `success: true`, anything else an ApiError. */
function unwrap<T>({ statusCode, data }: RawResponse): T {
  const body = parseBody(data)
  if (!isApiEnvelope(body)) {
    throw new ApiError({
      status: statusCode,
      errorCode: CLIENT_ERROR.BAD_RESPONSE,
      errorMessage: statusCode >= 200 && statusCode < 300 ? '服务返回了无法识别的内容' : fallbackMessage(statusCode),
    })
  }
  if (statusCode >= 200 && statusCode < 300 && body.success) return body.data as T
  throw ApiError.fromEnvelope(body, statusCode, fallbackMessage(statusCode))
}

async function exchange(transport: Transport, auth: boolean): Promise<RawResponse> {
  const header: Record<string, string> = {}
  const token = auth ? getToken() : ''
  if (token) header.Authorization = `Bearer ${token}`
  try {
    return await transport(header)
  } catch {
    throw new ApiError({ status: 0, errorCode: CLIENT_ERROR.NETWORK, errorMessage: '网络连接失败，请检查网络后重试' })
  }
}

let signingIn: Promise<void> | null = null

async function performSignIn(): Promise<void> {
  const code = await obtainLoginCode()
  // The generated wechatLogin would import this module back; the path table has no imports.
  const result = await request<WechatLoginResult>({ url: API_PATHS.wechatLogin, method: 'POST', data: { code }, auth: false })
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

export function request<T>({ url, method = 'GET', query, data, auth = true, idempotencyKey }: RequestOptions): Promise<T> {
  const idempotency = idempotencyHeader(method, url, idempotencyKey)
  const search = compactValues(query)
  // Taro puts a GET's data into the query string itself.
  const getQuery = method === 'GET' && Object.keys(search).length > 0 ? search : undefined
  const target = apiBase + (method === 'GET' ? url : withQuery(url, search))
  return send<T>(
    (header) =>
      Taro.request({
        url: target,
        method,
        data: (getQuery ?? data) as TaroGeneral.IAnyObject | undefined,
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
export function upload<T>({ url, name, file, formData, auth = true, idempotencyKey }: UploadOptions): Promise<T> {
  const idempotency = idempotencyHeader('POST', url, idempotencyKey)
  // Multipart fields are text.
  const fields = Object.fromEntries(Object.entries(compactValues(formData)).map(([k, v]) => [k, String(v)]))
  return send<T>(
    (header) =>
      settleWithin(
        Taro.uploadFile({
          url: apiBase + url,
          filePath: file.path,
          name,
          fileName: file.name,
          formData: fields,
          header: { ...idempotency, ...header },
        }),
        UPLOAD_TIMEOUT_MS,
      ),
    auth,
  )
}
