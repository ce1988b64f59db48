import type { QueryInterface } from 'sequelize';
import * as foundation from './2026.11.26T00.01.foundation';
import * as regions from './2026.11.26T00.02.regions';
import * as hardening from './2026.12.01T00.01.hardening';
import * as jobs from './2026.12.01T00.02.jobs';
import * as audit from './2026.12.01T00.03.audit';
import * as files from './2026.12.01T00.04.files';
import * as identity from './2026.12.01T00.05.identity';
import * as apiClients from './2026.12.01T00.06.api-clients';
import * as creditData from './2026.12.01T00.07.credit-data';
import * as creditEngine from './2026.12.01T00.08.credit-engine';
import * as matching from './2026.12.01T00.09.matching';
import * as financing from './2026.12.01T00.10.financing';
import * as grantScopes from './2026.12.02T00.01.grant-scopes';
import * as firstLoans from './2026.12.02T00.02.first-loans';

type Step = (params: { context: QueryInterface }) => Promise<void>;

/**
 * Migrations in order, listed explicitly so the same names apply under ts (tests) and js (built):
 * names carry no extension.
 */
export const migrations: Array<{ name: string; up: Step; down: Step }> = [
  { name: '2026.11.26T00.01.foundation', ...foundation },
  { name: '2026.11.26T00.02.regions', ...regions },
  { name: '2026.12.01T00.01.hardening', ...hardening },
  { name: '2026.12.01T00.02.jobs', ...jobs },
  { name: '2026.12.01T00.03.audit', ...audit },
  { name: '2026.12.01T00.04.files', ...files },
  { name: '2026.12.01T00.05.identity', ...identity },
  { name: '2026.12.01T00.06.api-clients', ...apiClients },
  { name: '2026.12.01T00.07.credit-data', ...creditData },
  { name: '2026.12.01T00.08.credit-engine', ...creditEngine },
  { name: '2026.12.01T00.09.matching', ...matching },
  { name: '2026.12.01T00.10.financing', ...financing },
  { name: '2026.12.02T00.01.grant-scopes', ...grantScopes },
  { name: '2026.12.02T00.02.first-loans', ...firstLoans },
];
