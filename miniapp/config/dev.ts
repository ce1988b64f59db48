import type { UserConfigExport } from '@tarojs/cli'

export default {
  logger: { quiet: false, stats: true },
  mini: {},
  h5: {
    devServer: {
      port: 10086,
      // `npm run dev:h5` talks to a local API server on the same origin, as the Koa server does in production.
      proxy: [{ context: ['/api'], target: 'http://127.0.0.1:3000', changeOrigin: true }],
    },
  },
} satisfies UserConfigExport<'webpack5'>
