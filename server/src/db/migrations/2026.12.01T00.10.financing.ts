import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const id = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const int = (allowNull = false) => ({ type: DataTypes.INTEGER, allowNull });
const flag = () => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });

/**
 * Applications to loans (融资申请 → 放款 → 还款): applications with their timeline and service-level clocks, the
 * enterprise's authorisation grants and the log of every read under them, credit-agency assignments, loans and
 * repayments, and the advisors' return visits.
 */
export async function up({ context: qi }: Ctx): Promise<void> {
  const text = (allowNull = false) => ({ type: qi.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull });

  await qi.createTable('loan_applications', {
    id: { ...id(), primaryKey: true },
    enterprise_id: id(),
    region_code: str(6),
    product_id: id(),
    product_revision_id: id(),
    institution_id: id(),
    need_id: id(true),
    status: str(16),
    // enterprise:product while the application is open, null once it ends: one open application per firm and product.
    open_key: str(40, true),
    // Every move compares and bumps it: two people cannot both move one application.
    version: int(),
    amount_fen: id(),
    term_months: int(),
    purpose: str(200),
    offer: text(true),
    offer_accepted: flag(),
    rejection_code: str(16, true),
    rejection_text: str(500, true),
    // The service levels, in working days, as the product set them when the firm applied.
    accept_days: int(),
    decide_days: int(),
    accept_due_on: str(10),
    accept_due_confirmed: flag(),
    accepted_at: time(true),
    accept_breached_at: time(true),
    decide_due_on: str(10, true),
    decide_due_confirmed: flag(),
    decided_at: time(true),
    decide_breached_at: time(true),
    referral_consented_at: time(true),
    // The products the firm was referred to after a rejection (JSON: id, name, institution).
    referral_products: text(true),
    submitted_by: id(),
    submitted_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('loan_applications', ['open_key'], { unique: true, name: 'loan_applications_open' });
  await qi.addIndex('loan_applications', ['institution_id', 'status'], { name: 'loan_applications_institution' });
  await qi.addIndex('loan_applications', ['enterprise_id', 'submitted_at'], { name: 'loan_applications_enterprise' });
  await qi.addIndex('loan_applications', ['status', 'accept_due_on'], { name: 'loan_applications_accept_clock' });
  await qi.addIndex('loan_applications', ['status', 'decide_due_on'], { name: 'loan_applications_decide_clock' });

  await qi.createTable('application_events', {
    id: { ...id(), primaryKey: true },
    application_id: id(),
    kind: str(24),
    from_status: str(16, true),
    to_status: str(16, true),
    actor_kind: str(12),
    actor_id: id(true),
    actor_name: str(64),
    note: str(1000),
    at: time(),
  });
  await qi.addIndex('application_events', ['application_id', 'at'], { name: 'application_events_application' });

  // One row per (application, organisation, scope): the institution branch of the enterprise repository joins on it.
  await qi.createTable('data_grants', {
    id: { ...id(), primaryKey: true },
    application_id: id(),
    enterprise_id: id(),
    organisation_id: id(),
    scope: str(16),
    purpose: str(200),
    // The last day the grant lasts, Asia/Shanghai (compared as text with today's date: the same on every database).
    expires_on: str(10),
    agency_assignment_id: id(true),
    granted_by: id(),
    granted_by_name: str(64),
    granted_at: time(),
    revoked_at: time(true),
    revoked_by_name: str(64, true),
  });
  await qi.addIndex('data_grants', ['application_id', 'organisation_id', 'scope'], { unique: true, name: 'data_grants_unique' });
  await qi.addIndex('data_grants', ['organisation_id', 'scope', 'enterprise_id'], { name: 'data_grants_guard' });
  await qi.addIndex('data_grants', ['enterprise_id'], { name: 'data_grants_enterprise' });

  // High volume and append-only: not the audit chain.
  await qi.createTable('data_access_log', {
    id: { ...id(), primaryKey: true },
    at: time(),
    enterprise_id: id(),
    organisation_id: id(),
    user_id: id(),
    user_name: str(64),
    scope: str(16),
    action: str(24),
    application_id: id(true),
    grant_id: id(true),
    channel: str(8),
    page: str(200),
  });
  await qi.addIndex('data_access_log', ['enterprise_id', 'at'], { name: 'data_access_log_enterprise' });
  await qi.addIndex('data_access_log', ['organisation_id', 'at'], { name: 'data_access_log_organisation' });
  await qi.addIndex('data_access_log', ['application_id'], { name: 'data_access_log_application' });

  await qi.createTable('agency_assignments', {
    id: { ...id(), primaryKey: true },
    application_id: id(),
    agency_id: id(),
    status: str(12),
    request: str(500),
    commissioned_by: id(),
    commissioned_by_name: str(64),
    commissioned_at: time(),
    rating: str(4, true),
    summary: text(true),
    advice: str(1000, true),
    reported_at: time(true),
    reported_by_name: str(64, true),
  });
  await qi.addIndex('agency_assignments', ['application_id', 'agency_id'], { unique: true, name: 'agency_assignments_unique' });
  await qi.addIndex('agency_assignments', ['agency_id', 'status'], { name: 'agency_assignments_agency' });

  await qi.createTable('loans', {
    id: { ...id(), primaryKey: true },
    application_id: id(),
    enterprise_id: id(),
    institution_id: id(),
    amount_fen: id(),
    rate_bp: int(),
    term_months: int(),
    disbursed_on: str(10),
    maturity_on: str(10),
    repayment_method: str(20),
    guarantee_method: str(12),
    credit_loan: flag(),
    first_loan: flag(),
    contract_no: str(40),
    schedule: text(),
    // Derived from the schedule and repayments, refreshed on every report and daily by the worker.
    balance_fen: id(),
    overdue_fen: id(),
    days_overdue: int(),
    loan_class: str(16),
    status: str(10),
    figures_on: str(10),
    // The first day the loan went past 90 days overdue: a default, which labels the firm for the trainer.
    defaulted_on: str(10, true),
    // Every change of the figures compares and bumps it: two repayments reported at once cannot both count against one balance.
    version: int(),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('loans', ['application_id'], { unique: true, name: 'loans_application' });
  await qi.addIndex('loans', ['institution_id', 'status'], { name: 'loans_institution' });
  await qi.addIndex('loans', ['enterprise_id'], { name: 'loans_enterprise' });

  await qi.createTable('loan_repayments', {
    id: { ...id(), primaryKey: true },
    loan_id: id(),
    paid_on: str(10),
    principal_fen: id(),
    interest_fen: id(),
    reference: str(64),
    channel: str(8),
    reported_by: id(),
    reported_by_name: str(64),
    reported_at: time(),
  });
  await qi.addIndex('loan_repayments', ['loan_id', 'reference'], { unique: true, name: 'loan_repayments_reference' });

  await qi.createTable('return_visits', {
    id: { ...id(), primaryKey: true },
    application_id: id(),
    stage: str(16),
    satisfaction: int(),
    channel: str(8),
    note: str(1000),
    advisor_id: id(),
    advisor_name: str(64),
    visited_at: time(),
  });
  await qi.addIndex('return_visits', ['application_id'], { name: 'return_visits_application' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of ['return_visits', 'loan_repayments', 'loans', 'agency_assignments', 'data_access_log', 'data_grants', 'application_events', 'loan_applications']) {
    await qi.dropTable(table);
  }
}
