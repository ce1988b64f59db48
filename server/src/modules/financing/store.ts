import { QueryTypes, type Transaction } from 'sequelize';
import type { TApplicationStatus, TApplicationOffer, TRejectionReasonCode } from '@xyd/shared';
import { insertRows } from '../../db';
import { clock } from '../../lib/clock';
import { NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { findScopedEnterprise, type EnterpriseSummaryRow } from '../enterprises/repository';
import { AdminUser } from '../identity/models';
import type { WechatActor } from '../identity/actor';

/** The application row and its timeline: what every part of the financing module reads and writes. */

export interface ApplicationRow {
  id: string;
  enterpriseId: string;
  regionCode: string;
  productId: string;
  productRevisionId: string;
  institutionId: string;
  needId: string | null;
  status: TApplicationStatus;
  version: number;
  amountFen: number;
  termMonths: number;
  purpose: string;
  offer: TApplicationOffer | null;
  offerAccepted: boolean;
  rejectionCode: TRejectionReasonCode | null;
  rejectionText: string | null;
  acceptDays: number;
  decideDays: number;
  acceptDueOn: string;
  acceptDueConfirmed: boolean;
  acceptedAt: Date | null;
  acceptBreachedAt: Date | null;
  decideDueOn: string | null;
  decideDueConfirmed: boolean;
  decidedAt: Date | null;
  decideBreachedAt: Date | null;
  referralConsentedAt: Date | null;
  referralProducts: Array<{ id: string; name: string; institutionName: string }>;
  submittedBy: string;
  submittedAt: Date;
  updatedAt: Date;
}

export const APPLICATION_COLUMNS = `a.id, a.enterprise_id AS enterpriseId, a.region_code AS regionCode, a.product_id AS productId,
  a.product_revision_id AS productRevisionId, a.institution_id AS institutionId, a.need_id AS needId, a.status, a.version,
  a.amount_fen AS amountFen, a.term_months AS termMonths, a.purpose, a.offer, a.offer_accepted AS offerAccepted,
  a.rejection_code AS rejectionCode, a.rejection_text AS rejectionText, a.accept_days AS acceptDays, a.decide_days AS decideDays,
  a.accept_due_on AS acceptDueOn, a.accept_due_confirmed AS acceptDueConfirmed, a.accepted_at AS acceptedAt,
  a.accept_breached_at AS acceptBreachedAt, a.decide_due_on AS decideDueOn, a.decide_due_confirmed AS decideDueConfirmed,
  a.decided_at AS decidedAt, a.decide_breached_at AS decideBreachedAt, a.referral_consented_at AS referralConsentedAt, a.referral_products AS referralProducts,
  a.submitted_by AS submittedBy, a.submitted_at AS submittedAt, a.updated_at AS updatedAt`;

const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));
const asId = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** mysql2 and SQLite answer BIGINT, BOOLEAN and DATE differently: one normal form. */
export function normaliseApplication(raw: Record<string, unknown>): ApplicationRow {
  return {
    ...(raw as unknown as ApplicationRow),
    id: String(raw.id),
    enterpriseId: String(raw.enterpriseId),
    productId: String(raw.productId),
    productRevisionId: String(raw.productRevisionId),
    institutionId: String(raw.institutionId),
    needId: asId(raw.needId),
    version: Number(raw.version),
    amountFen: Number(raw.amountFen),
    termMonths: Number(raw.termMonths),
    offer: raw.offer ? (JSON.parse(String(raw.offer)) as TApplicationOffer) : null,
    offerAccepted: Boolean(Number(raw.offerAccepted)),
    acceptDays: Number(raw.acceptDays),
    decideDays: Number(raw.decideDays),
    acceptDueConfirmed: Boolean(Number(raw.acceptDueConfirmed)),
    decideDueConfirmed: Boolean(Number(raw.decideDueConfirmed)),
    acceptedAt: asDate(raw.acceptedAt),
    acceptBreachedAt: asDate(raw.acceptBreachedAt),
    decidedAt: asDate(raw.decidedAt),
    decideBreachedAt: asDate(raw.decideBreachedAt),
    referralConsentedAt: asDate(raw.referralConsentedAt),
    referralProducts: raw.referralProducts ? JSON.parse(String(raw.referralProducts)) : [],
    submittedBy: String(raw.submittedBy),
    submittedAt: asDate(raw.submittedAt)!,
    updatedAt: asDate(raw.updatedAt)!,
  };
}

export async function selectApplications(
  sequelize: NonNullable<typeof AdminUser.sequelize>,
  where: string,
  replacements: Record<string, unknown>,
  t?: Transaction,
  tail = '',
): Promise<ApplicationRow[]> {
  const rows = await sequelize.query<Record<string, unknown>>(`SELECT ${APPLICATION_COLUMNS} FROM loan_applications a WHERE ${where} ${tail}`, {
    replacements,
    type: QueryTypes.SELECT,
    transaction: t,
  });
  return rows.map(normaliseApplication);
}

/**
 * The caller's own enterprise (a member of it), and one of its applications when `applicationId` is given;
 * 404 otherwise, so that another firm's application does not show it exists.
 */
export async function ownApplication(
  actor: WechatActor,
  enterpriseId: string,
  applicationId: string | null,
  t?: Transaction,
): Promise<{ enterprise: EnterpriseSummaryRow; application: ApplicationRow | null }> {
  const enterprise = await findScopedEnterprise(actor, enterpriseId, 'registration', t);
  if (!enterprise) throw new NotFoundError('企业不存在或无权访问');
  if (applicationId === null) return { enterprise, application: null };
  const [application] = await selectApplications(AdminUser.sequelize!, 'a.id = :id AND a.enterprise_id = :enterpriseId', { id: applicationId, enterpriseId: enterprise.id }, t);
  if (!application) throw new NotFoundError('申请不存在或无权访问');
  return { enterprise, application };
}

export interface EventInput {
  kind: string;
  fromStatus?: TApplicationStatus | null;
  toStatus?: TApplicationStatus | null;
  actorKind: 'institution' | 'enterprise' | 'system' | 'platform' | 'agency';
  actorId: string | null;
  actorName: string;
  note?: string;
}

/** One row on the application's timeline. */
export async function recordEvent(t: Transaction, applicationId: string, event: EventInput): Promise<void> {
  await insertRows(
    AdminUser.sequelize!,
    'application_events',
    ['id', 'application_id', 'kind', 'from_status', 'to_status', 'actor_kind', 'actor_id', 'actor_name', 'note', 'at'],
    [[newId(), applicationId, event.kind, event.fromStatus ?? null, event.toStatus ?? null, event.actorKind, event.actorId, event.actorName.slice(0, 64), (event.note ?? '').slice(0, 1000), clock.now()]],
    t,
  );
}

/** The enabled console users of institutions (fi_admin, fi_officer) or agencies: who hears of an application. */
export async function institutionUsers(t: Transaction | undefined, organisationIds: readonly string[]): Promise<string[]> {
  if (organisationIds.length === 0) return [];
  const rows = await AdminUser.findAll({
    where: { organisationId: [...new Set(organisationIds)], role: ['fi_admin', 'fi_officer', 'agency'], disabled: false },
    attributes: ['id'],
    raw: true,
    transaction: t,
  });
  return rows.map((r) => String(r.id));
}
