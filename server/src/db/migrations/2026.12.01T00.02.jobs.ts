import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });

/** The job runner's queue, and a fencing token on outbox claims (defect 8). */
export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.createTable('jobs', {
    id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
    type: str(64),
    payload: { type: DataTypes.TEXT, allowNull: true },
    status: str(16),
    run_at: time(),
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    max_attempts: { type: DataTypes.INTEGER, allowNull: false },
    last_error: str(1000, true),
    lease_owner: str(96, true),
    lease_until: time(true),
    // Incremented by every claim: a completion that names an older token comes from a worker that lost the job.
    token: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    // 191 characters keeps the unique index within InnoDB's 767-byte limit under utf8mb4.
    dedupe_key: str(191, true),
    started_at: time(true),
    finished_at: time(true),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('jobs', ['status', 'run_at'], { name: 'jobs_claim_due' });
  await qi.addIndex('jobs', ['status', 'lease_until'], { name: 'jobs_claim_expired' });
  await qi.addIndex('jobs', ['type', 'status'], { name: 'jobs_type_status' });
  // NULLs never collide, so only recurring ticks and "enqueue once" jobs are constrained.
  await qi.addIndex('jobs', ['dedupe_key'], { name: 'jobs_dedupe_key', unique: true });

  await qi.addColumn('notification_outbox', 'claim_token', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addIndex('notification_outbox', ['status', 'claimed_until'], { name: 'notification_outbox_claim_expired' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.removeIndex('notification_outbox', 'notification_outbox_claim_expired');
  await qi.removeColumn('notification_outbox', 'claim_token');
  await qi.dropTable('jobs');
}
