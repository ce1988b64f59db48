import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Transaction } from 'sequelize';
import type { AppContext } from '../../context';
import { newId } from '../../lib/ids';
import { NotFoundError } from '../../lib/errors';
import { StoredFile } from './models';
import { StoredObjectMissingError } from './store';

/** Bytes already in the store, whose `files` row is still to be written. */
export interface StagedFile {
  id: string;
  sha256: string;
  size: number;
  mime: string;
  storageKey: string;
  createdByKind: 'wechat' | 'admin';
  createdById: string;
}

/** Puts the bytes in the store first: a transaction may be retried, so no store write happens inside one. */
export async function stageFile(
  app: AppContext,
  bytes: Buffer,
  mime: string,
  createdBy: { kind: 'wechat' | 'admin'; id: string },
): Promise<StagedFile> {
  const id = newId();
  const storageKey = await app.fileStore.put(id, bytes, mime);
  return {
    id,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    mime,
    storageKey,
    createdByKind: createdBy.kind,
    createdById: createdBy.id,
  };
}

/**
 * As stageFile, for an upload on disk (koa-body's temporary file): the sha256 and size are computed by streaming
 * the file, and the store copies it without reading it into memory.
 */
export async function stageUploadedFile(
  app: AppContext,
  filepath: string,
  mime: string,
  createdBy: { kind: 'wechat' | 'admin'; id: string },
): Promise<StagedFile> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(filepath)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const id = newId();
  const storageKey = await app.fileStore.putFile(id, filepath, mime);
  return { id, sha256: hash.digest('hex'), size, mime, storageKey, createdByKind: createdBy.kind, createdById: createdBy.id };
}

/**
 * Runs `fn` in a transaction that first writes the staged file's row. If the transaction fails, the stored
 * object is removed again, so a refused or failed request leaves no orphan behind.
 */
export async function transactionWithFile<T>(
  app: AppContext,
  staged: StagedFile,
  fn: (t: Transaction, file: StoredFile) => Promise<T>,
): Promise<T> {
  try {
    return await app.db.transaction(async (t) => {
      const file = await StoredFile.create({ ...staged }, { transaction: t });
      return fn(t, file);
    });
  } catch (error) {
    await app.fileStore.delete(staged.storageKey).catch((cleanup: unknown) => {
      app.logger.error({ err: cleanup, storageKey: staged.storageKey }, 'could not remove the stored object of a failed upload');
    });
    throw error;
  }
}

export async function readStoredFile(app: AppContext, id: string): Promise<{ mime: string; data: Buffer }> {
  const file = await StoredFile.findByPk(id, { attributes: ['mime', 'storageKey'], raw: true });
  if (!file) throw new NotFoundError('文件不存在');
  try {
    return { mime: file.mime, data: await app.fileStore.get(file.storageKey) };
  } catch (error) {
    // A row without its bytes is a fault of the store, not of the caller: log it loudly, answer 404.
    if (error instanceof StoredObjectMissingError) {
      app.logger.error({ fileId: id, storageKey: file.storageKey }, 'file row without its stored object');
      throw new NotFoundError('文件不存在');
    }
    throw error;
  }
}
