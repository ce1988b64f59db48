import type { QueryInterface } from 'sequelize';
import { loadRegionRows } from '../../modules/regions/source';

/** GB/T 2260 provinces, cities and districts, from the region-data package. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const rows = loadRegionRows();
  for (let i = 0; i < rows.length; i += 500) {
    await qi.bulkInsert('regions', rows.slice(i, i + 500));
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('regions', {});
}
