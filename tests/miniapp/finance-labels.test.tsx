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

describe('finance labels and limits agree with shared', () => {
  it('has the same labels, in the same order', () => {
    expect(PRODUCT_TYPE_LABELS).toEqual(shared.PRODUCT_TYPE_LABELS);
    expect(Object.keys(PRODUCT_TYPE_LABELS)).toEqual([...shared.PRODUCT_TYPES]);
    expect(GUARANTEE_METHOD_LABELS).toEqual(shared.GUARANTEE_METHOD_LABELS);
    expect(GUARANTEE_METHODS).toEqual([...shared.GUARANTEE_METHODS]);
    expect(REPAYMENT_METHOD_LABELS).toEqual(shared.REPAYMENT_METHOD_LABELS);
    expect(NEED_PURPOSE_LABELS).toEqual(shared.NEED_PURPOSE_LABELS);
    expect(NEED_PURPOSES).toEqual([...shared.NEED_PURPOSES]);
    expect(NEED_URGENCY_LABELS).toEqual(shared.NEED_URGENCY_LABELS);
    expect(NEED_URGENCIES).toEqual([...shared.NEED_URGENCIES]);
    expect(NEED_STATUS_LABELS).toEqual(shared.NEED_STATUS_LABELS);
    expect(SCALE_LABELS).toEqual(shared.SCALE_LABELS);
    expect(MATCH_CRITERION_LABELS).toEqual(shared.MATCH_CRITERION_LABELS);
    expect(Object.keys(MATCH_CRITERION_LABELS)).toEqual([...shared.MATCH_CRITERIA]);
  });

  it('has the same limits', () => {
    expect(MAX_AMOUNT_FEN).toBe(shared.MAX_AMOUNT_FEN);
    expect(MAX_TERM_MONTHS).toBe(shared.MAX_TERM_MONTHS);
    expect(MAX_RATE_BP).toBe(shared.MAX_RATE_BP);
  });

  it('formats rates as shared does', () => {
    for (const bp of [0, 1, 5, 99, 345, 385, 435, 1000, 1234, MAX_RATE_BP]) {
      expect({ bp, text: formatRateBp(bp) }).toEqual({ bp, text: shared.formatRateBp(bp) });
    }
  });

  it('explains outcomes as shared does', () => {
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
    const outcomes = [
      terms({}),
      terms({ minYearsEstablished: 3 }),
      terms({ minRating: 'A', noSocialArrears: true }),
      terms({ regionCodes: ['330000'] }),
    ].map((t, i) => evaluateProduct(firm, need, { productId: String(i), revisionId: `r${i}`, institutionId: '9', terms: t }, { asOf: '2026-07-01' }));
    expect(outcomes.map((o) => o.fits)).toEqual([true, false, false, false]);
    for (const outcome of outcomes) expect(explainOutcome(outcome)).toEqual(shared.explainOutcome(outcome));
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
