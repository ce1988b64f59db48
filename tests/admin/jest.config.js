/**
 * Admin console tests: real antd / ProComponents / umi runtime in jsdom, the server faked at the HTTP adapter.
 * Runnable alone (`npx jest -c tests/admin/jest.config.js` from the repo root) and as a project of the root config.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const repoRoot = path.join(__dirname, '..', '..');
const adminRoot = path.join(repoRoot, 'admin');
const setupScript = path.join(adminRoot, 'scripts', 'setup-test.js');
const moduleMapFile = path.join(adminRoot, 'src', '.umi-test', 'jest-module-map.json');

/** What umi's generated test runtime is made from: config, runtime config, models, the installed versions. */
function generatorInputs() {
  const inDir = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : []);
  return [
    setupScript,
    path.join(adminRoot, 'package.json'),
    path.join(adminRoot, 'src', 'app.tsx'),
    ...inDir(path.join(adminRoot, 'config')),
    ...inDir(path.join(adminRoot, 'src', 'models')),
  ].filter((f) => fs.existsSync(f));
}

/**
 * admin/src/.umi-test is generated (it holds absolute paths, so it is not committed). Regenerate only when missing or
 * older than its inputs: the root config loads this file for every jest run, admin's or not.
 */
function ensureUmiTestRuntime() {
  const builtAt = fs.existsSync(moduleMapFile) ? fs.statSync(moduleMapFile).mtimeMs : 0;
  if (builtAt > 0 && generatorInputs().every((f) => fs.statSync(f).mtimeMs <= builtAt)) return;
  const result = spawnSync(process.execPath, [setupScript], { cwd: adminRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`admin: ${path.relative(repoRoot, setupScript)} failed (exit ${result.status})`);
}

const swc = (parser) => [
  '@swc/jest',
  {
    jsc: { target: 'es2020', parser, transform: { react: { runtime: 'automatic' } } },
    module: { type: 'commonjs' },
  },
];

ensureUmiTestRuntime();
// Pieces of umi's own jest preset (@umijs/test createConfig), referenced by path: loading @umijs/test here would keep
// handles open in jest's main process.
const umiTestDir = path.dirname(require.resolve('@umijs/test/package.json', { paths: [require.resolve('umi', { paths: [adminRoot] })] }));
const fromUmiTest = (request) => require.resolve(request, { paths: [umiTestDir] });

module.exports = {
  displayName: 'admin',
  rootDir: repoRoot,
  roots: ['<rootDir>/tests/admin'],
  testMatch: ['<rootDir>/tests/admin/**/*.test.ts?(x)'],
  testEnvironment: 'jsdom',
  // umi's resolver (falls back to `module` when a package has no `main`).
  resolver: fromUmiTest('./dist/resolver.js'),
  // swc, as in the other projects. node_modules are transformed too: antd, ProComponents and umi's generated
  // runtime ship ES modules.
  transform: {
    '^.+\\.(ts|tsx)$': swc({ syntax: 'typescript', tsx: true }),
    '^.+\\.(js|jsx|mjs)$': swc({ syntax: 'ecmascript', jsx: true }),
  },
  transformIgnorePatterns: [],
  moduleNameMapper: {
    '^.+\\.(css|less|sass|scss|stylus)$': fromUmiTest('identity-obj-proxy'),
    ...JSON.parse(fs.readFileSync(moduleMapFile, 'utf8')),
    '^@xyd/shared$': '<rootDir>/shared/src/index.ts',
  },
  // umi's shim (a fetch for jsdom), then what jsdom lacks for antd.
  setupFiles: [fromUmiTest('./setupFiles/shim'), '<rootDir>/tests/admin/support/env.ts'],
  setupFilesAfterEnv: ['<rootDir>/tests/admin/support/setup.ts'],
  cacheDirectory: path.join(repoRoot, 'node_modules', '.cache', 'jest-admin'),
};
