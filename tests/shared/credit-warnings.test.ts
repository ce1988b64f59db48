import {
  WARNING_RULES_V1,
  WARNING_RULE_CODES,
  WARNING_RULE_LABELS,
  WARNING_SEVERITIES,
  WARNING_SEVERITY_LABELS,
  ZWarningRules,
  detectRecordWarnings,
  detectScoreWarnings,
  periodNumber,
  periodOfNumber,
  type TFeatureRecord,
  type TWarningRules,
} from '@xyd/shared';
import { featureRecord } from '../bench/credit-score';

// Lookback 90 days: records dated from 2026-08-17 (monthly: periods from 2026-08) on are new.
const AS_OF = '2026-11-15';

let nextId = 0;
const id = () => `w${++nextId}`;

/** `count` months ending with `last`, oldest first. */
function periods(last: string, count: number): string[] {
  const end = periodNumber(last);
  return Array.from({ length: count }, (_, i) => periodOfNumber(end - count + 1 + i));
}

const penalty = (decidedOn: string, severity: string, disputed = false) =>
  featureRecord(
    'penalty',
    { decisionNo: `杭西市监处罚〔2026〕${nextId}号`, cause: '销售不合格产品', penaltyType: 'fine', amountFen: 2_000_000, severity, decidedOn, decidedBy: '杭州市西湖区市场监督管理局', corrected: false, correctedOn: null },
    id(),
    disputed,
  );
const blacklist = (listedOn: string, removedOn: string | null = null) =>
  featureRecord('blacklist', { listType: 'dishonest_debtor', listedOn, removedOn, listedBy: '杭州市西湖区人民法院', reason: '有履行能力而拒不履行生效法律文书确定的义务' }, id());
const courtCase = (role: string, filedOn: string, closedOn: string | null, enforcement = 'none') =>
  featureRecord(
    'court_case',
    { caseNo: `（2026）浙0106民初${nextId}号`, court: '杭州市西湖区人民法院', role, cause: '买卖合同纠纷', amountFen: 15_600_000, status: closedOn ? 'closed' : 'trial', enforcement, filedOn, closedOn },
    id(),
  );
const tax = (period: string, arrearsYuan: number, level: string | null = 'B', disputed = false) =>
  featureRecord('tax', { period, taxPaidFen: 2_000_000, revenueDeclaredFen: 40_000_000, arrearsFen: arrearsYuan * 100, creditLevel: level }, id(), disputed);
const social = (period: string, headcount: number, arrearsYuan = 0) =>
  featureRecord('social_security', { period, insuredHeadcount: headcount, paidFen: headcount * 150_000, arrearsFen: arrearsYuan * 100 }, id());
const utility = (period: string, kwh: number) => featureRecord('utility', { period, electricityKwh: Math.round(kwh), waterTonnes: 300, gasM3: null, arrearsFen: 0 }, id());
const registration = (status: string) =>
  featureRecord('registration', { name: '杭州云栖精密机械有限公司', legalRepName: '张建国', registeredCapitalFen: 300_000_000, establishedOn: '2016-03-01', industryCode: 'C3484', regionCode: '330106', scale: 'small', status }, id());

function detect(records: TFeatureRecord[], options: { rules?: TWarningRules; businessStatus?: string; asOf?: string } = {}) {
  return detectRecordWarnings(options.rules ?? WARNING_RULES_V1, { records, asOf: options.asOf ?? AS_OF, businessStatus: options.businessStatus ?? 'active' });
}
const keys = (records: TFeatureRecord[], options?: Parameters<typeof detect>[1]) => detect(records, options).map((c) => c.causeKey);

/** Electricity with a strong summer peak and a winter trough, the same shape each year. */
const SEASON = [0.8, 0.6, 1, 1, 1.1, 1.3, 1.6, 1.6, 1.2, 1, 0.9, 1];
const seasonal = (period: string) => 10_000 * SEASON[Number(period.slice(5)) - 1];

describe('ZWarningRules', () => {
  test('a minimal document takes the defaults; V1 enables every rule', () => {
    const rules = ZWarningRules.parse({ format: 'xyd-warning-rules/1', name: '测试', description: '' });
    expect(rules).toMatchObject({
      lookbackDays: 90,
      penaltyMinSeverity: 'general',
      penaltySeverity: { minor: 'low', general: 'medium', serious: 'high', severe: 'high' },
      utilityDropRatio: 0.6,
      headcountDropRatio: 0.7,
      ratingDownNotches: 2,
    });
    expect(Object.keys(rules.enabled).sort()).toEqual([...WARNING_RULE_CODES].sort());
    expect(Object.values(WARNING_RULES_V1.enabled).every(Boolean)).toBe(true);
    expect(ZWarningRules.parse({ ...rules, enabled: { penalty: false } }).enabled).toMatchObject({ penalty: false, blacklist: true });
    for (const code of WARNING_RULE_CODES) expect(WARNING_RULE_LABELS[code]).toMatch(/\p{Script=Han}/u);
    for (const severity of WARNING_SEVERITIES) expect(WARNING_SEVERITY_LABELS[severity]).toMatch(/\p{Script=Han}/u);
  });

  test('rejects thresholds out of range, in Chinese', () => {
    const bad = ZWarningRules.safeParse({ format: 'xyd-warning-rules/1', name: '测试', description: '', utilityDropRatio: 1.2, ratingDownNotches: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message)).toEqual(expect.arrayContaining(['用电量下降阈值应小于 1', '评级下调档数至少为 1']));
  });
});

describe('detectRecordWarnings: events', () => {
  test('a new penalty by severity, once per record, with its facts; minor, old and disputed ones raise nothing', () => {
    const general = penalty('2026-10-20', 'general');
    const [cause, ...rest] = detect([general]);
    expect(rest).toEqual([]);
    expect(cause).toEqual({
      rule: 'penalty',
      causeKey: `penalty:${general.id}`,
      severity: 'medium',
      title: '新增一般行政处罚',
      detail: expect.stringContaining('2026-10-20 杭州市西湖区市场监督管理局作出一般行政处罚'),
      evidence: [general.id],
    });
    expect(cause.detail).toContain('¥20,000.00');
    expect(detect([penalty('2026-10-20', 'serious')])[0]).toMatchObject({ severity: 'high', title: '新增较重行政处罚' });
    expect(detect([penalty('2026-10-20', 'minor'), penalty('2026-08-16', 'severe'), penalty('2026-10-20', 'severe', true)])).toEqual([]);
    // The first day of the lookback still counts.
    expect(detect([penalty('2026-08-17', 'severe')])).toHaveLength(1);
    const lenient = ZWarningRules.parse({ ...WARNING_RULES_V1, penaltyMinSeverity: 'minor' });
    expect(detect([penalty('2026-10-20', 'minor')], { rules: lenient })[0]).toMatchObject({ severity: 'low', title: '新增轻微行政处罚' });
  });

  test('blacklist: a new listing still in force', () => {
    const listed = blacklist('2026-10-01');
    expect(detect([listed])).toEqual([
      {
        rule: 'blacklist',
        causeKey: `blacklist:${listed.id}`,
        severity: 'high',
        title: '列入失信被执行人名单',
        detail: '2026-10-01 被杭州市西湖区人民法院列入失信被执行人名单，原因：有履行能力而拒不履行生效法律文书确定的义务',
        evidence: [listed.id],
      },
    ]);
    expect(detect([blacklist('2026-10-01', '2026-11-01'), blacklist('2026-05-01')])).toEqual([]);
  });

  test('court: a new case as defendant; enforcement by the case’s latest date; plaintiffs and old cases raise nothing', () => {
    const sued = courtCase('defendant', '2026-10-01', null);
    const enforced = courtCase('defendant', '2025-01-01', '2026-10-10', 'enforcing');
    const both = courtCase('defendant', '2026-09-01', null, 'terminated');
    const causes = detect([sued, enforced, both, courtCase('plaintiff', '2026-10-01', null, 'enforcing'), courtCase('defendant', '2025-01-01', '2025-06-01', 'enforcing')]);
    expect(causes.map((c) => [c.rule, c.causeKey, c.severity])).toEqual([
      ['court_defendant', `court_defendant:${sued.id}`, 'medium'],
      ['enforcement', `enforcement:${enforced.id}`, 'high'],
      ['court_defendant', `court_defendant:${both.id}`, 'medium'],
      ['enforcement', `enforcement:${both.id}`, 'high'],
    ]);
    expect(causes[1]).toMatchObject({ title: '成为被执行人', detail: expect.stringContaining('执行中') });
    expect(causes[3].title).toBe('被执行案件终结本次执行');
  });

  test('business status: abnormal, revoked or cancelled, keyed on the status', () => {
    const record = registration('abnormal');
    expect(detect([record], { businessStatus: 'abnormal' })).toEqual([
      { rule: 'business_status', causeKey: 'business_status:abnormal', severity: 'medium', title: '列入经营异常', detail: '企业登记状态为「经营异常」', evidence: [record.id] },
    ]);
    expect(detect([], { businessStatus: 'revoked' })[0]).toMatchObject({ causeKey: 'business_status:revoked', severity: 'high', title: '企业已吊销', evidence: [] });
    expect(detect([record], { businessStatus: 'active' })).toEqual([]);
  });

  test('a rule switched off raises nothing', () => {
    const rules = ZWarningRules.parse({ ...WARNING_RULES_V1, enabled: { ...WARNING_RULES_V1.enabled, penalty: false, business_status: false } });
    expect(detect([penalty('2026-10-20', 'severe')], { rules, businessStatus: 'abnormal' })).toEqual([]);
  });
});

describe('detectRecordWarnings: monthly records', () => {
  test('tax and social arrears: one warning for the latest period in arrears within the lookback', () => {
    const records = periods('2026-10', 6).map((p) => tax(p, p >= '2026-09' ? 5_000 : 0));
    const causes = detect(records);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ rule: 'tax_arrears', causeKey: 'tax_arrears:2026-10', severity: 'medium', title: '出现欠税', detail: '2026-10 欠税 ¥5,000.00', evidence: [records[5].id] });
    expect(detect(periods('2026-10', 6).map((p) => tax(p, p === '2026-06' ? 5_000 : 0)))).toEqual([]);
    // The latest period's arrears under dispute: the period before it in arrears is the cause.
    const disputed = [...records.slice(0, 5), tax('2026-10', 5_000, 'B', true)];
    expect(keys(disputed)).toEqual(['tax_arrears:2026-09']);
    const owing = periods('2026-10', 3).map((p) => social(p, 40, p === '2026-10' ? 3_000 : 0));
    expect(detect(owing)).toEqual([expect.objectContaining({ rule: 'social_arrears', causeKey: 'social_arrears:2026-10', title: '社保欠缴', detail: '2026-10 社会保险欠缴 ¥3,000.00' })]);
  });

  test('tax credit level D: keyed on the first period of the D run, so a firm staying at D is warned once', () => {
    const until = (last: string) => periods(last, 8).map((p) => tax(p, 0, p >= '2026-09' ? 'D' : 'B'));
    const first = until('2026-09');
    expect(detect(first)).toEqual([expect.objectContaining({ rule: 'tax_level_d', causeKey: 'tax_level_d:2026-09', severity: 'high', evidence: [first[7].id] })]);
    expect(keys(until('2026-10'))).toEqual(['tax_level_d:2026-09']);
    expect(keys(periods('2026-10', 12).map((p) => tax(p, 0, p >= '2026-03' ? 'D' : 'B')))).toEqual([]);
    expect(keys(periods('2026-10', 12).map((p) => tax(p, 0, p === '2026-09' ? 'D' : 'B')))).toEqual([]);
  });

  test('electricity collapsing against the firm’s own year fires, keyed on the latest month', () => {
    const records = periods('2026-10', 24).map((p) => utility(p, seasonal(p) * (p >= '2026-08' ? 0.4 : 1)));
    const causes = detect(records);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ rule: 'utility_drop', causeKey: 'utility_drop:2026-10', severity: 'medium', title: '用电量大幅下降' });
    expect(causes[0].detail).toBe('2026-10 用电量 4000 千瓦时，为上年同月（10000 千瓦时）的 40%；近 3 个月同比为 40%');
    // Evidence: the three months and the same three a year earlier, latest first.
    const byPeriod = new Map(records.map((r) => [r.period, r.id]));
    expect(causes[0].evidence).toEqual(['2026-10', '2026-09', '2026-08', '2025-10', '2025-09', '2025-08'].map((p) => byPeriod.get(p)));
  });

  test('no warning on noise: a summer dip present in both years, a one-month blip, a mild fall', () => {
    // July and August at a third of the year's level, in both years: year on year nothing changed.
    const dip = periods('2026-08', 24).map((p) => utility(p, seasonal(p) * (p.endsWith('-07') || p.endsWith('-08') ? 0.3 : 1)));
    expect(detect(dip)).toEqual([]);
    // The latest month at half of last year's, the two before as usual: the three-month test holds it back.
    const blip = periods('2026-10', 24).map((p) => utility(p, seasonal(p) * (p === '2026-10' ? 0.5 : 1)));
    expect(detect(blip)).toEqual([]);
    const mild = periods('2026-10', 24).map((p) => utility(p, seasonal(p) * (p >= '2026-08' ? 0.75 : 1)));
    expect(detect(mild)).toEqual([]);
  });

  test('a collapse older than the lookback raises nothing; the current, unfinished month is not looked at', () => {
    const old = periods('2026-06', 24).map((p) => utility(p, seasonal(p) * (p >= '2026-04' ? 0.3 : 1)));
    expect(detect(old)).toEqual([]);
    const partial = [...periods('2026-10', 24).map((p) => utility(p, seasonal(p))), utility('2026-11', 100)];
    expect(detect(partial)).toEqual([]);
  });

  test('insured headcount falling sharply fires; a small fall does not', () => {
    const records = periods('2026-10', 15).map((p) => social(p, p >= '2026-08' ? 20 : 40));
    expect(detect(records)).toEqual([
      expect.objectContaining({
        rule: 'headcount_drop',
        causeKey: 'headcount_drop:2026-10',
        title: '参保人数大幅下降',
        detail: '2026-10 参保人数 20 人，为上年同月（40 人）的 50%；近 3 个月同比为 50%',
      }),
    ]);
    expect(detect(periods('2026-10', 15).map((p) => social(p, p >= '2026-08' ? 34 : 40)))).toEqual([]);
  });
});

describe('detectRecordWarnings: once per cause', () => {
  test('a firm with every kind of cause: one warning each, the same keys when run again or in another order', () => {
    const records = [
      registration('abnormal'),
      penalty('2026-10-20', 'serious'),
      blacklist('2026-09-15'),
      courtCase('defendant', '2026-10-01', null, 'enforcing'),
      ...periods('2026-10', 24).flatMap((p) => [
        tax(p, p >= '2026-09' ? 8_000 : 0, p >= '2026-09' ? 'D' : 'B'),
        social(p, p >= '2026-08' ? 15 : 40, p === '2026-10' ? 2_000 : 0),
        utility(p, seasonal(p) * (p >= '2026-08' ? 0.35 : 1)),
      ]),
    ];
    const first = keys(records, { businessStatus: 'abnormal' });
    expect(first.map((k) => k.split(':')[0]).sort()).toEqual(
      ['penalty', 'blacklist', 'court_defendant', 'enforcement', 'tax_arrears', 'tax_level_d', 'social_arrears', 'utility_drop', 'headcount_drop', 'business_status'].sort(),
    );
    expect(new Set(first).size).toBe(first.length);
    expect(keys(records, { businessStatus: 'abnormal' })).toEqual(first);
    expect(keys([...records].reverse(), { businessStatus: 'abnormal' }).sort()).toEqual([...first].sort());
    for (const key of first) expect(key.length).toBeLessThanOrEqual(191);
    // Next month's batch adds a month: the old causes keep their keys, the drops move to the new latest month.
    const later = [...records, tax('2026-11', 8_000, 'D'), social('2026-11', 15), utility('2026-11', seasonal('2026-11') * 0.35)];
    const next = keys(later, { businessStatus: 'abnormal', asOf: '2026-12-10' });
    expect(next).toEqual(expect.arrayContaining(['tax_level_d:2026-09', 'utility_drop:2026-11', 'headcount_drop:2026-11', 'tax_arrears:2026-11', 'business_status:abnormal']));
    expect(next.filter((k) => first.includes(k)).sort()).toEqual(first.filter((k) => !/^(tax_arrears|utility_drop|headcount_drop):/.test(k)).sort());
  });
});

describe('detectScoreWarnings', () => {
  const score = (rating: 'A' | 'BBB' | 'BB' | 'B' | null, value: number, scoreId: string) => ({ rating, score: value, scoreId });

  test('a rating down two notches or more raises one warning keyed on the new score; one notch raises nothing', () => {
    const previous = score('A', 730, 's1');
    expect(detectScoreWarnings(WARNING_RULES_V1, previous, score('BBB', 715, 's2'))).toEqual([]);
    expect(detectScoreWarnings(WARNING_RULES_V1, previous, score('BB', 705, 's3'))).toEqual([
      { rule: 'rating_down', causeKey: 'rating_down:s3', severity: 'medium', title: '信用评级下调 2 档', detail: '信用评级由 A（730 分）下调至 BB（705 分）', evidence: [] },
    ]);
    expect(detectScoreWarnings(WARNING_RULES_V1, previous, score('B', 690, 's4'))[0]).toMatchObject({ causeKey: 'rating_down:s4', severity: 'high', title: '信用评级下调 3 档' });
    expect(detectScoreWarnings(WARNING_RULES_V1, score('BB', 705, 's5'), previous)).toEqual([]);
  });

  test('no previous score, or a withheld rating, raises nothing; the threshold is the configuration’s', () => {
    expect(detectScoreWarnings(WARNING_RULES_V1, null, score('C' as never, 500, 's1'))).toEqual([]);
    expect(detectScoreWarnings(WARNING_RULES_V1, score('A', 730, 's1'), score(null, 705, 's2'))).toEqual([]);
    const strict = ZWarningRules.parse({ ...WARNING_RULES_V1, ratingDownNotches: 1 });
    expect(detectScoreWarnings(strict, score('A', 730, 's1'), score('BBB', 715, 's2'))).toHaveLength(1);
    const off = ZWarningRules.parse({ ...WARNING_RULES_V1, enabled: { ...WARNING_RULES_V1.enabled, rating_down: false } });
    expect(detectScoreWarnings(off, score('A', 730, 's1'), score('B', 690, 's2'))).toEqual([]);
  });
});
