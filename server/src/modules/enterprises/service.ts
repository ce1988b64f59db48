import { createHmac } from 'node:crypto';
import type { PageResult, TEnterprise, TEnterpriseDetail, TEnterpriseQuery, TMyEnterprise, TPageQuery } from '@xyd/shared';
import { maskIdNumber } from '@xyd/shared';
import type { AppContext } from '../../context';
import { NotFoundError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { recordAuditAlone } from '../audit/service';
import type { Actor } from '../identity/actor';
import { regionName } from '../regions/service';
import {
  enterpriseExists,
  listScopedEnterprises,
  memberCounts,
  memberEnterprisesOf,
  findScopedEnterpriseWithMembers,
  membersOf,
  type EnterpriseSummaryRow,
} from './repository';

/** Identity numbers are compared through a keyed hash and shown masked; the clear number is never stored. */
export function idNumberHmac(key: string, idNumber: string): string {
  return createHmac('sha256', key).update(idNumber.toUpperCase()).digest('hex');
}
export { maskIdNumber };

function toEnterpriseDto(e: EnterpriseSummaryRow, memberCount: number): TEnterprise {
  return {
    id: e.id,
    uscc: e.uscc,
    name: e.name,
    legalRepName: e.legalRepName,
    registeredCapitalFen: e.registeredCapitalFen,
    establishedOn: e.establishedOn,
    industryCode: e.industryCode,
    industryName: e.industryName,
    regionCode: e.regionCode,
    regionName: regionName(e.regionCode) ?? e.regionCode,
    scale: e.scale,
    status: e.status,
    memberCount,
  };
}

export async function listEnterprises(actor: Actor, page: TPageQuery, query: TEnterpriseQuery): Promise<PageResult<TEnterprise>> {
  const { rows, total } = await listScopedEnterprises(actor, page, { keyword: query.keyword, regionCode: query.regionCode });
  const members = await memberCounts(rows.map((r) => r.id));
  return { list: rows.map((e) => toEnterpriseDto(e, members.get(e.id) ?? 0)), total };
}

/** Out of scope is "not found" (its existence must not leak); a refusal of a real enterprise is audited. */
async function refuseEnterprise(app: AppContext, actor: Actor, id: string, meta: RequestMeta): Promise<never> {
  if (await enterpriseExists(id)) {
    await recordAuditAlone(app.db, { actor, action: 'enterprise.read', targetType: 'enterprise', targetId: id, outcome: 'denied', meta });
  }
  throw new NotFoundError('企业不存在或无权访问');
}

/** One query: the scoped row joined with its members; region names come from memory. */
export async function enterpriseDetail(app: AppContext, actor: Actor, id: string, meta: RequestMeta): Promise<TEnterpriseDetail> {
  const found = await findScopedEnterpriseWithMembers(actor, id);
  if (!found) await refuseEnterprise(app, actor, id, meta);
  const { enterprise: e, members } = found!;
  return {
    ...toEnterpriseDto(e, members.length),
    legalRepIdMasked: e.legalRepIdMasked,
    address: e.address,
    businessScope: e.businessScope,
    members: members.map((m) => ({ id: m.id, displayName: m.displayName, role: m.role, since: m.createdAt })),
  };
}

export async function myEnterprises(wechatUserId: string): Promise<TMyEnterprise[]> {
  const own = await memberEnterprisesOf(wechatUserId);
  if (own.length === 0) return [];
  const members = await membersOf(own.map((e) => e.id));
  return own.map((e) => ({
    id: e.id,
    name: e.name,
    uscc: e.uscc,
    memberRole: e.memberRole,
    members: members.filter((m) => m.enterpriseId === e.id).map((m) => ({ displayName: m.displayName, role: m.role })),
  }));
}
