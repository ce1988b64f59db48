import { loadConfigOrExit } from './config';
import { startWorker } from './jobs/worker';
import { createContext } from './main';

/**
 * `npm run worker`: a process that only runs jobs (the outbox, cleanups, and every module's background work).
 * Start as many as the load needs; they share the queue through the database.
 */
async function runWorker(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createContext(config);
  const applied = await app.db.start();
  if (applied.length) app.logger.info({ applied }, 'migrations applied');
  const stop = startWorker(app, { ...app.config.worker, keepAlive: true });
  app.logger.info({ database: app.db.dialect }, 'job worker started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'job worker stopping: waiting for running jobs');
    await stop();
    await app.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  runWorker().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
