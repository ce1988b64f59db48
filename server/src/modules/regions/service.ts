import type { TRegion } from '@xyd/shared';
import { loadRegionRows, type RegionRow } from './source';

/**
 * GB/T 2260 divisions, held in memory: the `regions` table is filled from the same package by a migration
 * and never written at run time, so hot paths (every enterprise read names its region) need no query.
 */
let table: { byCode: Map<string, RegionRow>; children: Map<string | null, RegionRow[]> } | null = null;

function regionTable() {
  if (table) return table;
  const rows = loadRegionRows().sort((a, b) => a.code.localeCompare(b.code));
  const children = new Map<string | null, RegionRow[]>();
  for (const r of rows) {
    const list = children.get(r.parent_code) ?? [];
    list.push(r);
    children.set(r.parent_code, list);
  }
  table = { byCode: new Map(rows.map((r) => [r.code, r])), children };
  return table;
}

const toDto = (r: RegionRow): TRegion => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parent_code });

export async function listRegions(parent?: string): Promise<TRegion[]> {
  return (regionTable().children.get(parent ?? null) ?? []).map(toDto);
}

export function findRegion(code: string): TRegion | null {
  const row = regionTable().byCode.get(code);
  return row ? toDto(row) : null;
}

export function regionName(code: string | null): string | null {
  return code ? (regionTable().byCode.get(code)?.name ?? null) : null;
}

/** Names of the given region codes (nulls and repeats allowed). */
export function regionNames(codes: Array<string | null>): Map<string, string> {
  const names = new Map<string, string>();
  for (const code of codes) {
    const name = regionName(code);
    if (code && name) names.set(code, name);
  }
  return names;
}
