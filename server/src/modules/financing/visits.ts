import { QueryTypes } from 'sequelize';
import type { TApplicationStatus, TReturnVisit, TReturnVisitChannel, TReturnVisitInput } from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows } from '../../db';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { recordAudit } from '../audit/service';
import { scopedEnterpriseIdsSql } from '../enterprises/repository';
import type { AdminActor } from '../identity/actor';
import { recordEvent, selectApplications } from './store';

/** Return visits (回访): after a decision or a disbursement the advisor asks the firm how it went. */

/** Statuses after which a visit makes sense: a decision was made or money moved. */
const VISITABLE: readonly TApplicationStatus[] = ['approved', 'rejected', 'offer_declined', 'disbursed', 'overdue', 'settled'];

export async function visitsOf(app: AppContext, applicationId: string): Promise<TReturnVisit[]> {
  const rows = await app.db.sequelize.query<{
    id: unknown;
    stage: TApplicationStatus;
    satisfaction: unknown;
    channel: TReturnVisitChannel;
    note: string;
    advisorName: string;
    visitedAt: Date | string;
  }>(
    `SELECT id, stage, satisfaction, channel, note, advisor_name AS advisorName, visited_at AS visitedAt
     FROM return_visits WHERE application_id = :id ORDER BY visited_at ASC, id ASC`,
    { replacements: { id: applicationId }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    id: String(r.id),
    applicationId,
    stage: r.stage,
    satisfaction: Number(r.satisfaction),
    channel: r.channel,
    note: r.note,
    advisorName: r.advisorName,
    visitedAt: new Date(r.visitedAt).toISOString(),
  }));
}

export async function recordReturnVisit(app: AppContext, actor: AdminActor, applicationId: string, input: TReturnVisitInput, meta: RequestMeta): Promise<TReturnVisit> {
  const [application] = await selectApplications(app.db.sequelize, `a.id = :id AND a.enterprise_id IN ${scopedEnterpriseIdsSql(actor, 'registration')}`, { id: applicationId });
  if (!application) throw new NotFoundError('申请不存在或无权访问');
  if (!VISITABLE.includes(application.status)) throw new ConflictError('申请尚无审批结论或放款，暂不能回访');
  const id = newId();
  await app.db.transaction(async (t) => {
    await insertRows(
      app.db.sequelize,
      'return_visits',
      ['id', 'application_id', 'stage', 'satisfaction', 'channel', 'note', 'advisor_id', 'advisor_name', 'visited_at'],
      [[id, application.id, application.status, input.satisfaction, input.channel, input.note, actor.id, actor.displayName.slice(0, 64), clock.now()]],
      t,
    );
    await recordEvent(t, application.id, { kind: 'return_visit', actorKind: 'platform', actorId: actor.id, actorName: actor.displayName, note: `满意度 ${input.satisfaction}/5${input.note ? `：${input.note}` : ''}` });
    await recordAudit(t, { actor, action: 'application.visit', targetType: 'loan_application', targetId: application.id, outcome: 'success', detail: { satisfaction: input.satisfaction }, meta });
  });
  return (await visitsOf(app, application.id)).find((v) => v.id === id)!;
}
