import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const id = { type: DataTypes.BIGINT, primaryKey: true, allowNull: false };
const ref = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const stamps = { created_at: time(), updated_at: time() };

export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.createTable('regions', {
    code: { type: DataTypes.STRING(6), primaryKey: true, allowNull: false },
    name: str(64),
    level: str(16),
    parent_code: str(6, true),
  });
  await qi.addIndex('regions', ['parent_code']);

  await qi.createTable('organisations', {
    id,
    name: str(100),
    type: str(24),
    region_code: str(6, true),
    disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    ...stamps,
  });
  await qi.addIndex('organisations', ['name'], { unique: true });

  await qi.createTable('admin_users', {
    id,
    username: str(32),
    display_name: str(50),
    password_hash: str(255),
    role: str(24),
    organisation_id: ref(),
    region_code: str(6, true),
    disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    totp_secret: str(64, true),
    totp_pending_secret: str(64, true),
    failed_attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    locked_until: time(true),
    last_login_at: time(true),
    password_changed_at: time(true),
    ...stamps,
  });
  await qi.addIndex('admin_users', ['username'], { unique: true });
  await qi.addIndex('admin_users', ['organisation_id']);

  await qi.createTable('wechat_users', {
    id,
    openid: str(64),
    unionid: str(64, true),
    session_key: str(64, true),
    display_name: str(50),
    last_login_at: time(true),
    ...stamps,
  });
  await qi.addIndex('wechat_users', ['openid'], { unique: true });

  await qi.createTable('sessions', {
    id,
    token_hash: str(64),
    user_kind: str(8),
    user_id: ref(),
    idle_ms: { type: DataTypes.INTEGER, allowNull: false },
    scope: str(16),
    expires_at: time(),
    last_seen_at: time(),
    revoked_at: time(true),
    revoke_reason: str(32, true),
    ip: str(64, true),
    user_agent: str(255, true),
    created_at: time(),
  });
  await qi.addIndex('sessions', ['token_hash'], { unique: true });
  await qi.addIndex('sessions', ['user_kind', 'user_id']);

  await qi.createTable('enterprises', {
    id,
    uscc: str(18),
    name: str(100),
    legal_rep_name: str(50),
    legal_rep_id_hmac: str(64),
    legal_rep_id_masked: str(18),
    registered_capital_fen: { type: DataTypes.BIGINT, allowNull: false },
    established_on: { type: DataTypes.DATEONLY, allowNull: false },
    industry_code: str(8),
    industry_name: str(64),
    region_code: str(6),
    scale: str(8),
    status: str(16),
    address: str(200, true),
    business_scope: { type: DataTypes.TEXT, allowNull: true },
    ...stamps,
  });
  await qi.addIndex('enterprises', ['uscc'], { unique: true });
  await qi.addIndex('enterprises', ['region_code']);

  await qi.createTable('enterprise_members', {
    id,
    enterprise_id: ref(),
    wechat_user_id: ref(),
    role: str(16),
    display_name: str(50),
    verification_id: ref(true),
    ...stamps,
  });
  await qi.addIndex('enterprise_members', ['enterprise_id', 'wechat_user_id'], { unique: true });
  await qi.addIndex('enterprise_members', ['wechat_user_id']);

  await qi.createTable('uploaded_files', {
    id,
    sha256: str(64),
    mime: str(32),
    size: { type: DataTypes.INTEGER, allowNull: false },
    data: { type: DataTypes.BLOB('long'), allowNull: false },
    owner_kind: str(8),
    owner_id: ref(),
    created_at: time(),
  });

  await qi.createTable('verification_requests', {
    id,
    wechat_user_id: ref(),
    uscc: str(18),
    enterprise_name: str(100),
    legal_rep_name: str(50),
    legal_rep_id_hmac: str(64),
    legal_rep_id_masked: str(18),
    applicant_role: str(8),
    applicant_name: str(50),
    licence_file_id: ref(),
    region_code: str(6, true),
    status: str(16),
    reject_reason: str(500, true),
    reviewer_id: ref(true),
    reviewed_at: time(true),
    enterprise_id: ref(true),
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    ...stamps,
  });
  await qi.addIndex('verification_requests', ['status', 'region_code']);
  await qi.addIndex('verification_requests', ['wechat_user_id']);

  await qi.createTable('audit_logs', {
    id,
    seq: { type: DataTypes.BIGINT, allowNull: false },
    at: time(),
    actor_type: str(16),
    actor_id: ref(true),
    actor_name: str(64, true),
    action: str(64),
    target_type: str(32, true),
    target_id: str(64, true),
    outcome: str(16),
    detail: { type: DataTypes.TEXT, allowNull: true },
    ip: str(64, true),
    request_id: str(64, true),
    prev_hash: str(64),
    hash: str(64),
  });
  await qi.addIndex('audit_logs', ['seq'], { unique: true });
  await qi.addIndex('audit_logs', ['action']);
  await qi.addIndex('audit_logs', ['actor_type', 'actor_id']);

  // A single row that serialises appends to the audit chain (locked FOR UPDATE on MySQL).
  await qi.createTable('audit_head', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    seq: { type: DataTypes.BIGINT, allowNull: false },
    hash: str(64),
  });
  await qi.bulkInsert('audit_head', [{ id: 1, seq: 0, hash: '0'.repeat(64) }]);

  await qi.createTable('notification_outbox', {
    id,
    recipient_kind: str(8),
    recipient_id: ref(),
    template_key: str(48),
    title: str(100),
    body: str(500),
    link: str(255, true),
    wechat_data: { type: DataTypes.TEXT, allowNull: true },
    status: str(16),
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: time(),
    claimed_until: time(true),
    claimed_by: str(64, true),
    message_id: ref(true),
    wechat_state: str(16),
    last_error: str(500, true),
    ...stamps,
  });
  await qi.addIndex('notification_outbox', ['status', 'next_attempt_at']);

  await qi.createTable('messages', {
    id,
    recipient_kind: str(8),
    recipient_id: ref(),
    outbox_id: ref(true),
    title: str(100),
    body: str(500),
    link: str(255, true),
    read_at: time(true),
    created_at: time(),
  });
  await qi.addIndex('messages', ['outbox_id'], { unique: true });
  await qi.addIndex('messages', ['recipient_kind', 'recipient_id', 'read_at']);

  await qi.createTable('wechat_subscription_grants', {
    id,
    wechat_user_id: ref(),
    template_id: str(128),
    remaining: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    banned: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    ...stamps,
  });
  await qi.addIndex('wechat_subscription_grants', ['wechat_user_id', 'template_id'], { unique: true });

  await qi.createTable('idempotency_keys', {
    id,
    scope: str(64),
    idem_key: str(128),
    method: str(8),
    path: str(255),
    request_hash: str(64),
    status_code: { type: DataTypes.INTEGER, allowNull: true },
    response_body: { type: qi.sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('medium') : DataTypes.TEXT, allowNull: true },
    created_at: time(),
  });
  await qi.addIndex('idempotency_keys', ['scope', 'idem_key'], { unique: true });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'wechat_subscription_grants',
    'messages',
    'notification_outbox',
    'audit_head',
    'audit_logs',
    'verification_requests',
    'uploaded_files',
    'enterprise_members',
    'enterprises',
    'sessions',
    'wechat_users',
    'admin_users',
    'organisations',
    'regions',
  ]) {
    await qi.dropTable(table);
  }
}
