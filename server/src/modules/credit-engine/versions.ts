import { UniqueConstraintError, type Transaction } from 'sequelize';
import {
  EXPERT_SCORECARD_V1,
  WARNING_RULES_V1,
  ZScorecard,
  ZWarningRules,
  type TScorecard,
  type TWarningRules,
} from '@xyd/shared';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ScorecardVersion, WarningRuleSet } from './models';

/**
 * Scorecard versions and warning-rule sets: immutable documents in the database, one of each active. Version 1 of
 * each (the expert scorecard and the default thresholds) is stored the first time anything asks, so a new
 * deployment scores with no setup; two processes doing that at once meet the unique version index.
 */

export interface LoadedScorecard {
  id: string;
  version: number;
  name: string;
  status: 'candidate' | 'active' | 'retired';
  card: TScorecard;
}

export interface LoadedRules {
  id: string;
  version: number;
  rules: TWarningRules;
}

// Documents never change once stored, so a parsed one is kept for the life of the process.
const parsedCards = new Map<string, TScorecard>();

export function parseStoredScorecard(id: string, document: string): TScorecard {
  let card = parsedCards.get(id);
  if (!card) {
    card = ZScorecard.parse(JSON.parse(document));
    parsedCards.set(id, card);
  }
  return card;
}

async function insertIgnoringRace(insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (!(error instanceof UniqueConstraintError)) throw error;
  }
}

export async function ensureDefaultVersions(): Promise<void> {
  if ((await ScorecardVersion.count()) === 0) {
    await insertIgnoringRace(() =>
      ScorecardVersion.create({
        id: newId(),
        version: 1,
        name: EXPERT_SCORECARD_V1.name,
        kind: EXPERT_SCORECARD_V1.kind,
        status: 'active',
        isActive: 1,
        document: JSON.stringify(EXPERT_SCORECARD_V1),
        createdBy: null,
        createdAt: clock.now(),
        activatedAt: clock.now(),
      }),
    );
  }
  if ((await WarningRuleSet.count()) === 0) {
    await insertIgnoringRace(() =>
      WarningRuleSet.create({ id: newId(), version: 1, isActive: 1, document: JSON.stringify(WARNING_RULES_V1), createdBy: null, createdAt: clock.now() }),
    );
  }
}

function loaded(row: ScorecardVersion): LoadedScorecard {
  return { id: String(row.id), version: row.version, name: row.name, status: row.status, card: parseStoredScorecard(String(row.id), row.document) };
}

/** The active version and every candidate (scored in shadow beside it). */
export async function scoringVersions(t?: Transaction): Promise<{ active: LoadedScorecard | null; candidates: LoadedScorecard[] }> {
  await ensureDefaultVersions();
  const rows = await ScorecardVersion.findAll({ where: { status: ['active', 'candidate'] }, order: [['version', 'ASC']], transaction: t });
  const active = rows.find((r) => r.status === 'active');
  return { active: active ? loaded(active) : null, candidates: rows.filter((r) => r.status === 'candidate').map(loaded) };
}

export async function scorecardById(id: string, t?: Transaction): Promise<LoadedScorecard | null> {
  const row = await ScorecardVersion.findByPk(id, { transaction: t });
  return row ? loaded(row) : null;
}

/** Documents of several versions by id (for showing stored scores). */
export async function scorecardsByIds(ids: readonly string[]): Promise<Map<string, LoadedScorecard>> {
  const found = new Map<string, LoadedScorecard>();
  const missing = [...new Set(ids)];
  if (missing.length === 0) return found;
  const rows = await ScorecardVersion.findAll({ where: { id: missing } });
  for (const row of rows) found.set(String(row.id), loaded(row));
  return found;
}

export async function activeWarningRules(t?: Transaction): Promise<LoadedRules> {
  await ensureDefaultVersions();
  const row = await WarningRuleSet.findOne({ where: { isActive: 1 }, transaction: t });
  if (!row) throw new Error('no active warning rule set');
  return { id: String(row.id), version: row.version, rules: ZWarningRules.parse(JSON.parse(row.document)) };
}
