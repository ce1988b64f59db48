import { addDays, buildRepaymentSchedule, loanClassOf, loanFigures, NON_PERFORMING_CLASSES, type TInstalment } from '@xyd/shared';

/**
 * Loan figures on hand-made schedules: balance, days overdue from the first unpaid instalment, the five categories
 * at their boundaries (金融资产风险分类办法 2023: any overdue 关注, past 90 次级, past 270 可疑, past 360 损失), and the
 * schedules the console proposes.
 */

// 12,000.00 元 over three months, 100.00 元 interest each month.
const SCHEDULE: TInstalment[] = [
  { dueOn: '2026-02-15', principalFen: 400_000, interestFen: 10_000 },
  { dueOn: '2026-03-15', principalFen: 400_000, interestFen: 10_000 },
  { dueOn: '2026-04-15', principalFen: 400_000, interestFen: 10_000 },
];
const PRINCIPAL = 1_200_000;

describe('five-category classification by days overdue', () => {
  it.each([
    [0, 'normal'],
    [1, 'special_mention'],
    [90, 'special_mention'],
    [91, 'substandard'],
    [270, 'substandard'],
    [271, 'doubtful'],
    [360, 'doubtful'],
    [361, 'loss'],
    [2000, 'loss'],
  ])('%i days overdue is %s', (days, expected) => {
    expect(loanClassOf(days)).toBe(expected);
  });

  it('counts 次级, 可疑 and 损失 as non-performing, and nothing else', () => {
    expect([...NON_PERFORMING_CLASSES].sort()).toEqual(['doubtful', 'loss', 'substandard']);
  });
});

describe('loanFigures', () => {
  it('is current with nothing due yet', () => {
    expect(loanFigures(PRINCIPAL, SCHEDULE, [], '2026-02-15')).toEqual({
      balanceFen: PRINCIPAL,
      repaidPrincipalFen: 0,
      repaidInterestFen: 0,
      overdueFen: 0,
      daysOverdue: 0,
      overdueSince: null,
      loanClass: 'normal',
      status: 'current',
      nextDue: { dueOn: '2026-02-15', amountFen: 410_000 },
    });
  });

  it('counts days from the first unpaid due date, the day after it falls due', () => {
    const f = loanFigures(PRINCIPAL, SCHEDULE, [], '2026-02-16');
    expect(f).toMatchObject({ daysOverdue: 1, overdueSince: '2026-02-15', overdueFen: 410_000, loanClass: 'special_mention', status: 'overdue' });
    // Two months on, both missed instalments are overdue, still counted from the first.
    expect(loanFigures(PRINCIPAL, SCHEDULE, [], '2026-03-20')).toMatchObject({ daysOverdue: 33, overdueFen: 820_000, overdueSince: '2026-02-15' });
  });

  it('applies payments to the oldest instalment first; a part payment leaves it overdue', () => {
    const part = [{ paidOn: '2026-02-20', principalFen: 300_000, interestFen: 10_000 }];
    expect(loanFigures(PRINCIPAL, SCHEDULE, part, '2026-02-25')).toMatchObject({ balanceFen: 900_000, overdueFen: 100_000, daysOverdue: 10 });
    const full = [...part, { paidOn: '2026-02-26', principalFen: 100_000, interestFen: 0 }];
    expect(loanFigures(PRINCIPAL, SCHEDULE, full, '2026-02-26')).toMatchObject({ balanceFen: 800_000, overdueFen: 0, daysOverdue: 0, status: 'current', nextDue: { dueOn: '2026-03-15', amountFen: 410_000 } });
  });

  it('ignores repayments after the day asked about', () => {
    const later = [{ paidOn: '2026-03-01', principalFen: 400_000, interestFen: 10_000 }];
    expect(loanFigures(PRINCIPAL, SCHEDULE, later, '2026-02-28')).toMatchObject({ daysOverdue: 13, balanceFen: PRINCIPAL });
  });

  it('moves through the classes as a loan stays unpaid past maturity', () => {
    const on = (days: number) => loanFigures(PRINCIPAL, SCHEDULE, [], addDays('2026-02-15', days));
    expect(addDays('2026-02-15', 90)).toBe('2026-05-16');
    expect([on(90), on(91), on(270), on(271), on(360), on(361)].map((f) => f.loanClass)).toEqual([
      'special_mention',
      'substandard',
      'substandard',
      'doubtful',
      'doubtful',
      'loss',
    ]);
    expect(on(361).daysOverdue).toBe(361);
  });

  it('is settled once every instalment is paid, even paid late', () => {
    const all = SCHEDULE.map((i) => ({ paidOn: '2026-06-01', principalFen: i.principalFen, interestFen: i.interestFen }));
    expect(loanFigures(PRINCIPAL, SCHEDULE, all, '2026-06-01')).toMatchObject({ balanceFen: 0, status: 'settled', loanClass: 'normal', nextDue: null, daysOverdue: 0 });
  });
});

describe('buildRepaymentSchedule', () => {
  const total = (s: TInstalment[]) => s.reduce((n, i) => n + i.principalFen, 0);

  it('repays the principal exactly, whatever the method', () => {
    for (const method of ['bullet', 'interest_first', 'equal_instalment', 'equal_principal', 'flexible'] as const) {
      expect(total(buildRepaymentSchedule(1_000_000_01, 435, 12, method, '2026-01-31'))).toBe(1_000_000_01);
    }
  });

  it('falls due on the same day each month, the month end when shorter', () => {
    const s = buildRepaymentSchedule(1_200_000, 600, 3, 'equal_principal', '2026-01-31');
    expect(s.map((i) => i.dueOn)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30']);
    // 0.5% a month on the falling balance: 60.00, 40.00, 20.00 元.
    expect(s.map((i) => [i.principalFen, i.interestFen])).toEqual([
      [400_000, 6_000],
      [400_000, 4_000],
      [400_000, 2_000],
    ]);
  });

  it('keeps equal instalments level (to the fen) and puts interest-first principal at the end', () => {
    const level = buildRepaymentSchedule(12_000_000, 480, 12, 'equal_instalment', '2026-03-10');
    const payments = level.slice(0, -1).map((i) => i.principalFen + i.interestFen);
    expect(new Set(payments).size).toBe(1);
    const interestFirst = buildRepaymentSchedule(12_000_000, 480, 12, 'interest_first', '2026-03-10');
    expect(interestFirst.slice(0, -1).every((i) => i.principalFen === 0 && i.interestFen === 48_000)).toBe(true);
    expect(interestFirst.at(-1)).toEqual({ dueOn: '2027-03-10', principalFen: 12_000_000, interestFen: 48_000 });
    expect(buildRepaymentSchedule(12_000_000, 480, 12, 'bullet', '2026-03-10')).toEqual([{ dueOn: '2027-03-10', principalFen: 12_000_000, interestFen: 576_000 }]);
  });
});
