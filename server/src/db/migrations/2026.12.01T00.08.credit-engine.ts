import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const id = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });

// 1 or NULL: a unique index over it allows one row with 1 per key and any number with NULL (no partial indexes in MySQL).
const marker = () => ({ type: DataTypes.TINYINT, allowNull: true });

/** The credit engine (信用评级与风险预警): scorecard versions, scores with their history, warnings, warning rules and disputes. */
export async function up({ context: qi }: Ctx): Promise<void> {
  // MEDIUMTEXT on MySQL (a scorecard document or a score's features can pass 64 KB); SQLite has one TEXT.
  const text = (allowNull = false) => ({ type: qi.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull });
  await qi.createTable('scorecard_versions', {
    id: { ...id(), primaryKey: true },
    version: { type: DataTypes.INTEGER, allowNull: false },
    name: str(100),
    kind: str(8),
    // candidate (scores in shadow) → active → retired.
    status: str(12),
    is_active: marker(),
    document: text(),
    created_by: id(true),
    created_at: time(),
    activated_at: time(true),
    activated_by: id(true),
    retired_at: time(true),
  });
  await qi.addIndex('scorecard_versions', ['version'], { unique: true, name: 'scorecard_versions_version' });
  await qi.addIndex('scorecard_versions', ['is_active'], { unique: true, name: 'scorecard_versions_active' });

  // Every score an enterprise was given, by version: a new row only when the result changes, so the rows are the
  // history and the row with is_latest = 1 is the current score of that version.
  await qi.createTable('credit_scores', {
    id: { ...id(), primaryKey: true },
    enterprise_id: id(),
    scorecard_id: id(),
    // active: the version in force when computed; shadow: a candidate scored beside it; retro: a past date scored later.
    role: str(8),
    as_of: str(10),
    computed_at: time(),
    score: { type: DataTypes.INTEGER, allowNull: false },
    rating: str(4, true),
    band_rating: str(4),
    no_rating_reason: str(200, true),
    cap: str(400, true),
    bad_probability: { type: DataTypes.DOUBLE, allowNull: false },
    dimensions: str(400),
    points: text(),
    features: text(),
    is_latest: marker(),
  });
  await qi.addIndex('credit_scores', ['enterprise_id', 'scorecard_id', 'is_latest'], { unique: true, name: 'credit_scores_latest' });
  await qi.addIndex('credit_scores', ['enterprise_id', 'role', 'computed_at'], { name: 'credit_scores_history' });
  await qi.addIndex('credit_scores', ['scorecard_id', 'is_latest'], { name: 'credit_scores_version' });

  await qi.createTable('warning_rule_sets', {
    id: { ...id(), primaryKey: true },
    version: { type: DataTypes.INTEGER, allowNull: false },
    is_active: marker(),
    document: text(),
    created_by: id(true),
    created_at: time(),
  });
  await qi.addIndex('warning_rule_sets', ['version'], { unique: true, name: 'warning_rule_sets_version' });
  await qi.addIndex('warning_rule_sets', ['is_active'], { unique: true, name: 'warning_rule_sets_active' });

  // A warning is raised once per cause: the unique (enterprise, cause key) makes a second detection a no-op.
  await qi.createTable('credit_warnings', {
    id: { ...id(), primaryKey: true },
    enterprise_id: id(),
    region_code: str(12),
    rule: str(24),
    severity: str(8),
    cause_key: str(191),
    title: str(100),
    detail: str(1000),
    evidence: str(2000),
    rules_version: { type: DataTypes.INTEGER, allowNull: false },
    status: str(12),
    raised_at: time(),
    acknowledged_at: time(true),
    acknowledged_by: id(true),
    closed_at: time(true),
    closed_by: id(true),
    close_note: str(500, true),
  });
  await qi.addIndex('credit_warnings', ['enterprise_id', 'cause_key'], { unique: true, name: 'credit_warnings_cause' });
  await qi.addIndex('credit_warnings', ['region_code', 'status', 'raised_at'], { name: 'credit_warnings_region' });
  await qi.addIndex('credit_warnings', ['status', 'raised_at'], { name: 'credit_warnings_status' });

  // 异议 (征信业管理条例 art. 25): one open dispute per record at a time, through open_record_id (the record id while
  // open, NULL after), unique.
  await qi.createTable('credit_disputes', {
    id: { ...id(), primaryKey: true },
    enterprise_id: id(),
    record_id: id(),
    open_record_id: id(true),
    source_id: id(),
    category: str(20),
    region_code: str(12),
    reason: str(500),
    evidence_file_id: id(true),
    status: str(12),
    raised_by: id(),
    raised_at: time(),
    due_on: str(10),
    resolved_by: id(true),
    resolved_by_name: str(64, true),
    resolved_at: time(true),
    resolution_note: str(500, true),
  });
  await qi.addIndex('credit_disputes', ['open_record_id'], { unique: true, name: 'credit_disputes_open' });
  await qi.addIndex('credit_disputes', ['enterprise_id', 'raised_at'], { name: 'credit_disputes_enterprise' });
  await qi.addIndex('credit_disputes', ['source_id', 'status'], { name: 'credit_disputes_source' });
  await qi.addIndex('credit_disputes', ['region_code', 'status'], { name: 'credit_disputes_region' });

  // A record under an open dispute shows so everywhere; an upheld dispute withdraws the record (kept as history).
  await qi.addColumn('credit_records', 'disputed', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addColumn('credit_records', 'withdrawn_at', time(true));

  // Observed outcomes (defaulted or not) for training a candidate on the platform's own data: the demo world's
  // simulated outcomes until loans land.
  await qi.createTable('credit_outcomes', {
    enterprise_id: { ...id(), primaryKey: true },
    observed_on: str(10),
    defaulted: { type: DataTypes.BOOLEAN, allowNull: false },
    origin: str(8),
  });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.removeColumn('credit_records', 'withdrawn_at');
  await qi.removeColumn('credit_records', 'disputed');
  for (const table of ['credit_outcomes', 'credit_disputes', 'credit_warnings', 'warning_rule_sets', 'credit_scores', 'scorecard_versions']) {
    await qi.dropTable(table);
  }
}
