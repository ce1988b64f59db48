import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const GENESIS = '0'.repeat(64);
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const big = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });

async function ensureIndex(qi: QueryInterface, table: string, fields: string[], unique = false): Promise<void> {
  const name = `${table}_${fields.join('_')}`;
  const existing = (await qi.showIndex(table)) as Array<{ name: string }>;
  if (!existing.some((i) => i.name === name)) await qi.addIndex(table, fields, { name, unique });
}

/**
 * Audit sealing: writers append unchained rows (seq/prev_hash/hash null) without touching a shared row, and
 * one sealer at a time (audit_seal: owner, fencing token, lease) chains them with a keyed hash. Rows chained
 * by the former unkeyed head-lock scheme are put back to unsealed, so the sealer re-chains them under the key
 * in their old order.
 */
export async function up({ context: qi }: Ctx): Promise<void> {
  // SQLite rebuilds the table to change a column and drops its indexes: they are re-created below.
  await qi.changeColumn('audit_logs', 'seq', big(true));
  await qi.changeColumn('audit_logs', 'prev_hash', str(64, true));
  await qi.changeColumn('audit_logs', 'hash', str(64, true));
  await ensureIndex(qi, 'audit_logs', ['seq'], true);
  await ensureIndex(qi, 'audit_logs', ['action']);
  await ensureIndex(qi, 'audit_logs', ['actor_type', 'actor_id']);
  await qi.bulkUpdate('audit_logs', { seq: null, prev_hash: null, hash: null }, {});
  await qi.dropTable('audit_head');

  await qi.createTable('audit_seal', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    owner: str(100, true),
    token: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    lease_until: time(true),
    sealed_seq: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    head_hash: str(64),
    sealed_at: time(true),
  });
  await qi.bulkInsert('audit_seal', [{ id: 1, owner: null, token: 0, lease_until: null, sealed_seq: 0, head_hash: GENESIS, sealed_at: null }]);

  await qi.createTable('audit_verify_runs', {
    id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
    started_at: time(),
    finished_at: time(),
    full_run: { type: DataTypes.BOOLEAN, allowNull: false },
    from_seq: big(),
    to_seq: big(),
    checked: { type: DataTypes.INTEGER, allowNull: false },
    ok: { type: DataTypes.BOOLEAN, allowNull: false },
    broken_count: { type: DataTypes.INTEGER, allowNull: false },
    broken: { type: qi.sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('long') : DataTypes.TEXT, allowNull: false },
    checkpoint_seq: big(),
    checkpoint_hash: str(64),
  });
  await qi.addIndex('audit_verify_runs', ['finished_at']);

  await qi.createTable('audit_anchors', {
    id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
    seq: big(),
    hash: str(64),
    at: time(),
  });
  await qi.addIndex('audit_anchors', ['seq']);
}

/** Back to the head-row scheme: the head is the last sealed row; rows still unsealed stay out of the old chain. */
export async function down({ context: qi }: Ctx): Promise<void> {
  const [rows] = (await qi.sequelize.query('SELECT sealed_seq, head_hash FROM audit_seal WHERE id = 1')) as [
    Array<{ sealed_seq: number | string; head_hash: string }>,
    unknown,
  ];
  await qi.dropTable('audit_anchors');
  await qi.dropTable('audit_verify_runs');
  await qi.dropTable('audit_seal');
  await qi.createTable('audit_head', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    seq: big(),
    hash: str(64),
  });
  await qi.bulkInsert('audit_head', [{ id: 1, seq: rows[0]?.sealed_seq ?? 0, hash: rows[0]?.head_hash ?? GENESIS }]);
}
