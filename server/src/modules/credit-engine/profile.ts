import { QueryTypes } from 'sequelize';
import {
  CREDIT_CATEGORIES,
  CREDIT_CATEGORY_LABELS,
  PLATFORM_FEATURES,
  scoreReasons,
  addDays,
  expandPoints,
  type TCreditCategory,
  type TCreditDimension,
  type TCreditHistory,
  type TCreditProfile,
  type TCreditRating,
  type TCreditScore,
  type TFeatureVector,
  type TStoredPoints,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { NotFoundError } from '../../lib/errors';
import type { Actor } from '../identity/actor';
import { findScopedEnterprise } from '../enterprises/repository';
import { scorecardsByIds, type LoadedScorecard } from './versions';

/**
 * 信用画像: an enterprise's current score with its reasons, the features behind it, its records by category, and
 * the history of score and rating. Read through the enterprise repository (scope `credit_score`): a firm outside
 * the caller's scope is a 404, the same as one that does not exist.
 */

export interface ScoreRow {
  id: unknown;
  enterpriseId: unknown;
  scorecardId: unknown;
  role: 'active' | 'shadow';
  asOf: string;
  computedAt: Date | string;
  score: number;
  rating: TCreditRating | null;
  bandRating: TCreditRating;
  noRatingReason: string | null;
  cap: string | null;
  badProbability: number;
  dimensions: string;
  points: string;
  features: string;
}

export const SCORE_COLUMNS = `s.id, s.enterprise_id AS enterpriseId, s.scorecard_id AS scorecardId, s.role, s.as_of AS asOf, s.computed_at AS computedAt,
  s.score, s.rating, s.band_rating AS bandRating, s.no_rating_reason AS noRatingReason, s.cap, s.bad_probability AS badProbability,
  s.dimensions, s.points, s.features`;

export function scoreDto(row: ScoreRow, version: LoadedScorecard): TCreditScore {
  const points = expandPoints(version.card, JSON.parse(row.points) as TStoredPoints);
  const characteristics = new Map(version.card.characteristics.map((c) => [c.feature, c]));
  return {
    id: String(row.id),
    enterpriseId: String(row.enterpriseId),
    scorecardId: version.id,
    scorecardVersion: version.version,
    scorecardName: version.name,
    role: row.role,
    asOf: row.asOf,
    computedAt: new Date(row.computedAt).toISOString(),
    score: Number(row.score),
    rating: row.rating,
    bandRating: row.bandRating,
    noRatingReason: row.noRatingReason,
    cap: row.cap ? JSON.parse(row.cap) : null,
    badProbability: Number(row.badProbability),
    dimensions: JSON.parse(row.dimensions) as Record<TCreditDimension, number | null>,
    reasons: scoreReasons(version.card, points),
    points: points.map((p) => {
      const c = characteristics.get(p.feature);
      return {
        ...p,
        label: c?.label ?? p.feature,
        dimension: c?.dimension ?? 'operations',
        binLabel: p.bin >= 0 ? (c?.bins[p.bin]?.label ?? '') : '其他',
      };
    }),
  };
}

async function visibleEnterprise(actor: Actor, id: string) {
  const enterprise = await findScopedEnterprise(actor, id, 'credit_score');
  if (!enterprise) throw new NotFoundError('企业不存在或无权访问');
  return enterprise;
}

async function latestActiveScore(app: AppContext, enterpriseId: string, before?: Date): Promise<ScoreRow | null> {
  const rows = await app.db.sequelize.query<ScoreRow>(
    // Now: the latest row (backfilled history rows are never latest). At a past instant: what was computed by then.
    `SELECT ${SCORE_COLUMNS} FROM credit_scores s
     WHERE s.enterprise_id = :id AND s.role = 'active'${before ? ' AND s.computed_at < :before' : ' AND s.is_latest = 1'}
     ORDER BY s.computed_at DESC, s.id DESC LIMIT 1`,
    { replacements: { id: enterpriseId, before }, type: QueryTypes.SELECT },
  );
  return rows[0] ?? null;
}

async function withVersion(row: ScoreRow | null): Promise<TCreditScore | null> {
  if (!row) return null;
  const version = (await scorecardsByIds([String(row.scorecardId)])).get(String(row.scorecardId));
  return version ? scoreDto(row, version) : null;
}

function featureList(features: TFeatureVector) {
  return Object.entries(PLATFORM_FEATURES).map(([feature, spec]) => ({
    feature,
    label: spec.label,
    value: features[feature] ?? null,
    unit: spec.unit ?? null,
  }));
}

export async function creditProfile(app: AppContext, actor: Actor, enterpriseId: string): Promise<TCreditProfile> {
  const enterprise = await visibleEnterprise(actor, enterpriseId);
  const sequelize = app.db.sequelize;
  const [row, counts, warnings, disputes] = await Promise.all([
    latestActiveScore(app, enterprise.id),
    sequelize.query<{ category: TCreditCategory; n: unknown; adverse: unknown; disputed: unknown }>(
      `SELECT r.category, COUNT(*) AS n, SUM(CASE WHEN r.adverse = 1 THEN 1 ELSE 0 END) AS adverse,
         SUM(CASE WHEN r.disputed = 1 THEN 1 ELSE 0 END) AS disputed
       FROM credit_records r WHERE r.enterprise_id = :id AND r.is_current = 1 AND r.expired_at IS NULL GROUP BY r.category`,
      { replacements: { id: enterprise.id }, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM credit_warnings WHERE enterprise_id = :id AND status <> 'closed'`, {
      replacements: { id: enterprise.id },
      type: QueryTypes.SELECT,
    }),
    sequelize.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM credit_disputes WHERE enterprise_id = :id AND status = 'open'`, {
      replacements: { id: enterprise.id },
      type: QueryTypes.SELECT,
    }),
  ]);
  const byCategory = new Map(counts.map((c) => [c.category, c]));
  return {
    enterpriseId: enterprise.id,
    enterpriseName: enterprise.name,
    uscc: enterprise.uscc,
    score: await withVersion(row),
    features: row ? featureList(JSON.parse(row.features) as TFeatureVector) : [],
    recordCounts: CREDIT_CATEGORIES.map((category) => {
      const c = byCategory.get(category);
      return { category, label: CREDIT_CATEGORY_LABELS[category], count: Number(c?.n ?? 0), adverse: Number(c?.adverse ?? 0), disputed: Number(c?.disputed ?? 0) };
    }),
    openWarnings: Number(warnings[0]?.n ?? 0),
    openDisputes: Number(disputes[0]?.n ?? 0),
  };
}

/** The end of a Shanghai calendar day, as an instant. */
function endOfShanghaiDay(date: string): Date {
  return new Date(`${addDays(date, 1)}T00:00:00+08:00`);
}

export async function creditHistory(
  app: AppContext,
  actor: Actor,
  enterpriseId: string,
  query: { from?: string; to?: string; at?: string },
): Promise<TCreditHistory> {
  const enterprise = await visibleEnterprise(actor, enterpriseId);
  // The scores shown at the time, and month ends computed afterwards (回溯).
  const conditions = [`s.enterprise_id = :id`, `s.role IN ('active', 'retro')`];
  const replacements: Record<string, unknown> = { id: enterprise.id };
  if (query.from) {
    conditions.push('s.as_of >= :from');
    replacements.from = query.from;
  }
  if (query.to) {
    conditions.push('s.as_of <= :to');
    replacements.to = query.to;
  }
  const rows = await app.db.sequelize.query<{ id: unknown; role: string; computedAt: Date | string; asOf: string; score: number; rating: TCreditRating | null; scorecardId: unknown }>(
    `SELECT s.id, s.role, s.computed_at AS computedAt, s.as_of AS asOf, s.score, s.rating, s.scorecard_id AS scorecardId
     FROM credit_scores s WHERE ${conditions.join(' AND ')} ORDER BY s.as_of ASC, s.computed_at ASC, s.id ASC LIMIT 1000`,
    { replacements, type: QueryTypes.SELECT },
  );
  const versions = await scorecardsByIds(rows.map((r) => String(r.scorecardId)));
  return {
    points: rows.map((r) => ({
      scoreId: String(r.id),
      computedAt: new Date(r.computedAt).toISOString(),
      asOf: r.asOf,
      score: Number(r.score),
      rating: r.rating,
      scorecardVersion: versions.get(String(r.scorecardId))?.version ?? 0,
      retro: r.role === 'retro',
    })),
    at: query.at ? await withVersion(await latestActiveScore(app, enterprise.id, endOfShanghaiDay(query.at))) : null,
  };
}
