import { loadConfig } from '../config';
import { connect } from '../db';
import { verifyAuditChain } from '../modules/audit/service';

/** Walks the audit chain of the configured database; exit code 1 names the first broken row. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = connect(config.databaseUrl);
  try {
    const result = await verifyAuditChain();
    if (result.ok) {
      console.log(`audit chain intact: ${result.checked} rows checked`);
    } else {
      console.error(`audit chain broken at row ${result.firstBrokenId} after ${result.checked} good rows: ${result.reason}`);
      process.exitCode = 1;
    }
  } finally {
    await db.close();
  }
}

void main();
