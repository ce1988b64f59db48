import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const time = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });

/**
 * Sign-in hardening: TOTP replay guard, a failure window for the lockout, lockout for unknown usernames,
 * indexes for session cleanup, and no WeChat session_key at rest.
 */
export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.addColumn('admin_users', 'totp_last_step', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('admin_users', 'last_failed_at', time());

  await qi.createTable('sign_in_failures', {
    username: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    failed_attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    locked_until: time(),
    last_failed_at: time(),
  });
  await qi.addIndex('sign_in_failures', ['last_failed_at']);

  await qi.addIndex('sessions', ['expires_at']);
  await qi.addIndex('sessions', ['revoked_at']);

  // No code path uses session_key (phone numbers come through getPhoneNumber's own code), so it is not kept at
  // all. Plain DROP COLUMN (MySQL, SQLite ≥ 3.35): Sequelize's SQLite removeColumn rebuilds the table and
  // would lose the unique index on openid.
  await qi.sequelize.query('ALTER TABLE wechat_users DROP COLUMN session_key');
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.addColumn('wechat_users', 'session_key', { type: DataTypes.STRING(64), allowNull: true });
  await qi.removeIndex('sessions', ['revoked_at']);
  await qi.removeIndex('sessions', ['expires_at']);
  await qi.dropTable('sign_in_failures');
  await qi.removeColumn('admin_users', 'last_failed_at');
  await qi.removeColumn('admin_users', 'totp_last_step');
}
