import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const id = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const int = (allowNull = false) => ({ type: DataTypes.INTEGER, allowNull });

/**
 * Matching (融资产品撮合): products and their revisions, financing needs, match results with the advisor's review,
 * the advisor's contact log, and the holiday calendar the working-day clocks count on.
 */
export async function up({ context: qi }: Ctx): Promise<void> {
  const text = (allowNull = false) => ({ type: qi.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull });

  await qi.createTable('products', {
    id: { ...id(), primaryKey: true },
    institution_id: id(),
    // draft → published → offline (→ published again).
    status: str(12),
    revision: int(),
    revision_id: id(),
    // Denormalised from the current revision for lists and public browsing.
    name: str(60),
    type: str(16),
    amount_min_fen: id(),
    amount_max_fen: id(),
    term_min_months: int(),
    term_max_months: int(),
    rate_min_bp: int(),
    guarantee_methods: str(80),
    published_at: time(true),
    created_by: id(),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('products', ['institution_id', 'status'], { name: 'products_institution' });
  await qi.addIndex('products', ['status', 'published_at'], { name: 'products_status' });

  // One row per revision; a revision that was ever published is never changed again.
  await qi.createTable('product_revisions', {
    id: { ...id(), primaryKey: true },
    product_id: id(),
    revision: int(),
    terms: text(),
    was_published: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_by: id(),
    created_by_name: str(64),
    created_at: time(),
  });
  await qi.addIndex('product_revisions', ['product_id', 'revision'], { unique: true, name: 'product_revisions_number' });

  await qi.createTable('financing_needs', {
    id: { ...id(), primaryKey: true },
    enterprise_id: id(),
    region_code: str(6),
    submitted_by: id(),
    amount_fen: id(),
    term_months: int(),
    purpose: str(20),
    guarantee_methods: str(80),
    max_rate_bp: int(true),
    urgency: str(12),
    note: str(500),
    status: str(12),
    advisor_id: id(true),
    assigned_at: time(true),
    submitted_at: time(),
    updated_at: time(),
    // The release clock: it starts on clock_from (the submission day, or the day the firm last changed the need)
    // and is due by the end of due_on, counted in working days.
    clock_from: str(10),
    due_on: str(10),
    due_confirmed: { type: DataTypes.BOOLEAN, allowNull: false },
    reminded_at: time(true),
    escalated_at: time(true),
    released_at: time(true),
    released_by: id(true),
    release_message: str(500, true),
    matched_at: time(true),
    fit_count: { ...int(), defaultValue: 0 },
    // Bumped by every change the advisor or the firm makes: a release names the version it reviewed.
    version: int(),
  });
  await qi.addIndex('financing_needs', ['enterprise_id', 'submitted_at'], { name: 'financing_needs_enterprise' });
  await qi.addIndex('financing_needs', ['advisor_id', 'status'], { name: 'financing_needs_advisor' });
  await qi.addIndex('financing_needs', ['status', 'due_on'], { name: 'financing_needs_clock' });
  await qi.addIndex('financing_needs', ['region_code'], { name: 'financing_needs_region' });

  await qi.createTable('need_matches', {
    id: { ...id(), primaryKey: true },
    need_id: id(),
    product_id: id(),
    revision_id: id(),
    fits: { type: DataTypes.BOOLEAN, allowNull: false },
    // Near miss (fails 1–2 remediable criteria) but shown; neither fit nor near miss rows are deleted on re-match.
    near_miss: { type: DataTypes.BOOLEAN, allowNull: false },
    score: int(),
    outcome: text(),
    advisor_rank: int(true),
    review: str(12),
    review_reason: str(200, true),
    added_by_advisor: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    is_new: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    matched_at: time(),
  });
  await qi.addIndex('need_matches', ['need_id', 'product_id'], { unique: true, name: 'need_matches_pair' });
  await qi.addIndex('need_matches', ['product_id'], { name: 'need_matches_product' });

  await qi.createTable('need_notes', {
    id: { ...id(), primaryKey: true },
    need_id: id(),
    author_id: id(),
    author_name: str(64),
    channel: str(12),
    contacted_at: time(),
    outcome: str(200),
    note: str(1000),
    created_at: time(),
  });
  await qi.addIndex('need_notes', ['need_id', 'contacted_at'], { name: 'need_notes_need' });

  // The statutory holiday schedule: one row per year (confirmed or not) and one per day off or 调休 workday.
  await qi.createTable('holiday_years', {
    year: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    confirmed: { type: DataTypes.BOOLEAN, allowNull: false },
    // package: seeded from chinese-days; admin: entered in the console.
    source: str(12),
    updated_by: id(true),
    updated_at: time(),
  });
  await qi.createTable('holiday_days', {
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    year: { type: DataTypes.INTEGER, allowNull: false },
    kind: str(8),
    name: str(40),
  });
  await qi.addIndex('holiday_days', ['year'], { name: 'holiday_days_year' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of ['holiday_days', 'holiday_years', 'need_notes', 'need_matches', 'financing_needs', 'product_revisions', 'products']) {
    await qi.dropTable(table);
  }
}
