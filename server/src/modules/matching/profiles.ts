import {
  CREDIT_RATINGS,
  computeFeatures,
  scoreFeatures,
  type TCreditRating,
  type TFeatureVector,
  type TMatchPenalty,
  type TMatchProfile,
  type TPenaltySeverity,
  type TScorecard,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { loadBatch } from '../credit-engine/recompute';
import { scoringVersions } from '../credit-engine/versions';

/**
 * What the matcher knows of a firm, built from the same registry rows and current records the scorer reads (through
 * the enterprise repository), scored with the active scorecard as of `asOf`. The projections rescore the firm's own
 * features with one arrear settled, so that a near miss on the rating can say what would lift it.
 */

const SETTLEMENTS: ReadonlyArray<{ action: string; applies: (f: TFeatureVector) => boolean; settle: (f: TFeatureVector) => TFeatureVector }> = [
  { action: '结清欠税', applies: (f) => f.taxArrears === true, settle: (f) => withArrears(f, { taxArrears: false }) },
  { action: '结清社保欠费', applies: (f) => f.socialArrears === true, settle: (f) => withArrears(f, { socialArrears: false }) },
  { action: '结清水电气欠费', applies: (f) => f.utilityArrears === true, settle: (f) => withArrears(f, { utilityArrears: false }) },
  {
    action: '结清全部欠费欠税',
    applies: (f) => [f.taxArrears, f.socialArrears, f.utilityArrears].filter((v) => v === true).length >= 2,
    settle: (f) => withArrears(f, { taxArrears: false, socialArrears: false, utilityArrears: false }),
  },
];

function withArrears(features: TFeatureVector, change: Partial<Record<'taxArrears' | 'socialArrears' | 'utilityArrears', boolean>>): TFeatureVector {
  const next: TFeatureVector = { ...features, ...change };
  next.arrearsAny = next.taxArrears === true || next.socialArrears === true || next.utilityArrears === true;
  return next;
}

function better(a: TCreditRating, b: TCreditRating | null): boolean {
  return b === null || CREDIT_RATINGS.indexOf(a) < CREDIT_RATINGS.indexOf(b);
}

export function projectionsOf(card: TScorecard, features: TFeatureVector, current: TCreditRating | null): TMatchProfile['projections'] {
  const out: Array<{ action: string; rating: TCreditRating }> = [];
  for (const s of SETTLEMENTS) {
    if (!s.applies(features)) continue;
    const rating = scoreFeatures(card, s.settle(features)).rating;
    if (rating && better(rating, current)) out.push({ action: s.action, rating });
  }
  return out;
}

export async function matchProfiles(app: AppContext, enterpriseIds: readonly string[], asOf: string): Promise<Map<string, TMatchProfile>> {
  const [{ enterprises, records }, { active }] = await Promise.all([loadBatch(app, enterpriseIds), scoringVersions()]);
  const out = new Map<string, TMatchProfile>();
  for (const enterprise of enterprises) {
    const own = records.get(enterprise.id) ?? [];
    const excludeDisputed = active?.card.excludeDisputed ?? true;
    const features = computeFeatures({ enterprise, records: own, asOf, excludeDisputed });
    const result = active ? scoreFeatures(active.card, features) : null;
    const penalties: TMatchPenalty[] = [];
    for (const r of own) {
      if (r.category !== 'penalty' || !r.occurredOn || (excludeDisputed && r.disputed)) continue;
      const correctedOn = r.payload.correctedOn as string | null | undefined;
      penalties.push({
        severity: r.payload.severity as TPenaltySeverity,
        decidedOn: r.occurredOn,
        repaired: r.corrected && (correctedOn == null || correctedOn <= asOf),
      });
    }
    const status = (features.businessStatus as TMatchProfile['status'] | null) ?? enterprise.status;
    out.set(enterprise.id, {
      enterpriseId: enterprise.id,
      regionCode: enterprise.regionCode,
      industryCode: enterprise.industryCode,
      scale: enterprise.scale,
      establishedOn: enterprise.establishedOn,
      status,
      rating: result?.rating ?? null,
      score: result?.score ?? null,
      blacklisted: features.blacklistActive === true,
      penalties,
      taxArrears: features.taxArrears === true,
      socialArrears: features.socialArrears === true,
      enforcementActive: features.enforcementActive === true,
      projections: active ? projectionsOf(active.card, features, result?.rating ?? null) : [],
    });
  }
  return out;
}
