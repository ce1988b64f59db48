import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { S3StoreConfig } from './config';
import { assertSafeKey, objectKey, StoredObjectMissingError, type FileStore } from './store';

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const encodeSegment = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SignInput {
  method: string;
  url: URL;
  /** Lower-case names; `host`, `x-amz-date` and `x-amz-content-sha256` are added. */
  headers: Record<string, string>;
  payloadHash: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  now: Date;
}

/** AWS Signature Version 4 for S3 (header form, no query string): the headers to send. */
export function signS3Request(input: SignInput): Record<string, string> {
  const amzDate = input.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': input.payloadHash,
  };
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalQuery = [...input.url.searchParams.entries()]
    .map(([k, v]) => [encodeSegment(k), encodeSegment(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [input.method, input.url.pathname, canonicalQuery, canonicalHeaders, signedHeaders, input.payloadHash].join('\n');
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, day), input.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** A streamed upload may take longer: the timeout grows by a second per MB (a floor of 1 MB/s). */
const UPLOAD_MS_PER_MB = 1_000;

/** An S3-compatible bucket (AWS S3, MinIO, OSS/COS in S3 mode), signed with SigV4 over plain fetch. */
export class S3FileStore implements FileStore {
  readonly kind = 's3' as const;

  constructor(private readonly config: S3StoreConfig) {}

  private urlOf(key: string): URL {
    assertSafeKey(key);
    const endpoint = new URL(this.config.endpoint);
    const objectPath = key.split('/').map(encodeSegment).join('/');
    const base = endpoint.pathname.replace(/\/+$/, '');
    if (this.config.forcePathStyle) {
      return new URL(`${endpoint.protocol}//${endpoint.host}${base}/${encodeSegment(this.config.bucket)}/${objectPath}`);
    }
    return new URL(`${endpoint.protocol}//${this.config.bucket}.${endpoint.host}${base}/${objectPath}`);
  }

  private async send(method: 'PUT' | 'GET' | 'DELETE', key: string, body?: Buffer, mime?: string): Promise<Response> {
    const url = this.urlOf(key);
    const extra: Record<string, string> = body ? { 'content-type': mime ?? 'application/octet-stream' } : {};
    const headers = signS3Request({
      method,
      url,
      headers: extra,
      // S3 checks the body against this hash, so a corrupted upload is refused rather than stored.
      payloadHash: sha256Hex(body ?? ''),
      region: this.config.region,
      accessKeyId: this.config.accessKeyId,
      secretAccessKey: this.config.secretAccessKey,
      now: new Date(),
    });
    delete headers.host; // fetch sets it from the URL, exactly as signed
    return fetch(url, { method, headers, body: body ? new Uint8Array(body) : undefined, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  private static async fail(response: Response, what: string): Promise<never> {
    const text = await response.text().catch(() => '');
    throw new Error(`S3 ${what} answered ${response.status}: ${text.slice(0, 300)}`);
  }

  async put(id: string, bytes: Buffer, mime: string): Promise<string> {
    const key = objectKey(id);
    const response = await this.send('PUT', key, bytes, mime);
    if (!response.ok) await S3FileStore.fail(response, `PUT ${key}`);
    await response.body?.cancel();
    return key;
  }

  /**
   * Streams a file from disk as the body of one PUT (S3's single-PUT limit is 5 GB; imports stop at 2 GB). The body
   * is not hashed in advance, so it is signed as UNSIGNED-PAYLOAD and sent with its Content-Length (S3 refuses a
   * chunked body without one); TLS protects it on the way, and S3 still checks the length.
   */
  async putFile(id: string, path: string, mime: string): Promise<string> {
    const key = objectKey(id);
    const { size } = await stat(path);
    const url = this.urlOf(key);
    const headers = signS3Request({
      method: 'PUT',
      url,
      headers: { 'content-type': mime },
      payloadHash: 'UNSIGNED-PAYLOAD',
      region: this.config.region,
      accessKeyId: this.config.accessKeyId,
      secretAccessKey: this.config.secretAccessKey,
      now: new Date(),
    });
    delete headers.host;
    const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
    const response = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'content-length': String(size) },
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + Math.ceil(size / 1_000_000) * UPLOAD_MS_PER_MB),
    } as RequestInit);
    if (!response.ok) await S3FileStore.fail(response, `PUT ${key}`);
    await response.body?.cancel();
    return key;
  }

  async get(key: string): Promise<Buffer> {
    const response = await this.send('GET', key);
    if (response.status === 404) throw new StoredObjectMissingError(key);
    if (!response.ok) await S3FileStore.fail(response, `GET ${key}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async stream(key: string): Promise<Readable> {
    const response = await this.send('GET', key);
    if (response.status === 404) throw new StoredObjectMissingError(key);
    if (!response.ok || !response.body) await S3FileStore.fail(response, `GET ${key}`);
    return Readable.fromWeb(response.body as unknown as WebReadableStream);
  }

  async delete(key: string): Promise<void> {
    const response = await this.send('DELETE', key);
    if (!response.ok && response.status !== 404) await S3FileStore.fail(response, `DELETE ${key}`);
    await response.body?.cancel();
  }
}
