#!/usr/bin/env node
/**
 * `npm start`: builds what a fresh clone lacks, then runs the platform on the embedded database with the
 * demo world (WeChat development login, console TOTP not required). Set DATABASE_URL to use MySQL instead.
 */
const { execSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const exists = (p) => fs.existsSync(path.join(root, p));

console.log('Building shared and server…');
run('npm run build -w shared');
run('npm run build -w server');
if (!exists('admin/dist/index.html') || process.env.REBUILD === 'true') {
  console.log('Building the admin console (about a minute)…');
  run('npm run build -w admin');
}
if (!exists('miniapp/dist/h5/index.html') || process.env.REBUILD === 'true') {
  console.log('Building the mini-program H5 (about half a minute)…');
  run('npm run build:h5 -w miniapp');
}

const production = process.env.NODE_ENV === 'production';
const env = {
  ...process.env,
  SEED_DEMO: process.env.SEED_DEMO ?? (production ? 'false' : 'true'),
  ...(production ? {} : { ALLOW_ADMIN_WITHOUT_TOTP: process.env.ALLOW_ADMIN_WITHOUT_TOTP ?? 'true' }),
};
const server = spawn(process.execPath, [path.join(root, 'server/dist/main.js')], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
