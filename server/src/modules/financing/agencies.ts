import { QueryTypes, UniqueConstraintError } from 'sequelize';
import type { TAgency, TAgencyAssignment, TAgencyCommission, TAgencyOpinion, TCreditRating } from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows } from '../../db';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { recordAudit } from '../audit/service';
import { enterpriseLabels } from '../enterprises/repository';
import { notifyMembers } from '../enterprises/notify';
import type { AdminActor } from '../identity/actor';
import { Organisation } from '../identity/models';
import { enqueueNotifications } from '../notifications/service';
import { grantsOfApplications, insertGrant, scopeSentence } from './grants';
import { institutionUsers, recordEvent, selectApplications } from './store';

/**
 * Credit agencies (信用服务机构): an institution commissions one for an application; the agency then reads the
 * application's data under the same grant (rows naming the agency, with the firm's scopes and last day, revoked
 * with the firm's grant) and the firm is told; the agency attaches its rating, report and advice.
 */

export async function listAgencies(): Promise<TAgency[]> {
  const rows = await Organisation.findAll({ where: { type: 'credit_agency', disabled: false }, attributes: ['id', 'name', 'regionCode'], order: [['name', 'ASC']], raw: true });
  return rows.map((r) => ({ id: String(r.id), name: r.name, regionCode: r.regionCode ?? null }));
}

interface AssignmentRow {
  id: unknown;
  applicationId: unknown;
  agencyId: unknown;
  agencyName: string;
  status: TAgencyAssignment['status'];
  request: string;
  commissionedAt: Date | string;
  commissionedByName: string;
  rating: TCreditRating | null;
  summary: string | null;
  advice: string | null;
  reportedAt: Date | string | null;
  reportedByName: string | null;
}

export async function assignmentsOf(app: AppContext, applicationIds: readonly string[]): Promise<TAgencyAssignment[]> {
  if (applicationIds.length === 0) return [];
  const rows = await app.db.sequelize.query<AssignmentRow>(
    `SELECT s.id, s.application_id AS applicationId, s.agency_id AS agencyId, o.name AS agencyName, s.status, s.request,
       s.commissioned_at AS commissionedAt, s.commissioned_by_name AS commissionedByName, s.rating, s.summary, s.advice,
       s.reported_at AS reportedAt, s.reported_by_name AS reportedByName
     FROM agency_assignments s JOIN organisations o ON o.id = s.agency_id
     WHERE s.application_id IN (:ids) ORDER BY s.commissioned_at ASC, s.id ASC`,
    { replacements: { ids: [...applicationIds] }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    id: String(r.id),
    applicationId: String(r.applicationId),
    agencyId: String(r.agencyId),
    agencyName: r.agencyName,
    status: r.status,
    request: r.request,
    commissionedAt: new Date(r.commissionedAt).toISOString(),
    commissionedByName: r.commissionedByName,
    rating: r.rating,
    summary: r.summary,
    advice: r.advice,
    reportedAt: r.reportedAt ? new Date(r.reportedAt).toISOString() : null,
    reportedByName: r.reportedByName,
  }));
}

export async function commissionAgency(app: AppContext, actor: AdminActor, applicationId: string, input: TAgencyCommission, meta: RequestMeta): Promise<TAgencyAssignment> {
  const [application] = await selectApplications(app.db.sequelize, 'a.id = :id AND a.institution_id = :org', { id: applicationId, org: actor.organisationId });
  if (!application) throw new NotFoundError('申请不存在或无权访问');
  if (['settled', 'rejected', 'withdrawn', 'offer_declined'].includes(application.status)) throw new ConflictError('申请已结束，不能再委托信用服务机构');
  const agency = await Organisation.findOne({ where: { id: input.agencyId, type: 'credit_agency', disabled: false } });
  if (!agency) throw new ValidationError('所选机构不是可委托的信用服务机构', [{ field: 'agencyId', message: '所选机构不是可委托的信用服务机构' }]);
  // The agency reads under the institution's live grant: nothing to hand on once the firm revoked it or it ran out.
  const grant = ((await grantsOfApplications(app, [application.id])).get(application.id) ?? []).find((g) => g.organisationId === application.institutionId);
  if (!grant || grant.status !== 'active') throw new ConflictError('企业对本申请的数据授权已撤销或到期，不能委托信用服务机构');
  const id = newId();
  const firm = (await enterpriseLabels([application.enterpriseId])).get(application.enterpriseId)?.name ?? '';
  try {
    await app.db.transaction(async (t) => {
      await insertRows(
        app.db.sequelize,
        'agency_assignments',
        ['id', 'application_id', 'agency_id', 'status', 'request', 'commissioned_by', 'commissioned_by_name', 'commissioned_at'],
        [[id, application.id, agency.id, 'commissioned', input.request, actor.id, actor.displayName.slice(0, 64), clock.now()]],
        t,
      );
      await insertGrant(app, t, {
        applicationId: application.id,
        enterpriseId: application.enterpriseId,
        organisationId: agency.id,
        scopes: grant.scopes,
        purpose: `受 ${grant.organisationName} 委托，为${grant.purpose}提供信用评价`,
        expiresOn: grant.expiresOn,
        grantedBy: actor.id,
        grantedByName: actor.displayName,
        agencyAssignmentId: id,
      });
      await recordEvent(t, application.id, {
        kind: 'agency_commissioned',
        actorKind: 'institution',
        actorId: actor.id,
        actorName: actor.displayName,
        note: `委托 ${agency.name}：${input.request}`,
      });
      await recordAudit(t, { actor, action: 'agency.commission', targetType: 'loan_application', targetId: application.id, outcome: 'success', detail: { agencyId: agency.id, assignmentId: id }, meta });
      await notifyMembers(t, application.enterpriseId, {
        templateKey: 'application_progress',
        title: '机构委托了信用服务机构',
        body: `${grant.organisationName} 委托 ${agency.name} 为您的申请提供信用评价，该机构将在您的同一授权下查看${scopeSentence(grant.scopes)}（至 ${grant.expiresOn}）。撤销授权即同时停止其查看。`,
        link: `/subpackages/finance/application/index?id=${application.id}`,
      });
      await enqueueNotifications(
        t,
        (await institutionUsers(t, [agency.id])).map((userId) => ({
          recipientKind: 'admin' as const,
          recipientId: userId,
          templateKey: 'application_progress',
          title: `新的委托：${firm}`,
          body: `${grant.organisationName} 委托：${input.request}`,
          link: `/finance/applications/${application.id}`,
        })),
      );
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new ConflictError('已委托过该信用服务机构');
    throw error;
  }
  return (await assignmentsOf(app, [application.id])).find((a) => a.id === id)!;
}

export async function submitAgencyOpinion(
  app: AppContext,
  actor: AdminActor,
  applicationId: string,
  assignmentId: string,
  input: TAgencyOpinion,
  meta: RequestMeta,
): Promise<TAgencyAssignment> {
  const [row] = await app.db.sequelize.query<{ id: unknown; status: string }>(
    'SELECT s.id, s.status FROM agency_assignments s WHERE s.id = :id AND s.application_id = :applicationId AND s.agency_id = :org',
    { replacements: { id: assignmentId, applicationId, org: actor.organisationId }, type: QueryTypes.SELECT },
  );
  if (!row) throw new NotFoundError('委托不存在或无权访问');
  const [application] = await selectApplications(app.db.sequelize, 'a.id = :id', { id: applicationId });
  await app.db.transaction(async (t) => {
    const [, affected] = (await app.db.sequelize.query(
      `UPDATE agency_assignments SET status = 'reported', rating = :rating, summary = :summary, advice = :advice, reported_at = :now,
         reported_by_name = :name WHERE id = :id AND status = 'commissioned'`,
      { replacements: { ...input, now: clock.now(), name: actor.displayName.slice(0, 64), id: assignmentId }, type: QueryTypes.UPDATE, transaction: t },
    )) as unknown as [unknown, number];
    if (Number(affected) !== 1) throw new ConflictError('该委托已提交过报告');
    await recordEvent(t, applicationId, { kind: 'agency_reported', actorKind: 'agency', actorId: actor.id, actorName: actor.displayName, note: `评级 ${input.rating}：${input.advice}` });
    await recordAudit(t, { actor, action: 'agency.report', targetType: 'loan_application', targetId: applicationId, outcome: 'success', detail: { assignmentId, rating: input.rating }, meta });
    await enqueueNotifications(
      t,
      (await institutionUsers(t, [application.institutionId])).map((userId) => ({
        recipientKind: 'admin' as const,
        recipientId: userId,
        templateKey: 'application_progress',
        title: '信用服务机构已提交报告',
        body: `评级 ${input.rating}；建议：${input.advice}`,
        link: `/finance/applications/${applicationId}`,
      })),
    );
  });
  return (await assignmentsOf(app, [applicationId])).find((a) => a.id === assignmentId)!;
}
