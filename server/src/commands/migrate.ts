import { loadConfigOrExit } from '../config';
import { connect } from '../db';

/**
 * `npm run migrate`: applies pending migrations and exits, for deployments that migrate as a separate step
 * before starting API processes and workers. Safe to run from several places at once (a named lock on MySQL).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
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
