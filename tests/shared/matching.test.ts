import {
  ZProductTerms,
  evaluateProduct,
  explainOutcome,
  matchNeed,
  type TMatchNeed,
  type TMatchOptions,
  type TMatchOutcome,
  type TMatchProduct,
  type TMatchProfile,
  type TProductCriteria,
  type TProductTerms,
} from '@xyd/shared';

const AS_OF = '2026-07-01';
const OPTIONS: TMatchOptions = { asOf: AS_OF };

/** A firm that meets every criterion any test product sets, unless a test says otherwise. */
function profile(overrides: Partial<TMatchProfile> = {}): TMatchProfile {
  return {
    enterpriseId: '100',
    regionCode: '330106',
    industryCode: 'C3484',
    scale: 'small',
    establishedOn: '2016-04-12',
    status: 'active',
    rating: 'A',
    score: 720,
    blacklisted: false,
    penalties: [],
    taxArrears: false,
    socialArrears: false,
    enforcementActive: false,
    projections: [],
    ...overrides,
  };
}

function need(overrides: Partial<TMatchNeed> = {}): TMatchNeed {
  return { amountFen: 200_0000_00, termMonths: 12, guaranteeMethods: ['credit'], maxRateBp: 600, ...overrides };
}

type TTermsInput = Partial<Omit<TProductTerms, 'criteria'>> & { criteria?: Partial<TProductCriteria> };

let nextId = 1;
/** A product through the real schema (defaults included: excludeBlacklisted is on unless turned off). */
function product(input: TTermsInput = {}, id = String(nextId++), institutionId = '9'): TMatchProduct {
  const terms = ZProductTerms.parse({
    name: '科创信用贷',
    type: 'credit',
    amountMinFen: 50_0000_00,
    amountMaxFen: 300_0000_00,
    termMinMonths: 6,
    termMaxMonths: 36,
    rateMinBp: 435,
    rateMaxBp: 600,
    guaranteeMethods: ['credit'],
    repaymentMethods: ['interest_first'],
    turnaroundDays: 5,
    ...input,
    criteria: { excludeBlacklisted: false, ...input.criteria },
  });
  return { productId: id, revisionId: `r${id}`, institutionId, terms };
}

function check(outcome: TMatchOutcome, criterion: string) {
  const found = outcome.checks.find((c) => c.criterion === criterion);
  if (!found) throw new Error(`no ${criterion} check in ${outcome.checks.map((c) => c.criterion).join(',')}`);
  return found;
}

function evaluate(p: TMatchProduct, firm = profile(), n = need(), options = OPTIONS): TMatchOutcome {
  return evaluateProduct(firm, n, p, options);
}

/** Where matchNeed puts one product: 'match', 'near' or 'none'. */
function placement(p: TMatchProduct, firm = profile(), n = need(), options = OPTIONS): 'match' | 'near' | 'none' {
  const result = matchNeed(firm, n, [p], options);
  if (result.matches.length) return 'match';
  return result.nearMisses.length ? 'near' : 'none';
}

describe('checks a product sets, and those always made', () => {
  it('makes only status, amount, term, guarantee and rate checks for a product without criteria', () => {
    const outcome = evaluate(product());
    expect(outcome.checks.map((c) => c.criterion)).toEqual(['status', 'amount', 'term', 'guarantee', 'rate']);
    expect(outcome.fits).toBe(true);
    expect(outcome.failed).toEqual([]);
    expect(outcome.advice).toEqual([]);
    for (const c of outcome.checks) expect(c.text).toMatch(/ ✓$/);
  });

  it('leaves out the rate check when the need names no ceiling', () => {
    expect(evaluate(product(), profile(), need({ maxRateBp: null })).checks.map((c) => c.criterion)).not.toContain('rate');
  });

  it('lists the checks in MATCH_CRITERIA order', () => {
    const outcome = evaluate(
      product({
        criteria: {
          regionCodes: ['330000'],
          industriesIncluded: ['C'],
          scales: ['small'],
          minYearsEstablished: 3,
          minRating: 'BBB',
          excludeBlacklisted: true,
          penaltyLimit: { maxSeverity: 'general', months: 24 },
          noTaxArrears: true,
          noSocialArrears: true,
          noEnforcement: true,
        },
      }),
    );
    expect(outcome.checks.map((c) => c.criterion)).toEqual([
      'region',
      'industry',
      'scale',
      'status',
      'years',
      'rating',
      'blacklist',
      'penalty',
      'taxArrears',
      'socialArrears',
      'enforcement',
      'amount',
      'term',
      'guarantee',
      'rate',
    ]);
    expect(outcome.fits).toBe(true);
  });
});

describe('region', () => {
  it('lets a province or a city cover its districts, and no other', () => {
    expect(check(evaluate(product({ criteria: { regionCodes: ['330000'] } })), 'region')).toMatchObject({ ok: true, text: '注册地 330106 在产品区域 330000 内 ✓' });
    expect(check(evaluate(product({ criteria: { regionCodes: ['330100'] } })), 'region').ok).toBe(true);
    expect(check(evaluate(product({ criteria: { regionCodes: ['330106'] } })), 'region').ok).toBe(true);
    expect(check(evaluate(product({ criteria: { regionCodes: ['310000', '330100'] } })), 'region').ok).toBe(true);
    const elsewhere = evaluate(product({ criteria: { regionCodes: ['330200', '310000'] } }));
    expect(check(elsewhere, 'region')).toEqual({ criterion: 'region', ok: false, remediable: false, text: '注册地 330106 不在产品区域（330200、310000）内 ✗' });
    expect(elsewhere.failed).toEqual(['region']);
    expect(elsewhere.advice).toEqual([{ criterion: 'region', text: '产品不面向企业注册地，无法满足', availableFrom: null }]);
  });

  it('does not let a district cover its city', () => {
    expect(check(evaluate(product({ criteria: { regionCodes: ['330106'] } }), profile({ regionCode: '330100' })), 'region').ok).toBe(false);
  });

  it('keeps a product for another region out of the near misses', () => {
    expect(placement(product({ criteria: { regionCodes: ['310000'] } }))).toBe('none');
  });
});

describe('industry', () => {
  it('lets a 门类 letter, a 大类 and a 中类 cover the firm’s 小类', () => {
    for (const code of ['C', 'C34', 'C348', 'C3484']) {
      expect(check(evaluate(product({ criteria: { industriesIncluded: [code] } })), 'industry')).toMatchObject({ ok: true, text: `行业 C3484 属于准入行业 ${code} ✓` });
    }
  });

  it('fails a firm outside every included code', () => {
    const outcome = evaluate(product({ criteria: { industriesIncluded: ['F', 'C35'] } }));
    expect(check(outcome, 'industry')).toEqual({ criterion: 'industry', ok: false, remediable: false, text: '行业 C3484 不在准入行业（F、C35）内 ✗' });
    expect(outcome.advice[0]!.text).toContain('无法满足');
  });

  it('lets an excluded division win over an included section, in one check', () => {
    const outcome = evaluate(product({ criteria: { industriesIncluded: ['C'], industriesExcluded: ['C34'] } }));
    expect(outcome.checks.filter((c) => c.criterion === 'industry')).toHaveLength(1);
    expect(check(outcome, 'industry')).toMatchObject({ ok: false, remediable: false, text: '行业 C3484 属于排除行业 C34 ✗' });
    expect(placement(product({ criteria: { industriesIncluded: ['C'], industriesExcluded: ['C34'] } }))).toBe('none');
  });

  it('passes a firm outside the excluded codes when nothing is included', () => {
    expect(check(evaluate(product({ criteria: { industriesExcluded: ['K', 'C35'] } })), 'industry')).toMatchObject({ ok: true, text: '行业 C3484 不在排除行业内 ✓' });
  });

  it('reads codes typed in lower case as the schema canonicalises them', () => {
    expect(check(evaluate(product({ criteria: { industriesIncluded: ['c34'] } })), 'industry').ok).toBe(true);
  });
});

describe('scale', () => {
  it('passes a listed scale and fails another, not remediably', () => {
    expect(check(evaluate(product({ criteria: { scales: ['micro', 'small'] } })), 'scale')).toMatchObject({ ok: true, text: '企业规模 小型，产品面向 微型、小型 ✓' });
    const outcome = evaluate(product({ criteria: { scales: ['micro'] } }), profile({ scale: 'medium' }));
    expect(check(outcome, 'scale')).toEqual({ criterion: 'scale', ok: false, remediable: false, text: '企业规模 中型，产品仅面向 微型 ✗' });
    expect(placement(product({ criteria: { scales: ['micro'] } }), profile({ scale: 'medium' }))).toBe('none');
  });
});

describe('status', () => {
  it('treats 经营异常 as remediable, a near miss with advice', () => {
    const p = product();
    const outcome = evaluate(p, profile({ status: 'abnormal' }));
    expect(check(outcome, 'status')).toEqual({ criterion: 'status', ok: false, remediable: true, text: '登记状态 经营异常 ✗' });
    expect(outcome.advice).toEqual([{ criterion: 'status', text: '移出经营异常名录后可申请', availableFrom: null }]);
    expect(placement(p, profile({ status: 'abnormal' }))).toBe('near');
  });

  it('treats a revoked or cancelled firm as unable to apply', () => {
    for (const status of ['revoked', 'cancelled'] as const) {
      const outcome = evaluate(product(), profile({ status }));
      expect(check(outcome, 'status')).toMatchObject({ ok: false, remediable: false });
      expect(outcome.advice[0]).toMatchObject({ criterion: 'status', availableFrom: null });
      expect(outcome.advice[0]!.text).toContain('无法申请');
      expect(placement(product(), profile({ status }))).toBe('none');
    }
  });
});

describe('years established', () => {
  const p = () => product({ criteria: { minYearsEstablished: 3 } });

  it('qualifies on the day three calendar years have passed, not the day before', () => {
    const firm = profile({ establishedOn: '2023-07-01' });
    expect(check(evaluate(p(), firm), 'years')).toEqual({ criterion: 'years', ok: true, remediable: true, text: '成立 3 年 ≥ 要求 3 年 ✓' });
    const dayBefore = evaluate(p(), firm, need(), { asOf: '2026-06-30' });
    expect(check(dayBefore, 'years')).toMatchObject({ ok: false, text: '成立 2.9 年 < 要求 3 年 ✗' });
    expect(dayBefore.advice).toEqual([{ criterion: 'years', text: '成立满 3 年后（2026-07）可申请', availableFrom: '2026-07' }]);
  });

  it('shows years floored to one decimal and names the month the firm qualifies', () => {
    const outcome = evaluate(p(), profile({ establishedOn: '2024-02-10' }));
    expect(check(outcome, 'years').text).toBe('成立 2.3 年 < 要求 3 年 ✗');
    expect(outcome.advice[0]).toEqual({ criterion: 'years', text: '成立满 3 年后（2027-02）可申请', availableFrom: '2027-02' });
    expect(placement(p(), profile({ establishedOn: '2024-02-10' }))).toBe('near');
  });

  it('counts a fractional minimum in whole months and clamps month ends', () => {
    const half = product({ criteria: { minYearsEstablished: 1.5 } });
    expect(check(evaluate(half, profile({ establishedOn: '2025-01-01' })), 'years').ok).toBe(true);
    expect(check(evaluate(half, profile({ establishedOn: '2025-01-02' })), 'years').ok).toBe(false);
    const leap = product({ criteria: { minYearsEstablished: 1 } });
    expect(check(evaluate(leap, profile({ establishedOn: '2024-02-29' }), need(), { asOf: '2025-02-28' }), 'years').ok).toBe(true);
    expect(check(evaluate(leap, profile({ establishedOn: '2024-02-29' }), need(), { asOf: '2025-02-27' }), 'years').ok).toBe(false);
  });

  it('sets no check for a zero-year minimum', () => {
    expect(evaluate(product({ criteria: { minYearsEstablished: 0 } })).checks.map((c) => c.criterion)).not.toContain('years');
  });
});

describe('rating', () => {
  const p = () => product({ criteria: { minRating: 'BBB' } });

  it('passes a better or equal rating', () => {
    expect(check(evaluate(p()), 'rating')).toEqual({ criterion: 'rating', ok: true, remediable: true, text: '评级 A ≥ 要求 BBB ✓' });
    expect(check(evaluate(p(), profile({ rating: 'BBB' })), 'rating').text).toBe('评级 BBB ≥ 要求 BBB ✓');
  });

  it('fails a worse rating and an unrated firm, advising to raise it', () => {
    const worse = evaluate(p(), profile({ rating: 'BB' }));
    expect(check(worse, 'rating')).toMatchObject({ ok: false, text: '评级 BB < 要求 BBB ✗' });
    expect(worse.advice).toEqual([{ criterion: 'rating', text: '信用评级提升至 BBB 及以上后可申请', availableFrom: null }]);
    const unrated = evaluate(p(), profile({ rating: null }));
    expect(check(unrated, 'rating')).toMatchObject({ ok: false, text: '暂无评级，要求 BBB ✗' });
    expect(placement(p(), profile({ rating: null }))).toBe('near');
  });

  it('advises the best projection that reaches the minimum', () => {
    const firm = profile({
      rating: 'BB',
      projections: [
        { action: '补缴水电欠费', rating: 'BB' },
        { action: '结清欠税', rating: 'BBB' },
        { action: '结清社保欠费', rating: 'A' },
      ],
    });
    expect(evaluate(p(), firm).advice).toEqual([{ criterion: 'rating', text: '结清社保欠费后评级预计可达 A', availableFrom: null }]);
    const short = profile({ rating: 'B', projections: [{ action: '结清欠税', rating: 'BB' }] });
    expect(evaluate(p(), short).advice[0]!.text).toBe('信用评级提升至 BBB 及以上后可申请');
  });
});

describe('blacklist and arrears flags', () => {
  it('fails a blacklisted firm only when the product excludes them', () => {
    const strict = product({ criteria: { excludeBlacklisted: true } });
    expect(check(evaluate(strict), 'blacklist')).toMatchObject({ ok: true, text: '未列入黑名单 ✓' });
    const listed = evaluate(strict, profile({ blacklisted: true }));
    expect(check(listed, 'blacklist')).toMatchObject({ ok: false, remediable: true, text: '已列入黑名单 ✗' });
    expect(listed.advice[0]!.text).toBe('完成信用修复、移出黑名单后可申请');
    expect(evaluate(product(), profile({ blacklisted: true })).fits).toBe(true);
  });

  it.each([
    ['taxArrears', 'noTaxArrears', 'taxArrears', '有欠税 ✗', '结清欠税后可申请'],
    ['socialArrears', 'noSocialArrears', 'socialArrears', '有社保欠费 ✗', '结清社保欠费后可申请'],
    ['enforcement', 'noEnforcement', 'enforcementActive', '有未结被执行案件 ✗', '执行案件结案后可申请'],
  ] as const)('%s: fails the flagged firm only when the product sets %s', (criterion, setting, flag, text, advice) => {
    const strict = product({ criteria: { [setting]: true } });
    expect(check(evaluate(strict), criterion).ok).toBe(true);
    const flagged = evaluate(strict, profile({ [flag]: true }));
    expect(check(flagged, criterion)).toMatchObject({ ok: false, remediable: true, text });
    expect(flagged.advice).toEqual([{ criterion, text: advice, availableFrom: null }]);
    expect(evaluate(product(), profile({ [flag]: true })).checks.map((c) => c.criterion)).not.toContain(criterion);
  });
});

describe('penalty window', () => {
  const p = (months = 24) => product({ criteria: { penaltyLimit: { maxSeverity: 'general', months } } });
  const serious = (decidedOn: string, repaired = false) => ({ severity: 'serious' as const, decidedOn, repaired });

  it('counts an offending penalty decided after the window start, not on it', () => {
    expect(check(evaluate(p(), profile({ penalties: [serious('2024-07-02')] })), 'penalty').ok).toBe(false);
    expect(check(evaluate(p(), profile({ penalties: [serious('2024-07-01')] })), 'penalty')).toMatchObject({ ok: true, text: '近 24 个月无高于“一般”的未修复行政处罚 ✓' });
  });

  it('ignores repaired penalties and allows the limit’s own severity', () => {
    expect(check(evaluate(p(), profile({ penalties: [serious('2026-03-01', true)] })), 'penalty').ok).toBe(true);
    expect(check(evaluate(p(), profile({ penalties: [{ severity: 'general', decidedOn: '2026-03-01', repaired: false }] })), 'penalty').ok).toBe(true);
    expect(check(evaluate(p(), profile({ penalties: [{ severity: 'severe', decidedOn: '2026-03-01', repaired: false }] })), 'penalty').ok).toBe(false);
  });

  it('names the month the latest offending penalty leaves the window', () => {
    const firm = profile({ penalties: [serious('2025-03-05'), serious('2024-12-20'), { severity: 'minor', decidedOn: '2026-05-01', repaired: false }] });
    const outcome = evaluate(p(), firm);
    expect(check(outcome, 'penalty')).toMatchObject({ ok: false, remediable: true, text: '近 24 个月有未修复的“较重”行政处罚（2025-03-05），产品仅接受“一般”及以下 ✗' });
    expect(outcome.advice).toEqual([{ criterion: 'penalty', text: '2027-03 后（处罚满 24 个月）可申请，或完成信用修复', availableFrom: '2027-03' }]);
    expect(check(evaluate(p(), firm, need(), { asOf: '2027-03-04' }), 'penalty').ok).toBe(false);
    expect(check(evaluate(p(), firm, need(), { asOf: '2027-03-05' }), 'penalty').ok).toBe(true);
  });

  it('moves the advice month on when a month-end clamp keeps the penalty in the window', () => {
    const firm = profile({ penalties: [serious('2024-01-31')] });
    const outcome = evaluate(p(1), firm, need(), { asOf: '2024-02-15' });
    expect(outcome.advice[0]!.availableFrom).toBe('2024-03');
    expect(check(evaluate(p(1), firm, need(), { asOf: '2024-02-29' }), 'penalty').ok).toBe(false);
    expect(check(evaluate(p(1), firm, need(), { asOf: '2024-03-01' }), 'penalty').ok).toBe(true);
  });
});

describe('amount, term, guarantee and rate', () => {
  it('advises an amount within the range', () => {
    const over = evaluate(product(), profile(), need({ amountFen: 500_0000_00 }));
    expect(check(over, 'amount')).toMatchObject({ ok: false, remediable: true, text: '申请 500 万元，超出产品额度 50 万元–300 万元 ✗' });
    expect(over.advice).toEqual([{ criterion: 'amount', text: '申请金额调整至 300 万元以内可申请', availableFrom: null }]);
    const under = evaluate(product(), profile(), need({ amountFen: 20_0000_00 }));
    expect(under.advice[0]!.text).toBe('申请金额调整至不低于 50 万元可申请');
    expect(check(evaluate(product(), profile(), need({ amountFen: 300_0000_00 })), 'amount')).toMatchObject({ ok: true, text: '申请 300 万元，在产品额度 50 万元–300 万元内 ✓' });
  });

  it('advises a term within the range', () => {
    const outcome = evaluate(product(), profile(), need({ termMonths: 48 }));
    expect(check(outcome, 'term')).toMatchObject({ ok: false, text: '期限 48 个月，不在产品期限 6–36 个月内 ✗' });
    expect(outcome.advice[0]!.text).toBe('融资期限调整至 6–36 个月可申请');
    expect(check(evaluate(product(), profile(), need({ termMonths: 6 })), 'term').ok).toBe(true);
  });

  it('needs one guarantee method in common, and names the product’s', () => {
    const p = product({ type: 'mortgage', guaranteeMethods: ['mortgage'] });
    const outcome = evaluate(p, profile(), need({ guaranteeMethods: ['credit', 'guarantee'] }));
    expect(check(outcome, 'guarantee')).toMatchObject({ ok: false, remediable: true });
    expect(outcome.advice[0]!.text).toBe('可接受抵押担保时可申请');
    expect(check(evaluate(p, profile(), need({ guaranteeMethods: ['credit', 'mortgage'] })), 'guarantee')).toMatchObject({ ok: true, text: '担保方式 抵押 可接受 ✓' });
  });

  it('compares the product’s minimum rate with the ceiling', () => {
    const outcome = evaluate(product({ rateMinBp: 435 }), profile(), need({ maxRateBp: 400 }));
    expect(check(outcome, 'rate')).toMatchObject({ ok: false, remediable: true, text: '最低年利率 4.35% > 可接受 4% ✗' });
    expect(outcome.advice[0]!.text).toBe('可接受年利率 4.35% 时可申请');
    expect(check(evaluate(product({ rateMinBp: 400 }), profile(), need({ maxRateBp: 400 })), 'rate')).toMatchObject({ ok: true, text: '最低年利率 4% ≤ 可接受 4% ✓' });
  });
});

describe('soft score', () => {
  it('weighs rate, amount, turnaround, approval and policy', () => {
    const outcome = evaluate(product({ rateMinBp: 450, turnaroundDays: 3, policySupport: true }), profile(), need({ maxRateBp: 600 }));
    expect(outcome.scoreParts).toEqual({ rate: 1, amount: 1, turnaround: 1, approval: 0.5, policy: 1 });
    expect(outcome.score).toBe(Math.round(30 + 25 + 20 + 7.5 + 10));
    const slow = evaluate(product({ rateMinBp: 540, turnaroundDays: 30 }), profile(), need({ maxRateBp: 600 }));
    expect(slow.scoreParts.rate).toBeCloseTo(0.4);
    expect(slow.scoreParts.turnaround).toBe(0);
    expect(slow.scoreParts.policy).toBe(0);
    expect(evaluate(product(), profile(), need({ maxRateBp: null })).scoreParts.rate).toBe(0.5);
    expect(evaluate(product({ type: 'policy' })).scoreParts.policy).toBe(1);
  });

  it('uses the institution’s record when there is one', () => {
    const p = product({ turnaroundDays: 30 }, '1', 'bank-a');
    const records = new Map([['bank-a', { turnaround: 0.9, approval: 0.8 }]]);
    const outcome = evaluate(p, profile(), need(), { asOf: AS_OF, institutionRecords: records });
    expect(outcome.scoreParts.turnaround).toBe(0.9);
    expect(outcome.scoreParts.approval).toBe(0.8);
    const partial = evaluate(p, profile(), need(), { asOf: AS_OF, institutionRecords: new Map([['bank-a', { approval: 0.2 }]]) });
    expect(partial.scoreParts).toMatchObject({ turnaround: 0, approval: 0.2 });
  });

  it('lets the amount part fall off outside the range', () => {
    const part = (amountFen: number) => evaluate(product(), profile(), need({ amountFen })).scoreParts.amount;
    expect(part(300_0000_00)).toBe(1);
    expect(part(600_0000_00)).toBeCloseTo(0.5);
    expect(part(400_0000_00)).toBeGreaterThan(part(600_0000_00));
    expect(part(25_0000_00)).toBeCloseTo(0.5);
  });
});

describe('matchNeed', () => {
  it('orders fits by score, then the lower minimum rate, then product id', () => {
    const fast = product({ rateMinBp: 300, turnaroundDays: 3, policySupport: true }, '30');
    const slowCheap = product({ rateMinBp: 440, turnaroundDays: 30 }, '20');
    const slowDear = product({ rateMinBp: 460, turnaroundDays: 30 }, '10');
    const tieA = product({ rateMinBp: 500, turnaroundDays: 30 }, '9');
    const tieB = product({ rateMinBp: 500, turnaroundDays: 30 }, '10000');
    const n = need({ maxRateBp: 2000 });
    const result = matchNeed(profile(), n, [tieB, slowDear, tieA, fast, slowCheap], OPTIONS);
    const scores = result.matches.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(result.matches[0]!.productId).toBe('30');
    // slowCheap and slowDear score alike (rate part capped at 1): the lower minimum rate goes first.
    expect(evaluate(slowCheap, profile(), n).score).toBe(evaluate(slowDear, profile(), n).score);
    expect(result.matches.map((m) => m.productId).indexOf('20')).toBeLessThan(result.matches.map((m) => m.productId).indexOf('10'));
    // Equal score and rate: numeric id order (9 before 10000).
    expect(result.matches.map((m) => m.productId).indexOf('9')).toBeLessThan(result.matches.map((m) => m.productId).indexOf('10000'));
    expect(result).toMatchObject({ evaluated: 5, fitCount: 5 });
  });

  it('cuts matches and near misses to the maximum but counts every fit', () => {
    const fits = Array.from({ length: 7 }, (_, i) => product({}, String(100 + i)));
    const misses = Array.from({ length: 4 }, (_, i) => product({ amountMaxFen: 100_0000_00 }, String(200 + i)));
    const result = matchNeed(profile(), need(), [...fits, ...misses], { asOf: AS_OF, maxMatches: 3, maxNearMisses: 2 });
    expect(result.matches).toHaveLength(3);
    expect(result.nearMisses).toHaveLength(2);
    expect(result.fitCount).toBe(7);
    expect(result.evaluated).toBe(11);
  });

  it('keeps, when cut, the same best entries a full ordering gives', () => {
    const products = Array.from({ length: 60 }, (_, i) =>
      product(
        {
          rateMinBp: 300 + ((i * 37) % 300),
          turnaroundDays: 1 + ((i * 11) % 30),
          policySupport: i % 4 === 0,
          amountMaxFen: i % 3 === 0 ? 100_0000_00 : 300_0000_00,
          termMaxMonths: i % 5 === 0 ? 10 : 36,
        },
        String(500 - i),
      ),
    );
    const all = matchNeed(profile(), need(), products, { asOf: AS_OF, maxMatches: 1000, maxNearMisses: 1000 });
    const cut = matchNeed(profile(), need(), products, { asOf: AS_OF, maxMatches: 5, maxNearMisses: 4 });
    expect(all.nearMisses.some((m) => m.failed.length === 2)).toBe(true);
    expect(cut.matches).toEqual(all.matches.slice(0, 5));
    expect(cut.nearMisses).toEqual(all.nearMisses.slice(0, 4));
    expect(cut.fitCount).toBe(all.fitCount);
  });

  it('sees a product list changed in place', () => {
    const products = [product({}, '1'), product({}, '2')];
    expect(matchNeed(profile(), need(), products, OPTIONS).matches.map((m) => m.productId)).toEqual(['1', '2']);
    products[0] = product({ criteria: { regionCodes: ['310000'] } }, '1');
    products.push(product({ rateMinBp: 300 }, '3'));
    const again = matchNeed(profile(), need(), products, OPTIONS);
    expect(again.matches.map((m) => m.productId)).toEqual(['3', '2']);
    expect(again.evaluated).toBe(3);
  });

  it('takes one or two remediable failures as near misses, not three or a non-remediable one', () => {
    const firm = profile({ rating: 'BB', taxArrears: true, socialArrears: true });
    const one = product({ criteria: { minRating: 'BBB' } }, '1');
    const two = product({ criteria: { minRating: 'BBB', noTaxArrears: true } }, '2');
    const three = product({ criteria: { minRating: 'BBB', noTaxArrears: true, noSocialArrears: true } }, '3');
    const regionOnly = product({ criteria: { regionCodes: ['310000'] } }, '4');
    const fit = product({}, '5');
    const result = matchNeed(firm, need(), [three, two, regionOnly, one, fit], OPTIONS);
    expect(result.matches.map((m) => m.productId)).toEqual(['5']);
    expect(result.nearMisses.map((m) => [m.productId, m.failed])).toEqual([
      ['1', ['rating']],
      ['2', ['rating', 'taxArrears']],
    ]);
    for (const miss of result.nearMisses) {
      expect(miss.fits).toBe(false);
      expect(miss.advice.map((a) => a.criterion)).toEqual(miss.failed);
    }
    // evaluateProduct still writes out every failure of a product that is neither.
    const all = evaluate(three, firm);
    expect(all.failed).toEqual(['rating', 'taxArrears', 'socialArrears']);
    expect(all.advice).toHaveLength(3);
  });

  it('gives the same outcomes as evaluateProduct for the same products', () => {
    const firm = profile({ establishedOn: '2024-02-10', rating: 'BBB', projections: [{ action: '结清欠税', rating: 'A' }] });
    const products = [
      product({ criteria: { regionCodes: ['330000'], minRating: 'A' } }),
      product({ criteria: { minYearsEstablished: 3 } }),
      product({ rateMinBp: 380, policySupport: true }),
      product({ amountMaxFen: 100_0000_00, criteria: { industriesIncluded: ['C34'] } }),
      product({ criteria: { penaltyLimit: { maxSeverity: 'minor', months: 12 } } }),
    ];
    const records = new Map([['9', { turnaround: 0.7 }]]);
    const options = { asOf: AS_OF, institutionRecords: records };
    const result = matchNeed(firm, need(), products, options);
    expect(result.matches.length + result.nearMisses.length).toBe(products.length);
    for (const outcome of [...result.matches, ...result.nearMisses]) {
      const p = products.find((x) => x.productId === outcome.productId)!;
      expect(outcome).toEqual(evaluateProduct(firm, need(), p, options));
    }
  });

  it('sorts near misses by the number of failures, then the score', () => {
    const firm = profile({ rating: 'BB', taxArrears: true });
    const twoGood = product({ rateMinBp: 300, policySupport: true, criteria: { minRating: 'BBB', noTaxArrears: true } }, '1');
    const oneBad = product({ rateMinBp: 590, turnaroundDays: 30, criteria: { minRating: 'BBB' } }, '2');
    const oneGood = product({ rateMinBp: 300, turnaroundDays: 3, criteria: { minRating: 'BBB' } }, '3');
    const result = matchNeed(firm, need(), [twoGood, oneBad, oneGood], OPTIONS);
    expect(result.nearMisses.map((m) => m.productId)).toEqual(['3', '2', '1']);
  });
});

describe('explainOutcome', () => {
  it('sums up a fit', () => {
    const outcome = evaluate(product({ criteria: { regionCodes: ['330000'], minRating: 'BBB' } }));
    const explained = explainOutcome(outcome);
    expect(explained.headline).toBe(`符合全部 ${outcome.checks.length} 项条件`);
    expect(explained.headline).toBe('符合全部 7 项条件');
    expect(explained.lines).toEqual(outcome.checks.map((c) => c.text));
  });

  it('names what a near miss lacks, then the checks and the advice', () => {
    const outcome = evaluate(product({ criteria: { minYearsEstablished: 3 } }), profile({ establishedOn: '2024-02-10' }));
    const explained = explainOutcome(outcome);
    expect(explained.headline).toBe('差 1 项：成立年限');
    expect(explained.lines).toEqual([...outcome.checks.map((c) => c.text), '成立满 3 年后（2027-02）可申请']);
    const two = evaluate(product({ criteria: { minRating: 'A' } }), profile({ rating: 'BB' }), need({ termMonths: 48 }));
    expect(explainOutcome(two).headline).toBe('差 2 项：信用评级、融资期限');
  });
});
