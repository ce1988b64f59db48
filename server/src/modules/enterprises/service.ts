import { createHmac } from 'node:crypto';
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { PageResult, TEnterprise, TEnterpriseDetail, TEnterpriseQuery, TMyEnterprise, TPageQuery } from '@xyd/shared';
import { maskIdNumber } from '@xyd/shared';
import type { AppContext } from '../../context';
import { NotFoundError } from '../../lib/errors';
import { enterpriseScope } from '../../lib/scope';
import type { RequestMeta } from '../../http/route';
import { recordAuditAlone } from '../audit/service';
import type { Actor } from '../identity/actor';
import { regionNames } from '../regions/service';
import { Enterprise, EnterpriseMember } from './models';

/** Identity numbers are compared through a keyed hash and shown masked; the clear number is never stored. */
export function idNumberHmac(key: string, idNumber: string): string {
  return createHmac('sha256', key).update(idNumber.toUpperCase()).digest('hex');
}
export { maskIdNumber };

async function memberEnterpriseIds(wechatUserId: string, t?: Transaction): Promise<string[]> {
  const rows = await EnterpriseMember.findAll({ where: { wechatUserId }, attributes: ['enterpriseId'], transaction: t });
  return rows.map((r) => r.enterpriseId);
}

export async function scopeFor(actor: Actor) {
  return enterpriseScope(actor, actor.kind === 'wechat' ? { memberEnterpriseIds: await memberEnterpriseIds(actor.id) } : {});
}

async function memberCounts(ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = (await EnterpriseMember.findAll({
    where: { enterpriseId: ids },
    attributes: ['enterpriseId', [EnterpriseMember.sequelize!.fn('COUNT', EnterpriseMember.sequelize!.col('id')), 'n']],
    group: ['enterpriseId'],
    raw: true,
  })) as unknown as Array<{ enterpriseId: string | number; n: string | number }>;
  return new Map(rows.map((r) => [String(r.enterpriseId), Number(r.n)]));
}

function toEnterpriseDto(e: Enterprise, regions: Map<string, string>, members: Map<string, number>): TEnterprise {
  return {
    id: e.id,
    uscc: e.uscc,
    name: e.name,
    legalRepName: e.legalRepName,
    registeredCapitalFen: String(e.registeredCapitalFen),
    establishedOn: String(e.establishedOn),
    industryCode: e.industryCode,
    industryName: e.industryName,
    regionCode: e.regionCode,
    regionName: regions.get(e.regionCode) ?? e.regionCode,
    scale: e.scale,
    status: e.status,
    memberCount: members.get(e.id) ?? 0,
  };
}

export async function listEnterprises(actor: Actor, page: TPageQuery, query: TEnterpriseQuery): Promise<PageResult<TEnterprise>> {
  const filters: WhereOptions[] = [await scopeFor(actor)];
  if (query.keyword) filters.push({ [Op.or]: [{ name: { [Op.like]: `%${query.keyword}%` } }, { uscc: query.keyword.toUpperCase() }] });
  if (query.regionCode) filters.push({ regionCode: { [Op.like]: `${query.regionCode.replace(/0+$/, '')}%` } });
  const { rows, count } = await Enterprise.findAndCountAll({
    where: { [Op.and]: filters },
    order: [['name', 'ASC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  const [regions, members] = await Promise.all([regionNames(rows.map((r) => r.regionCode)), memberCounts(rows.map((r) => r.id))]);
  return { list: rows.map((e) => toEnterpriseDto(e, regions, members)), total: count };
}

/**
 * One enterprise within the actor's scope. Out of scope answers "not found" (its existence must not leak),
 * and the refusal is audited as a permission denial on enterprise data.
 */
export async function findEnterpriseInScope(app: AppContext, actor: Actor, id: string, meta: RequestMeta): Promise<Enterprise> {
  const enterprise = await Enterprise.findOne({ where: { [Op.and]: [{ id }, await scopeFor(actor)] } });
  if (enterprise) return enterprise;
  const exists = await Enterprise.count({ where: { id } });
  if (exists > 0) {
    await recordAuditAlone(app.db, { actor, action: 'enterprise.read', targetType: 'enterprise', targetId: id, outcome: 'denied', meta });
  }
  throw new NotFoundError('企业不存在或无权访问');
}

export async function enterpriseDetail(app: AppContext, actor: Actor, id: string, meta: RequestMeta): Promise<TEnterpriseDetail> {
  const e = await findEnterpriseInScope(app, actor, id, meta);
  const members = await EnterpriseMember.findAll({ where: { enterpriseId: e.id }, order: [['createdAt', 'ASC']] });
  const regions = await regionNames([e.regionCode]);
  return {
    ...toEnterpriseDto(e, regions, new Map([[e.id, members.length]])),
    legalRepIdMasked: e.legalRepIdMasked,
    address: e.address,
    businessScope: e.businessScope,
    members: members.map((m) => ({ id: m.id, displayName: m.displayName, role: m.role, since: new Date(m.createdAt).toISOString() })),
  };
}

export async function myEnterprises(wechatUserId: string): Promise<TMyEnterprise[]> {
  const ids = await memberEnterpriseIds(wechatUserId);
  if (ids.length === 0) return [];
  const [enterprises, members] = await Promise.all([
    Enterprise.findAll({ where: { id: ids }, attributes: ['id', 'name', 'uscc'] }),
    EnterpriseMember.findAll({ where: { enterpriseId: ids }, order: [['createdAt', 'ASC']] }),
  ]);
  return enterprises.map((e) => {
    const own = members.find((m) => m.enterpriseId === e.id && m.wechatUserId === wechatUserId)!;
    return {
      id: e.id,
      name: e.name,
      uscc: e.uscc,
      memberRole: own.role,
      members: members.filter((m) => m.enterpriseId === e.id).map((m) => ({ displayName: m.displayName, role: m.role })),
    };
  });
}
