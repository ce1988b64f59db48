import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import request from 'supertest';
import { QueryTypes, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { buildApp } from '../../server/src/app';
import { ConfigError, loadConfig } from '../../server/src/config';
import { migrations } from '../../server/src/db/migrations';
import { createContext } from '../../server/src/main';
import { VerificationRequest } from '../../server/src/modules/enterprises/models';
import { StoredFile } from '../../server/src/modules/files/models';
import { S3FileStore } from '../../server/src/modules/files/s3';
import { seedDemo, demoEnterprises } from '../../server/src/seed/demo';
import { startFakeS3, type FakeS3 } from '../fake-s3/server';
import { DEMO_PASSWORD, PNG_BYTES, signInAdmin, signInWechat, startTestServer, submitVerification, verificationFields, type TestServer } from './helpers';

const UNREADABLE = '营业执照照片无法识别，请上传清晰的 JPEG 或 PNG 图片';
const hangzhou = demoEnterprises()[0];
const fields = (e = hangzhou) => verificationFields(e);

function pngImage(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 31) % 256;
  return PNG.sync.write(png);
}

function jpegImage(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
  return Buffer.from(jpeg.encode({ width, height, data }, 85).data);
}

/** Every object under a local store's root, temporary files included. */
function storedObjects(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .map((p) => p.split(path.sep).join('/'))
    .filter((p) => fs.statSync(path.join(root, p)).isFile());
}

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-files-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function submit(server: TestServer, token: string, file: Buffer, name = 'licence.png', e = hangzhou) {
  return submitVerification(server, token, fields(e), { file, filename: name });
}

describe('licence images in the local file store', () => {
  let server: TestServer;
  let storeDir: string;
  beforeAll(async () => {
    storeDir = tempDir();
    server = await startTestServer({ FILE_STORE_DIR: storeDir });
  });
  afterAll(() => server.close());

  it('stores an upload in the folder, not the database, and serves it back byte-identical', async () => {
    const image = pngImage(120, 80);
    const token = await signInWechat(server);
    const created = await submit(server, token, image);
    expect(created.status).toBe(201);

    const request = await VerificationRequest.findByPk(created.body.data.id);
    const file = await StoredFile.findByPk(request!.licenceFileId);
    expect(file).toMatchObject({
      sha256: createHash('sha256').update(image).digest('hex'),
      size: image.length,
      mime: 'image/png',
      createdByKind: 'wechat',
    });
    expect(fs.readFileSync(path.join(storeDir, file!.storageKey)).equals(image)).toBe(true);
    expect(storedObjects(storeDir)).toEqual([file!.storageKey]);

    // No bytes in the database: no BLOB table, and the files table describes files only.
    const qi = server.app.db.sequelize.getQueryInterface();
    const tables = ((await qi.showAllTables()) as Array<string | { tableName: string }>).map((t) => (typeof t === 'string' ? t : t.tableName));
    expect(tables).not.toContain('uploaded_files');
    expect(Object.keys(await qi.describeTable('files')).sort()).toEqual(
      ['created_at', 'created_by_id', 'created_by_kind', 'id', 'mime', 'sha256', 'size', 'storage_key'].sort(),
    );

    const own = await server.http.get(`/api/v1/verifications/${created.body.data.id}/licence`).set('Authorization', `Bearer ${token}`).buffer(true);
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe('image/png');
    expect(Buffer.from(own.body).equals(image)).toBe(true);
    const advisor = await signInAdmin(server, 'advisor');
    const seen = await advisor.get(`/api/v1/verifications/${created.body.data.id}/licence`).buffer(true);
    expect(seen.status).toBe(200);
    expect(Buffer.from(seen.body).equals(image)).toBe(true);
  });

  it('accepts a JPEG and serves it as one', async () => {
    const image = jpegImage(64, 48);
    const token = await signInWechat(server);
    const created = await submit(server, token, image, 'licence.jpg', demoEnterprises()[1]);
    expect(created.status).toBe(201);
    const served = await server.http.get(`/api/v1/verifications/${created.body.data.id}/licence`).set('Authorization', `Bearer ${token}`).buffer(true);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.from(served.body).equals(image)).toBe(true);
  });

  it.each([
    ['a PNG header followed by HTML', () => Buffer.concat([PNG_BYTES.subarray(0, 8), Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>')])],
    ['a truncated PNG', () => pngImage(120, 80).subarray(0, 200)],
    ['a PNG whose pixel data is corrupt', () => {
      const image = pngImage(40, 40);
      const idat = image.indexOf('IDAT') + 8;
      image.fill(0x55, idat, idat + 40);
      return image;
    }],
    ['a valid PNG with HTML after its end', () => Buffer.concat([PNG_BYTES, Buffer.from('<html><script>alert(1)</script></html>')])],
    ['a truncated JPEG', () => jpegImage(64, 48).subarray(0, 300)],
  ])('refuses %s with 400 and stores nothing', async (_name, make) => {
    const before = storedObjects(storeDir);
    const files = await StoredFile.count();
    const token = await signInWechat(server);
    const res = await submit(server, token, make());
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0]).toEqual({ field: 'licence', message: UNREADABLE });
    expect(storedObjects(storeDir)).toEqual(before);
    expect(await StoredFile.count()).toBe(files);
  });

  it('refuses absurd dimensions before decoding', async () => {
    // A 1×1 PNG whose header claims 20000×20000: 1.6 GB of pixels if a decoder believed it.
    const bomb = Buffer.from(PNG_BYTES);
    bomb.writeUInt32BE(20_000, 16);
    bomb.writeUInt32BE(20_000, 20);
    const token = await signInWechat(server);
    const res = await submit(server, token, bomb);
    expect(res.status).toBe(400);
    expect(res.body.errorFields[0]).toEqual({ field: 'licence', message: '营业执照照片尺寸过大，每边不能超过 12000 像素' });
  });

  it('removes the stored object when the transaction fails', async () => {
    const token = await signInWechat(server);
    const e = demoEnterprises()[2];
    expect((await submit(server, token, pngImage(30, 30), 'a.png', e)).status).toBe(201);
    const before = storedObjects(storeDir);
    const files = await StoredFile.count();
    // The second request fails inside the transaction (a request is already pending) after its bytes were stored.
    const again = await submit(server, token, pngImage(31, 31), 'b.png', e);
    expect(again.status).toBe(409);
    expect(storedObjects(storeDir)).toEqual(before);
    expect(await StoredFile.count()).toBe(files);
  });
});

describe('file store configuration', () => {
  const base = { NODE_ENV: 'test', DATA_DIR: '/srv/xyd' } as NodeJS.ProcessEnv;
  it('defaults to a folder under DATA_DIR', () => {
    expect(loadConfig(base).fileStore).toEqual({ kind: 'local', dir: path.resolve('/srv/xyd/files') });
  });
  it('refuses FILE_STORE=s3 without a bucket and keys, at start', () => {
    expect(() => loadConfig({ ...base, FILE_STORE: 's3' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, FILE_STORE: 's3' })).toThrow(/S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/);
  });
});

describe('S3-compatible store', () => {
  let fake: FakeS3;
  beforeAll(async () => {
    fake = await startFakeS3();
  });
  afterAll(() => fake.close());

  const config = (over: Partial<ConstructorParameters<typeof S3FileStore>[0]> = {}) => ({
    kind: 's3' as const,
    endpoint: fake.url,
    bucket: fake.bucket,
    region: 'cn-north-1',
    accessKeyId: 'AKIDFAKES3TEST',
    secretAccessKey: 'fake-s3-secret-key',
    forcePathStyle: true,
    ...over,
  });

  it('puts, gets, streams and deletes an object with signed requests', async () => {
    const store = new S3FileStore(config());
    const bytes = randomBytes(70_000);
    const key = await store.put('123456789012345', bytes, 'image/png');
    expect(fake.objects.get(key)?.body.equals(bytes)).toBe(true);
    expect(fake.objects.get(key)?.contentType).toBe('image/png');
    expect((await store.get(key)).equals(bytes)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.stream(key)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    await store.delete(key);
    expect(fake.objects.has(key)).toBe(false);
    await expect(store.get(key)).rejects.toThrow('stored object missing');
    expect(fake.requests.length).toBeGreaterThanOrEqual(5);
    expect(fake.requests.every((r) => r.authorization?.startsWith('AWS4-HMAC-SHA256 Credential=AKIDFAKES3TEST/'))).toBe(true);
  });

  it('is refused by the server when it signs with the wrong secret', async () => {
    const store = new S3FileStore(config({ secretAccessKey: 'not-the-secret' }));
    await expect(store.put('42', Buffer.from('x'), 'image/png')).rejects.toThrow(/403.*SignatureDoesNotMatch/);
    expect(fake.objects.size).toBe(0);
  });
});

// The tests below start servers of their own; models follow the last one started, so they come last.

describe('licence upload through the S3 backend', () => {
  it('stores the upload in the bucket and serves it back identical', async () => {
    const fake = await startFakeS3();
    const server = await startTestServer({
      FILE_STORE: 's3',
      S3_ENDPOINT: fake.url,
      S3_BUCKET: fake.bucket,
      S3_REGION: 'cn-north-1',
      S3_ACCESS_KEY_ID: 'AKIDFAKES3TEST',
      S3_SECRET_ACCESS_KEY: 'fake-s3-secret-key',
      S3_FORCE_PATH_STYLE: 'true',
    });
    try {
      const image = pngImage(50, 20);
      const token = await signInWechat(server);
      const created = await submit(server, token, image);
      expect(created.status).toBe(201);
      const file = await StoredFile.findByPk((await VerificationRequest.findByPk(created.body.data.id))!.licenceFileId);
      expect(fake.objects.get(file!.storageKey)?.body.equals(image)).toBe(true);
      const served = await server.http.get(`/api/v1/verifications/${created.body.data.id}/licence`).set('Authorization', `Bearer ${token}`).buffer(true);
      expect(Buffer.from(served.body).equals(image)).toBe(true);
    } finally {
      await server.close();
      await fake.close();
    }
  });
});

describe('migration of licence images out of the database', () => {
  /** A database of its own: a SQLite file, or a fresh schema on the MySQL server of DATABASE_URL. */
  async function freshDatabase(): Promise<{ url: string; open(): Sequelize; drop(): Promise<void> }> {
    const base = process.env.DATABASE_URL;
    if (base && /^(mysql|mariadb):/.test(base)) {
      const url = new URL(base.replace(/^mariadb:/, 'mysql:'));
      const name = `${url.pathname.slice(1) || 'xyd_test'}_files_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
      const serverUrl = `mysql://${url.username}${url.password ? `:${url.password}` : ''}@${url.host}/`;
      const root = new Sequelize(serverUrl, { logging: false, dialect: 'mysql' });
      await root.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await root.close();
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        open: () => new Sequelize(url.toString(), { logging: false, dialect: 'mysql', timezone: '+00:00' }),
        async drop() {
          const conn = new Sequelize(serverUrl, { logging: false, dialect: 'mysql' });
          await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await conn.close();
        },
      };
    }
    const file = path.join(tempDir(), 'old.sqlite');
    return { url: `sqlite:${file}`, open: () => new Sequelize({ dialect: 'sqlite', storage: file, logging: false }), drop: async () => undefined };
  }

  it('moves BLOB rows into the store keeping their ids, and the image is served byte-identical', async () => {
    const database = await freshDatabase();
    const storeDir = tempDir();
    const savedEnv = process.env.FILE_STORE_DIR;
    const image = pngImage(90, 60);
    const fileId = '88000000000001';
    const requestId = '88000000000002';
    try {
      // An old-style database: every migration before the file store, then a licence image kept as a BLOB.
      const old = database.open();
      const before = migrations[migrations.findIndex((m) => m.name.endsWith('.files')) - 1].name;
      await new Umzug({
        migrations,
        context: old.getQueryInterface(),
        storage: new SequelizeStorage({ sequelize: old, tableName: 'schema_migrations' }),
        logger: undefined,
      }).up({ to: before });
      const now = new Date();
      await old.getQueryInterface().bulkInsert('uploaded_files', [
        { id: fileId, sha256: createHash('sha256').update(image).digest('hex'), mime: 'image/png', size: image.length, data: image, owner_kind: 'wechat', owner_id: '88000000000003', created_at: now },
      ]);
      await old.getQueryInterface().bulkInsert('verification_requests', [
        {
          id: requestId,
          wechat_user_id: '88000000000003',
          uscc: hangzhou.uscc,
          enterprise_name: hangzhou.name,
          legal_rep_name: hangzhou.legalRepName,
          legal_rep_id_hmac: 'x'.repeat(64),
          legal_rep_id_masked: '330106********0000',
          applicant_role: 'owner',
          applicant_name: hangzhou.legalRepName,
          licence_file_id: fileId,
          region_code: hangzhou.regionCode,
          status: 'pending',
          version: 0,
          created_at: now,
          updated_at: now,
        },
      ]);
      await old.close();

      // The migration reads the store settings from the environment, as the server does.
      process.env.FILE_STORE_DIR = storeDir;
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ALLOW_ADMIN_WITHOUT_TOTP: 'true', DATABASE_URL: database.url, FILE_STORE_DIR: storeDir } as NodeJS.ProcessEnv);
      const app = await createContext(config);
      try {
        const applied = await app.db.start();
        expect(applied).toContain(migrations.find((m) => m.name.endsWith('.files'))!.name);

        const qi = app.db.sequelize.getQueryInterface();
        const tables = ((await qi.showAllTables()) as Array<string | { tableName: string }>).map((t) => (typeof t === 'string' ? t : t.tableName));
        expect(tables).not.toContain('uploaded_files');
        const [row] = await app.db.sequelize.query<{ id: string | number; sha256: string; size: number; storage_key: string }>(
          'SELECT id, sha256, size, storage_key FROM files',
          { type: QueryTypes.SELECT },
        );
        expect(String(row.id)).toBe(fileId);
        expect(row).toMatchObject({ sha256: createHash('sha256').update(image).digest('hex'), size: image.length });
        expect(fs.readFileSync(path.join(storeDir, row.storage_key)).equals(image)).toBe(true);

        await seedDemo(app);
        const { koa } = buildApp(app);
        const agent = request.agent(koa.callback());
        await agent.post('/api/v1/auth/admin/login').send({ username: 'admin', password: DEMO_PASSWORD }).expect(200);
        const served = await agent.get(`/api/v1/verifications/${requestId}/licence`).buffer(true);
        expect(served.status).toBe(200);
        expect(served.headers['content-type']).toBe('image/png');
        expect(Buffer.from(served.body).equals(image)).toBe(true);

        // And back: the down migration restores the BLOB from the store.
        await new Umzug({
          migrations,
          context: qi,
          storage: new SequelizeStorage({ sequelize: app.db.sequelize, tableName: 'schema_migrations' }),
          logger: undefined,
        }).down({ to: migrations.find((m) => m.name.endsWith('.files'))!.name });
        const [restored] = await app.db.sequelize.query<{ id: string | number; data: Buffer }>('SELECT id, data FROM uploaded_files', { type: QueryTypes.SELECT });
        expect(String(restored.id)).toBe(fileId);
        expect(Buffer.from(restored.data).equals(image)).toBe(true);
      } finally {
        await app.db.close();
      }
    } finally {
      if (savedEnv === undefined) delete process.env.FILE_STORE_DIR;
      else process.env.FILE_STORE_DIR = savedEnv;
      await database.drop();
    }
  });
});
