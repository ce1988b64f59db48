import { QueryTypes } from 'sequelize';
import { shanghaiDate, shiftDate, type TCreditCategory } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { defineJob } from '../../jobs/registry';
import { recordAudit } from '../audit/service';
import { markChanged } from './ingest';

/**
 * The retention rule for credit data (征信业管理条例 第十六条): adverse information is kept for five years from
 * the day the conduct or event ends, and is no longer shown or counted after that. Expired records are marked
 * (`expired_at`), never deleted: the console's history still has them, and scoring recomputes without them.
 */

export const ADVERSE_RETENTION_YEARS = 5;
const EXPIRE_BATCH = 1_000;

/** Adverse records whose event ended before this day (Shanghai) have passed their five years. */
export function retentionCutoff(now: Date): string {
  return shiftDate(shanghaiDate(now), -12 * ADVERSE_RETENTION_YEARS);
}

interface ExpiringRow {
  id: unknown;
  enterpriseId: unknown;
  category: TCreditCategory;
}

/**
 * Marks `expired_at = now` on every adverse record whose event ended more than five years ago, a thousand at a
 * time: each batch commits with its audit row and the change-feed rows of the enterprises it touched, so a run
 * cut short keeps what it did and the next run continues. Returns the number of records expired.
 */
export async function expireAdverseRecords(app: AppContext, now: Date = clock.now()): Promise<number> {
  const sequelize = app.db.sequelize;
  const cutoff = retentionCutoff(now);
  let total = 0;
  for (;;) {
    const { selected, expired } = await app.db.transaction(async (t) => {
      // No ORDER BY: the range on credit_records_retention (adverse, expired_at, ends_on) is read in index order,
      // and the rows marked here leave it, so each batch starts where the last one ended.
      const rows = await sequelize.query<ExpiringRow>(
        `SELECT id, enterprise_id AS enterpriseId, category FROM credit_records
         WHERE adverse = 1 AND expired_at IS NULL AND ends_on < :cutoff
         LIMIT ${EXPIRE_BATCH}`,
        { replacements: { cutoff }, type: QueryTypes.SELECT, transaction: t },
      );
      if (rows.length === 0) return { selected: 0, expired: 0 };
      const [, affected] = (await sequelize.query(`UPDATE credit_records SET expired_at = :now WHERE id IN (:ids) AND expired_at IS NULL`, {
        replacements: { now, ids: rows.map((r) => String(r.id)) },
        type: QueryTypes.UPDATE,
        transaction: t,
      })) as unknown as [unknown, number];
      const count = Number(affected);
      if (count > 0) {
        await recordAudit(t, {
          actor: null,
          action: 'credit_data.expire',
          targetType: 'credit_records',
          outcome: 'success',
          detail: { count, before: cutoff },
        });
        const byCategory = new Map<TCreditCategory, string[]>();
        for (const row of rows) {
          const ids = byCategory.get(row.category) ?? [];
          ids.push(String(row.enterpriseId));
          byCategory.set(row.category, ids);
        }
        for (const [category, enterpriseIds] of byCategory) await markChanged(app, enterpriseIds, category, t);
      }
      return { selected: rows.length, expired: count };
    });
    total += expired;
    if (selected < EXPIRE_BATCH) return total;
  }
}

defineJob(
  'credit.retention',
  async ({ app }) => {
    await expireAdverseRecords(app);
  },
  { label: '信用数据保存期限', maxAttempts: 1 },
);
