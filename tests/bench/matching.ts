/**
 * The matcher part of `npm run bench` (`BENCH_ONLY=matching` runs it alone), in process, no database:
 * - `match 10k products`: BENCH_MATCH_PRODUCTS (default 10,000) published products from a seeded generator, matched
 *   against BENCH_MATCH_NEEDS (default 250) firms and their needs, every matchNeed call timed; p50 and p99 ms. The
 *   baseline is the same loop doing only the amount-range filter over the same products, so the ratio is the cost
 *   of full matching over the cheapest possible pass. Products are reused across calls, as the server's cache does.
 * - `re-match 100k needs`: one edited product (a new object, as a new revision is) evaluated with evaluateProduct
 *   against BENCH_REMATCH_NEEDS (default 100,000) open needs and their firms' profiles, needs/s. The baseline builds
 *   the same number of outcome-shaped plain objects (the same checks, with fixed texts) without evaluating anything:
 *   the allocation every outcome costs in any case, so the ratio shows what the rules and texts add.
 */
import {
  CREDIT_RATINGS,
  GUARANTEE_METHODS,
  evaluateProduct,
  matchNeed,
  type TCreditRating,
  type TGuaranteeMethod,
  type TMatchNeed,
  type TMatchOutcome,
  type TMatchProduct,
  type TMatchProfile,
  type TProductTerms,
} from '@xyd/shared';
import type { IngestFigure } from './ingest';

const AS_OF = '2026-07-01';

/** mulberry32: a small seeded generator, so every run matches the same world. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const chance = (r: Rand, p: number) => r() < p;
const some = <T>(r: Rand, items: readonly T[], max: number): T[] => {
  const n = 1 + Math.floor(r() * max);
  return [...new Set(Array.from({ length: n }, () => pick(r, items)))];
};
const WAN = 10_000_00;

const PRODUCT_REGIONS = ['330000', '330100', '330200', '330300', '330106', '310000', '320000', '320100', '440000', '440300', '510000'];
const FIRM_REGIONS = ['330106', '330102', '330108', '330203', '330212', '330302', '310101', '310115', '320102', '320506', '440305', '510104'];
const INCLUDED = ['C', 'F', 'I', 'M', 'C34', 'C35', 'C39', 'A', 'E', 'G'];
const EXCLUDED = ['K', 'C25', 'B', 'C31', 'J66'];
const FIRM_INDUSTRIES = ['C3484', 'C3511', 'C3921', 'C2511', 'C3130', 'F5123', 'F5261', 'I6513', 'M7320', 'A0111', 'E4710', 'G5411', 'K7010'];
const ACTIONS = ['结清欠税', '结清社保欠费', '补缴水电费', '完成信用修复'];

function randomTerms(r: Rand, i: number): TProductTerms {
  const type = pick(r, ['credit', 'credit', 'mortgage', 'guarantee', 'policy', 'supply_chain', 'ip_pledge'] as const);
  const guaranteeMethods: TGuaranteeMethod[] =
    type === 'credit' ? ['credit'] : type === 'mortgage' ? ['mortgage'] : type === 'guarantee' ? ['guarantee'] : some(r, GUARANTEE_METHODS, 2);
  const amountMin = pick(r, [1, 10, 30, 50, 100, 200]);
  const amountMax = amountMin * pick(r, [5, 10, 20, 30, 50]);
  const termMin = pick(r, [1, 3, 6, 12]);
  const rateMin = 300 + Math.floor(r() * 450);
  return {
    name: `基准产品 ${i}`,
    type,
    summary: '',
    amountMinFen: amountMin * WAN,
    amountMaxFen: amountMax * WAN,
    termMinMonths: termMin,
    termMaxMonths: termMin * pick(r, [2, 3, 4, 6, 12]),
    rateMinBp: rateMin,
    rateMaxBp: rateMin + 50 + Math.floor(r() * 400),
    guaranteeMethods,
    repaymentMethods: ['interest_first'],
    criteria: {
      regionCodes: chance(r, 0.45) ? [] : some(r, PRODUCT_REGIONS, 3),
      industriesIncluded: chance(r, 0.7) ? [] : some(r, INCLUDED, 3),
      industriesExcluded: chance(r, 0.7) ? [] : some(r, EXCLUDED, 2),
      scales: chance(r, 0.5) ? [] : some(r, ['micro', 'small', 'medium'] as const, 2),
      minYearsEstablished: pick(r, [null, null, 1, 2, 3, 5]),
      minRating: pick(r, [null, null, 'BB', 'BBB', 'BBB', 'A'] as const),
      penaltyLimit: chance(r, 0.6) ? { maxSeverity: pick(r, ['minor', 'general'] as const), months: pick(r, [12, 24, 36]) } : null,
      excludeBlacklisted: chance(r, 0.9),
      noTaxArrears: chance(r, 0.4),
      noSocialArrears: chance(r, 0.3),
      noEnforcement: chance(r, 0.4),
    },
    requiredDocuments: [],
    turnaroundDays: 1 + Math.floor(r() * 20),
    policySupport: type === 'policy' || chance(r, 0.2),
  };
}

export function benchProducts(count: number, seed = 2027): TMatchProduct[] {
  const r = prng(seed);
  return Array.from({ length: count }, (_, i) => ({
    productId: String(7_000_000_000 + i),
    revisionId: String(8_000_000_000 + i),
    institutionId: String(100 + Math.floor(r() * 60)),
    terms: randomTerms(r, i),
  }));
}

function randomProfile(r: Rand, i: number): TMatchProfile {
  const daysBack = 200 + Math.floor(r() * 5000);
  const established = new Date(Date.parse(`${AS_OF}T00:00:00Z`) - daysBack * 86_400_000).toISOString().slice(0, 10);
  const rating: TCreditRating | null = chance(r, 0.1) ? null : pick(r, CREDIT_RATINGS.slice(0, 7));
  return {
    enterpriseId: String(9_000_000 + i),
    regionCode: pick(r, FIRM_REGIONS),
    industryCode: pick(r, FIRM_INDUSTRIES),
    scale: pick(r, ['micro', 'micro', 'small', 'small', 'medium'] as const),
    establishedOn: established,
    status: chance(r, 0.95) ? 'active' : 'abnormal',
    rating,
    score: rating ? 500 + Math.floor(r() * 300) : null,
    blacklisted: chance(r, 0.03),
    penalties: Array.from({ length: Math.floor(r() * 3) }, () => ({
      severity: pick(r, ['minor', 'general', 'serious'] as const),
      decidedOn: new Date(Date.parse(`${AS_OF}T00:00:00Z`) - Math.floor(r() * 1500) * 86_400_000).toISOString().slice(0, 10),
      repaired: chance(r, 0.3),
    })),
    taxArrears: chance(r, 0.08),
    socialArrears: chance(r, 0.1),
    enforcementActive: chance(r, 0.05),
    projections: chance(r, 0.5) ? [{ action: pick(r, ACTIONS), rating: pick(r, CREDIT_RATINGS.slice(0, 4)) }] : [],
  };
}

function randomNeed(r: Rand): TMatchNeed {
  return {
    amountFen: pick(r, [20, 50, 80, 100, 150, 200, 300, 500, 800, 1000]) * WAN,
    termMonths: pick(r, [6, 12, 12, 24, 36]),
    guaranteeMethods: some(r, GUARANTEE_METHODS, 3),
    maxRateBp: chance(r, 0.3) ? null : 400 + Math.floor(r() * 400),
  };
}

export function benchFirms(count: number, seed = 4242): Array<{ profile: TMatchProfile; need: TMatchNeed }> {
  const r = prng(seed);
  return Array.from({ length: count }, (_, i) => ({ profile: randomProfile(r, i), need: randomNeed(r) }));
}

function percentiles(latenciesMs: Float64Array): { p50: number; p99: number } {
  const sorted = Float64Array.from(latenciesMs).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Times `op` for each item, `rounds` times over, after one warm-up round. */
function timeEach<T>(items: readonly T[], rounds: number, op: (item: T) => number): { latencies: Float64Array; perSecond: number; sink: number } {
  let sink = 0;
  for (const item of items) sink += op(item);
  const latencies = new Float64Array(items.length * rounds);
  const started = process.hrtime.bigint();
  let k = 0;
  for (let round = 0; round < rounds; round++) {
    for (const item of items) {
      const t0 = process.hrtime.bigint();
      sink += op(item);
      latencies[k++] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  }
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  return { latencies, perSecond: (items.length * rounds) / elapsedS, sink };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

function benchMatch10k(): IngestFigure {
  const productCount = Number(process.env.BENCH_MATCH_PRODUCTS ?? 10_000);
  const firms = benchFirms(Number(process.env.BENCH_MATCH_NEEDS ?? 250));
  const products = benchProducts(productCount);
  const rounds = Number(process.env.BENCH_MATCH_ROUNDS ?? 4);
  const options = { asOf: AS_OF, institutionRecords: new Map([['101', { turnaround: 0.8, approval: 0.6 }]]) };
  let fits = 0;
  let nearMisses = 0;
  const full = timeEach(firms, rounds, ({ profile, need }) => {
    const result = matchNeed(profile, need, products, options);
    fits += result.fitCount;
    nearMisses += result.nearMisses.length;
    return result.matches.length;
  });
  // The cheapest honest pass over the same products: the amount range alone.
  const amountOnly = timeEach(firms, rounds, ({ need }) => {
    let kept = 0;
    for (const p of products) if (need.amountFen >= p.terms.amountMinFen && need.amountFen <= p.terms.amountMaxFen) kept++;
    return kept;
  });
  if (full.sink < 0 || amountOnly.sink < 0) throw new Error('unreachable');
  const f = percentiles(full.latencies);
  const b = percentiles(amountOnly.latencies);
  const calls = firms.length * (rounds + 1);
  return {
    value: Math.round(full.perSecond),
    unit: 'needs/s',
    baseline: Math.round(amountOnly.perSecond),
    baselineName: 'amount-range filter over the same products',
    ratio: round(full.perSecond / amountOnly.perSecond, 3),
    p50: round(f.p50, 3),
    p99: round(f.p99, 3),
    baselineP50: round(b.p50, 3),
    baselineP99: round(b.p99, 3),
    products: productCount,
    needs: firms.length,
    calls: firms.length * rounds,
    meanFits: Math.round(fits / calls),
    meanNearMisses: round(nearMisses / calls, 1),
  };
}

function benchRematch(): IngestFigure {
  const count = Number(process.env.BENCH_REMATCH_NEEDS ?? 100_000);
  const firms = benchFirms(count, 777);
  const [original] = benchProducts(1, 99);
  // An edit makes a new revision, a new object: nothing of the old one's preparation carries over.
  const edited: TMatchProduct = {
    ...original!,
    revisionId: `${original!.revisionId}-2`,
    terms: { ...original!.terms, amountMaxFen: original!.terms.amountMaxFen * 2, criteria: { ...original!.terms.criteria, minRating: 'BBB', regionCodes: [] } },
  };
  const options = { asOf: AS_OF };
  let fits = 0;
  const t0 = process.hrtime.bigint();
  for (const { profile, need } of firms) if (evaluateProduct(profile, need, edited, options).fits) fits++;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  // Baseline: the same number of outcomes of the same shape, with fixed texts and no rules.
  const sample = evaluateProduct(firms[0]!.profile, firms[0]!.need, edited, options);
  const b0 = process.hrtime.bigint();
  let built = 0;
  for (let i = 0; i < firms.length; i++) {
    const outcome: TMatchOutcome = {
      productId: edited.productId,
      revisionId: edited.revisionId,
      fits: true,
      score: 50,
      scoreParts: { rate: 0.5, amount: 1, turnaround: 0.5, approval: 0.5, policy: 0 },
      checks: sample.checks.map((c) => ({ criterion: c.criterion, ok: true, text: c.text, remediable: c.remediable })),
      failed: [],
      advice: [],
    };
    built += outcome.checks.length;
  }
  const baselineSeconds = Number(process.hrtime.bigint() - b0) / 1e9;
  if (built < 0) throw new Error('unreachable');
  const perSecond = count / seconds;
  const baseline = count / baselineSeconds;
  return {
    value: Math.round(perSecond),
    unit: 'needs/s',
    baseline: Math.round(baseline),
    baselineName: 'building the same outcome-shaped objects, no rules',
    ratio: round(perSecond / baseline, 3),
    needs: count,
    checksPerOutcome: sample.checks.length,
    fits,
  };
}

export function benchMatching(): Record<string, IngestFigure> {
  return { 'match 10k products': benchMatch10k(), 're-match 100k needs': benchRematch() };
}

export function matchingTable(figures: Record<string, IngestFigure>): string[] {
  const lines = ['\n| matcher | value | p50 ms | p99 ms | baseline | baseline value | baseline p50/p99 ms | ratio |', '|---|---|---|---|---|---|---|---|'];
  for (const [name, f] of Object.entries(figures)) {
    const baselineLatency = f.baselineP50 === undefined ? '' : `${f.baselineP50} / ${f.baselineP99}`;
    lines.push(`| ${name} | ${f.value} ${f.unit} | ${f.p50 ?? ''} | ${f.p99 ?? ''} | ${f.baselineName} | ${f.baseline} ${f.unit} | ${baselineLatency} | ${f.ratio} |`);
  }
  return lines;
}
