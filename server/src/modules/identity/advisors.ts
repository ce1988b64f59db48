import type { Transaction } from 'sequelize';
import { regionContains } from '../../lib/scope';
import { AdminUser, Organisation } from './models';

/** Who answers for a region: the advisors whose region covers it, or, where none does, the platform admins. */

export interface RegionAdvisor {
  id: string;
  regionCode: string | null;
}

/** Active advisors with the region they answer for (their own, else their organisation's). */
export async function activeAdvisors(t?: Transaction): Promise<RegionAdvisor[]> {
  const rows = (await AdminUser.findAll({
    where: { role: 'advisor', disabled: false },
    attributes: ['id', 'regionCode'],
    include: [{ model: Organisation, as: 'organisation', attributes: ['regionCode', 'disabled'], where: { disabled: false } }],
    raw: true,
    nest: true,
    transaction: t,
  })) as unknown as Array<{ id: string | number; regionCode: string | null; organisation: { regionCode: string | null } }>;
  return rows.map((r) => ({ id: String(r.id), regionCode: r.regionCode ?? r.organisation.regionCode }));
}

/** Advisors whose region covers `regionCode`; none for no region, none without a region of their own. */
export function advisorsCovering(advisors: readonly RegionAdvisor[], regionCode: string | null): RegionAdvisor[] {
  if (!regionCode) return [];
  return advisors.filter((a) => a.regionCode && /^\d{6}$/.test(a.regionCode) && regionContains(a.regionCode, regionCode));
}

export async function activePlatformAdmins(t?: Transaction): Promise<string[]> {
  const rows = await AdminUser.findAll({ where: { role: 'platform_admin', disabled: false }, attributes: ['id'], raw: true, transaction: t });
  return rows.map((u) => String(u.id));
}

/**
 * The ids of who answers for a region: its covering advisors, else the platform admins (so nothing is left without
 * someone to act). `advisors` and `admins` let a batch read both once; by default they are read here.
 */
export async function regionResponders(
  t: Transaction | undefined,
  regionCode: string | null,
  read: { advisors?: readonly RegionAdvisor[]; admins?: () => Promise<string[]> } = {},
): Promise<string[]> {
  const covering = advisorsCovering(read.advisors ?? (await activeAdvisors(t)), regionCode).map((a) => a.id);
  if (covering.length > 0) return covering;
  return read.admins ? read.admins() : activePlatformAdmins(t);
}
