import { QueryTypes } from 'sequelize';
import { addWorkingDays, formatFen, shanghaiDate } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { enterpriseLabels } from '../enterprises/repository';
import { loadWorkCalendar } from '../calendar/service';
import { productNames } from '../matching/products';
import { enqueueNotifications } from '../notifications/service';
import { advisorNotices } from './applications';
import { institutionUsers, recordEvent, selectApplications, type ApplicationRow } from './store';

/**
 * The institutions' service levels on working days: accept within the product's accept days of submission, decide
 * within its decide days of acceptance (due by the end of the due day). A breach is marked once (a conditional update
 * on its empty column decides which worker does it), put on the timeline, and told to the region's advisor and the
 * institution; it counts against the institution in the figures. Due dates computed on an unconfirmed year are
 * computed again on every run, so that a schedule entered later moves them.
 */

const BATCH = 500;

export interface SlaRun {
  recomputed: number;
  acceptBreaches: number;
  decideBreaches: number;
}

export async function runSlaClocks(app: AppContext): Promise<SlaRun> {
  const calendar = await loadWorkCalendar();
  const now = clock.now();
  const today = shanghaiDate(now);
  const sequelize = app.db.sequelize;
  const run: SlaRun = { recomputed: 0, acceptBreaches: 0, decideBreaches: 0 };

  // Unconfirmed due dates, recomputed on the calendar as it is now.
  const unconfirmed = await selectApplications(
    sequelize,
    "((a.status = 'submitted' AND a.accept_due_confirmed = :no) OR (a.status IN ('accepted', 'investigating') AND a.decide_due_confirmed = :no))",
    { no: false },
    undefined,
    `LIMIT ${BATCH}`,
  );
  for (const row of unconfirmed) {
    const accept = row.status === 'submitted';
    const from = shanghaiDate(accept ? row.submittedAt : (row.acceptedAt ?? row.submittedAt));
    const due = addWorkingDays(calendar, from, accept ? row.acceptDays : row.decideDays);
    const current = accept ? row.acceptDueOn : row.decideDueOn;
    if (due.date === current && !due.confirmed) continue;
    const column = accept ? 'accept' : 'decide';
    const [, moved] = (await sequelize.query(
      `UPDATE loan_applications SET ${column}_due_on = :due, ${column}_due_confirmed = :confirmed WHERE id = :id AND version = :version`,
      { replacements: { due: due.date, confirmed: due.confirmed, id: row.id, version: row.version }, type: QueryTypes.UPDATE },
    )) as unknown as [unknown, number];
    if (Number(moved) === 1) run.recomputed += 1;
  }

  for (const stage of ['accept', 'decide'] as const) {
    const running = stage === 'accept' ? "a.status = 'submitted'" : "a.status IN ('accepted', 'investigating')";
    let after = '0';
    for (;;) {
      const rows = await selectApplications(
        sequelize,
        `${running} AND a.${stage}_breached_at IS NULL AND a.${stage}_due_on < :today AND a.id > :after`,
        { today, after },
        undefined,
        `ORDER BY a.id LIMIT ${BATCH}`,
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const [firms, products] = await Promise.all([enterpriseLabels(rows.map((r) => r.enterpriseId)), productNames(rows.map((r) => r.productId))]);
      for (const row of rows) {
        const marked = await markBreach(app, row, stage, `${firms.get(row.enterpriseId)?.name ?? ''}“${products.get(row.productId) ?? ''}”${formatFen(row.amountFen)}`);
        if (marked) run[stage === 'accept' ? 'acceptBreaches' : 'decideBreaches'] += 1;
      }
    }
  }
  return run;
}

async function markBreach(app: AppContext, row: ApplicationRow, stage: 'accept' | 'decide', what: string): Promise<boolean> {
  return app.db.transaction(async (t) => {
    const [, affected] = (await app.db.sequelize.query(`UPDATE loan_applications SET ${stage}_breached_at = :now WHERE id = :id AND ${stage}_breached_at IS NULL`, {
      replacements: { now: clock.now(), id: row.id },
      type: QueryTypes.UPDATE,
      transaction: t,
    })) as unknown as [unknown, number];
    if (Number(affected) !== 1) return false;
    const days = stage === 'accept' ? row.acceptDays : row.decideDays;
    const dueOn = stage === 'accept' ? row.acceptDueOn : row.decideDueOn;
    const label = stage === 'accept' ? '受理' : '办结';
    const note = `${label}时限 ${days} 个工作日已过（应于 ${dueOn} 前${label}）`;
    await recordEvent(t, row.id, { kind: `${stage}_breached`, actorKind: 'system', actorId: null, actorName: '系统', note });
    const institution = await institutionUsers(t, [row.institutionId]);
    await enqueueNotifications(t, [
      ...(await advisorNotices(t, row, `${label}超时：${what}`, `${note}，请督办。`)),
      ...institution.map((id) => ({
        recipientKind: 'admin' as const,
        recipientId: id,
        templateKey: 'application_progress',
        title: `${label}超时：${what}`,
        body: `${note}，超时计入本机构的服务时效统计。`,
        link: `/finance/applications/${row.id}`,
      })),
    ]);
    return true;
  });
}
