import { spawn } from 'node:child_process';
import path from 'node:path';
import { startTestServer, type TestServer } from './helpers';
import { idTimestamp, newId } from '../../server/src/lib/ids';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'ids', 'generate.ts');

function runGenerator(databaseUrl: string, count: number, siblings: number): Promise<{ workerId: number; count: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, COUNT: String(count), SIBLINGS: String(siblings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`generator exited ${code}: ${err}`))));
  });
}

describe('ids across processes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { seed: false });
    await server.app.db.sequelize.query('CREATE TABLE id_probe (id BIGINT NOT NULL PRIMARY KEY, pid INTEGER NOT NULL)');
    await server.app.db.sequelize.query('CREATE TABLE id_probe_ready (pid INTEGER NOT NULL PRIMARY KEY)');
  });
  afterAll(() => server.close());

  it('two processes generating at full speed into one table make no duplicate', async () => {
    const perProcess = 150_000;
    const results = await Promise.all([0, 1].map(() => runGenerator(server.app.config.databaseUrl, perProcess, 2)));
    // The parent (this test process) holds a lease too: three distinct worker ids.
    const [a, b] = results;
    expect(new Set([a.workerId, b.workerId]).size).toBe(2);
    const [rows] = (await server.app.db.sequelize.query('SELECT COUNT(*) AS n, COUNT(DISTINCT pid) AS p FROM id_probe')) as [
      Array<{ n: number | string; p: number | string }>,
      unknown,
    ];
    expect(Number(rows[0].n)).toBe(2 * perProcess);
    expect(Number(rows[0].p)).toBe(2);
  }, 240_000);

  it('keeps ids 53-bit, increasing and time-ordered', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => newId());
    for (let i = 1; i < ids.length; i++) expect(Number(ids[i])).toBeGreaterThan(Number(ids[i - 1]));
    expect(Number(ids[ids.length - 1])).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(idTimestamp(ids[0]).getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(idTimestamp(ids[0]).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
