import Taro from '@tarojs/taro'
import { isWechat } from '../services/session'

export const LICENCE_MAX_BYTES = 5 * 1024 * 1024
export const LICENCE_TYPE_MESSAGE = '只能上传 JPEG 或 PNG 图片'
export const LICENCE_SIZE_MESSAGE = '营业执照照片不能超过 5 MB'

const EXTENSIONS = ['jpg', 'jpeg', 'png']
const MIME_TYPES = ['image/jpeg', 'image/jpg', 'image/png']
const JPEG_MAGIC = [0xff, 0xd8, 0xff]
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** A picked photo as Taro.chooseImage describes it, on either platform. */
export interface PickedFile {
  path: string
  size: number
  /** H5: the browser's MIME type. WeChat gives none (or only "image"). */
  type?: string
  /** H5: the File the user picked. */
  originalFileObj?: unknown
}

function extensionOf(name: string): string {
  const match = /\.([a-z0-9]+)$/i.exec(name)
  return match ? match[1].toLowerCase() : ''
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

export function isJpegOrPng(bytes: Uint8Array): boolean {
  return startsWith(bytes, JPEG_MAGIC) || startsWith(bytes, PNG_MAGIC)
}

interface BlobLike {
  slice: (start: number, end: number) => Blob
}

function isBlobLike(value: unknown): value is BlobLike {
  return typeof value === 'object' && value !== null && typeof (value as BlobLike).slice === 'function'
}

function readBlob(blob: Blob): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result as ArrayBuffer)
    reader.onerror = () => reject(reader.error)
    reader.readAsArrayBuffer(blob)
  })
}

/** The first bytes of the picked file where the platform lets us read them; null when it does not. */
async function readHead(file: PickedFile, length: number): Promise<Uint8Array | null> {
  try {
    if (isBlobLike(file.originalFileObj)) return new Uint8Array(await readBlob(file.originalFileObj.slice(0, length)))
    if (isWechat()) {
      const { data } = await new Promise<{ data: string | ArrayBuffer }>((resolve, reject) =>
        Taro.getFileSystemManager().readFile({ filePath: file.path, position: 0, length, success: resolve, fail: reject }),
      )
      return typeof data === 'string' ? null : new Uint8Array(data)
    }
  } catch {
    // Unreadable here: the server checks the content again.
  }
  return null
}

/**
 * Why a picked licence photo cannot be sent, or null when it can. The server decodes the image anyway; this check is
 * for the user, who otherwise learns only after a 5 MB upload that a PDF or a HEIC photo is refused.
 */
export async function licenceProblem(file: PickedFile, name?: string): Promise<string | null> {
  const extension = extensionOf(name ?? file.path)
  if (extension && !EXTENSIONS.includes(extension)) return LICENCE_TYPE_MESSAGE
  const type = (file.type ?? '').toLowerCase()
  if (type.includes('/') && !MIME_TYPES.includes(type)) return LICENCE_TYPE_MESSAGE
  if (file.size > LICENCE_MAX_BYTES) return LICENCE_SIZE_MESSAGE
  const head = await readHead(file, PNG_MAGIC.length)
  if (head && !isJpegOrPng(head)) return LICENCE_TYPE_MESSAGE
  return null
}
