import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

/**
 * 首贷户 decided by the database: `first_loan_of` holds the enterprise id on its first loan only, under a unique
 * index (NULL elsewhere, which a unique index admits any number of times). Two disbursements for one firm at the
 * same moment cannot both take it. Existing first loans are carried over; should one firm already have two (the race
 * this closes), the earlier keeps the mark.
 */
export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.addColumn('loans', 'first_loan_of', { type: DataTypes.BIGINT, allowNull: true });
  const firsts = await qi.sequelize.query<{ id: unknown; enterpriseId: unknown }>(
    'SELECT id, enterprise_id AS enterpriseId FROM loans WHERE first_loan = :yes ORDER BY created_at ASC, id ASC',
    { replacements: { yes: true }, type: QueryTypes.SELECT },
  );
  const marked = new Set<string>();
  for (const row of firsts) {
    const enterpriseId = String(row.enterpriseId);
    if (marked.has(enterpriseId)) {
      await qi.sequelize.query('UPDATE loans SET first_loan = :no WHERE id = :id', { replacements: { no: false, id: row.id } });
      continue;
    }
    marked.add(enterpriseId);
    await qi.sequelize.query('UPDATE loans SET first_loan_of = enterprise_id WHERE id = :id', { replacements: { id: row.id } });
  }
  await qi.addIndex('loans', ['first_loan_of'], { unique: true, name: 'loans_first_loan' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.removeIndex('loans', 'loans_first_loan');
  await qi.removeColumn('loans', 'first_loan_of');
}
