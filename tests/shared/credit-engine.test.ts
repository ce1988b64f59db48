import {
  CREDIT_RATINGS,
  EXPERT_SCORECARD_V1,
  PLATFORM_FEATURES,
  ZScorecard,
  computeFeatures,
  conditionHolds,
  monthlySeries,
  periodNumber,
  periodOfNumber,
  ratingNotches,
  scoreFeatures,
  scoreReasons,
  scoreToBadProbability,
  validatePlatformScorecard,
  type TFeatureEnterprise,
  type TFeatureRecord,
  type TFeatureVector,
  type TScorecard,
  type TScorePoints,
} from '@xyd/shared';
import { featureRecord } from '../bench/credit-score';

const AS_OF = '2026-07-15';

const ENTERPRISE: TFeatureEnterprise = {
  establishedOn: '2016-03-01',
  registeredCapitalFen: '300000000',
  scale: 'small',
  industryCode: 'C3484',
  status: 'active',
};

let nextId = 0;
const id = () => `r${++nextId}`;

/** `count` months ending with `last`, oldest first. */
function periods(last: string, count: number): string[] {
  const end = periodNumber(last);
  return Array.from({ length: count }, (_, i) => periodOfNumber(end - count + 1 + i));
}

const tax = (period: string, paidYuan: number, extra: { arrearsYuan?: number; level?: string | null } = {}) =>
  featureRecord('tax', { period, taxPaidFen: Math.round(paidYuan * 100), revenueDeclaredFen: Math.round(paidYuan * 2_000), arrearsFen: (extra.arrearsYuan ?? 0) * 100, creditLevel: extra.level === undefined ? 'B' : extra.level }, id());
const social = (period: string, headcount: number, arrearsYuan = 0) =>
  featureRecord('social_security', { period, insuredHeadcount: headcount, paidFen: headcount * 150_000, arrearsFen: arrearsYuan * 100 }, id());
const utility = (period: string, kwh: number | null, arrearsYuan = 0) =>
  featureRecord('utility', { period, electricityKwh: kwh === null ? null : Math.round(kwh), waterTonnes: 300, gasM3: null, arrearsFen: arrearsYuan * 100 }, id());
const penalty = (decidedOn: string, severity: string, correctedOn: string | null = null, disputed = false) =>
  featureRecord(
    'penalty',
    { decisionNo: `杭西市监处罚〔${decidedOn.slice(0, 4)}〕${nextId}号`, cause: '销售不合格产品', penaltyType: 'fine', amountFen: 2_000_000, severity, decidedOn, decidedBy: '杭州市西湖区市场监督管理局', corrected: correctedOn !== null, correctedOn },
    id(),
    disputed,
  );
const blacklist = (listedOn: string, removedOn: string | null = null) =>
  featureRecord('blacklist', { listType: 'dishonest_debtor', listedOn, removedOn, listedBy: '杭州市西湖区人民法院', reason: '有履行能力而拒不履行生效法律文书确定的义务' }, id());
const courtCase = (role: string, filedOn: string, closedOn: string | null, enforcement = 'none') =>
  featureRecord(
    'court_case',
    { caseNo: `（${filedOn.slice(0, 4)}）浙0106民初${nextId}号`, court: '杭州市西湖区人民法院', role, cause: '买卖合同纠纷', amountFen: 15_600_000, status: closedOn ? 'closed' : 'trial', enforcement, filedOn, closedOn },
    id(),
  );
const honour = (grantedOn: string, validTo: string | null) =>
  featureRecord('honour', { honourType: 'specialised', honourName: '浙江省专精特新中小企业', grantedOn, validTo, grantedBy: '浙江省经济和信息化厅' }, id());
const licence = (validFrom: string, validTo: string | null, status = 'valid') =>
  featureRecord('licence', { licenceNo: `JY${nextId}`, licenceName: '食品经营许可证', issuedBy: '杭州市西湖区市场监督管理局', validFrom, validTo, status }, id());
const registration = (status: string) =>
  featureRecord('registration', { name: '杭州云栖精密机械有限公司', legalRepName: '张建国', registeredCapitalFen: 300_000_000, establishedOn: '2016-03-01', industryCode: 'C3484', regionCode: '330106', scale: 'small', status }, id());

function features(records: TFeatureRecord[], options: { asOf?: string; enterprise?: Partial<TFeatureEnterprise>; excludeDisputed?: boolean } = {}): TFeatureVector {
  return computeFeatures({
    enterprise: { ...ENTERPRISE, ...options.enterprise },
    records,
    asOf: options.asOf ?? AS_OF,
    excludeDisputed: options.excludeDisputed ?? true,
  });
}

/** A sound small manufacturer: 24 months of steady tax, social security and (seasonal) electricity, nothing adverse. */
const SEASON = [0.8, 0.6, 1, 1, 1, 1.2, 1.4, 1.4, 1.1, 1, 0.9, 1];
function soundFirm(): TFeatureRecord[] {
  return periods('2026-06', 24).flatMap((p) => [tax(p, 20_000), social(p, 40), utility(p, 10_000 * SEASON[Number(p.slice(5)) - 1])]);
}

describe('computeFeatures: registry facts', () => {
  test('years, capital, scale, industry section and status', () => {
    const f = features([], { enterprise: { establishedOn: '2015-07-15' } });
    expect(f.yearsEstablished).toBe(11);
    expect(f.registeredCapitalWan).toBe(300);
    expect(f.scale).toBe('small');
    expect(f.industrySection).toBe('C');
    expect(f.businessStatus).toBe('active');
    expect(features([], { enterprise: { industryCode: '3484', establishedOn: '2026-01-15' } })).toMatchObject({ industrySection: 'C', yearsEstablished: 0.5 });
    expect(features([], { enterprise: { establishedOn: '2027-01-01' } }).yearsEstablished).toBe(0);
  });

  test('an abnormal registration record overrides an active enterprise; a worse enterprise status stays', () => {
    expect(features([registration('abnormal')]).businessStatus).toBe('abnormal');
    expect(features([registration('active')], { enterprise: { status: 'revoked' } }).businessStatus).toBe('revoked');
    expect(features([registration('cancelled')], { enterprise: { status: 'abnormal' } }).businessStatus).toBe('cancelled');
  });
});

describe('computeFeatures: tax', () => {
  test('12 whole months before the as-of month are summed; the current month and later do not count', () => {
    const records = [...periods('2026-06', 24).map((p) => tax(p, 10_000)), tax('2026-07', 999_999), tax('2026-08', 999_999)];
    const f = features(records);
    expect(f.taxPaid12mWan).toBe(12);
    expect(f.taxMonthsMissing12m).toBe(0);
    expect(f.taxTrend).toBe(1);
    expect(f.taxCreditLevel).toBe('B');
    expect(f.taxArrears).toBe(false);
  });

  test('trend compares monthly means of the last six months and the six before', () => {
    const records = periods('2026-06', 12).map((p, i) => tax(p, i < 6 ? 10_000 : 15_000));
    expect(features(records).taxTrend).toBe(1.5);
    // Two filings missing from the recent half: the mean of the four left is still 15,000.
    const gappy = records.filter((r) => r.period !== '2026-03' && r.period !== '2026-05');
    const f = features(gappy);
    expect(f.taxTrend).toBe(1.5);
    expect(f.taxMonthsMissing12m).toBe(2);
    expect(f.taxPaid12mWan).toBe(12);
    // Fewer than three months in a half: no trend.
    expect(features(records.slice(4)).taxTrend).toBeNull();
  });

  test('no tax record at all gives nulls, not zeros; old records only give zero paid', () => {
    expect(features([])).toMatchObject({ taxPaid12mWan: null, taxMonthsMissing12m: null, taxTrend: null, taxCreditLevel: null, taxArrears: false });
    const old = features([tax('2024-01', 5_000, { level: 'A' })]);
    expect(old).toMatchObject({ taxPaid12mWan: 0, taxMonthsMissing12m: 12, taxTrend: null, taxCreditLevel: 'A' });
  });

  test('months before the firm was established are not missing', () => {
    const young = periods('2026-06', 4).map((p) => tax(p, 3_000));
    expect(features(young, { enterprise: { establishedOn: '2026-02-10' } }).taxMonthsMissing12m).toBe(0);
    expect(features(young.slice(1), { enterprise: { establishedOn: '2026-02-10' } }).taxMonthsMissing12m).toBe(1);
  });

  test('credit level is the latest given; arrears look at the latest three months', () => {
    const records = [tax('2026-04', 1_000, { level: 'C' }), tax('2026-05', 1_000, { level: 'D' }), tax('2026-06', 1_000, { level: null })];
    expect(features(records).taxCreditLevel).toBe('D');
    const owing = (period: string) => periods('2026-06', 6).map((p) => tax(p, 1_000, { arrearsYuan: p === period ? 500 : 0 }));
    expect(features(owing('2026-04')).taxArrears).toBe(true);
    expect(features(owing('2026-03')).taxArrears).toBe(false);
    expect(features(owing('2026-04')).arrearsAny).toBe(true);
  });
});

describe('computeFeatures: social security and utilities', () => {
  test('headcount is the latest month; its trend is against the same month a year earlier', () => {
    const records = periods('2026-06', 13).map((p, i) => social(p, i === 0 ? 50 : 40, p === '2026-05' ? 800 : 0));
    const f = features(records);
    expect(f.insuredHeadcount).toBe(40);
    expect(f.headcountTrend).toBe(0.8);
    expect(f.socialArrears).toBe(true);
    expect(features(records.slice(1)).headcountTrend).toBeNull();
    // Data older than twelve months is no current profile.
    expect(features(records, { asOf: '2027-08-01' })).toMatchObject({ insuredHeadcount: null, headcountTrend: null, socialArrears: false });
  });

  test('electricity is compared year on year, so a seasonal pattern repeated each year reads as flat', () => {
    const f = features(periods('2026-06', 24).map((p) => utility(p, 10_000 * SEASON[Number(p.slice(5)) - 1])));
    expect(f.utilityTrend).toBe(1);
    expect(f.utilityStability).toBe(0);
    expect(f.utilityArrears).toBe(false);
  });

  test('trend over the last three months and stability as the CV of the monthly YoY ratios', () => {
    // Year one flat at 1,000; year two alternates 900 and 1,100: ratios 0.9/1.1, mean 1, sd 0.1.
    const records = periods('2026-06', 24).map((p, i) => utility(p, i < 12 ? 1_000 : i % 2 === 0 ? 900 : 1_100));
    const f = features(records);
    // The last three months are 2026-04 (1,100), 2026-05 (900), 2026-06 (1,100) against 3,000.
    expect(f.utilityTrend).toBeCloseTo(3_100 / 3_000, 3);
    expect(f.utilityStability).toBe(0.1);
    // Five pairs are too few for a stability figure.
    expect(features(records.slice(7)).utilityStability).toBeNull();
    const withArrears = [...records.slice(0, -1), utility('2026-06', 1_100, 300)];
    expect(features(withArrears)).toMatchObject({ utilityArrears: true, arrearsAny: true });
  });

  test('a utility record without electricity counts for arrears but not for the trend', () => {
    const records = [...periods('2026-06', 15).map((p) => utility(p, 1_000)).slice(0, -1), utility('2026-06', null)];
    expect(features(records).utilityTrend).toBe(1);
  });
});

describe('computeFeatures: negative records and honours', () => {
  test('penalty weight by severity × recency × correction, by hand', () => {
    const records = [
      penalty('2026-03-01', 'general'), // 2 × 1
      penalty('2025-01-20', 'serious'), // 4 × 0.6
      penalty('2024-01-10', 'minor', '2024-05-01'), // 1 × 0.3 × 0.3
      penalty('2023-05-01', 'severe'), // older than 36 months: 0
    ];
    const f = features(records);
    expect(f.penaltyWeight).toBe(4.49);
    expect(f.seriousPenalties24m).toBe(1);
    expect(features([])).toMatchObject({ penaltyWeight: 0, seriousPenalties24m: 0 });
  });

  test('a corrected penalty weighs less, but only once the repair is done', () => {
    expect(features([penalty('2026-01-10', 'general')]).penaltyWeight).toBe(2);
    expect(features([penalty('2026-01-10', 'general', '2026-05-01')]).penaltyWeight).toBe(0.6);
    expect(features([penalty('2026-01-10', 'general', '2026-09-01')]).penaltyWeight).toBe(2);
    expect(features([penalty('2026-01-10', 'serious', '2026-06-01')])).toMatchObject({ penaltyWeight: 1.2, seriousPenalties24m: 0 });
  });

  test('blacklist: listed on or before the date and not removed by it', () => {
    expect(features([blacklist('2026-01-05')]).blacklistActive).toBe(true);
    expect(features([blacklist('2026-01-05', '2026-06-30')]).blacklistActive).toBe(false);
    expect(features([blacklist('2026-01-05', '2026-06-30')], { asOf: '2026-05-01' }).blacklistActive).toBe(true);
    expect(features([blacklist('2026-08-01')]).blacklistActive).toBe(false);
  });

  test('court cases: open as defendant on the date; enforcement as defendant only', () => {
    const records = [
      courtCase('defendant', '2026-02-01', null),
      courtCase('defendant', '2025-05-01', '2026-03-01'),
      courtCase('defendant', '2025-09-01', '2026-08-20'), // closed after the as-of date: still open then
      courtCase('plaintiff', '2026-01-01', null, 'enforcing'),
      courtCase('defendant', '2026-08-01', null), // filed after the as-of date
    ];
    expect(features(records)).toMatchObject({ courtDefendantOpen: 2, enforcementActive: false });
    expect(features([courtCase('defendant', '2024-01-01', '2024-09-01', 'enforcing')]).enforcementActive).toBe(true);
    expect(features([courtCase('defendant', '2024-01-01', '2024-09-01', 'terminated')]).enforcementActive).toBe(true);
    expect(features([courtCase('defendant', '2024-01-01', '2024-09-01', 'enforced')]).enforcementActive).toBe(false);
  });

  test('honours and licences valid on the date', () => {
    const records = [
      honour('2025-01-01', '2027-12-31'),
      honour('2023-01-01', '2025-12-31'),
      honour('2026-08-01', null),
      licence('2024-01-01', null),
      licence('2021-01-01', '2026-07-15'),
      licence('2021-01-01', '2026-07-14', 'expired'),
      licence('2025-01-01', '2030-01-01', 'revoked'),
    ];
    expect(features(records)).toMatchObject({ honoursValid: 1, licencesValid: 2 });
  });

  test('disputed records are left out when the version says so', () => {
    const records = [penalty('2026-03-01', 'severe', null, true)];
    expect(features(records).penaltyWeight).toBe(0);
    expect(features(records, { excludeDisputed: false })).toMatchObject({ penaltyWeight: 8, seriousPenalties24m: 1 });
  });

  test('nothing dated after the as-of date counts', () => {
    const records = [penalty('2026-07-16', 'severe'), blacklist('2026-07-20'), honour('2026-07-16', null), tax('2026-07', 1_000, { arrearsYuan: 9 })];
    const f = features(records);
    expect(f).toMatchObject({ penaltyWeight: 0, blacklistActive: false, honoursValid: 0, taxArrears: false, taxPaid12mWan: null });
    expect(features(records, { asOf: '2026-08-31' })).toMatchObject({ penaltyWeight: 8, blacklistActive: true, honoursValid: 1, taxArrears: true });
  });

  test('every feature computed is in the catalogue, and the catalogue holds nothing else', () => {
    expect(Object.keys(features(soundFirm())).sort()).toEqual(Object.keys(PLATFORM_FEATURES).sort());
  });
});

describe('monthlySeries', () => {
  test('the whole months before the as-of month, oldest first, summed per period, disputed left out', () => {
    const records = [utility('2026-04', 100), utility('2026-06', 200), utility('2026-06', 50), featureRecord('utility', { period: '2026-05', electricityKwh: 999, arrearsFen: 0 }, id(), true), utility('2026-07', 1)];
    expect(monthlySeries(records, 'utility', 'electricityKwh', AS_OF, 4)).toEqual([null, 100, null, 250]);
    expect(monthlySeries(records, 'utility', 'electricityKwh', AS_OF, 3, false)).toEqual([100, 999, 250]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Scoring

const bands = [90, 80, 70, 60, 50, 40, 30, 20, 0].map((minScore, i) => ({ rating: CREDIT_RATINGS[i], minScore }));
const TEST_CARD: TScorecard = ZScorecard.parse({
  format: 'xyd-scorecard/1',
  name: '测试卡',
  description: '',
  kind: 'expert',
  scaling: { baseScore: 600, baseOdds: 50, pdo: 20 },
  bands,
  characteristics: [
    {
      feature: 'years',
      label: '年限',
      dimension: 'basic',
      comment: '',
      reason: '年限短',
      advice: '坚持经营',
      bins: [{ label: '5 年及以上', min: 5, points: 30 }, { label: '不足 5 年', max: 5, points: 10 }, { label: '不详', missing: true, points: 0 }],
      fallbackPoints: 5,
    },
    {
      feature: 'level',
      label: '级别',
      dimension: 'tax',
      comment: '',
      reason: '级别一般',
      advice: '按期申报',
      bins: [{ label: 'A', values: ['A'], points: 40 }, { label: 'B 或 M', values: ['B', 'M'], points: 25 }],
      fallbackPoints: 5,
    },
    {
      feature: 'arrears',
      label: '欠税',
      dimension: 'tax',
      comment: '',
      reason: '有欠税',
      advice: '补缴',
      bins: [{ label: '无', values: ['false'], points: 20 }, { label: '有', values: ['true'], points: 0 }],
      fallbackPoints: 0,
    },
    {
      feature: 'cases',
      label: '案件',
      dimension: 'negative',
      comment: '',
      reason: '有案件',
      advice: '应诉',
      bins: [{ label: '无', max: 1, points: 15 }, { label: '1–2 件', min: 1, max: 3, points: 5 }, { label: '3 件以上', min: 3, points: -10 }],
      fallbackPoints: 0,
    },
    {
      feature: 'honours',
      label: '荣誉',
      dimension: 'social',
      comment: '',
      reason: '无荣誉',
      advice: '申报',
      bins: [{ label: '有', min: 1, points: 10 }, { label: '无', max: 1, points: 0 }],
      fallbackPoints: 0,
    },
    {
      feature: 'trend',
      label: '趋势',
      dimension: 'operations',
      comment: '',
      reason: '趋势一般',
      advice: '稳定经营',
      bins: [
        { label: '稳定', min: 0.9, points: 10 },
        { label: '下降', max: 0.9, points: 2, reason: '明显下降', advice: '说明原因' },
        { label: '数据不足', missing: true, points: 4 },
      ],
      fallbackPoints: 4,
    },
  ],
  rules: [],
  excludeDisputed: true,
});

const BASE: TFeatureVector = { years: 7, level: 'B', arrears: false, cases: 1, honours: 0, trend: null };

describe('scoreFeatures', () => {
  test('points by the first matching bin, summed; band; dimensions by hand', () => {
    const result = scoreFeatures(TEST_CARD, BASE);
    expect(result.points.map((p) => [p.feature, p.bin, p.points, p.minPoints, p.maxPoints])).toEqual([
      ['years', 0, 30, 0, 30],
      ['level', 1, 25, 5, 40],
      ['arrears', 0, 20, 0, 20],
      ['cases', 1, 5, -10, 15],
      ['honours', 1, 0, 0, 10],
      ['trend', 2, 4, 2, 10],
    ]);
    expect(result.score).toBe(84);
    expect(result.bandRating).toBe('AA');
    expect(result.rating).toBe('AA');
    expect(result.cap).toBeNull();
    expect(result.noRatingReason).toBeNull();
    expect(result.dimensions).toEqual({ basic: 100, tax: 72.7, negative: 60, social: 0, operations: 25 });
    expect(result.badProbability).toBeCloseTo(scoreToBadProbability(84, TEST_CARD.scaling), 12);
  });

  test('bin edges: min inclusive, max exclusive; flags as "true"/"false"; unknown values take the fallback', () => {
    const result = scoreFeatures(TEST_CARD, { years: 5, level: 'Z', arrears: true, cases: 3, honours: 1, trend: 0.9 });
    expect(result.points.map((p) => [p.bin, p.points])).toEqual([[0, 30], [-1, 5], [1, 0], [2, -10], [0, 10], [0, 10]]);
    expect(result.score).toBe(45);
    expect(result.rating).toBe('B');
    // A feature absent from the vector is missing; a string where a number is due matches no numeric bin.
    const odd = scoreFeatures(TEST_CARD, { years: '7', level: 'A' });
    expect(odd.points.map((p) => p.points)).toEqual([5, 40, 0, 0, 0, 4]);
  });

  test('the scale: the base score stands for the base odds, and pdo points double them', () => {
    expect(scoreToBadProbability(600, TEST_CARD.scaling)).toBeCloseTo(1 / 51, 12);
    expect(scoreToBadProbability(620, TEST_CARD.scaling)).toBeCloseTo(1 / 101, 12);
  });

  test('hard rules: a cap lowers only, the binding cap is reported, no_rating wins', () => {
    const card: TScorecard = ZScorecard.parse({
      ...TEST_CARD,
      rules: [
        { kind: 'cap', code: 'arrears', when: { feature: 'arrears', equals: true }, maxRating: 'BBB', reason: '有欠税，最高 BBB' },
        { kind: 'cap', code: 'cases', when: { feature: 'cases', gte: 2 }, maxRating: 'B', reason: '多起案件，最高 B' },
        { kind: 'no_rating', code: 'gone', when: { feature: 'level', in: ['X'] }, reason: '不予评级' },
      ],
    });
    expect(scoreFeatures(card, BASE)).toMatchObject({ rating: 'AA', cap: null });
    const capped = scoreFeatures(card, { ...BASE, years: 7, level: 'A', arrears: true, honours: 1, trend: 1 });
    expect(capped.score).toBe(95);
    expect(capped).toMatchObject({ bandRating: 'AAA', rating: 'BBB', cap: { code: 'arrears', from: 'AAA', to: 'BBB' } });
    const both = scoreFeatures(card, { ...BASE, level: 'A', arrears: true, cases: 2, honours: 1, trend: 1 });
    expect(both).toMatchObject({ bandRating: 'AAA', rating: 'B', cap: { code: 'cases', reason: '多起案件，最高 B', from: 'AAA', to: 'B' } });
    // Already below the cap: nothing to lower.
    const low = scoreFeatures(card, { years: null, level: 'Z', arrears: true, cases: 5, honours: 0, trend: 0.5 });
    expect(low).toMatchObject({ score: -3, bandRating: 'C', rating: 'C', cap: null });
    const none = scoreFeatures(card, { ...BASE, level: 'X', arrears: true });
    expect(none).toMatchObject({ score: 44, bandRating: 'B', rating: null, noRatingReason: '不予评级', cap: null });
  });

  test('conditionHolds: every clause given must hold; missing values hold nothing', () => {
    expect(conditionHolds({ feature: 'x', equals: true }, true)).toBe(true);
    expect(conditionHolds({ feature: 'x', equals: true }, false)).toBe(false);
    expect(conditionHolds({ feature: 'x', equals: 'abnormal' }, 'abnormal')).toBe(true);
    expect(conditionHolds({ feature: 'x', in: ['revoked', 'cancelled'] }, 'cancelled')).toBe(true);
    expect(conditionHolds({ feature: 'x', in: ['revoked', 'cancelled'] }, 'active')).toBe(false);
    expect(conditionHolds({ feature: 'x', gte: 2, lte: 4 }, 4)).toBe(true);
    expect(conditionHolds({ feature: 'x', gte: 2, lte: 4 }, 5)).toBe(false);
    expect(conditionHolds({ feature: 'x', gte: 2 }, '3')).toBe(false);
    expect(conditionHolds({ feature: 'x', equals: false }, null)).toBe(false);
  });
});

describe('scoreReasons', () => {
  test('points lost against the best bin, worst first, ties in the card order, bin wording over the characteristic', () => {
    const { points } = scoreFeatures(TEST_CARD, { ...BASE, trend: 0.5 });
    const reasons = scoreReasons(TEST_CARD, points);
    expect(reasons.map((r) => [r.feature, r.lost])).toEqual([
      ['level', 15],
      ['cases', 10],
      ['honours', 10],
      ['trend', 8],
    ]);
    expect(reasons[3]).toEqual({ feature: 'trend', label: '趋势', dimension: 'operations', lost: 8, binLabel: '下降', reason: '明显下降', advice: '说明原因' });
    expect(reasons[0]).toMatchObject({ binLabel: 'B 或 M', reason: '级别一般', advice: '按期申报' });
    expect(scoreReasons(TEST_CARD, points, 2).map((r) => r.feature)).toEqual(['level', 'cases']);
  });

  test('reproducible from the stored points alone', () => {
    const { points } = scoreFeatures(TEST_CARD, { ...BASE, level: 'Z' });
    const stored: TScorePoints[] = JSON.parse(JSON.stringify(points));
    expect(scoreReasons(TEST_CARD, stored)).toEqual(scoreReasons(TEST_CARD, points));
    expect(scoreReasons(TEST_CARD, stored)[0]).toMatchObject({ feature: 'level', lost: 35, binLabel: '其他情况', reason: '级别一般' });
    // A document read back from the database is another object: same reasons.
    const reread: TScorecard = ZScorecard.parse(JSON.parse(JSON.stringify(TEST_CARD)));
    expect(scoreReasons(reread, stored)).toEqual(scoreReasons(TEST_CARD, points));
  });
});

describe('ZScorecard', () => {
  test('rejects bands out of order and ambiguous bins, in Chinese', () => {
    const swapped = { ...TEST_CARD, bands: [bands[1], bands[0], ...bands.slice(2)] };
    const bad = ZScorecard.safeParse(swapped);
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message);
    expect(messages).toContain('第 1 档必须是 AAA');
    const unordered = ZScorecard.safeParse({ ...TEST_CARD, bands: bands.map((b, i) => (i === 3 ? { ...b, minScore: 75 } : b)) });
    expect(unordered.error!.issues.map((i) => i.message)).toContain('评级 BBB 的分数下限必须低于 A');
    const bin = { label: '混合', min: 1, values: ['A'], points: 1 };
    const ambiguous = ZScorecard.safeParse({ ...TEST_CARD, characteristics: [{ ...TEST_CARD.characteristics[0], bins: [bin] }] });
    expect(ambiguous.error!.issues.map((i) => i.message)).toContain('分箱“混合”必须且只能是数值区间、取值列表或缺失值之一');
  });
});

describe('validatePlatformScorecard', () => {
  test('the expert card passes; unknown features, wrong bin kinds, unknown values and empty dimensions do not', () => {
    expect(validatePlatformScorecard(EXPERT_SCORECARD_V1)).toEqual([]);
    expect(validatePlatformScorecard(TEST_CARD)).toContain('特征“years”（年限）不是平台计算的特征');
    const base = EXPERT_SCORECARD_V1.characteristics[0];
    const card: TScorecard = ZScorecard.parse({
      ...EXPERT_SCORECARD_V1,
      characteristics: [
        { ...base, feature: 'taxCreditLevel', dimension: 'tax', bins: [{ label: '高', min: 1, points: 1 }] },
        { ...base, feature: 'yearsEstablished', bins: [{ label: '老', values: ['old'], points: 1 }] },
        { ...base, feature: 'blacklistActive', dimension: 'negative', bins: [{ label: '是', values: ['yes'], points: 1 }] },
        { ...base, feature: 'scale', bins: [{ label: '大', values: ['large', 'small'], points: 1 }] },
        { ...base, feature: 'industrySection', bins: [{ label: '制造', values: ['C'], points: 1 }, { label: '乱', values: ['C34'], points: 0 }] },
        { ...base, feature: 'insuredHeadcount', dimension: 'social', bins: [{ label: '不详', missing: true, points: 1 }] },
      ],
    });
    expect(validatePlatformScorecard(card)).toEqual([
      '特征“taxCreditLevel”的分箱“高”应为取值列表（纳税信用级别是类别）',
      '特征“yearsEstablished”的分箱“老”应为数值区间（成立年限是数值）',
      '特征“blacklistActive”的分箱“是”的取值“yes”不在“在黑名单中”的取值范围内',
      '特征“scale”的分箱“大”的取值“large”不在“企业规模”的取值范围内',
      '特征“industrySection”的分箱“乱”的取值“C34”不在“行业门类”的取值范围内',
      '维度“经营状况”没有任何评分项',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The expert scorecard, version 1

describe('EXPERT_SCORECARD_V1', () => {
  test('is a valid document with the frozen scale, a comment, reason and advice everywhere, and a sensible range', () => {
    expect(ZScorecard.parse(EXPERT_SCORECARD_V1)).toEqual(EXPERT_SCORECARD_V1);
    expect(EXPERT_SCORECARD_V1).toMatchObject({ name: '专家评分卡 V1', kind: 'expert', scaling: { baseScore: 600, baseOdds: 50, pdo: 20 }, excludeDisputed: true });
    for (const c of EXPERT_SCORECARD_V1.characteristics) {
      expect(c.comment.length).toBeGreaterThan(10);
      expect(c.reason.length).toBeGreaterThan(3);
      expect(c.advice.length).toBeGreaterThan(3);
    }
    const { points } = scoreFeatures(EXPERT_SCORECARD_V1, {});
    const min = points.reduce((s, p) => s + p.minPoints, 0);
    const max = points.reduce((s, p) => s + p.maxPoints, 0);
    expect(min).toBe(378);
    expect(max).toBe(770);
    expect(EXPERT_SCORECARD_V1.bands[8].minScore).toBe(min);
  });

  test('a sound small firm, point by point by hand, lands at A', () => {
    const f = features(soundFirm());
    const result = scoreFeatures(EXPERT_SCORECARD_V1, f);
    const byFeature = Object.fromEntries(result.points.map((p) => [p.feature, p.points]));
    expect(byFeature).toEqual({
      yearsEstablished: 46, // 10.4 years
      registeredCapitalWan: 27, // 300 万元
      scale: 22,
      businessStatus: 60,
      taxTrend: 32, // flat
      headcountTrend: 28,
      utilityTrend: 32, // the seasons repeat: flat year on year
      utilityStability: 27,
      utilityArrears: 27,
      taxPaid12mWan: 33, // 24 万元
      taxCreditLevel: 46, // B
      taxMonthsMissing12m: 34,
      taxArrears: 36,
      insuredHeadcount: 27, // 40
      socialArrears: 34,
      honoursValid: 18,
      penaltyWeight: 50,
      seriousPenalties24m: 36,
      blacklistActive: 48,
      courtDefendantOpen: 32,
      enforcementActive: 38,
    });
    expect(result.score).toBe(733);
    expect(result.rating).toBe('A');
    expect(result.dimensions).toEqual({ basic: 92.2, operations: 93.3, tax: 85.6, social: 65.8, negative: 100 });
    expect(scoreReasons(EXPERT_SCORECARD_V1, result.points, 3).map((r) => [r.feature, r.lost])).toEqual([
      ['honoursValid', 10],
      ['taxCreditLevel', 8],
      ['taxPaid12mWan', 5],
    ]);
  });

  test('a recent serious penalty costs 26 points and two bands; a repaired one weighs less than one not repaired', () => {
    const sound = scoreFeatures(EXPERT_SCORECARD_V1, features(soundFirm()));
    const serious = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), penalty('2026-05-10', 'serious')]));
    expect(sound.score - serious.score).toBe(26);
    expect(serious.rating).toBe('BB');
    expect(ratingNotches(sound.rating!, serious.rating!)).toBe(2);
    // Ties (10 points each) in the card's order.
    expect(scoreReasons(EXPERT_SCORECARD_V1, serious.points, 3).map((r) => r.feature)).toEqual(['penaltyWeight', 'honoursValid', 'seriousPenalties24m']);
    const repaired = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), penalty('2026-01-10', 'general', '2026-04-20')]));
    const unrepaired = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), penalty('2026-01-10', 'general')]));
    expect([sound.score - repaired.score, sound.score - unrepaired.score]).toEqual([4, 9]);
  });

  test('hard rules: the blacklist caps at B, abnormal status at BB, revoked or cancelled gives no rating', () => {
    const listed = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), blacklist('2026-03-01')]));
    expect(listed.score).toBe(703);
    expect(listed).toMatchObject({ bandRating: 'BB', rating: 'B', cap: { code: 'blacklist_active', from: 'BB', to: 'B' } });
    const abnormal = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), registration('abnormal')]));
    expect(abnormal).toMatchObject({ score: 703, bandRating: 'BB', rating: 'BB', cap: null });
    const honoured = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), registration('abnormal'), honour('2025-01-01', null)], { enterprise: { scale: 'medium' } }));
    expect(honoured).toMatchObject({ score: 717, bandRating: 'BBB', rating: 'BB', cap: { code: 'business_abnormal', from: 'BBB', to: 'BB' } });
    for (const status of ['revoked', 'cancelled']) {
      const gone = scoreFeatures(EXPERT_SCORECARD_V1, features([...soundFirm(), blacklist('2026-03-01')], { enterprise: { status } }));
      expect(gone).toMatchObject({ rating: null, noRatingReason: '企业已吊销或注销，不予评级', cap: null });
    }
  });

  test('the bands spread the firms: from a distressed firm at the bottom to a strong medium firm at the top', () => {
    const strong = [...soundFirm(), honour('2025-01-01', null)].map((r) =>
      r.category === 'tax' ? featureRecord('tax', { ...r.payload, taxPaidFen: 6_000_000, creditLevel: 'A' }, r.id) : r,
    );
    const top = scoreFeatures(EXPERT_SCORECARD_V1, features(strong, { enterprise: { scale: 'medium', registeredCapitalFen: 2_000_000_000 } }));
    expect(top.rating).toBe('AAA');
    const distressed = periods('2026-06', 24).flatMap((p, i) => {
      const fall = i < 12 ? 1 : 0.4;
      return [
        tax(p, 20_000 * fall, { arrearsYuan: i >= 18 ? 8_000 : 0, level: i >= 18 ? 'D' : 'B' }),
        social(p, Math.round(40 * fall), i >= 20 ? 3_000 : 0),
        utility(p, 10_000 * fall * SEASON[Number(p.slice(5)) - 1], i >= 20 ? 900 : 0),
      ];
    });
    const bottom = scoreFeatures(EXPERT_SCORECARD_V1, features([...distressed, courtCase('defendant', '2026-01-10', null, 'enforcing'), penalty('2026-02-01', 'serious')]));
    expect(bottom.rating).toBe('C');
    expect(scoreReasons(EXPERT_SCORECARD_V1, bottom.points).map((r) => r.feature)).toContain('taxArrears');
  });
});
