import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import { chmod, copyFile, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertSafeKey, objectKey, StoredObjectMissingError, type FileStore } from './store';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Files in a local folder. Bytes are written and flushed under a temporary name in the same folder tree, then
 * renamed: a crash leaves at most a stray temporary file, never a half-written file under its final name.
 */
export class LocalFileStore implements FileStore {
  readonly kind = 'local' as const;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, '.tmp');
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(id: string, bytes: Buffer): Promise<string> {
    return this.writeDurably(id, async (tmp) => {
      const handle = await open(tmp, 'wx', 0o640);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async putFile(id: string, source: string, _mime?: string): Promise<string> {
    return this.writeDurably(id, async (tmp) => {
      // The kernel copies (copy_file_range where it can): the bytes never pass through this process's memory.
      await copyFile(source, tmp, fsConstants.COPYFILE_EXCL);
      await chmod(tmp, 0o640);
      const handle = await open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /** Writes file `id` under a temporary name with `write` (which flushes it), then renames it into place. */
  private async writeDurably(id: string, write: (tmp: string) => Promise<void>): Promise<string> {
    const key = objectKey(id);
    const final = this.pathOf(key);
    await mkdir(path.dirname(final), { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${id}.${randomUUID()}`);
    try {
      await write(tmp);
      await rename(tmp, final);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(path.dirname(final));
    return key;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) throw new StoredObjectMissingError(key);
      throw error;
    }
  }

  async stream(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch (error) {
      if (isMissing(error)) throw new StoredObjectMissingError(key);
      throw error;
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}

/** Makes the rename itself durable; some platforms cannot open a folder for syncing, which is then skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: the file's own bytes were already flushed
  } finally {
    await handle?.close();
  }
}
