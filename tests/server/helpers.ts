import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { Sequelize } from 'sequelize';
import { buildApp, type BuildOptions } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import type { AppContext } from '../../server/src/context';
import { createContext } from '../../server/src/main';
import { clock } from '../../server/src/lib/clock';
import { DEMO_PASSWORD, seedDemo } from '../../server/src/seed/demo';

export { DEMO_PASSWORD, clock };

export interface TestServer {
  app: AppContext;
  http: ReturnType<typeof request>;
  agent(): TestAgent;
  callback: ReturnType<ReturnType<typeof buildApp>['koa']['callback']>;
  registry: ReturnType<typeof buildApp>['registry'];
  /** The request path's session cache (identity/session-cache.ts). */
  sessions: ReturnType<typeof buildApp>['sessions'];
  close(): Promise<void>;
}

/**
 * Models are bound to one database per process (as in production): while a second server started in the
 * same file is alive or after it, use that one; keep such tests at the end of a file.
 *
 * A server on a database of its own: a temporary SQLite file by default, or a fresh schema on the MySQL
 * server named by DATABASE_URL (dropped afterwards).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: BuildOptions & { seed?: boolean; logLines?: string[] } = {},
): Promise<TestServer> {
  const suffix = `${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let dropDatabase: (() => Promise<void>) | null = null;
  // Files (licence images) go to a folder of this server's own, on either database.
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-test-'));
  const base = process.env.DATABASE_URL;
  if (base && /^(mysql|mariadb):/.test(base)) {
    const url = new URL(base.replace(/^mariadb:/, 'mysql:'));
    const name = `${url.pathname.slice(1) || 'xyd_test'}_${suffix}`;
    const admin = new Sequelize(`mysql://${url.username}${url.password ? `:${url.password}` : ''}@${url.host}/`, { logging: false, dialect: 'mysql' });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.close();
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const conn = new Sequelize(`mysql://${url.username}${url.password ? `:${url.password}` : ''}@${url.host}/`, { logging: false, dialect: 'mysql' });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.close();
    };
  } else {
    databaseUrl = `sqlite:${path.join(tempDir, 'test.sqlite')}`;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ALLOW_ADMIN_WITHOUT_TOTP: 'true',
    FILE_STORE_DIR: path.join(tempDir, 'files'),
    UPLOAD_TMP_DIR: path.join(tempDir, 'uploads'),
    ...env,
    DATABASE_URL: databaseUrl,
  } as NodeJS.ProcessEnv);
  const lines = options.logLines;
  const app = await createContext(config, lines ? { write: (line: string) => void lines.push(line) } : undefined);
  await app.db.start();
  if (options.seed !== false) await seedDemo(app);
  const { koa, registry, sessions } = buildApp(app, options);
  const callback = koa.callback();
  return {
    app,
    http: request(callback),
    agent: () => request.agent(callback),
    callback,
    registry,
    sessions,
    async close() {
      await app.db.close();
      if (dropDatabase) await dropDatabase();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

export async function signInAdmin(server: TestServer, username: string, password = DEMO_PASSWORD): Promise<TestAgent> {
  const agent = server.agent();
  const res = await agent.post('/api/v1/auth/admin/login').send({ username, password });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return agent;
}

/** Signs in through the development WeChat login and returns the bearer token. */
export async function signInWechat(server: TestServer, code = `dev-${randomBytes(6).toString('hex')}`): Promise<string> {
  const res = await server.http.post('/api/v1/auth/wechat/login').send({ code });
  if (res.status !== 200) throw new Error(`wechat sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token as string;
}

/** The form fields of a verification request for a firm (as the demo seed describes it), by its legal representative. */
export function verificationFields(e: { uscc: string; name: string; legalRepName: string; legalRepIdNumber: string }): Record<string, string> {
  return { uscc: e.uscc, enterpriseName: e.name, legalRepName: e.legalRepName, legalRepIdNumber: e.legalRepIdNumber, applicantRole: 'owner' };
}

/** POST /verifications as multipart, the way the mini-program sends it; `file: null` sends no licence. */
export function submitVerification(
  server: TestServer,
  token: string,
  fields: Record<string, string>,
  options: { file?: Buffer | null; filename?: string; idempotencyKey?: string } = {},
) {
  let req = server.http.post('/api/v1/verifications').set('Authorization', `Bearer ${token}`);
  if (options.idempotencyKey) req = req.set('Idempotency-Key', options.idempotencyKey);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  const file = options.file === undefined ? PNG_BYTES : options.file;
  return file ? req.attach('licence', file, options.filename ?? 'licence.png') : req;
}

/** The smallest valid PNG (1×1). */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Polls a condition until it holds; the generous default holds on a loaded 2-core machine. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Starts a TypeScript fixture as a child process (`node -r @swc-node/register <script>`) and resolves once it prints
 * "ready"; the child is added to `children` (and removed when it exits) so the test can kill what is left.
 */
export function spawnReady(script: string, env: Record<string, string>, children: Set<ChildProcess>, timeoutMs = 120_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${errors}`));
    });
  });
}

/** A data source's signed push, as docs/integration.md tells integrators to sign it (independently of the server's code). */
export function signedPush(server: TestServer, source: { keyId: string; secret: string }, category: string, records: unknown[], batchId = `b-${randomBytes(6).toString('hex')}`) {
  const target = `/api/v1/ingest/${category}?batchId=${batchId}`;
  const body = JSON.stringify(records);
  const timestamp = String(Math.floor(clock.nowMs() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const canonical = `POST\n${target}\n${timestamp}\n${nonce}\n${createHash('sha256').update(body).digest('hex')}`;
  return server.http
    .post(target)
    .set({ 'X-Key-Id': source.keyId, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': createHmac('sha256', source.secret).update(canonical).digest('hex') })
    .set('Content-Type', 'application/json')
    .send(body);
}
