#!/usr/bin/env node
/**
 * Prints the size of the WeChat main package (everything in dist/weapp outside the subpackage roots) and of each
 * subpackage, and fails when a package reaches WeChat's 2 MB limit. Run after `npm run build:weapp`.
 */
const fs = require('fs');
const path = require('path');

const LIMIT_BYTES = 2 * 1024 * 1024;
const distDir = path.resolve(__dirname, '..', 'dist', 'weapp');
const appJsonPath = path.join(distDir, 'app.json');

if (!fs.existsSync(appJsonPath)) {
  console.error(`No weapp build at ${distDir}: run \`npm run build:weapp -w miniapp\` first.`);
  process.exit(1);
}

const appJson = JSON.parse(fs.readFileSync(appJsonPath, 'utf8'));
const roots = (appJson.subpackages || appJson.subPackages || []).map((p) => p.root.replace(/^\/+|\/+$/g, ''));

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

const sizes = new Map([['main', 0], ...roots.map((root) => [root, 0])]);
for (const file of files(distDir)) {
  const relative = path.relative(distDir, file).split(path.sep).join('/');
  const owner = roots.find((root) => relative === root || relative.startsWith(`${root}/`)) || 'main';
  sizes.set(owner, sizes.get(owner) + fs.statSync(file).size);
}

const format = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const percent = (bytes) => `${((bytes / LIMIT_BYTES) * 100).toFixed(1)}% of 2 MB`;
let failed = false;
for (const [name, bytes] of sizes) {
  const label = name === 'main' ? 'main package' : `subpackage ${name}`;
  const over = bytes >= LIMIT_BYTES;
  failed ||= over;
  console.log(`${over ? '✖' : '✔'} ${label.padEnd(34)} ${format(bytes).padStart(10)}  (${percent(bytes)})`);
}
const total = [...sizes.values()].reduce((a, b) => a + b, 0);
console.log(`  ${'total'.padEnd(34)} ${format(total).padStart(10)}`);

if (failed) {
  console.error('A WeChat package is 2 MB or more: move pages into subpackages or trim dependencies.');
  process.exit(1);
}
