import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small S3-compatible server for tests: path-style buckets, PUT/GET/DELETE of objects kept in memory, and
 * AWS SigV4 checked the way S3 checks it (signature recomputed from the request, body against
 * x-amz-content-sha256), so a store that signs wrongly is refused as it would be by the real service.
 */
export interface FakeS3 {
  url: string;
  bucket: string;
  objects: Map<string, { body: Buffer; contentType: string | undefined }>;
  /** Every request as it arrived, refused ones included. */
  requests: Array<{ method: string; path: string; authorization: string | undefined; status: number }>;
  close(): Promise<void>;
}

export interface FakeS3Options {
  bucket?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function verify(req: http.IncomingMessage, body: Buffer, opts: Required<FakeS3Options>): { code: string; message: string; status: number } | null {
  const auth = req.headers.authorization;
  if (!auth) return { status: 403, code: 'AccessDenied', message: 'Missing Authorization header' };
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!match) return { status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed' };
  const [, accessKeyId, day, region, signedHeaders, signature] = match;
  if (accessKeyId !== opts.accessKeyId) return { status: 403, code: 'InvalidAccessKeyId', message: 'Unknown access key' };
  if (region !== opts.region) return { status: 400, code: 'AuthorizationHeaderMalformed', message: `region must be ${opts.region}` };
  const payloadHash = req.headers['x-amz-content-sha256'];
  const amzDate = req.headers['x-amz-date'];
  if (typeof payloadHash !== 'string' || typeof amzDate !== 'string' || !amzDate.startsWith(day)) {
    return { status: 400, code: 'InvalidRequest', message: 'x-amz-date and x-amz-content-sha256 are required' };
  }
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256Hex(body)) {
    return { status: 400, code: 'XAmzContentSHA256Mismatch', message: 'The provided x-amz-content-sha256 does not match' };
  }
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!names.includes(required)) return { status: 400, code: 'InvalidRequest', message: `${required} must be signed` };
  }
  const url = new URL(req.url ?? '/', 'http://fake');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected !== signature) return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match' };
  return null;
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  const opts: Required<FakeS3Options> = {
    bucket: options.bucket ?? 'xyd-test',
    region: options.region ?? 'cn-north-1',
    accessKeyId: options.accessKeyId ?? 'AKIDFAKES3TEST',
    secretAccessKey: options.secretAccessKey ?? 'fake-s3-secret-key',
  };
  const objects: FakeS3['objects'] = new Map();
  const requests: FakeS3['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, payload: string | Buffer = '', type = 'application/xml') => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, status });
        res.writeHead(status, payload.length ? { 'content-type': type } : {});
        res.end(payload);
      };
      const problem = verify(req, body, opts);
      if (problem) return answer(problem.status, xmlError(problem.code, problem.message));
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://fake').pathname);
      const prefix = `/${opts.bucket}/`;
      if (!path.startsWith(prefix) || path.length === prefix.length) return answer(404, xmlError('NoSuchBucket', 'The specified bucket does not exist'));
      const key = path.slice(prefix.length);
      if (req.method === 'PUT') {
        objects.set(key, { body, contentType: req.headers['content-type'] });
        return answer(200);
      }
      if (req.method === 'GET') {
        const object = objects.get(key);
        if (!object) return answer(404, xmlError('NoSuchKey', 'The specified key does not exist.'));
        return answer(200, object.body, object.contentType ?? 'application/octet-stream');
      }
      if (req.method === 'DELETE') {
        objects.delete(key);
        return answer(204);
      }
      return answer(405, xmlError('MethodNotAllowed', 'The specified method is not allowed'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket: opts.bucket,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
