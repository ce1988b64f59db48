import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });

/** Machine credentials of institutions (issue 7) and the nonces of signed requests. */
export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.createTable('api_clients', {
    id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
    organisation_id: { type: DataTypes.BIGINT, allowNull: false },
    name: str(64),
    key_id: str(40),
    roles: str(100),
    // AES-256-GCM under API_CLIENT_SECRET_KEY: HMAC needs the secret itself, so only an encrypted form is kept.
    secret_enc: str(255),
    previous_secret_enc: str(255, true),
    previous_valid_until: time(true),
    expires_at: time(),
    ip_allow_list: { type: DataTypes.TEXT, allowNull: false },
    disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    disabled_at: time(true),
    rotated_at: time(true),
    created_by: { type: DataTypes.BIGINT, allowNull: false },
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('api_clients', ['key_id'], { unique: true, name: 'api_clients_key_id' });
  await qi.addIndex('api_clients', ['organisation_id', 'name'], { unique: true, name: 'api_clients_org_name' });

  // One row per accepted signed request within the skew window: the primary key refuses a replayed nonce in any process.
  await qi.createTable('api_client_nonces', {
    key_id: { ...str(40), primaryKey: true },
    nonce: { ...str(64), primaryKey: true },
    seen_at: time(),
  });
  await qi.addIndex('api_client_nonces', ['seen_at'], { name: 'api_client_nonces_seen_at' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.dropTable('api_client_nonces');
  await qi.dropTable('api_clients');
}
