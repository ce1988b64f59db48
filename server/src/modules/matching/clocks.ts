import { Op } from 'sequelize';
import { addWorkingDays, formatFen, shanghaiDate, workingDaysBetween } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { enterpriseLabels } from '../enterprises/repository';
import { activePlatformAdmins } from '../identity/advisors';
import { enqueueNotifications, type Notification } from '../notifications/service';
import { loadWorkCalendar } from '../calendar/service';
import { FinancingNeed } from './models';

/**
 * The release clock of needs under review, on working days (the one working-day module and the platform's holiday
 * calendar). A need is due by the end of `dueOn`. On that day the advisor is reminded; once a working day after it
 * has begun with no release, the need escalates to the platform admins (and the advisor hears of it). Each step is
 * taken once: a conditional update on its empty column decides which worker sends it.
 *
 * A due date computed on an unconfirmed year (weekends only) is computed again on every run, so that a schedule an
 * admin enters later moves the clocks that run into it.
 */

const BATCH = 500;

export interface ClockRun {
  recomputed: number;
  reminded: number;
  escalated: number;
}

export async function runNeedClocks(app: AppContext): Promise<ClockRun> {
  const calendar = await loadWorkCalendar();
  const now = clock.now();
  const today = shanghaiDate(now);
  const run: ClockRun = { recomputed: 0, reminded: 0, escalated: 0 };
  let afterId: string | null = null;
  for (;;) {
    const needs: FinancingNeed[] = await FinancingNeed.findAll({
      where: { status: 'reviewing', escalatedAt: null, ...(afterId ? { id: { [Op.gt]: afterId } } : {}) },
      order: [['id', 'ASC']],
      limit: BATCH,
    });
    if (needs.length === 0) break;
    afterId = needs[needs.length - 1].id;
    const labels = await enterpriseLabels(needs.map((n) => n.enterpriseId));
    for (const need of needs) {
      let dueOn = need.dueOn;
      if (!need.dueConfirmed) {
        const due = addWorkingDays(calendar, need.clockFrom, app.config.matching.releaseWorkingDays);
        if (due.date !== need.dueOn || due.confirmed) {
          const [moved] = await FinancingNeed.update({ dueOn: due.date, dueConfirmed: due.confirmed }, { where: { id: need.id, version: need.version, dueOn: need.dueOn } });
          if (moved === 1) {
            run.recomputed += 1;
            dueOn = due.date;
          }
        }
      }
      const name = labels.get(need.enterpriseId)?.name ?? '';
      const what = `${name} 的融资需求（${formatFen(need.amountFen)}，${need.termMonths} 个月）`;
      const overdue = today > dueOn && workingDaysBetween(calendar, dueOn, today).days >= 1;
      if (overdue) {
        await app.db.transaction(async (t) => {
          const [moved] = await FinancingNeed.update({ escalatedAt: now }, { where: { id: need.id, status: 'reviewing', escalatedAt: null }, transaction: t });
          if (moved !== 1) return;
          run.escalated += 1;
          const notices: Notification[] = (await activePlatformAdmins(t)).map((id) => ({
            recipientKind: 'admin',
            recipientId: id,
            templateKey: 'need_review',
            title: `融资需求复核超时：${name}`,
            body: `${what} 应于 ${dueOn} 前推荐，已超时未处理${need.advisorId ? '' : '（区域内没有融资顾问）'}，请督办或指派。`,
            link: `/finance/needs/${need.id}`,
          }));
          if (need.advisorId) {
            notices.push({ recipientKind: 'admin', recipientId: need.advisorId, templateKey: 'need_review', title: `融资需求复核已超时：${name}`, body: `${what} 应于 ${dueOn} 前推荐，已超时并上报平台管理员。`, link: `/finance/needs/${need.id}` });
          }
          await enqueueNotifications(t, notices);
        });
      } else if (today >= dueOn && !need.remindedAt) {
        await app.db.transaction(async (t) => {
          const [moved] = await FinancingNeed.update({ remindedAt: now }, { where: { id: need.id, status: 'reviewing', remindedAt: null }, transaction: t });
          if (moved !== 1) return;
          run.reminded += 1;
          const recipients = need.advisorId ? [need.advisorId] : await activePlatformAdmins(t);
          await enqueueNotifications(
            t,
            recipients.map((id) => ({
              recipientKind: 'admin' as const,
              recipientId: id,
              templateKey: 'need_review',
              title: `融资需求今日到期：${name}`,
              body: `${what} 须在今天（${dueOn}）内完成复核并推荐，逾期将上报平台管理员。`,
              link: `/finance/needs/${need.id}`,
            })),
          );
        });
      }
    }
    if (needs.length < BATCH) break;
  }
  return run;
}
