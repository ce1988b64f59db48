import { QueryTypes, UniqueConstraintError, fn, col } from 'sequelize';
import {
  CREDIT_RATINGS,
  PLATFORM_FEATURES,
  ZWarningRules,
  validatePlatformScorecard,
  type TScorecard,
  type TScorecardComparison,
  type TScorecardVersion,
  type TScorecardVersionDetail,
  type TStoredPoints,
  type TWarningRules,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { enqueueJob } from '../../jobs/queue';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { ScorecardVersion, WarningRuleSet } from './models';
import { ensureDefaultVersions, parseStoredScorecard, scorecardById } from './versions';
import { auc, ks } from './trainer/metrics';

/**
 * Scorecard versions in the console (platform admins): the list, a version's document, a candidate uploaded from
 * the trainer's output, its comparison with the active version on the platform's own enterprises and outcomes, and
 * activation, which is audited and starts the full recompute.
 */

async function scoredCounts(): Promise<Map<string, number>> {
  const rows = (await ScorecardVersion.sequelize!.query<{ scorecardId: unknown; n: unknown }>(
    'SELECT scorecard_id AS scorecardId, COUNT(*) AS n FROM credit_scores WHERE is_latest = 1 GROUP BY scorecard_id',
    { type: QueryTypes.SELECT },
  )) as Array<{ scorecardId: unknown; n: unknown }>;
  return new Map(rows.map((r) => [String(r.scorecardId), Number(r.n)]));
}

function versionDto(row: ScorecardVersion, scored: number): TScorecardVersion {
  const card = parseStoredScorecard(String(row.id), row.document);
  return {
    id: String(row.id),
    version: row.version,
    name: row.name,
    kind: row.kind,
    status: row.status,
    description: card.description,
    characteristics: card.characteristics.length,
    training: card.training ?? null,
    createdAt: new Date(row.createdAt).toISOString(),
    activatedAt: row.activatedAt ? new Date(row.activatedAt).toISOString() : null,
    scored,
  };
}

export async function listScorecards(): Promise<TScorecardVersion[]> {
  await ensureDefaultVersions();
  const [rows, counts] = await Promise.all([ScorecardVersion.findAll({ order: [['version', 'DESC']] }), scoredCounts()]);
  return rows.map((r) => versionDto(r, counts.get(String(r.id)) ?? 0));
}

export async function scorecardDetail(id: string): Promise<TScorecardVersionDetail> {
  const row = await ScorecardVersion.findByPk(id);
  if (!row) throw new NotFoundError('评分卡版本不存在');
  const counts = await scoredCounts();
  return { ...versionDto(row, counts.get(String(row.id)) ?? 0), document: parseStoredScorecard(String(row.id), row.document) };
}

/** A new candidate: scored in shadow by the next runs of the change feed and recompute, until activated. */
export async function uploadScorecard(app: AppContext, actor: AdminActor, card: TScorecard, meta: RequestMeta): Promise<TScorecardVersionDetail> {
  const problems = validatePlatformScorecard(card);
  if (problems.length > 0) {
    throw new ValidationError(`document: ${problems.join('；')}`, problems.map((message) => ({ field: 'document', message })));
  }
  return storeCandidate(app, actor, card, meta);
}

/**
 * Stores a validated version as the next candidate and starts a recompute, so that it is scored in shadow on every
 * enterprise, not only those whose data changes. `actor` is the console user, or whoever asked for a training run.
 */
export async function storeCandidate(
  app: AppContext,
  actor: AdminActor | { id: string; name: string | null },
  card: TScorecard,
  meta: RequestMeta | null,
): Promise<TScorecardVersionDetail> {
  await ensureDefaultVersions();
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await app.db.transaction(async (t) => {
        const max = (await ScorecardVersion.max('version', { transaction: t })) as number | null;
        const row = await ScorecardVersion.create(
          {
            id: newId(),
            version: (max ?? 0) + 1,
            name: card.name,
            kind: card.kind,
            status: 'candidate',
            isActive: null,
            document: JSON.stringify(card),
            createdBy: actor.id,
            createdAt: clock.now(),
          },
          { transaction: t },
        );
        await recordAudit(t, {
          ...('kind' in actor ? { actor } : { actor: null, actorName: actor.name ?? 'credit.train-candidate' }),
          action: 'credit.scorecard.upload',
          targetType: 'scorecard_version',
          targetId: row.id,
          outcome: 'success',
          detail: { version: row.version, name: card.name, kind: card.kind },
          meta: meta ?? undefined,
        });
        await enqueueJob(t, 'credit.recompute-all', { reason: `候选版本 V${row.version} 影子评分` });
        return row;
      });
      return scorecardDetail(String(created.id));
    } catch (error) {
      if (!(error instanceof UniqueConstraintError) || attempt >= 5) throw error;
    }
  }
}

export async function activateScorecard(app: AppContext, actor: AdminActor, id: string, meta: RequestMeta): Promise<TScorecardVersionDetail> {
  const target = await scorecardById(id);
  if (!target) throw new NotFoundError('评分卡版本不存在');
  if (target.status !== 'candidate') throw new ConflictError(target.status === 'active' ? '该版本已经生效' : '已停用的版本不能再启用');
  const problems = validatePlatformScorecard(target.card);
  if (problems.length > 0) throw new ValidationError(`该版本不能在平台上启用：${problems.join('；')}`);
  await app.db.transaction(async (t) => {
    const previous = await ScorecardVersion.findOne({ where: { isActive: 1 }, attributes: ['id', 'version'], transaction: t });
    const now = clock.now();
    await ScorecardVersion.update({ status: 'retired', isActive: null, retiredAt: now }, { where: { status: 'active' }, transaction: t });
    const [moved] = await ScorecardVersion.update(
      { status: 'active', isActive: 1, activatedAt: now, activatedBy: actor.id },
      { where: { id, status: 'candidate' }, transaction: t },
    );
    if (moved !== 1) throw new ConflictError('该版本已被他人启用或停用，请刷新');
    await recordAudit(t, {
      actor,
      action: 'credit.scorecard.activate',
      targetType: 'scorecard_version',
      targetId: id,
      outcome: 'success',
      detail: { version: target.version, previousVersion: previous?.version ?? null },
      meta,
    });
    await enqueueJob(t, 'credit.recompute-all', { reason: `启用评分卡 V${target.version}` });
  });
  return scorecardDetail(id);
}

/** Population stability index of two distributions over the same categories (counts), with a small floor. */
export function psiOfCounts(expected: readonly number[], actual: readonly number[]): number | null {
  const e = expected.reduce((a, b) => a + b, 0);
  const a = actual.reduce((x, y) => x + y, 0);
  if (e === 0 || a === 0) return null;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const pe = Math.max(expected[i] / e, 1e-4);
    const pa = Math.max(actual[i] / a, 1e-4);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}

/** Comparisons read at most this many enterprises (a uniform sample by id would need more queries; the newest scores suffice). */
const COMPARISON_LIMIT = 50_000;

/**
 * A candidate beside the active version on the enterprises both have scored: the rating migration matrix, the PSI of
 * the score (candidate's rating bands now against its training sample's, or against the active's ratings when it has
 * no training figures) and of each input (bins now against training), and AUC and KS on observed outcomes.
 */
export async function compareScorecard(app: AppContext, id: string): Promise<TScorecardComparison> {
  const candidate = await scorecardById(id);
  if (!candidate) throw new NotFoundError('评分卡版本不存在');
  const activeRow = await ScorecardVersion.findOne({ where: { isActive: 1 } });
  const activeId = activeRow ? String(activeRow.id) : null;
  const rows = await app.db.sequelize.query<{ enterpriseId: unknown; aScore: number | null; aRating: string | null; cScore: number; cRating: string | null; cPoints: string; defaulted: unknown }>(
    `SELECT c.enterprise_id AS enterpriseId, a.score AS aScore, a.rating AS aRating, c.score AS cScore, c.rating AS cRating, c.points AS cPoints,
       o.defaulted
     FROM credit_scores c
     LEFT JOIN credit_scores a ON a.enterprise_id = c.enterprise_id AND a.scorecard_id = :active AND a.is_latest = 1
     LEFT JOIN credit_outcomes o ON o.enterprise_id = c.enterprise_id
     WHERE c.scorecard_id = :candidate AND c.is_latest = 1
     ORDER BY c.computed_at DESC LIMIT ${COMPARISON_LIMIT}`,
    { replacements: { active: activeId ?? '0', candidate: candidate.id }, type: QueryTypes.SELECT },
  );
  const labels = [...CREDIT_RATINGS, '未评级'];
  const indexOf = (rating: string | null) => (rating ? CREDIT_RATINGS.indexOf(rating as never) : CREDIT_RATINGS.length);
  const matrix = labels.map(() => labels.map(() => 0));
  const both = rows.filter((r) => r.aScore !== null);
  for (const r of both) matrix[indexOf(r.aRating)][indexOf(r.cRating)] += 1;

  const candidateBands = labels.map(() => 0);
  for (const r of rows) candidateBands[indexOf(r.cRating)] += 1;
  const training = candidate.card.training?.bandBadRates;
  const expectedBands = training
    ? labels.map((l) => training.find((b) => b.rating === l)?.count ?? 0)
    : labels.map((_, i) => both.filter((r) => indexOf(r.aRating) === i).length);
  const scorePsi = psiOfCounts(expectedBands, candidateBands);

  // Stored points are [bin, points] in the card's order.
  const bins = rows.map((r) => (JSON.parse(r.cPoints) as TStoredPoints).map(([bin]) => bin));
  const inputPsi = candidate.card.characteristics.map((c, ci) => {
    const trained = c.bins.map((b) => (b.goods ?? 0) + (b.bads ?? 0));
    const now = c.bins.map(() => 0);
    for (const b of bins) {
      const bin = b[ci] ?? -1;
      if (bin >= 0 && bin < now.length) now[bin] += 1;
    }
    const hasTraining = trained.some((n) => n > 0);
    return { feature: c.feature, label: PLATFORM_FEATURES[c.feature]?.label ?? c.label, psi: hasTraining ? psiOfCounts(trained, now) : null };
  });

  const labelled = rows.filter((r) => r.defaulted !== null && r.defaulted !== undefined);
  const bads = labelled.filter((r) => Number(r.defaulted) === 1 || r.defaulted === true).length;
  const canMeasure = bads > 0 && bads < labelled.length;
  // A credit score is higher where default is less likely: the metrics take its negation.
  const measure = (scores: number[], outcomes: number[]) => {
    const risk = scores.map((s) => -s);
    return { auc: auc(risk, outcomes), ks: ks(risk, outcomes) };
  };
  const outcomeOf = (r: { defaulted: unknown }) => (Number(r.defaulted) === 1 || r.defaulted === true ? 1 : 0);
  const labelledBoth = labelled.filter((r) => r.aScore !== null);
  return {
    candidateId: candidate.id,
    activeId,
    enterprises: both.length,
    migration: { ratings: labels, matrix },
    scorePsi,
    inputPsi,
    outcomes: {
      labelled: labelled.length,
      bads,
      candidate: canMeasure ? measure(labelled.map((r) => Number(r.cScore)), labelled.map(outcomeOf)) : null,
      active: canMeasure && labelledBoth.length > 0 ? measure(labelledBoth.map((r) => Number(r.aScore)), labelledBoth.map(outcomeOf)) : null,
    },
  };
}

// ---- warning rules -------------------------------------------------------------------------------------------

export async function warningRuleSets(): Promise<Array<{ id: string; version: number; active: boolean; createdAt: string; document: TWarningRules }>> {
  await ensureDefaultVersions();
  const rows = await WarningRuleSet.findAll({ order: [['version', 'DESC']], limit: 50 });
  return rows.map((r) => ({
    id: String(r.id),
    version: r.version,
    active: r.isActive === 1,
    createdAt: new Date(r.createdAt).toISOString(),
    document: ZWarningRules.parse(JSON.parse(r.document)),
  }));
}

/** A new set of thresholds takes effect at once, for the warnings raised from then on; audited. */
export async function publishWarningRules(app: AppContext, actor: AdminActor, rules: TWarningRules, meta: RequestMeta) {
  await ensureDefaultVersions();
  for (let attempt = 1; ; attempt++) {
    try {
      await app.db.transaction(async (t) => {
        const max = (await WarningRuleSet.findAll({ attributes: [[fn('MAX', col('version')), 'max']], raw: true, transaction: t })) as unknown as Array<{ max: number | null }>;
        const version = Number(max[0]?.max ?? 0) + 1;
        await WarningRuleSet.update({ isActive: null }, { where: { isActive: 1 }, transaction: t });
        const row = await WarningRuleSet.create(
          { id: newId(), version, isActive: 1, document: JSON.stringify(rules), createdBy: actor.id, createdAt: clock.now() },
          { transaction: t },
        );
        await recordAudit(t, {
          actor,
          action: 'credit.warning_rules.publish',
          targetType: 'warning_rule_set',
          targetId: row.id,
          outcome: 'success',
          detail: { version, name: rules.name },
          meta,
        });
      });
      return warningRuleSets();
    } catch (error) {
      if (!(error instanceof UniqueConstraintError) || attempt >= 5) throw error;
    }
  }
}
