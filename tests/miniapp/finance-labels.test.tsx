import * as shared from '@xyd/shared';
import { ZNeedInput, ZProductTerms, evaluateProduct, type TMatchProfile } from '@xyd/shared';
import {
  GUARANTEE_METHODS,
  GUARANTEE_METHOD_LABELS,
  MATCH_CRITERION_LABELS,
  MAX_AMOUNT_FEN,
  MAX_RATE_BP,
  MAX_TERM_MONTHS,
  NEED_PURPOSES,
  NEED_PURPOSE_LABELS,
  NEED_STATUS_LABELS,
  NEED_URGENCIES,
  NEED_URGENCY_LABELS,
  PRODUCT_TYPE_LABELS,
  REPAYMENT_METHOD_LABELS,
  SCALE_LABELS,
  explainOutcome,
  formatRateBp,
  needDraftProblems,
  parsePercentToBp,
  parseWanToFen,
  type NeedDraft,
} from '../../miniapp/src/services/finance';

describe('finance labels, limits and explanations', () => {
  it('are shared’s own (one definition), not copies', () => {
    expect(PRODUCT_TYPE_LABELS).toBe(shared.PRODUCT_TYPE_LABELS);
    expect(GUARANTEE_METHOD_LABELS).toBe(shared.GUARANTEE_METHOD_LABELS);
    expect(GUARANTEE_METHODS).toBe(shared.GUARANTEE_METHODS);
    expect(REPAYMENT_METHOD_LABELS).toBe(shared.REPAYMENT_METHOD_LABELS);
    expect(NEED_PURPOSE_LABELS).toBe(shared.NEED_PURPOSE_LABELS);
    expect(NEED_PURPOSES).toBe(shared.NEED_PURPOSES);
    expect(NEED_URGENCY_LABELS).toBe(shared.NEED_URGENCY_LABELS);
    expect(NEED_URGENCIES).toBe(shared.NEED_URGENCIES);
    expect(NEED_STATUS_LABELS).toBe(shared.NEED_STATUS_LABELS);
    expect(SCALE_LABELS).toBe(shared.SCALE_LABELS);
    expect(MATCH_CRITERION_LABELS).toBe(shared.MATCH_CRITERION_LABELS);
    expect([MAX_AMOUNT_FEN, MAX_TERM_MONTHS, MAX_RATE_BP]).toEqual([shared.MAX_AMOUNT_FEN, shared.MAX_TERM_MONTHS, shared.MAX_RATE_BP]);
    expect(formatRateBp).toBe(shared.formatRateBp);
    expect(explainOutcome).toBe(shared.explainOutcome);
  });

  it('explains real matcher outcomes: a fit, and near misses with the criteria they fail', () => {
    const firm: TMatchProfile = {
      enterpriseId: '5',
      regionCode: '110108',
      industryCode: 'I6513',
      scale: 'small',
      establishedOn: '2024-05-10',
      status: 'active',
      rating: 'BBB',
      score: 640,
      blacklisted: false,
      penalties: [],
      taxArrears: false,
      socialArrears: true,
      enforcementActive: false,
      projections: [{ action: '结清社保欠费', rating: 'A' }],
    };
    const terms = (criteria: Record<string, unknown>) =>
      ZProductTerms.parse({
        name: '科创信用贷',
        type: 'credit',
        amountMinFen: 10_0000_00,
        amountMaxFen: 300_0000_00,
        termMinMonths: 6,
        termMaxMonths: 36,
        rateMinBp: 345,
        rateMaxBp: 435,
        guaranteeMethods: ['credit'],
        repaymentMethods: ['interest_first'],
        turnaroundDays: 5,
        criteria,
      });
    const need = { amountFen: 50_0000_00, termMonths: 12, guaranteeMethods: ['credit' as const], maxRateBp: 500 };
    const outcomes = [terms({}), terms({ minYearsEstablished: 3 }), terms({ minRating: 'A', noSocialArrears: true })].map((t, i) =>
      evaluateProduct(firm, need, { productId: String(i), revisionId: `r${i}`, institutionId: '9', terms: t }, { asOf: '2026-07-01' }),
    );
    const [fit, young, rated] = outcomes.map((o) => explainOutcome(o));
    expect(fit.headline).toMatch(/^符合全部 \d+ 项条件$/);
    expect(young.headline).toBe('差 1 项：成立年限');
    expect(young.lines.some((l) => l.includes('成立满 3 年后'))).toBe(true);
    expect(rated.headline).toBe('差 2 项：信用评级、社保欠费');
    expect(rated.lines.some((l) => l.includes('结清社保欠费后评级预计可达 A'))).toBe(true);
  });
});

describe('the need form’s rules agree with ZNeedInput', () => {
  const valid: NeedDraft = {
    amountFen: 50_0000_00,
    termMonths: 12,
    purpose: 'working_capital',
    guaranteeMethods: ['credit'],
    maxRateBp: 435,
    urgency: 'month',
    note: '',
  };

  /** The server's first message for each field, as the form shows them. */
  function serverProblems(draft: NeedDraft): Record<string, string> {
    const result = ZNeedInput.safeParse(draft);
    const problems: Record<string, string> = {};
    if (!result.success) for (const issue of result.error.issues) problems[String(issue.path[0])] ??= issue.message;
    return problems;
  }

  it('accepts and refuses the same requests, with the same words', () => {
    const cases: Partial<NeedDraft>[] = [
      {},
      { amountFen: null },
      { amountFen: 0 },
      { amountFen: 99_999 },
      { amountFen: 100_000 },
      { amountFen: 100_000.5 },
      { amountFen: MAX_AMOUNT_FEN },
      { amountFen: MAX_AMOUNT_FEN + 1 },
      { termMonths: null },
      { termMonths: 0 },
      { termMonths: 1 },
      { termMonths: 6.5 },
      { termMonths: 360 },
      { termMonths: 361 },
      { purpose: null },
      { guaranteeMethods: [] },
      { guaranteeMethods: ['credit', 'mortgage', 'pledge', 'guarantee'] },
      { maxRateBp: null },
      { maxRateBp: 0 },
      { maxRateBp: 1 },
      { maxRateBp: 3600 },
      { maxRateBp: 3601 },
      { maxRateBp: 43.5 },
      { urgency: null },
      { note: '  ' },
      { note: '字'.repeat(500) },
      { note: ` ${'字'.repeat(500)} ` },
      { note: '字'.repeat(501) },
      { amountFen: null, termMonths: 0, purpose: null, guaranteeMethods: [], maxRateBp: 0, urgency: null, note: '字'.repeat(501) },
    ];
    for (const change of cases) {
      const draft = { ...valid, ...change };
      expect({ change, problems: needDraftProblems(draft) }).toEqual({ change, problems: serverProblems(draft) });
    }
  });

  it('reads 万元 and % by their digits, so the conversions are exact', () => {
    expect(parseWanToFen('12.34')).toEqual({ value: 12_340_000 });
    expect(parseWanToFen('0.1')).toEqual({ value: 100_000 });
    expect(parseWanToFen('1000000')).toEqual({ value: MAX_AMOUNT_FEN });
    expect(parseWanToFen('0.000001')).toEqual({ value: 1 });
    expect(parseWanToFen(' 1,000 ')).toEqual({ value: 1_000_000_000 });
    expect(parseWanToFen('')).toBeNull();
    expect(parseWanToFen('1.0000001', '融资金额')).toEqual({ problem: '融资金额最多精确到分（小数点后 6 位）' });
    expect(parseWanToFen('abc', '融资金额')).toEqual({ problem: '融资金额应为数字' });
    expect(parseWanToFen('.', '融资金额')).toEqual({ problem: '融资金额应为数字' });
    // 4.35 × 100 is 434.99999999999994 in floating point; 0.29 × 100 is 28.999999999999996.
    expect(parsePercentToBp('4.35')).toEqual({ value: 435 });
    expect(parsePercentToBp('0.29')).toEqual({ value: 29 });
    expect(parsePercentToBp('3.8')).toEqual({ value: 380 });
    expect(parsePercentToBp('.5')).toEqual({ value: 50 });
    expect(parsePercentToBp('3.855', '可接受利率')).toEqual({ problem: '可接受利率最多保留 2 位小数' });
  });
});
