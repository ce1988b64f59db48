import { QueryTypes, type QueryInterface, type Sequelize, type Transaction } from 'sequelize';
import { currentIdWorker, newId } from '../../lib/ids';
import { leaseIdWorker } from '../id-workers';

type Ctx = { context: QueryInterface };

/**
 * One grant scope per group of credit-record categories (RECORD_SCOPES) instead of `credit_records`, which covered
 * every category: a legacy grant row becomes one row per record scope its (application, organisation) does not hold
 * yet, and a legacy access-log row one row per record scope, naming the new grant row of that scope. Rows are copied
 * by INSERT … SELECT joined on a list of (old id, new id, scope), so every value stays as the database holds it.
 *
 * Each page commits on its own and a re-run skips what is done: grant rows are added only where the scope is missing,
 * log rows are replaced in the transaction that writes their successors, and legacy grant rows go last.
 */

const LEGACY = 'credit_records';
/** shared's RECORD_SCOPES as of this migration, frozen here: a later change to the list is a migration of its own. */
const RECORD_SCOPES = ['registration', 'public_records', 'tax', 'social_security', 'utility', 'court_case', 'logistics'] as const;
const GRANT_PAGE = 500;
const LOG_PAGE = 1000;
/** Mapping rows per INSERT: 4 bound values each, well under SQLite's limit on variables. */
const PER_STATEMENT = 200;

const GRANT_COLUMNS = ['application_id', 'enterprise_id', 'organisation_id', 'purpose', 'expires_on', 'agency_assignment_id', 'granted_by', 'granted_by_name', 'granted_at', 'revoked_at', 'revoked_by_name'];
const LOG_COLUMNS = ['at', 'enterprise_id', 'organisation_id', 'user_id', 'user_name', 'action', 'application_id', 'channel', 'page'];

const scopeList = (scopes: readonly string[]) => scopes.map((s) => `'${s}'`).join(',');

async function select<T extends object>(sequelize: Sequelize, sql: string, replacements: Record<string, unknown>, t: Transaction): Promise<T[]> {
  return sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: t });
}

/** `(SELECT ? AS old_id, ? AS new_id, ? AS scope, ? AS grant_id UNION ALL …)`: the rows to copy, as a derived table. */
async function copyRows(
  sequelize: Sequelize,
  table: 'data_grants' | 'data_access_log',
  rows: ReadonlyArray<{ oldId: string; newId: string; scope: string; grantId: string | null }>,
  t: Transaction,
): Promise<void> {
  const columns = table === 'data_grants' ? GRANT_COLUMNS : LOG_COLUMNS;
  const extra = table === 'data_grants' ? '' : ', grant_id';
  const extraValue = table === 'data_grants' ? '' : ', m.grant_id';
  for (let start = 0; start < rows.length; start += PER_STATEMENT) {
    const slice = rows.slice(start, start + PER_STATEMENT);
    const mapping = slice.map((_, i) => (i === 0 ? 'SELECT ? AS old_id, ? AS new_id, ? AS scope, ? AS grant_id' : 'SELECT ?, ?, ?, ?')).join(' UNION ALL ');
    // Ids are 53-bit (lib/ids.ts): exact as numbers, and compared as integers on both databases.
    const values = slice.flatMap((r) => [Number(r.oldId), Number(r.newId), r.scope, r.grantId === null ? null : Number(r.grantId)]);
    await sequelize.query(
      `INSERT INTO ${table} (id, scope${extra}, ${columns.join(', ')})
       SELECT m.new_id, m.scope${extraValue}, ${columns.map((c) => `o.${c}`).join(', ')}
       FROM ${table} o JOIN (${mapping}) m ON m.old_id = o.id`,
      { replacements: values, type: QueryTypes.INSERT, transaction: t },
    );
  }
}

/** Legacy grants, a page at a time: the record scopes each (application, organisation) lacks. */
async function expandGrants(sequelize: Sequelize): Promise<void> {
  let after = 0;
  for (;;) {
    const done = await sequelize.transaction(async (t) => {
      const legacy = await select<{ id: unknown; applicationId: unknown; organisationId: unknown }>(
        sequelize,
        `SELECT g.id, g.application_id AS applicationId, g.organisation_id AS organisationId FROM data_grants g
         WHERE g.scope = '${LEGACY}' AND g.id > :after ORDER BY g.id LIMIT ${GRANT_PAGE}`,
        { after },
        t,
      );
      if (legacy.length === 0) return true;
      const held = await select<{ applicationId: unknown; organisationId: unknown; scope: string }>(
        sequelize,
        `SELECT g.application_id AS applicationId, g.organisation_id AS organisationId, g.scope FROM data_grants g
         WHERE g.application_id IN (:ids) AND g.scope IN (${scopeList(RECORD_SCOPES)})`,
        { ids: [...new Set(legacy.map((g) => String(g.applicationId)))] },
        t,
      );
      const has = new Set(held.map((g) => `${g.applicationId}:${g.organisationId}:${g.scope}`));
      const rows = legacy.flatMap((g) =>
        RECORD_SCOPES.filter((scope) => !has.has(`${g.applicationId}:${g.organisationId}:${scope}`)).map((scope) => ({ oldId: String(g.id), newId: newId(), scope, grantId: null })),
      );
      await copyRows(sequelize, 'data_grants', rows, t);
      after = Number(legacy.at(-1)!.id);
      return false;
    });
    if (done) return;
  }
}

/** Legacy log rows, a page at a time: one row per record scope, naming the grant row of that scope. */
async function expandAccessLog(sequelize: Sequelize): Promise<void> {
  for (;;) {
    const done = await sequelize.transaction(async (t) => {
      const legacy = await select<{ id: unknown; grantId: unknown }>(
        sequelize,
        `SELECT l.id, l.grant_id AS grantId FROM data_access_log l WHERE l.scope = '${LEGACY}' ORDER BY l.id LIMIT ${LOG_PAGE}`,
        {},
        t,
      );
      if (legacy.length === 0) return true;
      const grantIds = [...new Set(legacy.filter((l) => l.grantId !== null).map((l) => String(l.grantId)))];
      const successors =
        grantIds.length === 0
          ? []
          : await select<{ legacyId: unknown; id: unknown; scope: string }>(
              sequelize,
              `SELECT lg.id AS legacyId, g.id, g.scope FROM data_grants lg
               JOIN data_grants g ON g.application_id = lg.application_id AND g.organisation_id = lg.organisation_id
               WHERE lg.id IN (:ids) AND lg.scope = '${LEGACY}' AND g.scope IN (${scopeList(RECORD_SCOPES)})`,
              { ids: grantIds },
              t,
            );
      const successor = new Map(successors.map((s) => [`${s.legacyId}:${s.scope}`, String(s.id)]));
      const rows = legacy.flatMap((l) =>
        RECORD_SCOPES.map((scope) => ({ oldId: String(l.id), newId: newId(), scope, grantId: l.grantId === null ? null : (successor.get(`${l.grantId}:${scope}`) ?? null) })),
      );
      await copyRows(sequelize, 'data_access_log', rows, t);
      await sequelize.query('DELETE FROM data_access_log WHERE id IN (:ids)', { replacements: { ids: legacy.map((l) => String(l.id)) }, transaction: t });
      return false;
    });
    if (done) return;
  }
}

export async function up({ context: qi }: Ctx): Promise<void> {
  const sequelize = qi.sequelize;
  const legacy = await sequelize.transaction(async (t) => {
    const [grants] = await select<{ n: unknown }>(sequelize, `SELECT COUNT(*) AS n FROM data_grants WHERE scope = '${LEGACY}'`, {}, t);
    const [reads] = await select<{ n: unknown }>(sequelize, `SELECT COUNT(*) AS n FROM data_access_log WHERE scope = '${LEGACY}'`, {}, t);
    return Number(grants?.n ?? 0) + Number(reads?.n ?? 0);
  });
  if (legacy === 0) return;
  // Migrations run before the process leases its id worker (Database.start): lease one for the new rows' ids.
  const lease = currentIdWorker() === null ? await leaseIdWorker() : null;
  try {
    await expandGrants(sequelize);
    await expandAccessLog(sequelize);
    await sequelize.transaction(async (t) => sequelize.query(`DELETE FROM data_grants WHERE scope = '${LEGACY}'`, { transaction: t }));
  } finally {
    await lease?.release();
  }
}

/**
 * Back to one `credit_records` row per (application, organisation) and per logged read: the row of the lowest id in
 * each group is kept and renamed, the others go (registration grants stay, as the old scheme had them too). A read
 * of the counts by category was a read of the records then.
 */
export async function down({ context: qi }: Ctx): Promise<void> {
  const sequelize = qi.sequelize;
  const recordScopes = scopeList(RECORD_SCOPES);
  const itemScopes = scopeList(RECORD_SCOPES.filter((s) => s !== 'registration'));
  await sequelize.transaction(async (t) => {
    const run = (sql: string) => sequelize.query(sql, { transaction: t });
    await run(`UPDATE data_access_log SET action = 'credit_records', scope = '${LEGACY}' WHERE action = 'credit_summary'`);
    // Derived tables: MySQL reads them before it writes the table they come from.
    await run(
      `UPDATE data_access_log SET scope = '${LEGACY}' WHERE id IN (SELECT k.id FROM (
         SELECT MIN(l.id) AS id FROM data_access_log l WHERE l.action = 'credit_records' AND l.scope IN (${recordScopes})
         GROUP BY l.at, l.enterprise_id, l.organisation_id, l.user_id, l.action, l.application_id, l.channel, l.page) k)`,
    );
    await run(`DELETE FROM data_access_log WHERE action = 'credit_records' AND scope IN (${recordScopes})`);
    await run(
      `UPDATE data_grants SET scope = '${LEGACY}' WHERE id IN (SELECT k.id FROM (
         SELECT MIN(g.id) AS id FROM data_grants g WHERE g.scope IN (${itemScopes}) GROUP BY g.application_id, g.organisation_id) k)`,
    );
    // A read of the records names the records grant of its (application, organisation), where there is one.
    await run(
      `UPDATE data_access_log SET grant_id = COALESCE((
         SELECT k.id FROM data_grants k JOIN data_grants d ON d.application_id = k.application_id AND d.organisation_id = k.organisation_id
         WHERE d.id = data_access_log.grant_id AND k.scope = '${LEGACY}'), grant_id)
       WHERE scope = '${LEGACY}' AND grant_id IS NOT NULL`,
    );
    await run(`UPDATE data_access_log SET grant_id = NULL WHERE grant_id IN (SELECT g.id FROM data_grants g WHERE g.scope IN (${itemScopes}))`);
    await run(`DELETE FROM data_grants WHERE scope IN (${itemScopes})`);
  });
}
