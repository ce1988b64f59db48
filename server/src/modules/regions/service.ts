import type { TRegion } from '@xyd/shared';
import { Region } from './model';

export async function listRegions(parent?: string): Promise<TRegion[]> {
  const rows = await Region.findAll({ where: { parentCode: parent ?? null }, order: [['code', 'ASC']], raw: true });
  return rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parentCode ?? null }));
}
