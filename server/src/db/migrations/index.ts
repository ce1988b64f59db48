import type { QueryInterface } from 'sequelize';
import * as foundation from './2026.11.26T00.01.foundation';
import * as regions from './2026.11.26T00.02.regions';

type Step = (params: { context: QueryInterface }) => Promise<void>;

/**
 * Migrations in order, listed explicitly so the same names apply under ts (tests) and js (built):
 * names carry no extension.
 */
export const migrations: Array<{ name: string; up: Step; down: Step }> = [
  { name: '2026.11.26T00.01.foundation', ...foundation },
  { name: '2026.11.26T00.02.regions', ...regions },
];
