import { Op, type Transaction } from 'sequelize';
import { enqueueJob } from '../../jobs/queue';
import { FinancingNeed } from './models';

/**
 * The open needs of firms whose active rating moved are matched again (called in the scoring transaction, so the
 * jobs exist if and only if the new scores commit). Kept apart from the matcher so that scoring does not load it.
 */
export async function queueRematchForEnterprises(t: Transaction, enterpriseIds: readonly string[]): Promise<number> {
  if (enterpriseIds.length === 0) return 0;
  const rows = await FinancingNeed.findAll({
    where: { enterpriseId: [...enterpriseIds], status: { [Op.ne]: 'closed' } },
    attributes: ['id'],
    raw: true,
    transaction: t,
  });
  for (const row of rows) await enqueueJob(t, 'matching.match-need', { needId: String(row.id) });
  return rows.length;
}
