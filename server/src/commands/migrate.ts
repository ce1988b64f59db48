import { ConfigError, loadConfig } from '../config';
import { connect } from '../db';

/**
 * `npm run migrate`: applies pending migrations and exits, for deployments that migrate as a separate step
 * before starting API processes and workers. Safe to run from several places at once (a named lock on MySQL).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`配置错误 / configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const db = connect(config.databaseUrl);
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied ${applied.length} migrations: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
