import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import type { IProjectConfig } from '@tarojs/taro/types/compile'
import devConfig from './dev'
import prodConfig from './prod'

const appRoot = path.resolve(__dirname, '..')
const repoRoot = path.resolve(appRoot, '..')

type WebpackChain = Parameters<NonNullable<NonNullable<IProjectConfig<'webpack5'>['mini']>['webpackChain']>>[0]

/**
 * npm installs @tarojs/taro and @tarojs/router under miniapp/node_modules (their peers clash at the root) while the
 * loaders and runtimes that import them by bare name are hoisted to the root. Looking in miniapp/node_modules first
 * finds them, and also folds the nested copies other Taro packages carry into one instance per package.
 */
const moduleDirs = [path.join(appRoot, 'node_modules'), path.join(repoRoot, 'node_modules'), 'node_modules']

/** The shared package is compiled from source, so a build never depends on shared/dist being built first. */
const sharedSource = path.join(repoRoot, 'shared', 'src')

function withWorkspaceResolution(chain: WebpackChain) {
  chain.resolve.modules.clear().merge(moduleDirs)
  chain.resolveLoader.modules.clear().merge(moduleDirs)
  chain.resolve.alias.set('@xyd/shared$', path.join(sharedSource, 'index.ts'))
  // Shared's validators are pure functions; marking its source side-effect free lets webpack skip the zod schemas
  // (and zod's locale table) that the mini-program does not import.
  chain.module.rule('xyd-shared-pure').test(/\.ts$/).include.add(sharedSource).end().set('sideEffects', false)
}

// https://docs.taro.zone/docs/config
export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'xinyidai-miniapp',
    date: '2025-11-26',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    // weapp and h5 builds live side by side: dist/weapp, dist/h5.
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [sharedSource] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      webpackChain(chain) {
        withWorkspaceResolution(chain)
      },
    },
    h5: {
      // The Koa server serves this build at /h5/.
      publicPath: '/h5/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [sharedSource] },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      webpackChain(chain) {
        withWorkspaceResolution(chain)
        // A mobile page behind the API server, not a public site: webpack's 244 KiB advice is only noise here.
        chain.performance.hints(false)
      },
    },
  }

  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig)
  }
  return merge({}, baseConfig, prodConfig)
})
