import { createHash } from 'node:crypto';
import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';
import { fileStoreConfigFromEnv } from '../../modules/files/config';
import { createFileStore, type FileStore } from '../../modules/files/store';

type Ctx = { context: QueryInterface };

const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });

const BATCH = 50;

interface BlobRow {
  id: string | number;
  sha256: string;
  mime: string;
  size: number;
  data: Buffer;
  owner_kind: string;
  owner_id: string | number;
  created_at: unknown;
}

interface FileRow {
  id: string | number;
  sha256: string;
  mime: string;
  storage_key: string;
  created_by_kind: string;
  created_by_id: string | number;
  created_at: unknown;
}

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function tableNames(qi: QueryInterface): Promise<string[]> {
  const tables = (await qi.showAllTables()) as Array<string | { tableName: string }>;
  return tables.map((t) => (typeof t === 'string' ? t : t.tableName));
}

/**
 * Licence images leave the database (defect 9): a `files` table describes each file and the bytes go to the
 * file store configured in the environment (FILE_STORE…, as the server reads it). Rows keep their ids, so
 * verification_requests.licence_file_id still points at them. Each object is read back and compared before the
 * BLOB table is dropped, and a run interrupted half way picks up where it stopped.
 */
export async function up({ context: qi }: Ctx): Promise<void> {
  const tables = await tableNames(qi);
  if (!tables.includes('files')) {
    await qi.createTable('files', {
      id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
      sha256: str(64),
      size: { type: DataTypes.INTEGER, allowNull: false },
      mime: str(64),
      storage_key: str(255),
      created_by_kind: str(8),
      created_by_id: { type: DataTypes.BIGINT, allowNull: false },
      created_at: time(),
    });
    await qi.addIndex('files', ['sha256'], { name: 'files_sha256' });
  }
  if (!tables.includes('uploaded_files')) return;

  const db = qi.sequelize;
  let store: FileStore | null = null; // only a database with images to move needs the store
  let after: string | number = -1;
  for (;;) {
    const ids: Array<{ id: string | number }> = await db.query<{ id: string | number }>('SELECT id FROM uploaded_files WHERE id > ? ORDER BY id LIMIT ?', {
      replacements: [after, BATCH],
      type: QueryTypes.SELECT,
    });
    if (ids.length === 0) break;
    after = ids[ids.length - 1].id;
    const moved = await db.query<{ id: string | number }>('SELECT id FROM files WHERE id IN (?)', {
      replacements: [ids.map((r) => r.id)],
      type: QueryTypes.SELECT,
    });
    const done = new Set(moved.map((r) => String(r.id)));
    for (const { id } of ids) {
      if (done.has(String(id))) continue;
      // One BLOB in memory at a time.
      const [row] = await db.query<BlobRow>('SELECT * FROM uploaded_files WHERE id = ?', { replacements: [id], type: QueryTypes.SELECT });
      const data = Buffer.from(row.data);
      store ??= createFileStore(fileStoreConfigFromEnv());
      const key = await store.put(String(row.id), data, row.mime);
      const readBack = await store.get(key);
      if (!readBack.equals(data)) throw new Error(`file ${String(row.id)}: the stored copy differs from the database; nothing was dropped`);
      await qi.bulkInsert('files', [
        {
          id: row.id,
          sha256: sha256Hex(data),
          size: data.length,
          mime: row.mime,
          storage_key: key,
          created_by_kind: row.owner_kind,
          created_by_id: row.owner_id,
          created_at: row.created_at,
        },
      ]);
    }
  }
  await qi.dropTable('uploaded_files');
}

/** Puts the images back into a BLOB table; the stored objects are kept. */
export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.createTable('uploaded_files', {
    id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
    sha256: str(64),
    mime: str(32),
    size: { type: DataTypes.INTEGER, allowNull: false },
    data: { type: DataTypes.BLOB('long'), allowNull: false },
    owner_kind: str(8),
    owner_id: { type: DataTypes.BIGINT, allowNull: false },
    created_at: time(),
  });
  const db = qi.sequelize;
  let store: FileStore | null = null;
  let after: string | number = -1;
  for (;;) {
    const rows: FileRow[] = await db.query<FileRow>(
      'SELECT id, sha256, mime, storage_key, created_by_kind, created_by_id, created_at FROM files WHERE id > ? ORDER BY id LIMIT ?',
      { replacements: [after, BATCH], type: QueryTypes.SELECT },
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    store ??= createFileStore(fileStoreConfigFromEnv());
    for (const row of rows) {
      const data = await store.get(row.storage_key);
      await qi.bulkInsert('uploaded_files', [
        {
          id: row.id,
          sha256: row.sha256,
          mime: row.mime.slice(0, 32),
          size: data.length,
          data,
          owner_kind: row.created_by_kind,
          owner_id: row.created_by_id,
          created_at: row.created_at,
        },
      ]);
    }
  }
  await qi.dropTable('files');
}
