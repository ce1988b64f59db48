/**
 * Mini-program component tests: the pages render with Taro's real H5 components and API layer in jsdom, with the
 * server mocked at Taro.request / Taro.uploadFile. Run alone with `npx jest -c tests/miniapp/jest.config.js`.
 */
const path = require('path');

const rootDir = path.join(__dirname, '..', '..');

/** Packages shipped as ES modules only, which jest must compile like our own sources. */
const esmPackages = [
  '@tarojs',
  '@stencil',
  'lodash-es',
  'query-string',
  'decode-uri-component',
  'split-on-first',
  'filter-obj',
  'is-mobile',
  'nanoid',
  'swiper',
];

module.exports = {
  displayName: 'miniapp',
  rootDir,
  testMatch: ['<rootDir>/tests/miniapp/**/*.test.ts?(x)'],
  testEnvironment: 'jsdom',
  // Constants the h5 build defines (webpack5-runner's H5WebpackPlugin).
  globals: { DEPRECATED_ADAPTER_COMPONENT: false },
  setupFiles: ['<rootDir>/tests/miniapp/support/env.js'],
  setupFilesAfterEnv: ['<rootDir>/tests/miniapp/support/setup.ts'],
  restoreMocks: true,
  transform: {
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2020',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Anything inside one of those packages (including what they vendor) is compiled; other packages are left alone.
  transformIgnorePatterns: [`^(?!.*/node_modules/(${esmPackages.join('|')})/).*/node_modules/`],
  moduleNameMapper: {
    // What the H5 build aliases: Taro's API for the web plus the React hooks (useDidShow, …).
    '^@tarojs/taro$': '<rootDir>/tests/miniapp/support/taro.ts',
    // Taro's H5 components for React (the Stencil web components behind React wrappers), as in the h5 build.
    '^@tarojs/components$': '<rootDir>/node_modules/@tarojs/components/lib/react/index.js',
    '^@xyd/shared$': '<rootDir>/shared/src/index.ts',
    '\\.(css|scss)$': '<rootDir>/tests/miniapp/support/style-stub.js',
  },
  // Taro's packages nest a few of their dependencies under the mini-program workspace.
  modulePaths: ['<rootDir>/miniapp/node_modules'],
};
