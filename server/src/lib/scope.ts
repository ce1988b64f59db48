import { regionContains, regionPrefix, type TAdminRole } from '@xyd/shared';
import type { Actor } from '../modules/identity/actor';

export { regionContains, regionPrefix };

/** A LIKE pattern covering the region and everything under it (digits only, so nothing to escape). */
export function regionPattern(regionCode: string): string {
  return `${regionPrefix(regionCode)}%`;
}

/** Roles whose whole view is one region: without a region they would see nothing, so one is required. */
export const REGION_BOUND_ROLES: readonly TAdminRole[] = ['advisor', 'gov'];

/**
 * The part of the country an actor answers for. Fails closed: an advisor or government user without a
 * region, and every role not listed, reach nothing.
 */
export type RegionReach = { kind: 'all' } | { kind: 'region'; regionCode: string } | { kind: 'none' };

export function regionReach(actor: Actor): RegionReach {
  if (actor.kind !== 'admin') return { kind: 'none' };
  if (actor.role === 'platform_admin') return { kind: 'all' };
  if (REGION_BOUND_ROLES.includes(actor.role) && actor.regionCode && /^\d{6}$/.test(actor.regionCode)) {
    return { kind: 'region', regionCode: actor.regionCode };
  }
  return { kind: 'none' };
}
