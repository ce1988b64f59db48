import { loadConfigOrExit } from '../config';
import { createContext } from '../main';
import { runAuditVerification } from '../modules/audit/jobs';

/**
 * Walks the whole audit chain of the configured database (the same one the server uses: the package script
 * runs from the repository root, as `npm start` does), stores the run, prints every broken row and exits 1
 * if there is any.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createContext({ ...config, logLevel: 'silent' });
  try {
    // Migrates and leases an id worker: the run is stored under a new id.
    await app.db.start();
    const result = await runAuditVerification(app, { full: true });
    const head = result.sealedSeq ? `head #${result.sealedSeq} ${result.headHash}` : 'nothing sealed yet';
    if (result.ok) {
      console.log(`audit chain intact: ${result.checked} rows checked, ${head}, ${result.unsealed} rows waiting to be sealed`);
    } else {
      console.error(`audit chain broken: ${result.broken.length} bad rows among ${result.checked} checked (${head})`);
      for (const row of result.broken) console.error(`  seq ${row.seq}  id ${row.id || '-'}  ${row.reason}`);
      process.exitCode = 1;
    }
  } finally {
    await app.db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
