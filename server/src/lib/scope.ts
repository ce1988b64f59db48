import { Op, type WhereOptions } from 'sequelize';
import type { Actor } from '../modules/identity/actor';

/** GB/T 2260 codes nest by prefix: 330000 ⊃ 330100 ⊃ 330106. */
export function regionPrefix(regionCode: string): string {
  if (regionCode.endsWith('0000')) return regionCode.slice(0, 2);
  if (regionCode.endsWith('00')) return regionCode.slice(0, 4);
  return regionCode;
}

export function regionContains(outer: string, inner: string): boolean {
  return inner.startsWith(regionPrefix(outer));
}

/** A where-clause on a `region_code` column covering the region and everything under it. */
export function regionWhere(regionCode: string, column = 'regionCode'): WhereOptions {
  return { [column]: { [Op.like]: `${regionPrefix(regionCode)}%` } };
}

const NOTHING: WhereOptions = { id: null };

/**
 * The one place that decides which enterprises an actor may see (DESIGN §5). Every service that reads
 * enterprise data filters with it; an enterprise outside the scope is "not found".
 *
 * Institutions (banks, insurers, guarantors, credit agencies) see an enterprise only under a live
 * authorisation naming their organisation; `authorisedEnterpriseIds` supplies those ids (none exist
 * until the authorisation module lands, so institutions see no enterprise data).
 */
export function enterpriseScope(
  actor: Actor,
  related: { memberEnterpriseIds?: string[]; authorisedEnterpriseIds?: string[] } = {},
): WhereOptions {
  if (actor.kind === 'wechat') {
    const ids = related.memberEnterpriseIds ?? [];
    return ids.length > 0 ? { id: ids } : NOTHING;
  }
  switch (actor.role) {
    case 'platform_admin':
      return {};
    case 'advisor':
    case 'gov':
      return actor.regionCode ? regionWhere(actor.regionCode) : {};
    case 'fi_admin':
    case 'fi_officer':
    case 'agency': {
      const ids = related.authorisedEnterpriseIds ?? [];
      return ids.length > 0 ? { id: ids } : NOTHING;
    }
  }
}

/** Region-scoped records other than enterprises (verification requests): by the actor's region. */
export function regionScope(actor: Actor, column = 'regionCode'): WhereOptions {
  if (actor.kind !== 'admin') return NOTHING;
  if (actor.role === 'platform_admin') return {};
  if ((actor.role === 'advisor' || actor.role === 'gov') && actor.regionCode) return regionWhere(actor.regionCode, column);
  return NOTHING;
}
