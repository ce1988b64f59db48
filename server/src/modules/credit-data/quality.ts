import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import { CREDIT_CATEGORIES, CREDIT_CATEGORY_CADENCE, ZQualityRow, shanghaiDate, shiftDate, type TCreditCategory, type TQualityRow } from '@xyd/shared';
import type { AppContext } from '../../context';
import { toNumber } from '../../db';
import { clock } from '../../lib/clock';
import { defineJob } from '../../jobs/registry';
import { enqueueJob } from '../../jobs/queue';
import { countEnterprisesInRegions, enterpriseRegionConditionSql } from '../enterprises/repository';
import { categoriesOf, regionsOf } from './sources';

/**
 * Data quality (数据质量) per data source and category it may send: how much of what it sent was taken, why the
 * rest was refused, how fresh its data is and how much of its regions it covers. Computed by the `credit.quality`
 * job into `credit_quality` (one row per source and category), which the console page reads.
 *
 * Every query names one source, so it runs on the (source_id, category, …) indexes of ingest_batches and
 * credit_records and aggregates that source's rows only; dates are computed here, so the SQL is the same on
 * SQLite and MySQL/TiDB.
 */

const DAY_MS = 86_400_000;
/** Days without a batch after which a source counts as silent, by the category's cadence. */
export const SILENT_AFTER_DAYS = { monthly: 45, event: 90 } as const;
const TOP_REASONS = 5;
const COVERAGE_MONTHS = 12;

/** What is stored per row: the figures; names and the enabled flag are read live, so renames show at once. */
const ZStoredFigures = ZQualityRow.omit({ sourceId: true, sourceName: true, organisationName: true, category: true, enabled: true });
type TStoredFigures = z.infer<typeof ZStoredFigures>;

interface SourceRow {
  id: unknown;
  categories: string;
  regionCodes: string;
}

interface BatchSums {
  category: string;
  received: unknown;
  accepted: unknown;
  superseded: unknown;
  duplicate: unknown;
  rejected: unknown;
  lastReceivedAt: Date | string | null;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

const dayText = (value: unknown): string | null =>
  value === null || value === undefined ? null : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);

const monthIndex = (period: string): number => Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;

/** Whole months from `latestPeriod` (YYYY-MM) to the last month that has ended in Shanghai at `now`; never negative. */
export function monthsBehind(latestPeriod: string, now: Date): number {
  const lastComplete = monthIndex(shanghaiDate(now)) - 1;
  return Math.max(0, lastComplete - monthIndex(latestPeriod));
}

/** The instant a Shanghai calendar day begins. */
const shanghaiMidnight = (date: string): Date => new Date(`${date}T00:00:00+08:00`);

async function sourceRows(app: AppContext): Promise<SourceRow[]> {
  return app.db.sequelize.query<SourceRow>('SELECT id, categories, region_codes AS regionCodes FROM data_sources ORDER BY id', { type: QueryTypes.SELECT });
}

/** The figures of one source, one entry per category it may send (in the platform's category order). */
async function sourceFigures(app: AppContext, source: SourceRow, now: Date): Promise<Array<{ category: TCreditCategory; figures: TStoredFigures }>> {
  const sequelize = app.db.sequelize;
  const sourceId = String(source.id);
  const categories = CREDIT_CATEGORIES.filter((c) => categoriesOf(source.categories).includes(c));
  if (categories.length === 0) return [];
  const regions = regionsOf(source.regionCodes);
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) => sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const by = { source: sourceId, categories };

  const batches = await select<BatchSums>(
    `SELECT category, SUM(received) AS received, SUM(accepted) AS accepted, SUM(superseded) AS superseded,
       SUM(duplicate) AS duplicate, SUM(rejected) AS rejected, MAX(created_at) AS lastReceivedAt
     FROM ingest_batches WHERE source_id = :source AND category IN (:categories)
     GROUP BY category`,
    by,
  );
  const latest = await select<{ category: string; latestPeriod: string | null; latestOccurred: unknown }>(
    `SELECT category, MAX(period) AS latestPeriod, MAX(occurred_on) AS latestOccurred
     FROM credit_records
     WHERE source_id = :source AND category IN (:categories) AND is_current = 1 AND expired_at IS NULL
     GROUP BY category`,
    by,
  );
  // Covered: a current record about a firm of the source's regions whose period or event date, or arrival, is
  // within the last twelve months (registration and licences carry old event dates but arrive when they change).
  const since = shiftDate(shanghaiDate(now), -COVERAGE_MONTHS);
  const covered = await select<{ category: string; n: unknown }>(
    `SELECT category, COUNT(DISTINCT enterprise_id) AS n
     FROM credit_records
     WHERE source_id = :source AND category IN (:categories) AND is_current = 1 AND expired_at IS NULL
       AND (period >= :sinceMonth OR occurred_on >= :sinceDate OR created_at >= :sinceInstant)
       AND ${enterpriseRegionConditionSql(regions)}
     GROUP BY category`,
    { ...by, sinceMonth: since.slice(0, 7), sinceDate: since, sinceInstant: shanghaiMidnight(since) },
  );
  const firmsInRegion = await countEnterprisesInRegions(regions);

  const batchOf = new Map(batches.map((b) => [b.category, b]));
  const latestOf = new Map(latest.map((l) => [l.category, l]));
  const coveredOf = new Map(covered.map((c) => [c.category, toNumber(c.n)]));
  const out: Array<{ category: TCreditCategory; figures: TStoredFigures }> = [];
  for (const category of categories) {
    const cadence = CREDIT_CATEGORY_CADENCE[category];
    const b = batchOf.get(category);
    const received = toNumber(b?.received);
    const duplicate = toNumber(b?.duplicate);
    const stored = toNumber(b?.accepted) + toNumber(b?.superseded);
    const rejected = toNumber(b?.rejected);
    const lastReceivedAt = b?.lastReceivedAt ? new Date(b.lastReceivedAt) : null;
    const l = latestOf.get(category);
    const latestPeriod = cadence === 'monthly' ? (l?.latestPeriod ?? null) : dayText(l?.latestOccurred);
    const firmsCovered = coveredOf.get(category) ?? 0;
    out.push({
      category,
      figures: {
        received,
        // Superseding versions are stored too (as corrections): "accepted" is every row that went in.
        accepted: stored,
        rejected,
        duplicate,
        acceptanceRate: ratio(stored, received - duplicate),
        rejectionRate: ratio(rejected, received - duplicate),
        topReasons: await topReasons(app, sourceId, category),
        latestPeriod,
        lastReceivedAt: lastReceivedAt ? lastReceivedAt.toISOString() : null,
        cadence,
        monthsBehind: cadence === 'monthly' && latestPeriod ? monthsBehind(latestPeriod, now) : null,
        silent: !lastReceivedAt || now.getTime() - lastReceivedAt.getTime() > SILENT_AFTER_DAYS[cadence] * DAY_MS,
        coverage: ratio(firmsCovered, firmsInRegion),
        firmsInRegion,
        firmsCovered,
      },
    });
  }
  return out;
}

/**
 * The most frequent refusal reasons of a source's category, counting rows: a row refused twice for the same
 * reason (two fields missing) counts once.
 */
async function topReasons(app: AppContext, sourceId: string, category: TCreditCategory): Promise<TQualityRow['topReasons']> {
  const rows = await app.db.sequelize.query<{ reason: string; n: unknown }>(
    `SELECT x.reason, COUNT(*) AS n
     FROM (SELECT DISTINCT e.batch_id, e.row_no, e.reason
           FROM ingest_batches b JOIN ingest_row_errors e ON e.batch_id = b.id
           WHERE b.source_id = :source AND b.category = :category) x
     GROUP BY x.reason
     ORDER BY n DESC, x.reason
     LIMIT ${TOP_REASONS}`,
    { replacements: { source: sourceId, category }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ reason: r.reason, count: toNumber(r.n) }));
}

/**
 * Computes every source's quality rows and stores them, replacing each source's rows in one transaction (so a
 * reader sees all of a source's categories from one run). Returns the number of rows written.
 */
export async function computeQuality(app: AppContext, now: Date = clock.now()): Promise<number> {
  let written = 0;
  for (const source of await sourceRows(app)) {
    const rows = await sourceFigures(app, source, now);
    const sourceId = String(source.id);
    await app.db.transaction(async (t) => {
      await app.db.sequelize.query('DELETE FROM credit_quality WHERE source_id = :source', { replacements: { source: sourceId }, type: QueryTypes.DELETE, transaction: t });
      if (rows.length === 0) return;
      await app.db.sequelize.query(`INSERT INTO credit_quality (source_id, category, figures, computed_at) VALUES ${rows.map(() => '(?,?,?,?)').join(',')}`, {
        replacements: rows.flatMap((r) => [sourceId, r.category, JSON.stringify(r.figures), now]),
        type: QueryTypes.INSERT,
        transaction: t,
      });
    });
    written += rows.length;
  }
  return written;
}

interface StoredRow {
  sourceId: unknown;
  category: string;
  figures: string;
  computedAt: Date | string;
  sourceName: string;
  enabled: unknown;
  organisationName: string | null;
}

const byName = new Intl.Collator('zh-Hans-CN');

/**
 * The stored quality rows of the sources that still exist, by source name and then category order. `computedAt`
 * is the oldest row's time: every figure shown is at least that fresh. A row whose figures no longer parse (a
 * category the platform dropped, an older layout) is left out until the next run replaces it.
 */
export async function readQuality(app: AppContext): Promise<{ computedAt: string | null; rows: TQualityRow[] }> {
  const stored = await app.db.sequelize.query<StoredRow>(
    `SELECT q.source_id AS sourceId, q.category, q.figures, q.computed_at AS computedAt, s.name AS sourceName, s.enabled,
       o.name AS organisationName
     FROM credit_quality q
     JOIN data_sources s ON s.id = q.source_id
     LEFT JOIN organisations o ON o.id = s.organisation_id`,
    { type: QueryTypes.SELECT },
  );
  const rows: Array<{ row: TQualityRow; computedAt: number }> = [];
  for (const r of stored) {
    const category = CREDIT_CATEGORIES.find((c) => c === r.category);
    if (!category) continue;
    let figures: unknown;
    try {
      figures = JSON.parse(r.figures);
    } catch {
      continue;
    }
    const parsed = ZStoredFigures.safeParse(figures);
    if (!parsed.success) {
      app.logger.warn({ sourceId: String(r.sourceId), category }, 'credit_quality row does not parse; left out until recomputed');
      continue;
    }
    rows.push({
      row: {
        sourceId: String(r.sourceId),
        sourceName: r.sourceName,
        organisationName: r.organisationName ?? '',
        category,
        enabled: Boolean(Number(r.enabled)),
        ...parsed.data,
      },
      computedAt: new Date(r.computedAt).getTime(),
    });
  }
  rows.sort(
    (a, b) =>
      byName.compare(a.row.sourceName, b.row.sourceName) ||
      a.row.sourceId.length - b.row.sourceId.length ||
      (a.row.sourceId < b.row.sourceId ? -1 : a.row.sourceId > b.row.sourceId ? 1 : 0) ||
      CREDIT_CATEGORIES.indexOf(a.row.category) - CREDIT_CATEGORIES.indexOf(b.row.category),
  );
  const oldest = rows.length === 0 ? null : Math.min(...rows.map((r) => r.computedAt));
  return { computedAt: oldest === null ? null : new Date(oldest).toISOString(), rows: rows.map((r) => r.row) };
}

/** Asks for a run now (the console's 立即刷新); clicks within the same minute share one job. */
export async function enqueueQualityRefresh(app: AppContext): Promise<{ jobId: string }> {
  void app;
  const minute = clock.now().toISOString().slice(0, 16);
  const job = await enqueueJob(undefined, 'credit.quality', null, { dedupeKey: `credit.quality:manual:${minute}` });
  return { jobId: job.id };
}

defineJob(
  'credit.quality',
  async ({ app }) => {
    await computeQuality(app);
  },
  { label: '计算数据质量', maxAttempts: 2 },
);
