import { QueryTypes, type Transaction } from 'sequelize';
import { AdminUser } from '../identity/models';

/**
 * Who holds a stake in an enterprise now: the institutions with an open application (submitted to approved) or a
 * live loan (disbursed or overdue) for it. Post-loan warnings go to their users as well as to the advisor.
 */

const LIVE = ['submitted', 'accepted', 'investigating', 'approved', 'disbursed', 'overdue'];

export interface ExposureRecipient {
  userId: string;
  applicationId: string;
}

/** Per enterprise: the institution users to tell, each with the application their notice links to. */
export async function institutionExposures(enterpriseIds: readonly string[], t?: Transaction): Promise<Map<string, ExposureRecipient[]>> {
  const out = new Map<string, ExposureRecipient[]>();
  if (enterpriseIds.length === 0) return out;
  const sequelize = AdminUser.sequelize!;
  const applications = await sequelize.query<{ id: unknown; enterpriseId: unknown; institutionId: unknown }>(
    `SELECT a.id, a.enterprise_id AS enterpriseId, a.institution_id AS institutionId FROM loan_applications a
     WHERE a.enterprise_id IN (:ids) AND a.status IN (:live) ORDER BY a.submitted_at DESC, a.id DESC`,
    { replacements: { ids: [...new Set(enterpriseIds)], live: LIVE }, type: QueryTypes.SELECT, transaction: t },
  );
  if (applications.length === 0) return out;
  const users = await AdminUser.findAll({
    where: { organisationId: [...new Set(applications.map((a) => String(a.institutionId)))], role: ['fi_admin', 'fi_officer'], disabled: false },
    attributes: ['id', 'organisationId'],
    raw: true,
    transaction: t,
  });
  const usersOf = new Map<string, string[]>();
  for (const u of users) usersOf.set(String(u.organisationId), [...(usersOf.get(String(u.organisationId)) ?? []), String(u.id)]);
  for (const a of applications) {
    const enterpriseId = String(a.enterpriseId);
    const list = out.get(enterpriseId) ?? [];
    for (const userId of usersOf.get(String(a.institutionId)) ?? []) {
      // One notice per user per warning: the newest application of that institution is the one linked.
      if (!list.some((r) => r.userId === userId)) list.push({ userId, applicationId: String(a.id) });
    }
    out.set(enterpriseId, list);
  }
  return out;
}
