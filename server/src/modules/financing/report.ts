import { RECORD_SCOPES, shanghaiWallClock, type TCreditReport } from '@xyd/shared';
import type { AppContext } from '../../context';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { creditProfile } from '../credit-engine/profile';
import { listDisputes } from '../credit-engine/disputes';
import { listWarnings } from '../credit-engine/warnings';
import { findScopedEnterprise } from '../enterprises/repository';
import type { AdminActor } from '../identity/actor';
import { Organisation } from '../identity/models';
import { assignmentsOf } from './agencies';
import { consoleApplication } from './applications';
import { liveGrantScopes, logGrantedReads } from './grants';
import { renderCreditReportPdf } from './pdf';

/**
 * The credit report an institution (or the agency it commissioned) reads for an application: only under the
 * firm's live grant of the credit report for this application, through the enterprise repository's institution
 * branch, and logged as an access every time it is generated. Watermarked with who asked and when.
 */

const REFUSED = '企业未授权或授权已撤销、已到期，无法查看信用报告';

async function buildReport(app: AppContext, actor: AdminActor, applicationId: string): Promise<TCreditReport> {
  const application = await consoleApplication(app, actor, applicationId);
  // Both: a live grant of this application to the caller's organisation, and the repository's institution branch.
  const scopes = await liveGrantScopes(app, application.id, actor.organisationId);
  const enterprise = scopes.includes('credit_score') ? await findScopedEnterprise(actor, application.enterpriseId, 'credit_score') : null;
  if (!enterprise) throw new NotFoundError(REFUSED);
  const recordScopes = scopes.filter((s) => RECORD_SCOPES.includes(s));
  const [profile, warnings, disputes, agencies, organisation] = await Promise.all([
    creditProfile(app, actor, enterprise.id),
    listWarnings(app, actor, { enterpriseId: enterprise.id, current: 1, pageSize: 50 }),
    // Disputes quote the records they dispute: shown only for the categories whose records this application's grant shares.
    recordScopes.length > 0
      ? listDisputes(actor, { enterpriseId: enterprise.id, current: 1, pageSize: 50 }, recordScopes)
      : Promise.resolve({ list: [], total: 0 }),
    assignmentsOf(app, [application.id]),
    Organisation.findByPk(actor.organisationId, { attributes: ['name'] }),
  ]);
  const at = clock.now();
  const institution = organisation?.name ?? '';
  const stamp = shanghaiWallClock(at).slice(0, 16).replace('T', ' ');
  return {
    id: newId(),
    applicationId: application.id,
    generatedAt: at.toISOString(),
    watermark: { institution, user: actor.displayName, at: at.toISOString(), text: `${institution} ${actor.displayName} ${stamp} 查看 · 仅限申请 ${application.id} 使用` },
    enterprise: {
      id: enterprise.id,
      name: enterprise.name,
      uscc: enterprise.uscc,
      legalRepName: enterprise.legalRepName,
      registeredCapitalFen: enterprise.registeredCapitalFen,
      establishedOn: enterprise.establishedOn,
      industryName: enterprise.industryName,
      regionCode: enterprise.regionCode,
      scale: enterprise.scale,
      status: enterprise.status,
    },
    profile,
    warnings: warnings.list,
    disputes: disputes.list,
    agencies: agencies.filter((a) => a.status === 'reported'),
  };
}

export async function applicationReport(app: AppContext, actor: AdminActor, applicationId: string, meta: RequestMeta): Promise<TCreditReport> {
  const report = await buildReport(app, actor, applicationId);
  await logGrantedReads(app, actor, [{ enterpriseId: report.enterprise.id, scope: 'credit_score', action: 'credit_report', applicationId: report.applicationId }], meta);
  return report;
}

export async function applicationReportPdf(app: AppContext, actor: AdminActor, applicationId: string, meta: RequestMeta): Promise<{ bytes: Buffer; filename: string }> {
  const report = await buildReport(app, actor, applicationId);
  const bytes = await renderCreditReportPdf(report);
  await logGrantedReads(app, actor, [{ enterpriseId: report.enterprise.id, scope: 'credit_score', action: 'credit_report_pdf', applicationId: report.applicationId }], meta);
  return { bytes, filename: `信用报告-${report.enterprise.name}-${report.generatedAt.slice(0, 10)}.pdf` };
}
