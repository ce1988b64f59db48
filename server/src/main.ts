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
