/** Shared settings for the node-side jest projects (shared, server). */
const path = require('path');

module.exports = (name) => ({
  displayName: name,
  rootDir: path.join(__dirname, '..'),
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: { '^@xyd/shared$': '<rootDir>/shared/src/index.ts' },
});
