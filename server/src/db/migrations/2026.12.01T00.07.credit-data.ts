import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const id = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const count = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });

/** Credit-data aggregation (数据汇聚): sources, batches, their row errors, records, held rows and the change feed. */
export async function up({ context: qi }: Ctx): Promise<void> {
  // Imported spreadsheets carry a 65-character media type (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet).
  await qi.changeColumn('files', 'mime', { type: DataTypes.STRING(128), allowNull: false });
  await qi.createTable('data_sources', {
    id: { ...id(), primaryKey: true },
    organisation_id: id(),
    name: str(64),
    key_id: str(40),
    // AES-256-GCM under API_CLIENT_SECRET_KEY, as for API clients: HMAC needs the secret itself.
    secret_enc: str(255),
    previous_secret_enc: str(255, true),
    previous_valid_until: time(true),
    categories: str(255),
    region_codes: str(400),
    unknown_uscc: str(8),
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    rotated_at: time(true),
    last_received_at: time(true),
    created_by: id(),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('data_sources', ['key_id'], { unique: true, name: 'data_sources_key_id' });
  await qi.addIndex('data_sources', ['organisation_id', 'name'], { unique: true, name: 'data_sources_org_name' });

  await qi.createTable('ingest_batches', {
    id: { ...id(), primaryKey: true },
    source_id: id(),
    category: str(20),
    origin: str(8),
    // The source's own id of a pushed batch: unique per source, so a re-send finds the first result.
    external_batch_id: str(64, true),
    file_id: id(true),
    file_name: str(200, true),
    file_format: str(8, true),
    status: str(12),
    received: count(),
    accepted: count(),
    duplicate: count(),
    superseded: count(),
    rejected: count(),
    held: count(),
    total_rows: { type: DataTypes.INTEGER, allowNull: true },
    rows_done: count(),
    failure_reason: str(500, true),
    job_id: id(true),
    created_by_kind: str(8),
    created_by_id: id(),
    created_by_name: str(64, true),
    started_at: time(true),
    finished_at: time(true),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('ingest_batches', ['source_id', 'external_batch_id'], { unique: true, name: 'ingest_batches_source_batch' });
  await qi.addIndex('ingest_batches', ['source_id', 'category', 'created_at'], { name: 'ingest_batches_source_category' });
  await qi.addIndex('ingest_batches', ['status', 'created_at'], { name: 'ingest_batches_status' });

  await qi.createTable('ingest_row_errors', {
    id: { ...id(), primaryKey: true },
    batch_id: id(),
    row_no: { type: DataTypes.INTEGER, allowNull: false },
    field: str(64),
    label: str(64),
    value: str(200),
    reason: str(200),
  });
  await qi.addIndex('ingest_row_errors', ['batch_id', 'row_no'], { name: 'ingest_row_errors_batch_row' });

  await qi.createTable('credit_records', {
    id: { ...id(), primaryKey: true },
    enterprise_id: id(),
    uscc: str(18),
    category: str(20),
    source_id: id(),
    external_id: str(64),
    period: str(7, true),
    occurred_on: { type: DataTypes.DATEONLY, allowNull: true },
    ends_on: { type: DataTypes.DATEONLY, allowNull: true },
    adverse: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    corrected: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    payload: { type: DataTypes.TEXT, allowNull: false },
    content_hash: { type: DataTypes.CHAR(64), allowNull: false },
    // 1 for the current version of (source, category, external id), NULL once superseded: the unique index below
    // admits one current version only, whatever number of writers race (NULLs never collide).
    is_current: { type: DataTypes.TINYINT, allowNull: true },
    superseded_by: id(true),
    superseded_at: time(true),
    // Adverse records stop being shown five years after their event ends (征信业管理条例 第十六条).
    expired_at: time(true),
    batch_id: id(),
    row_no: { type: DataTypes.INTEGER, allowNull: false },
    created_at: time(),
  });
  await qi.addIndex('credit_records', ['source_id', 'category', 'external_id', 'content_hash'], { unique: true, name: 'credit_records_content' });
  await qi.addIndex('credit_records', ['source_id', 'category', 'external_id', 'is_current'], { unique: true, name: 'credit_records_current' });
  await qi.addIndex('credit_records', ['enterprise_id', 'category', 'is_current'], { name: 'credit_records_enterprise' });
  await qi.addIndex('credit_records', ['source_id', 'category', 'period'], { name: 'credit_records_source_period' });
  await qi.addIndex('credit_records', ['adverse', 'expired_at', 'ends_on'], { name: 'credit_records_retention' });

  // Rows for a USCC not registered yet, kept (by a source configured to hold them) until its registration arrives.
  await qi.createTable('held_credit_rows', {
    id: { ...id(), primaryKey: true },
    source_id: id(),
    batch_id: id(),
    row_no: { type: DataTypes.INTEGER, allowNull: false },
    uscc: str(18),
    category: str(20),
    external_id: str(64),
    record: { type: DataTypes.TEXT, allowNull: false },
    content_hash: { type: DataTypes.CHAR(64), allowNull: false },
    created_at: time(),
  });
  await qi.addIndex('held_credit_rows', ['uscc'], { name: 'held_credit_rows_uscc' });
  await qi.addIndex('held_credit_rows', ['source_id', 'category', 'external_id', 'content_hash'], { unique: true, name: 'held_credit_rows_content' });

  // The change feed: one row per enterprise and category whose records changed since its consumers last looked. A
  // committed chunk bumps `revision`; a consumer deletes a row only at the revision it has read, so no change is lost.
  await qi.createTable('credit_changes', {
    enterprise_id: { ...id(), primaryKey: true },
    category: { ...str(20), primaryKey: true },
    revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    changed_at: time(),
  });
  await qi.addIndex('credit_changes', ['changed_at'], { name: 'credit_changes_changed_at' });

  // Data quality (数据质量), computed by the `credit.quality` job per source and category; the page reads this.
  await qi.createTable('credit_quality', {
    source_id: { ...id(), primaryKey: true },
    category: { ...str(20), primaryKey: true },
    figures: { type: DataTypes.TEXT, allowNull: false },
    computed_at: time(),
  });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of ['credit_quality', 'credit_changes', 'held_credit_rows', 'credit_records', 'ingest_row_errors', 'ingest_batches', 'data_sources']) {
    await qi.dropTable(table);
  }
  await qi.changeColumn('files', 'mime', { type: DataTypes.STRING(64), allowNull: false });
}
