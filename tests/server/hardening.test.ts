import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataTypes, UniqueConstraintError } from 'sequelize';
import { loadConfig, ConfigError } from '../../server/src/config';
import { databaseError } from '../../server/src/middleware/errors';
import { cleanupIdempotencyKeys } from '../../server/src/middleware/idempotency';
import { Organisation } from '../../server/src/modules/identity/models';
import { PNG_BYTES, clock, signInAdmin, signInWechat, startTestServer, type TestServer } from './helpers';

const mysql = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-hardening-uploads-'));
const leftovers = () => fs.readdirSync(uploadDir);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ UPLOAD_TMP_DIR: uploadDir }, { signInLimit: 10_000 });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});
afterEach(() => clock.reset());

function multipartBody(boundary: string, parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe('strings that cannot be stored faithfully', () => {
  it('refuses a lone surrogate in a sign-in name with 400 naming the field, and writes nothing', async () => {
    const before = await server.app.db.sequelize.query('SELECT COUNT(*) AS n FROM audit_logs', { plain: true });
    const res = await server.http
      .post('/api/v1/auth/admin/login')
      .set('content-type', 'application/json')
      .send('{"username":"\\ud800","password":"x"}');
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    expect(res.body.errorFields).toEqual([expect.objectContaining({ field: 'username' })]);
    const after = await server.app.db.sequelize.query('SELECT COUNT(*) AS n FROM audit_logs', { plain: true });
    expect(Number(after!.n)).toBe(Number(before!.n));
  });

  it('refuses NUL in a body field and in a query string', async () => {
    const admin = await signInAdmin(server, 'admin');
    const body = await admin.post('/api/v1/organisations').send({ name: 'a\u0000b', type: 'bank', regionCode: '330100' });
    expect(body.status).toBe(400);
    expect(body.body.errorFields[0].field).toBe('name');
    const query = await admin.get('/api/v1/enterprises?keyword=%00abc');
    expect(query.status).toBe(400);
    expect(query.body.errorFields[0].field).toBe('keyword');
  });
});

describe('request bodies', () => {
  it('does not parse multipart on routes that do not take files, nor before authentication', async () => {
    const boundary = 'xydboundary';
    const payload = multipartBody(boundary, [{ name: 'licence', filename: 'big.png', type: 'image/png', data: Buffer.alloc(1024 * 1024, 7) }]);
    for (let i = 0; i < 5; i++) {
      const res = await server.http.post('/api/v1/health').set('content-type', `multipart/form-data; boundary=${boundary}`).send(payload);
      expect(res.status).toBeLessThan(500);
    }
    const anonymous = await server.http.post('/api/v1/verifications').set('content-type', `multipart/form-data; boundary=${boundary}`).send(payload);
    expect(anonymous.status).toBe(401);
    const admin = await signInAdmin(server, 'admin');
    const wrongRoute = await admin.post('/api/v1/organisations').set('content-type', `multipart/form-data; boundary=${boundary}`).send(payload);
    expect(wrongRoute.status).toBe(415);
    expect(wrongRoute.body.errorCode).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(leftovers()).toEqual([]);
  });

  it('answers malformed multipart with 400/413 and leaves no temp file', async () => {
    const token = await signInWechat(server);
    const post = () => server.http.post('/api/v1/verifications').set('authorization', `Bearer ${token}`);
    const noBoundary = await post().set('content-type', 'multipart/form-data').send(Buffer.from('garbage'));
    expect(noBoundary.status).toBe(400);
    const badParts = await post().set('content-type', 'multipart/form-data; boundary=zz').send(Buffer.from('--zz\r\nnot a header\r\n\r\n\x00\x01--zz'));
    expect([400, 413]).toContain(badParts.status);
    const manyFields = multipartBody('mm', Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    const tooMany = await post().set('content-type', 'multipart/form-data; boundary=mm').send(manyFields);
    expect([400, 413]).toContain(tooMany.status);
    const empty = multipartBody('ee', [
      { name: 'uscc', data: '91330106MA27XYZ12X' },
      { name: 'licence', filename: 'empty.png', type: 'image/png', data: Buffer.alloc(0) },
    ]);
    const zeroByte = await post().set('content-type', 'multipart/form-data; boundary=ee').send(empty);
    expect(zeroByte.status).toBe(400);
    const ok = multipartBody('ok', [{ name: 'licence', filename: 'a.png', type: 'image/png', data: PNG_BYTES }]);
    const invalidFields = await post().set('content-type', 'multipart/form-data; boundary=ok').send(ok);
    expect(invalidFields.status).toBe(400); // text fields missing: validation, after which the upload is removed
    for (const res of [noBoundary, badParts, tooMany, zeroByte, invalidFields]) expect(res.body.success).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('answers a bogus or unknown Content-Encoding with 400/415', async () => {
    const token = await signInWechat(server);
    const bogus = await server.http
      .post('/api/v1/wechat/subscriptions')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send('{"results":{}}');
    expect(bogus.status).toBe(400);
    const unknown = await server.http
      .post('/api/v1/wechat/subscriptions')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .set('content-encoding', 'compress')
      .send('{"results":{}}');
    expect(unknown.status).toBe(415);
    const real = await server.http
      .post('/api/v1/wechat/subscriptions')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send(gzipSync('{"results":{}}'));
    expect(real.status).toBeLessThan(500);
    expect(real.status).not.toBe(415);
  });
});

describe('cross-site writes', () => {
  it('refuses an urlencoded form that would create a platform admin', async () => {
    const admin = await signInAdmin(server, 'admin');
    const res = await admin
      .post('/api/v1/admin-users')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('username=evil_admin&displayName=x&password=Evil-Password-2026!&role=platform_admin&organisationId=1');
    expect(res.status).toBe(415);
    const users = await admin.get('/api/v1/admin-users?keyword=evil_admin');
    expect(users.body.data.total).toBe(0);
  });

  it('refuses JSON writes from a foreign origin or a cross-site fetch, and accepts its own origin', async () => {
    const admin = await signInAdmin(server, 'admin');
    const body = { name: '跨站测试机构', type: 'bank', regionCode: '330100' };
    const foreign = await admin.post('/api/v1/organisations').set('origin', 'https://evil.example').send(body);
    expect(foreign.status).toBe(403);
    const crossSite = await admin.post('/api/v1/organisations').set('sec-fetch-site', 'cross-site').send(body);
    expect(crossSite.status).toBe(403);
    const own = await admin.post('/api/v1/organisations').set('origin', 'http://localhost:3000').set('sec-fetch-site', 'same-origin').send(body);
    expect(own.status).toBe(201);
  });
});

describe('idempotency keys', () => {
  it('treats the same fields in another order as the same request, and another body as a conflict', async () => {
    const admin = await signInAdmin(server, 'admin');
    const first = await admin
      .post('/api/v1/organisations')
      .set('idempotency-key', 'order-test-1')
      .set('content-type', 'application/json')
      .send('{"name":"幂等测试银行","type":"bank","regionCode":"330100"}');
    expect(first.status).toBe(201);
    const reordered = await admin
      .post('/api/v1/organisations')
      .set('idempotency-key', 'order-test-1')
      .set('content-type', 'application/json')
      .send('{"regionCode":"330100","type":"bank","name":"幂等测试银行"}');
    expect(reordered.status).toBe(201);
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    expect(reordered.body.data.id).toBe(first.body.data.id);
    const other = await admin.post('/api/v1/organisations').set('idempotency-key', 'order-test-1').send({ name: '另一家银行', type: 'bank', regionCode: '330100' });
    expect(other.status).toBe(409);
    expect(other.body.errorCode).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('keeps no key for a failed request, so the corrected request goes through with the same key', async () => {
    const admin = await signInAdmin(server, 'admin');
    const bad = await admin.post('/api/v1/organisations').set('idempotency-key', 'fix-and-retry').send({ name: '改正后重试银行', type: 'bank', regionCode: '999999' });
    expect(bad.status).toBe(400);
    const good = await admin.post('/api/v1/organisations').set('idempotency-key', 'fix-and-retry').send({ name: '改正后重试银行', type: 'bank', regionCode: '330100' });
    expect(good.status).toBe(201);
  });

  it('commits the key with the change: parallel requests with one key create one row and all answer the same', async () => {
    const admin = await signInAdmin(server, 'admin');
    const body = { name: '并发幂等银行', type: 'bank', regionCode: '330100' };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => admin.post('/api/v1/organisations').set('idempotency-key', 'parallel-key').send(body)),
    );
    const created = results.filter((r) => r.status === 201);
    // On MySQL all ten run at once; each either creates or replays. None half-writes or answers 500.
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(created.map((r) => r.body.data.id)).size).toBe(1);
    expect(await Organisation.count({ where: { name: body.name } })).toBe(1);
  });

  it('expires keys after a day and the cleanup job removes them', async () => {
    const admin = await signInAdmin(server, 'admin');
    const res = await admin.post('/api/v1/organisations').set('idempotency-key', 'ttl-key').send({ name: '过期测试银行', type: 'bank', regionCode: '330100' });
    expect(res.status).toBe(201);
    clock.advance(25 * 3600_000);
    expect(await cleanupIdempotencyKeys(clock.now())).toBeGreaterThan(0);
    clock.reset();
    const admin2 = await signInAdmin(server, 'admin');
    const reuse = await admin2.post('/api/v1/organisations').set('idempotency-key', 'ttl-key').send({ name: '过期测试银行二', type: 'bank', regionCode: '330100' });
    expect(reuse.status).toBe(201);
    expect(reuse.body.data.id).not.toBe(res.body.data.id);
  });
});

describe('database errors', () => {
  it('maps a unique violation to 409 and a too-long value to 400, never 500', async () => {
    const [org] = await Organisation.findAll({ limit: 1 });
    let unique: unknown;
    try {
      await Organisation.create({ id: '1', name: org.name, type: 'bank', regionCode: '330100' } as never);
    } catch (error) {
      unique = error;
    }
    expect(unique).toBeInstanceOf(UniqueConstraintError);
    expect(databaseError(unique)?.code).toBe('CONFLICT');
    if (mysql) {
      // Strict mode refuses a value longer than its column.
      const Probe = server.app.db.sequelize.define('probe', { v: DataTypes.STRING(4) }, { tableName: 'too_long_probe', timestamps: false });
      await Probe.sync();
      let tooLong: unknown;
      try {
        await Probe.create({ v: 'far too long' });
      } catch (error) {
        tooLong = error;
      }
      expect(databaseError(tooLong)?.code).toBe('VALIDATION_FAILED');
    }
  });

  (mysql ? it : it.skip)('re-runs a transaction that lost a deadlock instead of failing it', async () => {
    const q = server.app.db.sequelize;
    await q.query('CREATE TABLE deadlock_probe (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
    await q.query('INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)');
    let attempts = 0;
    const both = { locked: 0 };
    const barrier = async () => {
      both.locked += 1;
      const deadline = Date.now() + 10_000;
      while (both.locked < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    };
    const run = (first: number, second: number) =>
      server.app.db.transaction(async (t) => {
        attempts += 1;
        await q.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = ?', { replacements: [first], transaction: t });
        if (attempts <= 2) await barrier();
        await q.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = ?', { replacements: [second], transaction: t });
      });
    await Promise.all([run(1, 2), run(2, 1)]);
    expect(attempts).toBeGreaterThanOrEqual(3);
    const rows = (await q.query('SELECT v FROM deadlock_probe ORDER BY id', { plain: false })) as unknown as [Array<{ v: number }>];
    expect(rows[0].map((r) => Number(r.v))).toEqual([2, 2]);
  });
});

describe('configuration behind a proxy', () => {
  it('refuses an https PUBLIC_URL without TRUST_PROXY', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'https://xyd.example.cn' } as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLIC_URL: 'https://xyd.example.cn', TRUST_PROXY: 'true' } as NodeJS.ProcessEnv)).not.toThrow();
  });

  it('reads the worker settings and refuses nonsense', () => {
    expect(loadConfig({ WORKER_CONCURRENCY: '8', WORKER_POLL_MS: '250', WORKER_LEASE_MS: '5000' } as NodeJS.ProcessEnv).worker).toEqual({
      concurrency: 8,
      pollMs: 250,
      leaseMs: 5000,
    });
    expect(loadConfig({} as NodeJS.ProcessEnv).worker.leaseMs).toBe(30_000);
    expect(() => loadConfig({ WORKER_CONCURRENCY: '0' } as NodeJS.ProcessEnv)).toThrow(/WORKER_CONCURRENCY/);
    expect(() => loadConfig({ WORKER_LEASE_MS: '10' } as NodeJS.ProcessEnv)).toThrow(/WORKER_LEASE_MS/);
  });
});

describe('behind a TLS-ending proxy', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({ PUBLIC_URL: 'https://xyd.example.cn', TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '1' }, { signInLimit: 10_000 });
  });
  afterAll(() => proxied.close());

  it('signs in with a Secure cookie and takes the client address from the last proxy hop only', async () => {
    const res = await proxied.http
      .post('/api/v1/auth/admin/login')
      .set('x-forwarded-for', '6.6.6.6, 203.0.113.9')
      .set('x-forwarded-proto', 'https')
      .send({ username: 'admin', password: 'Xyd-Demo-2026!' });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/secure/i);
    const plain = await proxied.http.post('/api/v1/auth/admin/login').send({ username: 'admin', password: 'Xyd-Demo-2026!' });
    expect(plain.status).toBe(200);
    const [row] = (await proxied.app.db.sequelize.query("SELECT ip FROM audit_logs WHERE action = 'auth.admin.login' AND ip = '203.0.113.9'")) as [Array<{ ip: string }>, unknown];
    expect(row.length).toBeGreaterThan(0);
  });
});

describe('migrations from several processes', () => {
  it('two processes starting on an empty database migrate it once, without error', async () => {
    const { spawn } = await import('node:child_process');
    const { randomBytes } = await import('node:crypto');
    const { Sequelize } = await import('sequelize');
    const { migrations } = await import('../../server/src/db/migrations');
    const base = process.env.DATABASE_URL;
    let url: string;
    let drop: () => Promise<void>;
    if (base && mysql) {
      const u = new URL(base.replace(/^mariadb:/, 'mysql:'));
      const name = `${u.pathname.slice(1) || 'xyd_test'}_mig_${randomBytes(4).toString('hex')}`;
      const rootUrl = `mysql://${u.username}${u.password ? `:${u.password}` : ''}@${u.host}/`;
      const admin = new Sequelize(rootUrl, { logging: false, dialect: 'mysql' });
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
      u.pathname = `/${name}`;
      url = u.toString();
      drop = async () => {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.close();
      };
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-migrate-'));
      url = `sqlite:${path.join(dir, 'race.sqlite')}`;
      drop = async () => fs.rmSync(dir, { recursive: true, force: true });
    }
    try {
      const run = () =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '../../server/src/commands/migrate.ts')], {
            cwd: path.join(__dirname, '../..'),
            env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test' },
          });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.on('exit', (code) => resolve({ code, out }));
        });
      const results = await Promise.all([run(), run()]);
      for (const r of results) expect({ code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ code: 0, out: '' });
      const check = new Sequelize(url.replace(/^mariadb:/, 'mysql:'), { logging: false });
      const [rows] = (await check.query('SELECT name FROM schema_migrations')) as [Array<{ name: string }>, unknown];
      await check.close();
      expect(rows.map((r) => r.name).sort()).toEqual(migrations.map((m) => m.name).sort());
    } finally {
      await drop();
    }
  }, 240_000);
});
