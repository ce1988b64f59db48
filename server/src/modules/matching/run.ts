import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import {
  evaluateProduct,
  isNearMiss,
  matchNeed,
  shanghaiDate,
  type TGuaranteeMethod,
  type TMatchNeed,
  type TMatchOutcome,
  type TMatchProduct,
  type TMatchProfile,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { insertRows } from '../../db';
import { membersOf } from '../enterprises/repository';
import { enqueueNotifications, type Notification } from '../notifications/service';
import { FinancingNeed, NeedMatch } from './models';
import { institutionRecords as institutionRecordsOf } from '../financing/figures';
import { matchProfiles } from './profiles';
import { matchProductsByRevision, productState, publishedCatalogue } from './products';

/**
 * Writes match results. A need is matched in full (against every published product) when it is submitted or
 * changed and when its firm's rating moves; a product is matched against every open need when it is published,
 * edited while published, or taken down. Both run as jobs on the worker.
 *
 * Rows are kept per (need, product), so the advisor's review of a product (confirmed, removed with a reason, an
 * order, an addition) survives a re-match; a pending row that is neither a fit nor a near miss any more goes. A fit
 * found after the need was released is marked new and the firm is told; while under review, the advisor is.
 */

export function matchNeedOf(need: FinancingNeed): TMatchNeed {
  return {
    amountFen: need.amountFen,
    termMonths: need.termMonths,
    guaranteeMethods: need.guaranteeMethods.split(',').filter(Boolean) as TGuaranteeMethod[],
    maxRateBp: need.maxRateBp,
  };
}

interface Outcome {
  product: TMatchProduct;
  outcome: TMatchOutcome;
}

/** Upserts the outcomes of one need and removes its pending rows of products that no longer show. */
async function writeOutcomes(t: Transaction, need: FinancingNeed, outcomes: readonly Outcome[]): Promise<string[]> {
  const existing = await NeedMatch.findAll({ where: { needId: need.id }, transaction: t });
  const byProduct = new Map(existing.map((m) => [m.productId, m]));
  const now = clock.now();
  const newFits: string[] = [];
  const shown = new Set<string>();
  for (const { product, outcome } of outcomes) {
    shown.add(product.productId);
    const row = byProduct.get(product.productId);
    const fields = { revisionId: product.revisionId, fits: outcome.fits, nearMiss: isNearMiss(outcome), score: outcome.score, outcome: JSON.stringify(outcome), matchedAt: now };
    if (row) {
      const becameFit = outcome.fits && !row.fits;
      if (becameFit) newFits.push(product.productId);
      await NeedMatch.update({ ...fields, ...(becameFit && need.status === 'released' ? { isNew: true } : {}) }, { where: { id: row.id }, transaction: t });
    } else {
      if (outcome.fits) newFits.push(product.productId);
      try {
        await NeedMatch.create(
          { id: newId(), needId: need.id, productId: product.productId, ...fields, review: 'pending', isNew: outcome.fits && need.status === 'released' },
          { transaction: t },
        );
      } catch (error) {
        // A concurrent re-match of the same pair wrote it first: its row stands, this one is the same result.
        if (!(error instanceof UniqueConstraintError)) throw error;
      }
    }
  }
  const stale = existing.filter((m) => !shown.has(m.productId) && m.review === 'pending' && !m.addedByAdvisor).map((m) => m.id);
  if (stale.length > 0) await NeedMatch.destroy({ where: { id: stale }, transaction: t });
  return newFits;
}

async function refreshCounts(t: Transaction, needId: string): Promise<void> {
  const fitCount = await NeedMatch.count({ where: { needId, fits: true }, transaction: t });
  await FinancingNeed.update({ fitCount, matchedAt: clock.now() }, { where: { id: needId }, transaction: t });
}


/** Matches one need against the whole published catalogue. Closed needs are left as they are. */
export async function matchNeedNow(app: AppContext, needId: string): Promise<{ fits: number; nearMisses: number } | null> {
  const need = await FinancingNeed.findByPk(needId);
  if (!need || need.status === 'closed') return null;
  const asOf = shanghaiDate(clock.now());
  const [profiles, products, institutionRecords] = await Promise.all([matchProfiles(app, [need.enterpriseId], asOf), publishedCatalogue(), institutionRecordsOf(app)]);
  const profile = profiles.get(need.enterpriseId);
  if (!profile) return null;
  const result = matchNeed(profile, matchNeedOf(need), products, { asOf, institutionRecords });
  const byId = new Map(products.map((p) => [p.productId, p]));
  const outcomes: Outcome[] = [...result.matches, ...result.nearMisses].map((outcome) => ({ product: byId.get(outcome.productId)!, outcome }));
  // Products the advisor kept or added keep a current outcome even when they no longer fit or nearly fit.
  const kept = await NeedMatch.findAll({ where: { needId: need.id, [Op.or]: [{ review: { [Op.ne]: 'pending' } }, { addedByAdvisor: true }] }, attributes: ['productId', 'revisionId'] });
  const shown = new Set(outcomes.map((o) => o.product.productId));
  for (const row of kept) {
    if (shown.has(row.productId)) continue;
    const product = byId.get(row.productId) ?? (await matchProductsByRevision([row.revisionId])).get(row.revisionId);
    if (product) outcomes.push({ product, outcome: evaluateProduct(profile, matchNeedOf(need), product, { asOf, institutionRecords }) });
  }
  await app.db.transaction(async (t) => {
    const fresh = await FinancingNeed.findByPk(need.id, { transaction: t });
    if (!fresh || fresh.status === 'closed') return;
    const newFits = await writeOutcomes(t, fresh, outcomes);
    await refreshCounts(t, fresh.id);
    if (fresh.matchedAt && newFits.length > 0) await tellOfNewFits(t, [{ need: fresh, count: newFits.length }]);
  });
  return { fits: result.fitCount, nearMisses: result.nearMisses.length };
}

const NEED_BATCH = 200;

/**
 * One product against the open needs, a batch at a time from `afterId` (the job's checkpoint). A product no longer
 * published is evaluated nowhere: its pending rows go, reviewed rows stay with the outcome they had.
 */
export async function rematchProductBatch(app: AppContext, productId: string, afterId: string | null): Promise<{ lastId: string | null; needs: number; newFits: number }> {
  const needs = await FinancingNeed.findAll({
    where: { status: { [Op.ne]: 'closed' }, ...(afterId ? { id: { [Op.gt]: afterId } } : {}) },
    order: [['id', 'ASC']],
    limit: NEED_BATCH,
  });
  if (needs.length === 0) return { lastId: null, needs: 0, newFits: 0 };
  const state = await productState(productId);
  const product = state?.status === 'published' ? ((await matchProductsByRevision([state.revisionId])).get(state.revisionId) ?? null) : null;
  const asOf = shanghaiDate(clock.now());
  const profiles: Map<string, TMatchProfile> = product ? await matchProfiles(app, needs.map((n) => n.enterpriseId), asOf) : new Map();
  const outcomes = new Map<string, TMatchOutcome>();
  if (product) {
    const institutionRecords = await institutionRecordsOf(app);
    for (const need of needs) {
      const profile = profiles.get(need.enterpriseId);
      if (profile) outcomes.set(need.id, evaluateProduct(profile, matchNeedOf(need), product, { asOf, institutionRecords }));
    }
  }
  let newFits = 0;
  await app.db.transaction(async (t) => {
    newFits = await writeProductOutcomes(app, t, needs, productId, product, outcomes);
  });
  return { lastId: needs[needs.length - 1].id, needs: needs.length, newFits };
}

/**
 * One product's outcomes for a batch of needs, in a few statements: the existing rows read at once, new rows inserted
 * together, stale pending rows deleted together; only rows that exist are updated one by one. A reviewed or added row
 * keeps its review and takes the current outcome; with the product gone it keeps the outcome it had.
 */
async function writeProductOutcomes(
  app: AppContext,
  t: Transaction,
  needs: readonly FinancingNeed[],
  productId: string,
  product: TMatchProduct | null,
  outcomes: ReadonlyMap<string, TMatchOutcome>,
): Promise<number> {
  const existing = await NeedMatch.findAll({ where: { needId: needs.map((n) => n.id), productId }, transaction: t });
  const rowOf = new Map(existing.map((m) => [m.needId, m]));
  const now = clock.now();
  const inserts: unknown[][] = [];
  const stale: string[] = [];
  const changedFits = new Set<string>();
  const found = new Map<string, number>();
  for (const need of needs) {
    const outcome = outcomes.get(need.id) ?? null;
    const row = rowOf.get(need.id);
    const shown = outcome !== null && (outcome.fits || isNearMiss(outcome));
    const kept = row !== undefined && (row.review !== 'pending' || row.addedByAdvisor);
    if (outcome && product && (shown || kept)) {
      const becameFit = outcome.fits && !row?.fits;
      if (becameFit) found.set(need.id, 1);
      if (outcome.fits !== Boolean(row?.fits)) changedFits.add(need.id);
      const isNew = becameFit && need.status === 'released';
      if (row) {
        await NeedMatch.update(
          { revisionId: product.revisionId, fits: outcome.fits, nearMiss: isNearMiss(outcome), score: outcome.score, outcome: JSON.stringify(outcome), matchedAt: now, ...(isNew ? { isNew: true } : {}) },
          { where: { id: row.id }, transaction: t },
        );
      } else {
        // Booleans as 1/0: bind parameters reach both drivers as numbers.
        inserts.push([newId(), need.id, productId, product.revisionId, outcome.fits ? 1 : 0, isNearMiss(outcome) ? 1 : 0, outcome.score, JSON.stringify(outcome), 'pending', 0, isNew ? 1 : 0, now]);
      }
    } else if (row && !kept) {
      stale.push(row.id);
      if (row.fits) changedFits.add(need.id);
    }
  }
  if (inserts.length > 0) {
    await insertRows(
      app.db.sequelize,
      'need_matches',
      ['id', 'need_id', 'product_id', 'revision_id', 'fits', 'near_miss', 'score', 'outcome', 'review', 'added_by_advisor', 'is_new', 'matched_at'],
      inserts,
      t,
    );
  }
  if (stale.length > 0) await NeedMatch.destroy({ where: { id: stale }, transaction: t });
  if (changedFits.size > 0) {
    const counts = (await NeedMatch.findAll({
      where: { needId: [...changedFits], fits: true },
      attributes: ['needId', [NeedMatch.sequelize!.fn('COUNT', NeedMatch.sequelize!.col('id')), 'n']],
      group: ['needId'],
      raw: true,
      transaction: t,
    })) as unknown as Array<{ needId: unknown; n: unknown }>;
    const countOf = new Map(counts.map((c) => [String(c.needId), Number(c.n)]));
    for (const needId of changedFits) await FinancingNeed.update({ fitCount: countOf.get(needId) ?? 0 }, { where: { id: needId }, transaction: t });
  }
  await tellOfNewFits(t, needs.filter((n) => found.has(n.id)).map((need) => ({ need, count: 1 })));
  return found.size;
}

/** The firms of released needs hear of their new fits; the advisors of needs under review, once matched, do. */
async function tellOfNewFits(t: Transaction, found: ReadonlyArray<{ need: FinancingNeed; count: number }>): Promise<void> {
  if (found.length === 0) return;
  const released = found.filter((f) => f.need.status === 'released').map((f) => f.need.enterpriseId);
  const members = released.length > 0 ? await membersOf([...new Set(released)], t) : [];
  const notices: Notification[] = [];
  for (const { need, count } of found) {
    if (need.status === 'released') {
      for (const member of members.filter((m) => m.enterpriseId === need.enterpriseId)) {
        notices.push({
          recipientKind: 'wechat',
          recipientId: member.wechatUserId,
          templateKey: 'need_recommendation',
          title: '有新的匹配产品',
          body: `您的融资需求有 ${count} 款新匹配的金融产品，点击查看产品及匹配理由。`,
          link: `/subpackages/finance/need/index?id=${need.id}`,
        });
      }
    } else if (need.advisorId && need.matchedAt) {
      notices.push({
        recipientKind: 'admin',
        recipientId: need.advisorId,
        templateKey: 'need_review',
        title: '待复核需求有新的匹配产品',
        body: `一笔待复核的融资需求新增 ${count} 款匹配产品，请在复核时一并确认。`,
        link: `/finance/needs/${need.id}`,
      });
    }
  }
  if (notices.length > 0) await enqueueNotifications(t, notices);
}

