import { DataTypes, type QueryInterface } from 'sequelize';
import { WORKER_COUNT } from '../../lib/ids';

type Ctx = { context: QueryInterface };

/** Leased worker ids for the id generator, and idempotency keys that expire. */
export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.createTable('id_workers', {
    worker_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    owner: { type: DataTypes.STRING(96), allowNull: true },
    token: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    lease_until: { type: DataTypes.DATE(3), allowNull: true },
  });
  await qi.bulkInsert(
    'id_workers',
    Array.from({ length: WORKER_COUNT }, (_, workerId) => ({ worker_id: workerId, owner: null, token: 0, lease_until: null })),
  );
  await qi.addColumn('idempotency_keys', 'expires_at', { type: DataTypes.DATE(3), allowNull: true });
  await qi.addIndex('idempotency_keys', ['expires_at']);
  // Keys of the old scheme: placeholders of requests that never finished are dropped, the rest expire in a day.
  await qi.bulkDelete('idempotency_keys', { status_code: null });
  await qi.bulkUpdate('idempotency_keys', { expires_at: new Date(Date.now() + 24 * 3600_000) }, {});
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.removeIndex('idempotency_keys', ['expires_at']);
  await qi.removeColumn('idempotency_keys', 'expires_at');
  await qi.dropTable('id_workers');
}
