#!/usr/bin/env node
/**
 * Generates src/.umi-test (umi's runtime for jest: routes, plugins, TestBrowser) and writes the jest moduleNameMapper
 * for it to src/.umi-test/jest-module-map.json. `max setup` cannot do this: it always writes the development dir.
 * Run by `npm run pretest:jest -w admin`, and by tests/admin/jest.config.js when the output is missing or stale.
 */
const fs = require('fs');
const path = require('path');

const adminRoot = path.join(__dirname, '..');
process.env.APP_ROOT = adminRoot;
process.env.NODE_ENV = 'test';

async function main() {
  const { configUmiAlias } = require(require.resolve('@umijs/max/test', { paths: [adminRoot] }));
  const { moduleNameMapper } = await configUmiAlias({ moduleNameMapper: {} });
  const out = path.join(adminRoot, 'src', '.umi-test', 'jest-module-map.json');
  fs.writeFileSync(out, `${JSON.stringify(moduleNameMapper, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
