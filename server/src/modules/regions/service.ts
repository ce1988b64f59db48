import type { TRegion } from '@xyd/shared';
import { Region } from './model';

export async function listRegions(parent?: string): Promise<TRegion[]> {
  const rows = await Region.findAll({ where: { parentCode: parent ?? null }, order: [['code', 'ASC']], raw: true });
  return rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parentCode ?? null }));
}

/** Names of the given region codes (nulls and repeats allowed), in one query. */
export async function regionNames(codes: Array<string | null>): Promise<Map<string, string>> {
  const unique = [...new Set(codes.filter((c): c is string => Boolean(c)))];
  if (unique.length === 0) return new Map();
  const regions = await Region.findAll({ where: { code: unique }, attributes: ['code', 'name'], raw: true });
  return new Map(regions.map((r) => [r.code, r.name]));
}
