'use strict';
/** Starts the real server (TypeScript via @swc-node/register) on a free port and a fresh embedded database. */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Env vars from the caller's shell that would point the server somewhere other than a throwaway demo. */
const STRIPPED_ENV = [
  'NODE_ENV',
  'DATABASE_URL',
  'WECHAT_APPID',
  'WECHAT_SECRET',
  'WECHAT_API_BASE',
  'WECHAT_TEMPLATES',
  'PUBLIC_URL',
  'CORS_ORIGINS',
  'STATIC_ADMIN_DIR',
  'STATIC_H5_DIR',
  'OUTBOX_INTERVAL_MS',
];

async function startServer({ root, dataDir, logFile, staticAdminDir, staticH5Dir, timeoutMs = 90_000 }) {
  const port = await freePort();
  const env = { ...process.env };
  for (const key of STRIPPED_ENV) delete env[key];
  Object.assign(env, {
    DATA_DIR: dataDir,
    SEED_DEMO: 'true',
    // The scenarios count the records they import themselves: no generated demo world beside them.
    DEMO_WORLD_ENTERPRISES: '0',
    ALLOW_ADMIN_WITHOUT_TOTP: 'true',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.E2E_SERVER_LOG_LEVEL || 'warn',
  });
  if (staticAdminDir) env.STATIC_ADMIN_DIR = staticAdminDir;
  if (staticH5Dir) env.STATIC_H5_DIR = staticH5Dir;

  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'server/src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const handle = {
    baseUrl,
    port,
    pid: child.pid,
    logFile,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 5_000);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    },
  };

  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) {
      throw Object.assign(new Error(`server exited before it was ready (code ${exited.code}, signal ${exited.signal})`), { server: handle });
    }
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) {
        const body = await res.json();
        if (body && body.success && body.data && body.data.status === 'ok') return handle;
        last = `health answered ${JSON.stringify(body)}`;
      } else {
        last = `health answered HTTP ${res.status}`;
      }
    } catch (error) {
      last = error.message;
    }
    await Promise.race([new Promise((r) => setTimeout(r, 250)), exitPromise]);
  }
  await handle.stop();
  throw Object.assign(new Error(`server was not healthy within ${timeoutMs} ms (${last})`), { server: handle });
}

/** Last `lines` lines of a log, for failure reports. */
function tail(text, lines = 120) {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

module.exports = { startServer, freePort, tail, STRIPPED_ENV };
