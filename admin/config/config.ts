import { defineConfig } from '@umijs/max';
import path from 'path';
import routes from './routes';

export default defineConfig({
  // The Koa server serves dist/ at /admin/ and falls back to index.html, so browser history routing works.
  base: '/admin/',
  publicPath: '/admin/',
  outputPath: 'dist',
  history: { type: 'browser' },
  hash: true,
  title: '信易贷管理后台',
  favicons: ['/admin/favicon.svg'],
  npmClient: 'npm',
  routes,
  antd: {
    appConfig: {},
    configProvider: {
      // Keep two-character button labels (通过, 驳回) as typed: tests and screen readers look for the plain text.
      button: { autoInsertSpace: false },
    },
  },
  access: {},
  model: {},
  initialState: {},
  request: {},
  locale: {
    default: 'zh-CN',
    antd: true,
    baseNavigator: false,
    useLocalStorage: false,
    title: false,
  },
  // antd 5 uses dayjs; without this the locale plugin would bundle moment (present in node_modules for the server).
  moment2dayjs: { preset: 'antd', plugins: ['duration'] },
  layout: {
    title: '信易贷',
    locale: false,
  },
  alias: {
    // Shared domain types, labels and validators, compiled from source so the console never needs a shared build first.
    '@xyd/shared': path.resolve(__dirname, '../../shared/src'),
  },
  // Two cores: a plain webpack build is faster and more predictable than MFSU here.
  mfsu: false,
  chainWebpack(memo, { webpack }) {
    // The layout plugin's fallback header links a CDN avatar; the console renders its own header (src/components/RightContent),
    // so swap that module for a stub and keep every asset local.
    memo
      .plugin('local-right-render')
      .use(webpack.NormalModuleReplacementPlugin, [
        /plugin-layout[\\/]rightRender(\.tsx)?$/,
        path.resolve(__dirname, '../src/components/RightContent/layoutRightRender.tsx'),
      ]);
  },
  proxy: {
    '/api': { target: 'http://127.0.0.1:3000', changeOrigin: true },
  },
});
