import type { Readable } from 'node:stream';
import type { FileStoreConfig } from './config';
import { LocalFileStore } from './local';
import { S3FileStore } from './s3';

/**
 * Where file bytes live; the `files` table holds what is known about them. Objects are named after the file
 * id, never overwritten by another file, so removing one never touches another row's bytes.
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  /** Stores the bytes of file `id` and answers the object key once they are durable. */
  put(id: string, bytes: Buffer, mime: string): Promise<string>;
  /** As put, for a file on disk (an upload's temporary file), streamed rather than read into memory. */
  putFile(id: string, path: string, mime: string): Promise<string>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Promise<Readable>;
  /** Removes the object; an object that is already gone is not an error. */
  delete(key: string): Promise<void>;
}

export class StoredObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`stored object missing: ${key}`);
  }
}

/** `37/123456789012337`: a two-digit fan-out (from the id's low, fast-changing digits) keeps folders small. */
export function objectKey(id: string): string {
  if (!/^[0-9]{1,20}$/.test(id)) throw new TypeError(`not a file id: ${id}`);
  return `${id.padStart(2, '0').slice(-2)}/${id}`;
}

/** Keys are ours, but a key that could leave the store's root is refused all the same. */
export function assertSafeKey(key: string): void {
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new TypeError(`unsafe object key: ${key}`);
  }
}

export function createFileStore(config: FileStoreConfig): FileStore {
  return config.kind === 'local' ? new LocalFileStore(config.dir) : new S3FileStore(config);
}
