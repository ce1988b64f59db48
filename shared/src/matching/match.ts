import { addDays, daysBetween, shiftDate } from '../common/calendar';
import { regionPrefix } from '../common/region';
import { PENALTY_SEVERITIES, PENALTY_SEVERITY_LABELS, type TPenaltySeverity } from '../credit-data/enums';
import { CREDIT_RATINGS, ratingAtLeast, type TCreditRating } from '../credit-engine/ratings';
import { ENTERPRISE_SCALES, ENTERPRISE_STATUS_LABELS, SCALE_LABELS } from '../enterprise/labels';
import {
  DEFAULT_MAX_MATCHES,
  DEFAULT_MAX_NEAR_MISSES,
  GUARANTEE_METHODS,
  GUARANTEE_METHOD_LABELS,
  MATCH_CRITERION_LABELS,
  MATCH_SCORE_WEIGHTS,
  NEAR_MISS_MAX_FAILED,
  formatFen,
  formatRateBp,
  type TGuaranteeMethod,
  type TMatchCriterion,
} from './labels';
import type { TProductTerms } from './products';
import type {
  TCriterionCheck,
  TInstitutionRecord,
  TMatchAdvice,
  TMatchExplanation,
  TMatchNeed,
  TMatchOptions,
  TMatchOutcome,
  TMatchProduct,
  TMatchProfile,
  TMatchResult,
  TScoreParts,
} from './types';

/**
 * The matcher: a firm's financing need against bank products. Pure: no database, no clock but `options.asOf`.
 *
 * Hard criteria, in MATCH_CRITERIA order. A product gets one check for each criterion it sets (an empty list, null,
 * false or a zero-year minimum sets nothing); status, amount, term and guarantee are always checked, rate whenever the
 * need names a ceiling. Every check's text ends in " ✓" or " ✗".
 * - region: the firm's region lies in one of `regionCodes` (GB/T 2260 prefix nesting, regionPrefix). Not remediable.
 * - industry: the firm's GB/T 4754 小类 starts with one of `industriesIncluded` (when set) and with none of
 *   `industriesExcluded`; an excluded division wins over an included section. One check for both. Not remediable.
 * - scale: `scales` includes the firm's. Not remediable.
 * - status: the firm is 存续 (active). 经营异常 is remediable (leave the list); 吊销/注销 are not.
 * - years: the firm qualifies from establishedOn + round(minYears × 12) calendar months (shiftDate); advice names that
 *   month, which is also `availableFrom`. Years are shown as full months / 12, floored to one decimal.
 * - rating: rated and ratingAtLeast(rating, minRating). Advice: the best projection (profile.projections) that reaches
 *   the minimum, else "raise the rating".
 * - blacklist: `excludeBlacklisted` → not blacklisted.
 * - penalty: no un-repaired penalty more severe than `maxSeverity` decided within the last `months` months
 *   (decidedOn > shiftDate(asOf, −months)). Advice: the first month on which the latest offending penalty has left
 *   the window (`availableFrom`), or credit repair.
 * - taxArrears / socialArrears / enforcement: the product's flag → the firm's flag is false.
 * - amount / term: the need's amount and term lie in the product's ranges. Advice names the bound or the range.
 * - guarantee: the need's acceptable methods meet the product's. Advice names the product's methods.
 * - rate: the product's minimum rate ≤ the need's ceiling. Advice names the product's minimum.
 * Every criterion but region, industry, scale and a revoked/cancelled status is remediable. A product fits when no
 * check fails; it is a near miss when 1..NEAR_MISS_MAX_FAILED checks fail and all of them are remediable. `failed`
 * and `advice` (one entry each, same order) are filled for every failed criterion, also for products that are neither;
 * the advice of a non-remediable criterion says it cannot be met.
 *
 * Soft score: round(Σ MATCH_SCORE_WEIGHTS × part), each part 0–1.
 * - rate: no ceiling → 0.5; else min(1, (ceiling − rateMinBp) / ceiling × 4), 0 above the ceiling (a product a
 *   quarter below the ceiling or more scores 1).
 * - amount: 1 within the range; outside, the ratio of the nearer bound to the amount (or the amount to it), so a near
 *   miss asking twice the maximum scores 0.5.
 * - turnaround: the institution's record (`options.institutionRecords`) when present; else from the promised working
 *   days: 1 at ≤ 3, linear to 0 at 30. Until the applications module records decisions the record is absent.
 * - approval: the record's approval share, else a neutral 0.5.
 * - policy: 1 for a policy-backed product (`policySupport` or type 'policy'), else 0.
 * matchNeed orders fits by score (desc), the minimum rate (asc), the product id (numeric asc); near misses by the
 * number of failures, the score, the product id.
 *
 * Speed: matchNeed runs against ~10k products per call. What depends only on a product is prepared once and kept in
 * a WeakMap keyed by the product object, so products are treated as immutable (an edit is a new revision, a new
 * object). From those, a product list gets a columnar index (typed arrays, kept in a WeakMap keyed by the list and
 * checked entry by entry, so a list changed in place is re-indexed; the last index also serves a new list of the same
 * products). The first pass walks the columns and counts failures with no allocation, giving up at the first
 * non-remediable failure or past NEAR_MISS_MAX_FAILED; region and industry verdicts are computed once per distinct
 * target list. Only the outcomes returned get their checks' texts and advice written.
 */

const UNRATED = CREDIT_RATINGS.length;
const MAX_LISTED = 5;

/** The flags a product may set and a firm may have, as bits: the counting pass intersects them. */
const FLAG_BLACKLIST = 1;
const FLAG_TAX = 2;
const FLAG_SOCIAL = 4;
const FLAG_ENFORCEMENT = 8;
/** Set bits of 0..15. */
const BITS = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** What matching needs of a product, derived from its terms once. */
interface TPreparedProduct {
  terms: TProductTerms;
  /** regionPrefix of each target region; empty: nationwide. */
  regionPrefixes: readonly string[];
  included: readonly string[];
  excluded: readonly string[];
  /** Bit per ENTERPRISE_SCALES entry; 0: every scale. */
  scaleMask: number;
  /** Calendar months the firm must have existed; 0: no requirement. */
  minMonths: number;
  /** Index in CREDIT_RATINGS; -1: no requirement. */
  minRatingIndex: number;
  /** Index in PENALTY_SEVERITIES of the most severe penalty allowed; -1: no limit. */
  penaltyMaxRank: number;
  penaltyMonths: number;
  /** FLAG_* bits the product excludes. */
  flags: number;
  /** Bit per GUARANTEE_METHODS entry. */
  guaranteeMask: number;
  /** The turnaround part from the promised working days, used while the institution has no record. */
  promisedTurnaround: number;
  policy: number;
}

interface TLatestPenalty {
  decidedOn: string;
  /** Days since 1970-01-01, for comparisons without strings. */
  day: number;
  severity: TPenaltySeverity;
}

/** What matching needs of the firm, derived once per call. */
interface TProfileFacts {
  profile: TMatchProfile;
  asOf: string;
  asOfDay: number;
  monthsEstablished: number;
  ratingIndex: number;
  scaleBit: number;
  statusOk: boolean;
  statusRemediable: boolean;
  /** FLAG_* bits the firm has. */
  flags: number;
  /**
   * latestAbove[r]: the latest un-repaired penalty more severe than PENALTY_SEVERITIES[r] (null: none). Whether a
   * product's limit is broken is then one comparison with its window's start.
   */
  latestAbove: ReadonlyArray<TLatestPenalty | null>;
  /** Window starts (day numbers) by length in months, filled on first use; NaN: not yet. */
  windowStartDays: Float64Array;
}

interface TNeedFacts {
  need: TMatchNeed;
  guaranteeMask: number;
  records: ReadonlyMap<string, TInstitutionRecord> | undefined;
}

const EPOCH_DAY = '1970-01-01';
const dayNumber = (date: string) => daysBetween(EPOCH_DAY, date);

const preparedProducts = new WeakMap<TMatchProduct, TPreparedProduct>();

function prepare(product: TMatchProduct): TPreparedProduct {
  const cached = preparedProducts.get(product);
  if (cached) return cached;
  const terms = product.terms;
  const c = terms.criteria;
  const p: TPreparedProduct = {
    terms,
    regionPrefixes: c.regionCodes.map(regionPrefix),
    included: c.industriesIncluded.map((code) => code.toUpperCase()),
    excluded: c.industriesExcluded.map((code) => code.toUpperCase()),
    scaleMask: c.scales.reduce((mask, scale) => mask | (1 << ENTERPRISE_SCALES.indexOf(scale)), 0),
    minMonths: c.minYearsEstablished ? Math.max(0, Math.round(c.minYearsEstablished * 12)) : 0,
    minRatingIndex: c.minRating ? CREDIT_RATINGS.indexOf(c.minRating) : -1,
    penaltyMaxRank: c.penaltyLimit ? PENALTY_SEVERITIES.indexOf(c.penaltyLimit.maxSeverity) : -1,
    penaltyMonths: c.penaltyLimit ? c.penaltyLimit.months : 0,
    flags: (c.excludeBlacklisted ? FLAG_BLACKLIST : 0) | (c.noTaxArrears ? FLAG_TAX : 0) | (c.noSocialArrears ? FLAG_SOCIAL : 0) | (c.noEnforcement ? FLAG_ENFORCEMENT : 0),
    guaranteeMask: guaranteeMask(terms.guaranteeMethods),
    promisedTurnaround: promisedTurnaround(terms.turnaroundDays),
    policy: terms.policySupport || terms.type === 'policy' ? 1 : 0,
  };
  preparedProducts.set(product, p);
  return p;
}

function guaranteeMask(methods: readonly TGuaranteeMethod[]): number {
  let mask = 0;
  for (const m of methods) mask |= 1 << GUARANTEE_METHODS.indexOf(m);
  return mask;
}

/** 1 at ≤ 3 working days, linear to 0 at 30. */
function promisedTurnaround(days: number): number {
  if (days <= 3) return 1;
  if (days >= 30) return 0;
  return (30 - days) / 27;
}

/** Calendar months from `from` to `to` that have fully passed: the largest m with shiftDate(from, m) ≤ to. */
function fullMonthsBetween(from: string, to: string): number {
  const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + (Number(to.slice(5, 7)) - Number(from.slice(5, 7)));
  return shiftDate(from, months) > to ? months - 1 : months;
}

function profileFacts(profile: TMatchProfile, asOf: string): TProfileFacts {
  const latestAbove: Array<TLatestPenalty | null> = PENALTY_SEVERITIES.map(() => null);
  for (const penalty of profile.penalties) {
    if (penalty.repaired) continue;
    const rank = PENALTY_SEVERITIES.indexOf(penalty.severity);
    // A penalty of rank k is more severe than every rank below k.
    for (let r = 0; r < rank; r++) {
      const latest = latestAbove[r];
      if (!latest || penalty.decidedOn > latest.decidedOn) latestAbove[r] = { decidedOn: penalty.decidedOn, day: dayNumber(penalty.decidedOn), severity: penalty.severity };
    }
  }
  return {
    profile,
    asOf,
    asOfDay: dayNumber(asOf),
    monthsEstablished: fullMonthsBetween(profile.establishedOn, asOf),
    ratingIndex: profile.rating ? CREDIT_RATINGS.indexOf(profile.rating) : UNRATED,
    scaleBit: 1 << ENTERPRISE_SCALES.indexOf(profile.scale),
    statusOk: profile.status === 'active',
    statusRemediable: profile.status === 'active' || profile.status === 'abnormal',
    flags:
      (profile.blacklisted ? FLAG_BLACKLIST : 0) |
      (profile.taxArrears ? FLAG_TAX : 0) |
      (profile.socialArrears ? FLAG_SOCIAL : 0) |
      (profile.enforcementActive ? FLAG_ENFORCEMENT : 0),
    latestAbove,
    windowStartDays: new Float64Array(61).fill(Number.NaN),
  };
}

function needFacts(need: TMatchNeed, options: TMatchOptions): TNeedFacts {
  return { need, guaranteeMask: guaranteeMask(need.guaranteeMethods), records: options.institutionRecords };
}

/** The day the penalty window of `months` months starts (a penalty decided on it no longer counts). */
function windowStartDay(facts: TProfileFacts, months: number): number {
  if (months >= facts.windowStartDays.length) return dayNumber(shiftDate(facts.asOf, -months));
  let day = facts.windowStartDays[months]!;
  if (Number.isNaN(day)) {
    day = dayNumber(shiftDate(facts.asOf, -months));
    facts.windowStartDays[months] = day;
  }
  return day;
}

// ---- The criteria, as predicates shared by the counting pass and the full outcome ----

/** Index of the first target region prefix that covers the firm's region; -1 when none does. */
function regionHit(prefixes: readonly string[], regionCode: string): number {
  for (let i = 0; i < prefixes.length; i++) if (regionCode.startsWith(prefixes[i]!)) return i;
  return -1;
}

function firstPrefixOf(codes: readonly string[], industryCode: string): number {
  for (let i = 0; i < codes.length; i++) if (industryCode.startsWith(codes[i]!)) return i;
  return -1;
}

/** 'ok', 'excluded' (an excluded code covers the firm's) or 'outside' (no included code does). */
function industryVerdict(included: readonly string[], excluded: readonly string[], industryCode: string): 'ok' | 'excluded' | 'outside' {
  if (excluded.length > 0 && firstPrefixOf(excluded, industryCode) >= 0) return 'excluded';
  if (included.length > 0 && firstPrefixOf(included, industryCode) < 0) return 'outside';
  return 'ok';
}

/** The latest penalty breaking a limit (rank of the most severe allowed, window months), or null. */
function offendingPenalty(maxRank: number, months: number, facts: TProfileFacts): TLatestPenalty | null {
  if (maxRank < 0) return null;
  const latest = facts.latestAbove[maxRank];
  return latest && latest.day > windowStartDay(facts, months) ? latest : null;
}

const inRange = (value: number, min: number, max: number) => value >= min && value <= max;
const rateOk = (rateMinBp: number, need: TMatchNeed) => need.maxRateBp === null || rateMinBp <= need.maxRateBp;
const ratingOk = (minRatingIndex: number, facts: TProfileFacts) => minRatingIndex < 0 || facts.ratingIndex <= minRatingIndex;

// ---- The soft score ----

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function ratePart(rateMinBp: number, need: TMatchNeed): number {
  const ceiling = need.maxRateBp;
  if (ceiling === null) return 0.5;
  if (ceiling <= 0 || rateMinBp > ceiling) return 0;
  return clamp01(((ceiling - rateMinBp) / ceiling) * 4);
}

function amountPart(amountMinFen: number, amountMaxFen: number, need: TMatchNeed): number {
  if (need.amountFen < amountMinFen) return clamp01(need.amountFen / amountMinFen);
  if (need.amountFen > amountMaxFen) return clamp01(amountMaxFen / need.amountFen);
  return 1;
}

function turnaroundPart(promised: number, record: TInstitutionRecord | undefined): number {
  return record?.turnaround === undefined ? promised : clamp01(record.turnaround);
}

function approvalPart(record: TInstitutionRecord | undefined): number {
  return record?.approval === undefined ? 0.5 : clamp01(record.approval);
}

/** The one weighting: the counting pass sorts by it and the outcome reports it, so both must be this function. */
function weigh(rate: number, amount: number, turnaround: number, approval: number, policy: number): number {
  const w = MATCH_SCORE_WEIGHTS;
  const sum = w.rate * rate + w.amount * amount + w.turnaround * turnaround + w.approval * approval + w.policy * policy;
  return Math.min(100, Math.max(0, Math.round(sum)));
}

function scoreParts(p: TPreparedProduct, product: TMatchProduct, n: TNeedFacts): TScoreParts {
  const record = n.records?.get(product.institutionId);
  const t = p.terms;
  return {
    rate: ratePart(t.rateMinBp, n.need),
    amount: amountPart(t.amountMinFen, t.amountMaxFen, n.need),
    turnaround: turnaroundPart(p.promisedTurnaround, record),
    approval: approvalPart(record),
    policy: p.policy,
  };
}

// ---- The columnar index of a product list ----

/** A product list as columns, for the counting pass. Entry i of every column is products[i]. */
interface TProductIndex {
  /** The entries indexed (a copy), to tell whether a list is still the same. */
  products: readonly TMatchProduct[];
  prepared: readonly TPreparedProduct[];
  /** Index into regionLists; -1: nationwide. */
  regionList: Int32Array;
  regionLists: ReadonlyArray<readonly string[]>;
  /** Index into industryLists; -1: every industry. */
  industryList: Int32Array;
  industryLists: ReadonlyArray<{ included: readonly string[]; excluded: readonly string[] }>;
  scaleMask: Uint8Array;
  minMonths: Int32Array;
  minRatingIndex: Int8Array;
  penaltyMaxRank: Int8Array;
  penaltyMonths: Int32Array;
  flags: Uint8Array;
  amountMinFen: Float64Array;
  amountMaxFen: Float64Array;
  termMinMonths: Int32Array;
  termMaxMonths: Int32Array;
  rateMinBp: Int32Array;
  guaranteeMask: Uint8Array;
  promisedTurnaround: Float64Array;
  policy: Uint8Array;
  /** Position in product-id order, for the last tie-break. */
  idRank: Int32Array;
  /** Index into institutionIds, so that a call looks each institution's record up once. */
  institution: Int32Array;
  institutionIds: readonly string[];
}

const productIndexes = new WeakMap<readonly TMatchProduct[], TProductIndex>();
let lastIndex: TProductIndex | null = null;

function sameEntries(index: TProductIndex, products: readonly TMatchProduct[]): boolean {
  if (index.products.length !== products.length) return false;
  for (let i = 0; i < products.length; i++) if (index.products[i] !== products[i]) return false;
  return true;
}

function productIndex(products: readonly TMatchProduct[]): TProductIndex {
  const cached = productIndexes.get(products);
  if (cached && sameEntries(cached, products)) return cached;
  const index = lastIndex && sameEntries(lastIndex, products) ? lastIndex : buildIndex(products);
  productIndexes.set(products, index);
  lastIndex = index;
  return index;
}

/** Interns lists by content, so that a verdict is computed once per distinct list per call. */
function interner<T>(): { id(key: string, make: () => T): number; values: T[] } {
  const ids = new Map<string, number>();
  const values: T[] = [];
  return {
    values,
    id(key, make) {
      let id = ids.get(key);
      if (id === undefined) {
        id = values.length;
        values.push(make());
        ids.set(key, id);
      }
      return id;
    },
  };
}

/** A list's key as a set: region and industry verdicts do not depend on the order codes were listed in. */
function setKey(codes: readonly string[]): string {
  return [...codes].sort().join(',');
}

function buildIndex(list: readonly TMatchProduct[]): TProductIndex {
  const products = list.slice();
  const n = products.length;
  const prepared = products.map(prepare);
  const regions = interner<readonly string[]>();
  const industries = interner<{ included: readonly string[]; excluded: readonly string[] }>();
  const institutions = interner<string>();
  const index: TProductIndex = {
    products,
    prepared,
    regionList: new Int32Array(n),
    regionLists: regions.values,
    industryList: new Int32Array(n),
    industryLists: industries.values,
    scaleMask: new Uint8Array(n),
    minMonths: new Int32Array(n),
    minRatingIndex: new Int8Array(n),
    penaltyMaxRank: new Int8Array(n),
    penaltyMonths: new Int32Array(n),
    flags: new Uint8Array(n),
    amountMinFen: new Float64Array(n),
    amountMaxFen: new Float64Array(n),
    termMinMonths: new Int32Array(n),
    termMaxMonths: new Int32Array(n),
    rateMinBp: new Int32Array(n),
    guaranteeMask: new Uint8Array(n),
    promisedTurnaround: new Float64Array(n),
    policy: new Uint8Array(n),
    idRank: new Int32Array(n),
    institution: new Int32Array(n),
    institutionIds: institutions.values,
  };
  for (let i = 0; i < n; i++) {
    const p = prepared[i]!;
    const t = p.terms;
    index.regionList[i] = p.regionPrefixes.length === 0 ? -1 : regions.id(setKey(p.regionPrefixes), () => p.regionPrefixes);
    index.industryList[i] =
      p.included.length === 0 && p.excluded.length === 0 ? -1 : industries.id(`${setKey(p.included)}|${setKey(p.excluded)}`, () => ({ included: p.included, excluded: p.excluded }));
    index.scaleMask[i] = p.scaleMask;
    index.minMonths[i] = p.minMonths;
    index.minRatingIndex[i] = p.minRatingIndex;
    index.penaltyMaxRank[i] = p.penaltyMaxRank;
    index.penaltyMonths[i] = p.penaltyMonths;
    index.flags[i] = p.flags;
    index.amountMinFen[i] = t.amountMinFen;
    index.amountMaxFen[i] = t.amountMaxFen;
    index.termMinMonths[i] = t.termMinMonths;
    index.termMaxMonths[i] = t.termMaxMonths;
    index.rateMinBp[i] = t.rateMinBp;
    index.guaranteeMask[i] = p.guaranteeMask;
    index.promisedTurnaround[i] = p.promisedTurnaround;
    index.policy[i] = p.policy;
    index.institution[i] = institutions.id(products[i]!.institutionId, () => products[i]!.institutionId);
  }
  const byId = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareIds(products[a]!.productId, products[b]!.productId));
  byId.forEach((i, rank) => (index.idRank[i] = rank));
  return index;
}

/** Database ids are decimal strings: shorter is smaller; otherwise plain code-unit order. */
function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Region or industry verdicts of one call, one per distinct list: 0 not yet computed, 1 passes, 2 fails. */
const PASSES = 1;
const FAILS = 2;

/**
 * The counting pass over every product of the index: for each, how many hard criteria it fails, moving on as soon as
 * it can be neither a fit nor a near miss; the candidates left are scored and offered to `fits` / `near`.
 * Allocates nothing per product: region and industry verdicts are looked up per distinct list, penalty windows per
 * length; the columns are read into locals so the loop touches only typed arrays. Returns how many fit.
 */
function scan(x: TProductIndex, facts: TProfileFacts, n: TNeedFacts, fits: TopK, near: TopK, scores: Float64Array, failures: Uint8Array): number {
  const { regionList, industryList, scaleMask, amountMinFen, amountMaxFen, termMinMonths, termMaxMonths, guaranteeMask, rateMinBp, flags, minMonths, minRatingIndex, penaltyMaxRank, penaltyMonths } = x;
  const regionVerdicts = new Uint8Array(x.regionLists.length);
  const industryVerdicts = new Uint8Array(x.industryLists.length);
  const { regionCode, industryCode } = facts.profile;
  const { scaleBit, monthsEstablished, statusOk } = facts;
  const firmFlags = facts.flags;
  const { amountFen, termMonths, maxRateBp } = n.need;
  const wanted = n.guaranteeMask;
  const count = x.products.length;
  const records = n.records;
  // Each institution's record, looked up on first use: 0 not yet, 1 looked up (perhaps absent).
  const looked = records === undefined ? null : new Uint8Array(x.institutionIds.length);
  const found: Array<TInstitutionRecord | undefined> = [];
  const recordOf = (k: number): TInstitutionRecord | undefined => {
    if (looked![k] === 0) {
      looked![k] = 1;
      found[k] = records!.get(x.institutionIds[k]!);
    }
    return found[k];
  };
  let fitCount = 0;
  if (!facts.statusRemediable) return 0;
  for (let i = 0; i < count; i++) {
    const r = regionList[i]!;
    if (r >= 0) {
      if (regionVerdicts[r] === 0) regionVerdicts[r] = regionHit(x.regionLists[r]!, regionCode) >= 0 ? PASSES : FAILS;
      if (regionVerdicts[r] === FAILS) continue;
    }
    const ind = industryList[i]!;
    if (ind >= 0) {
      if (industryVerdicts[ind] === 0) {
        const lists = x.industryLists[ind]!;
        industryVerdicts[ind] = industryVerdict(lists.included, lists.excluded, industryCode) === 'ok' ? PASSES : FAILS;
      }
      if (industryVerdicts[ind] === FAILS) continue;
    }
    const scales = scaleMask[i]!;
    if (scales !== 0 && (scales & scaleBit) === 0) continue;
    let failed = statusOk ? 0 : 1;
    if (amountFen < amountMinFen[i]! || amountFen > amountMaxFen[i]!) failed++;
    if (termMonths < termMinMonths[i]! || termMonths > termMaxMonths[i]!) failed++;
    if ((guaranteeMask[i]! & wanted) === 0) failed++;
    if (maxRateBp !== null && rateMinBp[i]! > maxRateBp) failed++;
    failed += BITS[flags[i]! & firmFlags]!;
    if (failed > NEAR_MISS_MAX_FAILED) continue;
    const months = minMonths[i]!;
    if (months > 0 && monthsEstablished < months) failed++;
    if (!ratingOk(minRatingIndex[i]!, facts)) failed++;
    if (offendingPenalty(penaltyMaxRank[i]!, penaltyMonths[i]!, facts)) failed++;
    if (failed > NEAR_MISS_MAX_FAILED) continue;
    // A near miss with more failures than the last one kept cannot get in: no need to score it.
    if (failed > 0 && near.full && (near.items.length === 0 || failed > failures[near.last]!)) continue;
    scores[i] = indexedScore(x, i, n, records === undefined ? undefined : recordOf(x.institution[i]!));
    failures[i] = failed;
    if (failed === 0) {
      fitCount++;
      fits.offer(i);
    } else near.offer(i);
  }
  return fitCount;
}

/** The score of product i from the columns, the same number outcomeOf reports. */
function indexedScore(x: TProductIndex, i: number, n: TNeedFacts, record: TInstitutionRecord | undefined): number {
  return weigh(
    ratePart(x.rateMinBp[i]!, n.need),
    amountPart(x.amountMinFen[i]!, x.amountMaxFen[i]!, n.need),
    turnaroundPart(x.promisedTurnaround[i]!, record),
    approvalPart(record),
    x.policy[i]!,
  );
}

// ---- The full outcome: checks, texts and advice ----

/** At most five items, then "等 N 个". */
function listText(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).join('、');
  return items.length > MAX_LISTED ? `${shown} 等 ${items.length} 个` : shown;
}

function rangeText(min: number, max: number, format: (x: number) => string): string {
  return min === max ? format(min) : `${format(min)}–${format(max)}`;
}

/** Full months as years, floored to one decimal: 29 months → "2.4". */
function yearsText(months: number): string {
  return String(Math.floor((Math.max(0, months) * 10) / 12) / 10);
}

/** "抵押、质押" from the methods' labels, without their parenthetical notes ("保证（担保）" → "保证"). */
function methodsText(methods: readonly TGuaranteeMethod[], separator = '、'): string {
  return methods.map((m) => GUARANTEE_METHOD_LABELS[m].replace(/（.*）$/, '')).join(separator);
}

/** The first day on which a penalty decided on `decidedOn` no longer lies in a window of `months` months. */
function windowLeftOn(decidedOn: string, months: number): string {
  let day = shiftDate(decidedOn, months);
  // shiftDate clamps to month ends (01-31 + 1 month = 02-28), so step forward until the window has really moved on.
  while (shiftDate(day, -months) < decidedOn) day = addDays(day, 1);
  return day;
}

/** The best-rated projection that reaches the minimum, if any. */
function bestProjection(profile: TMatchProfile, minimum: TCreditRating): { action: string; rating: TCreditRating } | null {
  let best: { action: string; rating: TCreditRating } | null = null;
  for (const projection of profile.projections) {
    if (!ratingAtLeast(projection.rating, minimum)) continue;
    if (!best || CREDIT_RATINGS.indexOf(projection.rating) < CREDIT_RATINGS.indexOf(best.rating)) best = projection;
  }
  return best;
}

/** An outcome's checks and, for each failed one, its advice, written side by side. */
class OutcomeWriter {
  readonly checks: TCriterionCheck[] = [];
  readonly failed: TMatchCriterion[] = [];
  readonly advice: TMatchAdvice[] = [];

  /** Adds a check; returns whether it failed, so that the caller writes its advice next. */
  check(criterion: TMatchCriterion, ok: boolean, text: string, remediable: boolean): boolean {
    this.checks.push({ criterion, ok, text: ok ? `${text} ✓` : `${text} ✗`, remediable });
    if (!ok) this.failed.push(criterion);
    return !ok;
  }

  /** Advice for the check just failed; `availableFrom` only when time alone meets it. */
  advise(text: string, availableFrom: string | null = null): void {
    this.advice.push({ criterion: this.failed[this.failed.length - 1]!, text, availableFrom });
  }
}

/** Every check the product sets, in MATCH_CRITERIA order, with advice for the failed ones. */
function writeChecks(p: TPreparedProduct, facts: TProfileFacts, n: TNeedFacts): OutcomeWriter {
  const { profile } = facts;
  const { need } = n;
  const t = p.terms;
  const c = t.criteria;
  const w = new OutcomeWriter();

  if (p.regionPrefixes.length > 0) {
    const hit = regionHit(p.regionPrefixes, profile.regionCode);
    const text = hit >= 0 ? `注册地 ${profile.regionCode} 在产品区域 ${c.regionCodes[hit]} 内` : `注册地 ${profile.regionCode} 不在产品区域（${listText(c.regionCodes)}）内`;
    if (w.check('region', hit >= 0, text, false)) w.advise('产品不面向企业注册地，无法满足');
  }

  if (p.included.length > 0 || p.excluded.length > 0) {
    const code = profile.industryCode;
    const verdict = industryVerdict(p.included, p.excluded, code);
    let text: string;
    if (verdict === 'excluded') text = `行业 ${code} 属于排除行业 ${p.excluded[firstPrefixOf(p.excluded, code)]}`;
    else if (verdict === 'outside') text = `行业 ${code} 不在准入行业（${listText(p.included)}）内`;
    else if (p.included.length > 0) text = `行业 ${code} 属于准入行业 ${p.included[firstPrefixOf(p.included, code)]}`;
    else text = `行业 ${code} 不在排除行业内`;
    if (w.check('industry', verdict === 'ok', text, false)) w.advise('企业所属行业不在产品准入范围，无法满足');
  }

  if (p.scaleMask !== 0) {
    const ok = (p.scaleMask & facts.scaleBit) !== 0;
    const allowed = listText(c.scales.map((s) => SCALE_LABELS[s]));
    const text = `企业规模 ${SCALE_LABELS[profile.scale]}，产品${ok ? '面向' : '仅面向'} ${allowed}`;
    if (w.check('scale', ok, text, false)) w.advise('企业规模不在产品服务范围，无法满足');
  }

  const statusLabel = ENTERPRISE_STATUS_LABELS[profile.status];
  if (w.check('status', facts.statusOk, `登记状态 ${statusLabel}`, facts.statusRemediable)) {
    w.advise(profile.status === 'abnormal' ? '移出经营异常名录后可申请' : `企业已${statusLabel}，无法申请`);
  }

  if (p.minMonths > 0) {
    const ok = facts.monthsEstablished >= p.minMonths;
    const minYears = String(c.minYearsEstablished);
    if (w.check('years', ok, `成立 ${yearsText(facts.monthsEstablished)} 年 ${ok ? '≥' : '<'} 要求 ${minYears} 年`, true)) {
      const month = shiftDate(profile.establishedOn, p.minMonths).slice(0, 7);
      w.advise(`成立满 ${minYears} 年后（${month}）可申请`, month);
    }
  }

  if (c.minRating) {
    const minimum = c.minRating;
    const ok = ratingOk(p.minRatingIndex, facts);
    const text = profile.rating === null ? `暂无评级，要求 ${minimum}` : `评级 ${profile.rating} ${ok ? '≥' : '<'} 要求 ${minimum}`;
    if (w.check('rating', ok, text, true)) {
      const projection = bestProjection(profile, minimum);
      w.advise(projection ? `${projection.action}后评级预计可达 ${projection.rating}` : `信用评级提升至 ${minimum} 及以上后可申请`);
    }
  }

  if (c.excludeBlacklisted && w.check('blacklist', !profile.blacklisted, profile.blacklisted ? '已列入黑名单' : '未列入黑名单', true)) {
    w.advise('完成信用修复、移出黑名单后可申请');
  }

  if (c.penaltyLimit) {
    const limit = c.penaltyLimit;
    const offending = offendingPenalty(p.penaltyMaxRank, p.penaltyMonths, facts);
    const allowed = PENALTY_SEVERITY_LABELS[limit.maxSeverity];
    const text = offending
      ? `近 ${limit.months} 个月有未修复的“${PENALTY_SEVERITY_LABELS[offending.severity]}”行政处罚（${offending.decidedOn}），产品仅接受“${allowed}”及以下`
      : `近 ${limit.months} 个月无高于“${allowed}”的未修复行政处罚`;
    if (w.check('penalty', offending === null, text, true) && offending) {
      const month = windowLeftOn(offending.decidedOn, limit.months).slice(0, 7);
      w.advise(`${month} 后（处罚满 ${limit.months} 个月）可申请，或完成信用修复`, month);
    }
  }

  if (c.noTaxArrears && w.check('taxArrears', !profile.taxArrears, profile.taxArrears ? '有欠税' : '无欠税', true)) w.advise('结清欠税后可申请');
  if (c.noSocialArrears && w.check('socialArrears', !profile.socialArrears, profile.socialArrears ? '有社保欠费' : '无社保欠费', true)) {
    w.advise('结清社保欠费后可申请');
  }
  if (c.noEnforcement && w.check('enforcement', !profile.enforcementActive, profile.enforcementActive ? '有未结被执行案件' : '无被执行案件', true)) {
    w.advise('执行案件结案后可申请');
  }

  const amountRange = rangeText(t.amountMinFen, t.amountMaxFen, formatFen);
  const over = need.amountFen > t.amountMaxFen;
  const aOk = inRange(need.amountFen, t.amountMinFen, t.amountMaxFen);
  const amountText = aOk ? `申请 ${formatFen(need.amountFen)}，在产品额度 ${amountRange}内` : `申请 ${formatFen(need.amountFen)}，${over ? '超出' : '低于'}产品额度 ${amountRange}`;
  if (w.check('amount', aOk, amountText, true)) {
    w.advise(over ? `申请金额调整至 ${formatFen(t.amountMaxFen)}以内可申请` : `申请金额调整至不低于 ${formatFen(t.amountMinFen)}可申请`);
  }

  const termRange = `${rangeText(t.termMinMonths, t.termMaxMonths, String)} 个月`;
  const tOk = inRange(need.termMonths, t.termMinMonths, t.termMaxMonths);
  if (w.check('term', tOk, `期限 ${need.termMonths} 个月，${tOk ? '在' : '不在'}产品期限 ${termRange}内`, true)) w.advise(`融资期限调整至 ${termRange}可申请`);

  const gOk = (p.guaranteeMask & n.guaranteeMask) !== 0;
  const guaranteeText = gOk
    ? `担保方式 ${methodsText(t.guaranteeMethods.filter((m) => need.guaranteeMethods.includes(m)))} 可接受`
    : `产品担保方式 ${methodsText(t.guaranteeMethods)} 不在可接受的 ${need.guaranteeMethods.length > 0 ? methodsText(need.guaranteeMethods) : '（未选择）'} 中`;
  if (w.check('guarantee', gOk, guaranteeText, true)) w.advise(`可接受${methodsText(t.guaranteeMethods, '或')}担保时可申请`);

  if (need.maxRateBp !== null) {
    const ok = rateOk(t.rateMinBp, need);
    const text = `最低年利率 ${formatRateBp(t.rateMinBp)} ${ok ? '≤' : '>'} 可接受 ${formatRateBp(need.maxRateBp)}`;
    if (w.check('rate', ok, text, true)) w.advise(`可接受年利率 ${formatRateBp(t.rateMinBp)} 时可申请`);
  }
  return w;
}

function outcomeOf(product: TMatchProduct, p: TPreparedProduct, facts: TProfileFacts, n: TNeedFacts): TMatchOutcome {
  const { checks, failed, advice } = writeChecks(p, facts, n);
  const parts = scoreParts(p, product, n);
  return {
    productId: product.productId,
    revisionId: product.revisionId,
    fits: failed.length === 0,
    score: weigh(parts.rate, parts.amount, parts.turnaround, parts.approval, parts.policy),
    scoreParts: parts,
    checks,
    failed,
    advice,
  };
}

/**
 * The best `capacity` of a stream of product positions, kept sorted: thousands of near misses reach matchNeed and
 * twenty are returned, so sorting them all would cost more than finding them.
 */
class TopK {
  readonly items: number[] = [];

  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  /** The worst entry kept (only when there is one). */
  get last(): number {
    return this.items[this.items.length - 1]!;
  }

  constructor(
    private readonly capacity: number,
    private readonly compare: (a: number, b: number) => number,
  ) {}

  offer(candidate: number): void {
    const items = this.items;
    if (items.length >= this.capacity && (this.capacity === 0 || this.compare(candidate, items[items.length - 1]!) >= 0)) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(items[mid]!, candidate) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, candidate);
    if (items.length > this.capacity) items.pop();
  }
}

/** Whether an outcome is a near miss: 1..NEAR_MISS_MAX_FAILED failed checks, every one remediable. */
export function isNearMiss(outcome: TMatchOutcome): boolean {
  const failedChecks = outcome.checks.filter((c) => !c.ok);
  return failedChecks.length >= 1 && failedChecks.length <= NEAR_MISS_MAX_FAILED && failedChecks.every((c) => c.remediable);
}

/** One product against one firm and need, with every check written out. */
export function evaluateProduct(profile: TMatchProfile, need: TMatchNeed, product: TMatchProduct, options: TMatchOptions): TMatchOutcome {
  return outcomeOf(product, prepare(product), profileFacts(profile, options.asOf), needFacts(need, options));
}

/**
 * Per-product scores and failure counts of the running call, reused across calls (matchNeed is synchronous) so that
 * a call over 10k products does not leave ~90 kB of garbage behind.
 */
let scratch = { scores: new Float64Array(0), failures: new Uint8Array(0) };

function scratchFor(size: number): typeof scratch {
  if (scratch.scores.length < size) scratch = { scores: new Float64Array(size), failures: new Uint8Array(size) };
  return scratch;
}

/** One need against many products: the fits, best first, and the near misses. */
export function matchNeed(profile: TMatchProfile, need: TMatchNeed, products: readonly TMatchProduct[], options: TMatchOptions): TMatchResult {
  const facts = profileFacts(profile, options.asOf);
  const n = needFacts(need, options);
  const x = productIndex(products);
  const maxMatches = Math.max(0, options.maxMatches ?? DEFAULT_MAX_MATCHES);
  const maxNearMisses = Math.max(0, options.maxNearMisses ?? DEFAULT_MAX_NEAR_MISSES);
  const { scores, failures } = scratchFor(products.length);
  const fits = new TopK(maxMatches, (a, b) => scores[b]! - scores[a]! || x.rateMinBp[a]! - x.rateMinBp[b]! || x.idRank[a]! - x.idRank[b]!);
  const near = new TopK(maxNearMisses, (a, b) => failures[a]! - failures[b]! || scores[b]! - scores[a]! || x.idRank[a]! - x.idRank[b]!);
  const fitCount = scan(x, facts, n, fits, near, scores, failures);
  const build = (i: number) => outcomeOf(x.products[i]!, x.prepared[i]!, facts, n);
  return {
    matches: fits.items.map(build),
    nearMisses: near.items.map(build),
    evaluated: products.length,
    fitCount,
  };
}

/** A short Chinese summary for UIs: "符合全部 9 项条件" / "差 1 项：成立年限", then the checks' and the advice's lines. */
export function explainOutcome(outcome: TMatchOutcome): TMatchExplanation {
  const headline = outcome.fits
    ? `符合全部 ${outcome.checks.length} 项条件`
    : `差 ${outcome.failed.length} 项：${outcome.failed.map((c) => MATCH_CRITERION_LABELS[c]).join('、')}`;
  return { headline, lines: [...outcome.checks.map((c) => c.text), ...outcome.advice.map((a) => a.text)] };
}
