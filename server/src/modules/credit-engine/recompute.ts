import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import {
  compactPoints,
  computeFeatures,
  detectRecordWarnings,
  detectScoreWarnings,
  scoreFeatures,
  shanghaiDate,
  type TCreditRating,
  type TFeatureRecord,
  type TFeatureVector,
  type TScoreResult,
  type TWarningCause,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows, isoDay, leanSelect } from '../../db';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { queueRematchForEnterprises } from '../matching/triggers';
import { enterprisesForScoring, type EnterpriseSummaryRow } from '../enterprises/repository';
import { activeWarningRules, scoringVersions, type LoadedRules, type LoadedScorecard } from './versions';
import { raiseWarnings } from './warnings';

/**
 * Scoring on the worker: a batch of enterprises is read (registry row and current records), its features computed
 * once, scored by the active version and by every candidate (in shadow), and the results written in one
 * transaction. A score row is written only when the result differs from that version's latest, so the rows are the
 * history. Warnings from the batch's records and rating moves are raised in the same transaction, so a warning
 * exists if and only if the scores that caused it committed.
 *
 * Two workers scoring one enterprise at once (an overlap of the change feed and a full recompute) both try to move
 * that version's latest marker: the unique (enterprise, version, is_latest) index lets one commit and the other
 * retries its batch, which then reads the winner's row.
 */

/** Records that features and warnings never read: registration facts come from the enterprise row. */
const UNSCORED_CATEGORIES = "('registration', 'logistics')";

interface RecordRow {
  id: unknown;
  enterpriseId: unknown;
  sourceId: unknown;
  externalId: string;
  category: TFeatureRecord['category'];
  period: string | null;
  occurredOn: string | Date | null;
  endsOn: string | Date | null;
  adverse: unknown;
  corrected: unknown;
  disputed: unknown;
  payload: string;
}

const flag = (value: unknown): boolean => value === true || Number(value) === 1;

function placeholders(n: number): string {
  return new Array(n).fill('?').join(',');
}

export async function currentRecordsOf(app: AppContext, enterpriseIds: readonly string[]): Promise<Map<string, TFeatureRecord[]>> {
  const byEnterprise = new Map<string, TFeatureRecord[]>();
  for (const id of enterpriseIds) byEnterprise.set(id, []);
  if (enterpriseIds.length === 0) return byEnterprise;
  const rows = await leanSelect<RecordRow>(
    app.db.sequelize,
    `SELECT r.id, r.enterprise_id AS enterpriseId, r.source_id AS sourceId, r.external_id AS externalId, r.category, r.period, r.occurred_on AS occurredOn, r.ends_on AS endsOn,
       r.adverse, r.corrected, r.disputed, r.payload
     FROM credit_records r
     WHERE r.enterprise_id IN (${placeholders(enterpriseIds.length)}) AND r.is_current = 1 AND r.expired_at IS NULL
       AND r.category NOT IN ${UNSCORED_CATEGORIES}`,
    [...enterpriseIds],
  );
  for (const row of rows) {
    byEnterprise.get(String(row.enterpriseId))?.push({
      id: String(row.id),
      lineage: `${row.sourceId}:${row.externalId}`,
      category: row.category,
      period: row.period,
      occurredOn: isoDay(row.occurredOn),
      endsOn: isoDay(row.endsOn),
      adverse: flag(row.adverse),
      corrected: flag(row.corrected),
      disputed: flag(row.disputed),
      payload: JSON.parse(row.payload) as Record<string, unknown>,
    });
  }
  return byEnterprise;
}

interface LatestRow {
  id: unknown;
  enterpriseId: unknown;
  scorecardId: unknown;
  role: 'active' | 'shadow';
  score: number;
  rating: TCreditRating | null;
  cap: string | null;
  noRatingReason: string | null;
  points: string;
}

async function latestScores(app: AppContext, enterpriseIds: readonly string[], t: Transaction): Promise<Map<string, LatestRow>> {
  const rows = await app.db.sequelize.query<LatestRow>(
    `SELECT id, enterprise_id AS enterpriseId, scorecard_id AS scorecardId, role, score, rating, cap, no_rating_reason AS noRatingReason, points
     FROM credit_scores WHERE enterprise_id IN (:ids) AND is_latest = 1`,
    { replacements: { ids: [...enterpriseIds] }, type: QueryTypes.SELECT, transaction: t },
  );
  return new Map(rows.map((r) => [`${r.enterpriseId}:${r.scorecardId}`, r]));
}

/** The columns of a score row, in the order scoring writes them. */
const SCORE_COLUMNS = [
  'id', 'enterprise_id', 'scorecard_id', 'role', 'as_of', 'computed_at', 'score', 'rating', 'band_rating', 'no_rating_reason', 'cap',
  'bad_probability', 'dimensions', 'points', 'features', 'is_latest',
] as const;

/** What makes two results the same score: a row is written only when this changes. */
function signature(role: string, result: TScoreResult): string {
  return JSON.stringify([role, result.score, result.rating, result.cap?.code ?? null, result.noRatingReason, compactPoints(result.points)]);
}

function storedSignature(row: LatestRow): string {
  const cap = row.cap ? (JSON.parse(row.cap) as { code: string }).code : null;
  return JSON.stringify([row.role, Number(row.score), row.rating, cap, row.noRatingReason, JSON.parse(row.points)]);
}

export interface ScoringContext {
  active: LoadedScorecard | null;
  candidates: LoadedScorecard[];
  rules: LoadedRules;
  /** `YYYY-MM-DD` the features are computed as of: today in Asia/Shanghai. */
  asOf: string;
}

export async function scoringContext(): Promise<ScoringContext> {
  const [{ active, candidates }, rules] = await Promise.all([scoringVersions(), activeWarningRules()]);
  return { active, candidates, rules, asOf: shanghaiDate(clock.now()) };
}

export interface BatchOutcome {
  scored: number;
  written: number;
  warnings: number;
}

interface PendingScore {
  enterprise: EnterpriseSummaryRow;
  version: LoadedScorecard;
  role: 'active' | 'shadow';
  result: TScoreResult;
  features: TFeatureVector;
}

/** Scores one batch of enterprises (a few hundred) and writes what changed. */
/** What scoring reads of a batch: the registry rows and the current records, read at once on two connections. */
export interface LoadedBatch {
  enterprises: EnterpriseSummaryRow[];
  records: Map<string, TFeatureRecord[]>;
}

export async function loadBatch(app: AppContext, enterpriseIds: readonly string[]): Promise<LoadedBatch> {
  const ids = [...new Set(enterpriseIds)];
  const [enterprises, records] = await Promise.all([enterprisesForScoring(ids), currentRecordsOf(app, ids)]);
  return { enterprises, records };
}

/** `loaded`: the batch's data when the caller read it ahead (a full recompute reads the next batch while this one is written). */
export async function scoreBatch(app: AppContext, enterpriseIds: readonly string[], context: ScoringContext, loaded?: LoadedBatch): Promise<BatchOutcome> {
  const { enterprises, records } = loaded ?? (await loadBatch(app, enterpriseIds));
  if (enterprises.length === 0) return { scored: 0, written: 0, warnings: 0 };
  const versions: Array<{ version: LoadedScorecard; role: 'active' | 'shadow' }> = [
    ...(context.active ? [{ version: context.active, role: 'active' as const }] : []),
    ...context.candidates.map((version) => ({ version, role: 'shadow' as const })),
  ];
  const pending: PendingScore[] = [];
  const recordCauses = new Map<string, TWarningCause[]>();
  for (const enterprise of enterprises) {
    const own = records.get(enterprise.id) ?? [];
    const featuresBy = new Map<boolean, TFeatureVector>();
    for (const { version, role } of versions) {
      const exclude = version.card.excludeDisputed;
      let features = featuresBy.get(exclude);
      if (!features) {
        features = computeFeatures({ enterprise, records: own, asOf: context.asOf, excludeDisputed: exclude });
        featuresBy.set(exclude, features);
      }
      pending.push({ enterprise, version, role, result: scoreFeatures(version.card, features), features });
    }
    const status = String(featuresBy.get(true)?.businessStatus ?? featuresBy.get(false)?.businessStatus ?? enterprise.status);
    recordCauses.set(enterprise.id, detectRecordWarnings(context.rules.rules, { records: own, asOf: context.asOf, businessStatus: status }));
  }

  for (let attempt = 1; ; attempt++) {
    try {
      return await app.db.transaction((t) => writeBatch(app, enterprises, pending, recordCauses, context, t));
    } catch (error) {
      if (!(error instanceof UniqueConstraintError || error instanceof LatestMovedError) || attempt >= 5) throw error;
    }
  }
}

class LatestMovedError extends Error {}

async function writeBatch(
  app: AppContext,
  enterprises: EnterpriseSummaryRow[],
  pending: PendingScore[],
  recordCauses: Map<string, TWarningCause[]>,
  context: ScoringContext,
  t: Transaction,
): Promise<BatchOutcome> {
  const sequelize = app.db.sequelize;
  const latest = await latestScores(
    app,
    enterprises.map((e) => e.id),
    t,
  );
  const now = clock.now();
  const superseded: string[] = [];
  const inserts: unknown[][] = [];
  const causes = new Map<string, TWarningCause[]>();
  for (const [id, list] of recordCauses) causes.set(id, [...list]);
  const ratingMoved: string[] = [];
  for (const p of pending) {
    const previous = latest.get(`${p.enterprise.id}:${p.version.id}`);
    if (previous && storedSignature(previous) === signature(p.role, p.result)) continue;
    const scoreId = newId();
    if (previous) superseded.push(String(previous.id));
    if (p.role === 'active') {
      const prior = previous ? { rating: previous.rating, score: Number(previous.score), scoreId: String(previous.id) } : null;
      const moved = detectScoreWarnings(context.rules.rules, prior, { rating: p.result.rating, score: p.result.score, scoreId });
      if (moved.length > 0) causes.get(p.enterprise.id)?.push(...moved);
      if (!previous || previous.rating !== p.result.rating) ratingMoved.push(p.enterprise.id);
    }
    inserts.push([
      scoreId,
      p.enterprise.id,
      p.version.id,
      p.role,
      context.asOf,
      now,
      p.result.score,
      p.result.rating,
      p.result.bandRating,
      p.result.noRatingReason,
      p.result.cap ? JSON.stringify(p.result.cap) : null,
      p.result.badProbability,
      JSON.stringify(p.result.dimensions),
      JSON.stringify(compactPoints(p.result.points)),
      JSON.stringify(p.features),
      1,
    ]);
  }
  for (let i = 0; i < superseded.length; i += 500) {
    const slice = superseded.slice(i, i + 500);
    const [, affected] = (await sequelize.query(`UPDATE credit_scores SET is_latest = NULL WHERE id IN (:ids) AND is_latest = 1`, {
      replacements: { ids: slice },
      type: QueryTypes.UPDATE,
      transaction: t,
    })) as unknown as [unknown, number];
    // Another worker moved one of these markers since this batch read them: start the batch again.
    if (affected !== slice.length) throw new LatestMovedError('a latest score moved concurrently');
  }
  await insertRows(sequelize, 'credit_scores', SCORE_COLUMNS, inserts, t);
  const warnings = await raiseWarnings(app, enterprises, causes, context.rules.version, t);
  await queueRematchForEnterprises(t, ratingMoved);
  return { scored: enterprises.length, written: inserts.length, warnings };
}

// ---- the change feed ---------------------------------------------------------------------------------------------

const FEED_BATCH = 500;
/** Batches per slice of the feed. */
const FEED_BATCHES = 4;

/**
 * Drains the change feed (credit_changes): the enterprises whose records changed are scored, then their feed rows
 * are deleted at the revision read, so a change committed meanwhile (a higher revision) stays for the next run.
 * Runs until the feed is empty, the time budget is spent, or the lease is lost.
 */
export async function scoreChangedEnterprises(app: AppContext, options: { signal?: AbortSignal; budgetMs?: number } = {}): Promise<BatchOutcome> {
  const deadline = Date.now() + (options.budgetMs ?? 50_000);
  const total: BatchOutcome = { scored: 0, written: 0, warnings: 0 };
  let context: ScoringContext | null = null;
  while (!options.signal?.aborted && Date.now() < deadline) {
    // A slice of the feed, in batches whose reads run ahead of the writes (as in the full recompute).
    const feed = await app.db.sequelize.query<{ enterpriseId: unknown; category: string; revision: number }>(
      `SELECT enterprise_id AS enterpriseId, category, revision FROM credit_changes ORDER BY changed_at LIMIT ${FEED_BATCH * FEED_BATCHES * 2}`,
      { type: QueryTypes.SELECT },
    );
    if (feed.length === 0) break;
    context ??= await scoringContext();
    const unique = [...new Set(feed.map((f) => String(f.enterpriseId)))].slice(0, FEED_BATCH * FEED_BATCHES);
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += FEED_BATCH) batches.push(unique.slice(i, i + FEED_BATCH));
    await scorePipelined(app, batches, context, options.signal, async (ids, outcome) => {
      total.scored += outcome.scored;
      total.written += outcome.written;
      total.warnings += outcome.warnings;
      const chosen = new Set(ids);
      const consumed = feed.filter((f) => chosen.has(String(f.enterpriseId)));
      for (let i = 0; i < consumed.length; i += 200) {
        const slice = consumed.slice(i, i + 200);
        await app.db.sequelize.query(
          `DELETE FROM credit_changes WHERE ${slice.map(() => '(enterprise_id = ? AND category = ? AND revision = ?)').join(' OR ')}`,
          { replacements: slice.flatMap((f) => [String(f.enterpriseId), f.category, f.revision]), type: QueryTypes.DELETE },
        );
      }
    });
  }
  return total;
}

/** Batches read ahead of the one being written. */
const PREFETCH = 2;

/**
 * Scores batches in order, reading up to PREFETCH batches ahead of the one being scored and written, so that the
 * database and this process work at once instead of taking turns. `next` yields the batches (null: no more);
 * `done` runs after each batch commits (a checkpoint, the feed rows consumed), in order.
 */
export async function scorePipelined(
  app: AppContext,
  next: Iterable<string[]> | (() => Promise<string[] | null>),
  context: ScoringContext,
  signal: AbortSignal | undefined,
  done: (ids: string[], outcome: BatchOutcome) => Promise<void>,
): Promise<void> {
  const iterator = typeof next === 'function' ? null : next[Symbol.iterator]();
  const pull = async (): Promise<string[] | null> => {
    if (iterator) {
      const item = iterator.next();
      return item.done ? null : item.value;
    }
    return (next as () => Promise<string[] | null>)();
  };
  const queue: Array<{ ids: string[]; loading: Promise<LoadedBatch> }> = [];
  let exhausted = false;
  const refill = async () => {
    while (!exhausted && queue.length < PREFETCH) {
      const ids = await pull();
      if (!ids || ids.length === 0) {
        exhausted = true;
        break;
      }
      const loading = loadBatch(app, ids);
      // Awaited below; a read still in flight when the loop stops must not surface as an unhandled rejection.
      loading.catch(() => undefined);
      queue.push({ ids, loading });
    }
  };
  await refill();
  while (queue.length > 0 && !signal?.aborted) {
    const { ids, loading } = queue.shift()!;
    const loaded = await loading;
    await refill();
    await done(ids, await scoreBatch(app, ids, context, loaded));
  }
}

// ---- history backfill --------------------------------------------------------------------------------------------

/**
 * Scores of past dates, computed now: for each month end given, the features as of that day (nothing dated after it
 * counts) under the active version. Stored with role `retro`, never the latest, so the current score and what the
 * platform said on a day (`?at=`) are untouched; the history shows them as 回溯 (computed after the fact).
 * A date already in an enterprise's history under this version is skipped, so a re-run adds nothing.
 */
export async function backfillHistory(app: AppContext, enterpriseIds: readonly string[], context: ScoringContext, asOfDates: readonly string[]): Promise<number> {
  const active = context.active;
  if (!active || asOfDates.length === 0) return 0;
  const enterprises = await enterprisesForScoring([...new Set(enterpriseIds)]);
  if (enterprises.length === 0) return 0;
  const records = await currentRecordsOf(
    app,
    enterprises.map((e) => e.id),
  );
  const sequelize = app.db.sequelize;
  const existing = await sequelize.query<{ enterpriseId: unknown; asOf: string }>(
    `SELECT enterprise_id AS enterpriseId, as_of AS asOf FROM credit_scores WHERE scorecard_id = :version AND role IN ('active', 'retro') AND enterprise_id IN (:ids)`,
    { replacements: { version: active.id, ids: enterprises.map((e) => e.id) }, type: QueryTypes.SELECT },
  );
  const have = new Set(existing.map((r) => `${r.enterpriseId}:${r.asOf}`));
  const now = clock.now();
  const rows: unknown[][] = [];
  for (const enterprise of enterprises) {
    for (const asOf of asOfDates) {
      // Nothing before the firm existed.
      if (asOf < enterprise.establishedOn || have.has(`${enterprise.id}:${asOf}`)) continue;
      const features = computeFeatures({ enterprise, records: records.get(enterprise.id) ?? [], asOf, excludeDisputed: active.card.excludeDisputed });
      const result = scoreFeatures(active.card, features);
      rows.push([
        newId(),
        enterprise.id,
        active.id,
        'retro',
        asOf,
        now,
        result.score,
        result.rating,
        result.bandRating,
        result.noRatingReason,
        result.cap ? JSON.stringify(result.cap) : null,
        result.badProbability,
        JSON.stringify(result.dimensions),
        JSON.stringify(compactPoints(result.points)),
        JSON.stringify(features),
        null,
      ]);
    }
  }
  await insertRows(sequelize, 'credit_scores', SCORE_COLUMNS, rows);
  return rows.length;
}
