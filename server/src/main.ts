import type { Server } from 'node:http';
import type { DestinationStream } from 'pino';
import { buildApp } from './app';
import { loadConfigOrExit, type AppConfig } from './config';
import type { AppContext } from './context';
import { connect } from './db';
import { createLogger } from './lib/logger';
import { createFileStore } from './modules/files/store';
import { startWorker } from './jobs/worker';
import { DEMO_PASSWORD, DEMO_USERS, demoEnterprises, seedDemo } from './seed/demo';
import { loadDemoWorld } from './seed/load-world';
import { enqueueQualityRefresh } from './modules/credit-data/quality';
import { WechatClient, createDevLoginProvider } from './wechat';

export async function createContext(config: AppConfig, logDestination?: DestinationStream): Promise<AppContext> {
  const logger = createLogger(config.logLevel, logDestination);
  const db = connect(config.databaseUrl);
  const wechatClient =
    config.wechat.appId && config.wechat.secret
      ? new WechatClient({ appId: config.wechat.appId, appSecret: config.wechat.secret, apiBase: config.wechat.apiBase, logger })
      : null;
  const wechatLogin = wechatClient ?? createDevLoginProvider(config.env);
  return { config, db, logger, wechatClient, wechatLogin, fileStore: createFileStore(config.fileStore) };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createContext(config);
  const applied = await app.db.start();
  if (applied.length) app.logger.info({ applied }, 'migrations applied');
  const seeded = config.seedDemo ? await seedDemo(app) : false;
  const { koa } = buildApp(app);
  // The demo runs one job worker in the API process; deployments run `npm run worker` beside the API.
  const stopWorker = startWorker(app, app.config.worker);
  const server: Server = koa.listen(config.port, config.host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  // The demo's credit data arrives through the real pipeline (files and signed pushes, on this process's worker),
  // once, into the freshly seeded database: sending it again would change no record but would count every row
  // again (as duplicates and rejections) in the data-quality figures.
  const world =
    seeded && config.demoWorld.enterprises > 0
      ? await loadDemoWorld(app, { ...config.demoWorld, worker: false, log: (line) => app.logger.debug(line) }).catch((error: unknown) => {
          app.logger.error({ err: error }, 'the demo world did not load');
          return null;
        })
      : null;
  if (world) await enqueueQualityRefresh(app);

  const base = `http://localhost:${config.port}`;
  const lines = [
    '',
    `信易贷 is running (${app.db.dialect}${config.wechat.devLogin ? ', WeChat development login' : ''}${config.allowAdminWithoutTotp ? ', console TOTP not required (demo)' : ''})`,
    `  Admin console   ${base}/admin/`,
    `  Mini-program H5 ${base}/h5/`,
    `  API docs        ${base}/api/docs`,
    `  Health          ${base}/api/v1/health`,
  ];
  if (config.seedDemo) {
    lines.push(seeded ? '  Demo data seeded.' : '  Demo data already present.');
    if (world) {
      lines.push(
        `  Demo credit data: ${world.world.enterprises} firms × ${world.world.months} months through the import pipeline, ${world.rows.toLocaleString('en-US')} rows in ${world.seconds.toFixed(1)} s (npm run demo:data for more)`,
      );
    }
    lines.push(`  Console accounts (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.username).join(', ')}`);
    const sample = demoEnterprises()[0];
    lines.push(`  Sample enterprise to bind: ${sample.name} ${sample.uscc}, legal rep ${sample.legalRepName} ${sample.legalRepIdNumber}`);
  }
  console.log(lines.join('\n'));

  const shutdown = async (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    server.close();
    await stopWorker();
    await app.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
