import fc from 'fast-check';
import {
  CREDIT_RATINGS,
  ENTERPRISE_SCALES,
  ENTERPRISE_STATUSES,
  GUARANTEE_METHODS,
  MATCH_CRITERIA,
  PENALTY_SEVERITIES,
  PRODUCT_TYPES,
  REPAYMENT_METHODS,
  evaluateProduct,
  matchNeed,
  type TInstitutionRecord,
  type TMatchCriterion,
  type TMatchNeed,
  type TMatchOutcome,
  type TMatchProduct,
  type TMatchProfile,
  type TProductTerms,
} from '@xyd/shared';

/**
 * Properties of the matcher against a reference written here from the rules, plainly: one product at a time, every
 * criterion recomputed with its own date arithmetic (no shiftDate, no regionContains, no prepared products).
 */

const AS_OF = '2026-07-01';
const RUNS = 300;

// ---- A plain reference ----

function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The date `months` calendar months on, a missing day becoming the month's last. */
function refAddMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return isoDate(first.getUTCFullYear(), first.getUTCMonth() + 1, Math.min(d, lastDay));
}

function refAddDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 330000 covers 33xxxx, 330100 covers 3301xx, a district only itself. */
function refRegionCovers(outer: string, inner: string): boolean {
  if (outer.endsWith('0000')) return inner.slice(0, 2) === outer.slice(0, 2);
  if (outer.endsWith('00')) return inner.slice(0, 4) === outer.slice(0, 4);
  return inner === outer;
}

interface TRefCheck {
  criterion: TMatchCriterion;
  ok: boolean;
  remediable: boolean;
}

function referenceChecks(profile: TMatchProfile, need: TMatchNeed, terms: TProductTerms, asOf: string): TRefCheck[] {
  const c = terms.criteria;
  const out: TRefCheck[] = [];
  if (c.regionCodes.length > 0) {
    out.push({ criterion: 'region', ok: c.regionCodes.some((r) => refRegionCovers(r, profile.regionCode)), remediable: false });
  }
  if (c.industriesIncluded.length > 0 || c.industriesExcluded.length > 0) {
    const included = c.industriesIncluded.length === 0 || c.industriesIncluded.some((code) => profile.industryCode.startsWith(code));
    const excluded = c.industriesExcluded.some((code) => profile.industryCode.startsWith(code));
    out.push({ criterion: 'industry', ok: included && !excluded, remediable: false });
  }
  if (c.scales.length > 0) out.push({ criterion: 'scale', ok: c.scales.includes(profile.scale), remediable: false });
  out.push({ criterion: 'status', ok: profile.status === 'active', remediable: profile.status !== 'revoked' && profile.status !== 'cancelled' });
  if (c.minYearsEstablished) {
    const qualifiesOn = refAddMonths(profile.establishedOn, Math.round(c.minYearsEstablished * 12));
    out.push({ criterion: 'years', ok: qualifiesOn <= asOf, remediable: true });
  }
  if (c.minRating) {
    const ok = profile.rating !== null && CREDIT_RATINGS.indexOf(profile.rating) <= CREDIT_RATINGS.indexOf(c.minRating);
    out.push({ criterion: 'rating', ok, remediable: true });
  }
  if (c.excludeBlacklisted) out.push({ criterion: 'blacklist', ok: !profile.blacklisted, remediable: true });
  if (c.penaltyLimit) {
    const limit = c.penaltyLimit;
    const start = refAddMonths(asOf, -limit.months);
    const offending = profile.penalties.some(
      (p) => !p.repaired && PENALTY_SEVERITIES.indexOf(p.severity) > PENALTY_SEVERITIES.indexOf(limit.maxSeverity) && p.decidedOn > start,
    );
    out.push({ criterion: 'penalty', ok: !offending, remediable: true });
  }
  if (c.noTaxArrears) out.push({ criterion: 'taxArrears', ok: !profile.taxArrears, remediable: true });
  if (c.noSocialArrears) out.push({ criterion: 'socialArrears', ok: !profile.socialArrears, remediable: true });
  if (c.noEnforcement) out.push({ criterion: 'enforcement', ok: !profile.enforcementActive, remediable: true });
  out.push({ criterion: 'amount', ok: terms.amountMinFen <= need.amountFen && need.amountFen <= terms.amountMaxFen, remediable: true });
  out.push({ criterion: 'term', ok: terms.termMinMonths <= need.termMonths && need.termMonths <= terms.termMaxMonths, remediable: true });
  out.push({ criterion: 'guarantee', ok: terms.guaranteeMethods.some((m) => need.guaranteeMethods.includes(m)), remediable: true });
  if (need.maxRateBp !== null) out.push({ criterion: 'rate', ok: terms.rateMinBp <= need.maxRateBp, remediable: true });
  return out;
}

function referenceVerdict(checks: TRefCheck[]): 'fit' | 'near' | 'none' {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return 'fit';
  return failed.length <= 2 && failed.every((c) => c.remediable) ? 'near' : 'none';
}

// ---- Arbitraries ----

const FIRM_REGIONS = ['330106', '330102', '330203', '310101', '320102'];
const PRODUCT_REGIONS = ['330000', '330100', '330106', '330200', '310000', '310101', '320000', '320100'];
const FIRM_INDUSTRIES = ['C3484', 'C3481', 'C3511', 'F5123', 'I6513', 'A0111'];
const PRODUCT_INDUSTRIES = ['C', 'C34', 'C348', 'C3484', 'C35', 'F', 'F51', 'I', 'I65', 'A01'];

/** A date: any day in the last ~16 years, or a day either side of a whole number of months back (the boundaries). */
const dateBack = fc.oneof(
  fc.integer({ min: 0, max: 6000 }).map((days) => refAddDays(AS_OF, -days)),
  fc.tuple(fc.constantFrom(6, 12, 18, 24, 36, 60), fc.integer({ min: -1, max: 1 })).map(([months, delta]) => refAddDays(refAddMonths(AS_OF, -months), delta)),
);

const profileArb: fc.Arbitrary<TMatchProfile> = fc.record({
  enterpriseId: fc.constant('1'),
  regionCode: fc.constantFrom(...FIRM_REGIONS),
  industryCode: fc.constantFrom(...FIRM_INDUSTRIES),
  scale: fc.constantFrom(...ENTERPRISE_SCALES),
  establishedOn: dateBack,
  status: fc.oneof({ arbitrary: fc.constant('active' as const), weight: 6 }, { arbitrary: fc.constantFrom(...ENTERPRISE_STATUSES), weight: 1 }),
  rating: fc.option(fc.constantFrom(...CREDIT_RATINGS), { freq: 8 }),
  score: fc.option(fc.integer({ min: 300, max: 900 })),
  blacklisted: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  penalties: fc.array(fc.record({ severity: fc.constantFrom(...PENALTY_SEVERITIES), decidedOn: dateBack, repaired: fc.boolean() }), { maxLength: 4 }),
  taxArrears: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  socialArrears: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  enforcementActive: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  projections: fc.array(fc.record({ action: fc.constantFrom('结清欠税', '结清社保欠费', '补缴水电费'), rating: fc.constantFrom(...CREDIT_RATINGS) }), { maxLength: 3 }),
});

const needArb: fc.Arbitrary<TMatchNeed> = fc.record({
  amountFen: fc.integer({ min: 10, max: 5000 }).map((wan) => wan * 10_000_00),
  termMonths: fc.integer({ min: 1, max: 72 }),
  guaranteeMethods: fc.subarray([...GUARANTEE_METHODS], { minLength: 1 }),
  maxRateBp: fc.option(fc.integer({ min: 250, max: 1200 }), { freq: 3 }),
});

const sortedPair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
const sometimes = <T>(arb: fc.Arbitrary<T[]>) => fc.oneof({ arbitrary: fc.constant([] as T[]), weight: 2 }, { arbitrary: arb, weight: 1 });
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 });

/**
 * A range of whole units: three times in four around `wanted` (boundaries included), else anywhere, so that products
 * fit often enough for the properties to say something.
 */
function rangeAround(wanted: number, min: number, max: number) {
  return fc.oneof(
    { arbitrary: fc.tuple(fc.integer({ min, max: wanted }), fc.integer({ min: wanted, max })), weight: 3 },
    { arbitrary: sortedPair(min, max), weight: 1 },
  );
}

function termsArb(need: TMatchNeed): fc.Arbitrary<TProductTerms> {
  const wan = need.amountFen / 10_000_00;
  return fc
    .record({
      type: fc.constantFrom(...PRODUCT_TYPES),
      amount: rangeAround(wan, 10, 6000),
      term: rangeAround(need.termMonths, 1, 72),
      rate: need.maxRateBp === null ? sortedPair(250, 1200) : rangeAround(need.maxRateBp, 250, 1200).map(([a, b]) => [Math.min(a, need.maxRateBp!), b] as const),
      guaranteeMethods: fc.oneof(
        { arbitrary: fc.subarray([...GUARANTEE_METHODS], { minLength: 1 }), weight: 1 },
        { arbitrary: fc.subarray([...GUARANTEE_METHODS]).map((methods) => [...new Set([need.guaranteeMethods[0]!, ...methods])]), weight: 3 },
      ),
      regionCodes: sometimes(fc.subarray(PRODUCT_REGIONS, { minLength: 1, maxLength: 3 })),
      industriesIncluded: sometimes(fc.subarray(PRODUCT_INDUSTRIES, { minLength: 1, maxLength: 3 })),
      industriesExcluded: sometimes(fc.subarray(PRODUCT_INDUSTRIES, { minLength: 1, maxLength: 2 })),
      scales: sometimes(fc.subarray([...ENTERPRISE_SCALES], { minLength: 1 })),
      minYearsEstablished: fc.option(fc.constantFrom(0, 0.5, 1, 1.5, 2, 3, 5)),
      minRating: fc.option(fc.constantFrom(...CREDIT_RATINGS)),
      penaltyLimit: fc.option(fc.record({ maxSeverity: fc.constantFrom(...PENALTY_SEVERITIES), months: fc.constantFrom(1, 6, 12, 18, 24, 36, 60) })),
      excludeBlacklisted: fc.boolean(),
      noTaxArrears: rarely,
      noSocialArrears: rarely,
      noEnforcement: rarely,
      turnaroundDays: fc.integer({ min: 1, max: 60 }),
      policySupport: fc.boolean(),
    })
    .map((r) => ({
      name: '测试产品',
      type: r.type,
      summary: '',
      amountMinFen: r.amount[0] * 10_000_00,
      amountMaxFen: r.amount[1] * 10_000_00,
      termMinMonths: r.term[0],
      termMaxMonths: r.term[1],
      rateMinBp: r.rate[0],
      rateMaxBp: r.rate[1],
      guaranteeMethods: r.guaranteeMethods,
      repaymentMethods: [REPAYMENT_METHODS[0]],
      criteria: {
        regionCodes: r.regionCodes,
        industriesIncluded: r.industriesIncluded,
        industriesExcluded: r.industriesExcluded,
        scales: r.scales,
        minYearsEstablished: r.minYearsEstablished,
        minRating: r.minRating,
        penaltyLimit: r.penaltyLimit,
        excludeBlacklisted: r.excludeBlacklisted,
        noTaxArrears: r.noTaxArrears,
        noSocialArrears: r.noSocialArrears,
        noEnforcement: r.noEnforcement,
      },
      requiredDocuments: [],
      turnaroundDays: r.turnaroundDays,
      policySupport: r.policySupport,
    }));
}

function productsArb(need: TMatchNeed): fc.Arbitrary<TMatchProduct[]> {
  return fc
    .array(fc.tuple(termsArb(need), fc.constantFrom('1', '2', '3')), { minLength: 1, maxLength: 30 })
    .map((list) => list.map(([terms, institutionId], i) => ({ productId: String(1000 + i), revisionId: String(5000 + i), institutionId, terms })));
}

const recordsArb = fc.option(
  fc.dictionary(fc.constantFrom('1', '2', '3'), fc.record({ turnaround: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), approval: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }) })),
  { nil: undefined },
);

const worldArb: fc.Arbitrary<TWorld> = needArb.chain((need) =>
  fc.record({ profile: profileArb, need: fc.constant(need), products: productsArb(need), records: recordsArb }),
);

interface TWorld {
  profile: TMatchProfile;
  need: TMatchNeed;
  products: TMatchProduct[];
  records: Record<string, TInstitutionRecord> | undefined;
}

function run(world: TWorld) {
  const institutionRecords = world.records ? new Map(Object.entries(world.records)) : undefined;
  const options = { asOf: AS_OF, institutionRecords, maxMatches: world.products.length, maxNearMisses: world.products.length };
  return { options, result: matchNeed(world.profile, world.need, world.products, options) };
}

const termsOf = (products: TMatchProduct[], outcome: TMatchOutcome) => products.find((p) => p.productId === outcome.productId)!.terms;

// Counted across runs, so that a generator that never produced a fit or a near miss fails the suite instead of passing.
const seen = { fits: 0, nearMisses: 0, neither: 0 };

describe('matcher properties', () => {
  it('(1) every match passes every hard criterion of the reference', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { result } = run(world);
        for (const m of result.matches) {
          const checks = referenceChecks(world.profile, world.need, termsOf(world.products, m), AS_OF);
          expect(checks.filter((c) => !c.ok).map((c) => c.criterion)).toEqual([]);
          expect(m.fits).toBe(true);
          expect(m.failed).toEqual([]);
          expect(m.advice).toEqual([]);
        }
        seen.fits += result.matches.length;
      }),
      { numRuns: RUNS },
    );
    expect(seen.fits).toBeGreaterThan(RUNS / 10);
  });

  it('(2) every near miss fails exactly the criteria it names, 1–2 of them, all remediable, with advice for each', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { result } = run(world);
        for (const m of result.nearMisses) {
          const failed = referenceChecks(world.profile, world.need, termsOf(world.products, m), AS_OF).filter((c) => !c.ok);
          expect(m.failed).toEqual(failed.map((c) => c.criterion));
          expect(failed.length).toBeGreaterThanOrEqual(1);
          expect(failed.length).toBeLessThanOrEqual(2);
          expect(failed.every((c) => c.remediable)).toBe(true);
          expect(m.advice.map((a) => a.criterion)).toEqual(m.failed);
          expect(m.fits).toBe(false);
          // Failed criteria appear in MATCH_CRITERIA order.
          expect([...m.failed].sort((a, b) => MATCH_CRITERIA.indexOf(a) - MATCH_CRITERIA.indexOf(b))).toEqual(m.failed);
        }
        seen.nearMisses += result.nearMisses.length;
      }),
      { numRuns: RUNS },
    );
    expect(seen.nearMisses).toBeGreaterThan(RUNS / 10);
  });

  it('(3) no product the reference fits (or near-misses) is missing when the limits cover every product', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { result } = run(world);
        const verdicts = world.products.map((p) => [p.productId, referenceVerdict(referenceChecks(world.profile, world.need, p.terms, AS_OF))] as const);
        const ids = (v: string) => verdicts.filter(([, x]) => x === v).map(([id]) => id).sort();
        expect(result.matches.map((m) => m.productId).sort()).toEqual(ids('fit'));
        expect(result.nearMisses.map((m) => m.productId).sort()).toEqual(ids('near'));
        expect(result.fitCount).toBe(ids('fit').length);
        expect(result.evaluated).toBe(world.products.length);
        seen.neither += ids('none').length;
      }),
      { numRuns: RUNS },
    );
    expect(seen.neither).toBeGreaterThan(RUNS / 10);
  });

  it('(4) scores are integers in 0..100, and matches come best first', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { options, result } = run(world);
        const outcomes = [...result.matches, ...result.nearMisses, ...world.products.map((p) => evaluateProduct(world.profile, world.need, p, options))];
        for (const o of outcomes) {
          expect(Number.isInteger(o.score)).toBe(true);
          expect(o.score).toBeGreaterThanOrEqual(0);
          expect(o.score).toBeLessThanOrEqual(100);
          for (const part of Object.values(o.scoreParts)) {
            expect(part).toBeGreaterThanOrEqual(0);
            expect(part).toBeLessThanOrEqual(1);
          }
        }
        for (let i = 1; i < result.matches.length; i++) expect(result.matches[i - 1]!.score).toBeGreaterThanOrEqual(result.matches[i]!.score);
        for (let i = 1; i < result.nearMisses.length; i++) expect(result.nearMisses[i - 1]!.failed.length).toBeLessThanOrEqual(result.nearMisses[i]!.failed.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('evaluateProduct writes one check per criterion the reference sets, with the same verdicts and remediability', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        for (const p of world.products) {
          const outcome = evaluateProduct(world.profile, world.need, p, { asOf: AS_OF });
          const reference = referenceChecks(world.profile, world.need, p.terms, AS_OF);
          expect(outcome.checks.map(({ criterion, ok, remediable }) => ({ criterion, ok, remediable }))).toEqual(reference);
          expect(outcome.failed).toEqual(reference.filter((c) => !c.ok).map((c) => c.criterion));
          expect(outcome.advice.map((a) => a.criterion)).toEqual(outcome.failed);
          for (const c of outcome.checks) expect(c.text).toMatch(c.ok ? / ✓$/ : / ✗$/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
