import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXPERT_SCORECARD_V1, PLATFORM_FEATURES, ZScorecard, scalingConstants, scoreFeatures, type TScorecard, type TScorecardBin } from '@xyd/shared';
import { binCategorical, binNumeric, informationValueTerm, weightOfEvidence, woeColumn, type TCategoricalColumn, type TNumericColumn } from '../../server/src/modules/credit-engine/trainer/binning';
import { featureNameFor, prepareData } from '../../server/src/modules/credit-engine/trainer/columns';
import { TrainingInputError } from '../../server/src/modules/credit-engine/trainer/errors';
import { fitLogistic, solveSymmetric, withoutCoefficient } from '../../server/src/modules/credit-engine/trainer/logistic';
import { auc, gini, ks, psi, PSI_EPSILON } from '../../server/src/modules/credit-engine/trainer/metrics';
import { bandOutcomes, bandsFromScores, binPoints, DEFAULT_SCALING, badRatesMonotone } from '../../server/src/modules/credit-engine/trainer/scaling';
import { normalFrom, repeatedStratifiedKFold, seededRandom, stratifiedHoldout } from '../../server/src/modules/credit-engine/trainer/split';
import { compileDatePattern, parseArff, parseCsv, readTableFile, type TCell, type TTable } from '../../server/src/modules/credit-engine/trainer/table';
import { trainScorecard } from '../../server/src/modules/credit-engine/trainer/train';
import { CREDIT_TRAIN_USAGE, UsageError, parseCreditTrainArgs } from '../../server/src/commands/credit-train';

const REPO = path.resolve(__dirname, '..', '..');
// A copy of the public file, with its provenance beside it (tests/server/fixtures/credit/PROVENANCE.md).
const GERMAN = path.join(__dirname, 'fixtures', 'credit', 'germancredit.csv');
const CLI = path.join(REPO, 'server', 'src', 'commands', 'credit-train.ts');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-trainer-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The message of what `fn` throws (a TrainingInputError, or the test fails). */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TrainingInputError);
    return (error as Error).message;
  }
  throw new Error('expected a TrainingInputError');
}

const days = (y: number, m: number, d: number, h = 0, min = 0, s = 0) => Date.UTC(y, m - 1, d, h, min, s) / 86_400_000;

describe('ARFF parser', () => {
  const ARFF = [
    '% The credit file of a test: comments, odd quoting and dates',
    '%',
    "@RELATION 'loans 2024'",
    '',
    '@attribute amount NUMERIC   % in yuan',
    '@attribute rate real',
    '@attribute term integer',
    "@attribute purpose {car, 'new house', \"repairs, small\", 'it\\'s other'}",
    "@attribute 'note text' string",
    '@attribute opened date "yyyy-MM-dd"',
    '@attribute seen date',
    '@attribute month date "MMM yyyy"',
    '@attribute class {0,1}',
    '',
    '@data',
    "1200.5, 0.05, 12, car, 'paid, on time', 2020-01-02, 2021-03-04T05:06:07, 'Jan 2020', 0",
    '% a comment between rows',
    "?, .5e-1, 24, 'new house', \"said \\\"no\\\"\", ?, ?, ?, 1   % trailing comment",
    "-3, 1E2, ?, \"repairs, small\", '?', 2024-02-29, 1999-12-31T23:59:59, 'Feb 2021', 0",
    "7,0,1,'it\\'s other',plain words,2023-12-31,2000-01-01T00:00:00,'Mar 2022',1",
    '',
  ].join('\r\n');

  it('reads types, quoted nominal values with spaces and commas, dates, comments and missing values', () => {
    const table = parseArff(ARFF);
    expect(table.relation).toBe('loans 2024');
    expect(table.columns).toEqual(['amount', 'rate', 'term', 'purpose', 'note text', 'opened', 'seen', 'month', 'class']);
    expect(table.attributes.find((a) => a.name === 'purpose')!.values).toEqual(['car', 'new house', 'repairs, small', "it's other"]);
    expect(table.attributes.find((a) => a.name === 'month')).toMatchObject({ type: 'date', dateFormat: 'MMM yyyy', dateAsDays: false });
    expect(table.rows).toHaveLength(4);
    expect(table.rows[0]).toEqual({
      amount: 1200.5,
      rate: 0.05,
      term: 12,
      purpose: 'car',
      'note text': 'paid, on time',
      opened: days(2020, 1, 2),
      seen: days(2021, 3, 4, 5, 6, 7),
      month: 'Jan 2020',
      class: '0',
    });
    expect(table.rows[1]).toEqual({ amount: null, rate: 0.05, term: 24, purpose: 'new house', 'note text': 'said "no"', opened: null, seen: null, month: null, class: '1' });
    // A quoted ? is the text "?", not a missing value.
    expect(table.rows[2]).toMatchObject({ amount: -3, rate: 100, term: null, purpose: 'repairs, small', 'note text': '?', opened: days(2024, 2, 29) });
    expect(table.rows[3]).toMatchObject({ purpose: "it's other", 'note text': 'plain words', seen: days(2000, 1, 1) });
  });

  it('names the line of each problem', () => {
    const header = '@relation r\n@attribute a numeric\n@attribute b {x,y}\n@attribute d date yyyy-MM-dd\n@data\n';
    expect(inputError(() => parseArff(`${header}1,x,2020-01-01\n{0 1, 1 x}\n`))).toMatch(/第 7 行.*稀疏/);
    expect(inputError(() => parseArff(`${header}1,x\n`))).toMatch(/第 6 行有 2 个值，应有 3 个/);
    expect(inputError(() => parseArff(`${header}1,x,2020-01-01\n1,z,2020-01-01\n`))).toMatch(/第 7 行属性 b 的值「z」不在声明的取值列表中/);
    expect(inputError(() => parseArff(`${header}abc,x,2020-01-01\n`))).toMatch(/第 6 行属性 a 应为数值/);
    expect(inputError(() => parseArff(`${header}1,x,2021-02-29\n`))).toMatch(/第 6 行属性 d 的日期「2021-02-29」不符合格式/);
    expect(inputError(() => parseArff(`${header}1,'x,2020-01-01\n`))).toMatch(/第 6 行的引号没有闭合/);
    expect(inputError(() => parseArff(`${header}1,x,2020-01-01,\n`))).toMatch(/第 6 行以逗号结尾/);
    expect(inputError(() => parseArff(`${header}1,x,2020-01-01,{3}\n`))).toMatch(/第 6 行带有实例权重/);
    expect(inputError(() => parseArff('@relation r\n@attribute a numeric\n@attribute b blob\n@data\n'))).toMatch(/第 3 行属性 b 的类型「blob」无法识别/);
    expect(inputError(() => parseArff('@relation r\n@attribute a numeric\n@attribute a numeric\n@data\n'))).toMatch(/第 3 行：属性 a 重复声明/);
    expect(inputError(() => parseArff('@relation r\n@attribute a numeric\n1\n'))).toMatch(/第 3 行无法识别/);
    expect(inputError(() => parseArff('@relation r\n@attribute a numeric\n'))).toMatch(/缺少 @data/);
    expect(inputError(() => parseArff('@attribute a numeric\n@data\n'))).toMatch(/第 1 行：@attribute 之前应先有 @relation/);
  });

  it('compiles the date patterns ARFF files use, and leaves others as text', () => {
    expect(compileDatePattern('dd/MM/yy')!('31/12/99')).toBe(days(1999, 12, 31));
    expect(compileDatePattern('yyyyMMdd HH:mm')!('20240102 03:04')).toBe(days(2024, 1, 2, 3, 4));
    expect(compileDatePattern("yyyy-MM-dd'T'HH:mm:ss")!('2024-13-01T00:00:00')).toBeNull();
    expect(compileDatePattern('EEE, d MMM yyyy')).toBeNull();
  });
});

describe('CSV reader', () => {
  it('reads a BOM, CRLF, quoting (commas, line breaks, doubled quotes), ? and empty as missing, and types columns', () => {
    const text = '\ufeffid,name,score,flag\r\n1,"Smith, J",3.5,true\r\n2,"line\r\nbreak",?,false\r\n3,"say ""hi""",,true\r\n04,plain,-2e3,\r\n\r\n';
    const table = parseCsv(text);
    expect(table.columns).toEqual(['id', 'name', 'score', 'flag']);
    expect(table.rows).toEqual([
      { id: 1, name: 'Smith, J', score: 3.5, flag: 'true' },
      { id: 2, name: 'line\r\nbreak', score: null, flag: 'false' },
      { id: 3, name: 'say "hi"', score: null, flag: 'true' },
      { id: 4, name: 'plain', score: -2000, flag: null },
    ]);
  });

  it('takes a semicolon or tab delimiter from the header, tolerates trailing empty cells, keeps mixed columns as text', () => {
    expect(parseCsv('a;b\n1;x\n2;y;;\n').rows).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    expect(parseCsv('a\tb\n1\t2\n').rows).toEqual([{ a: 1, b: 2 }]);
    expect(parseCsv('a,b\n1,2\nx,3\n').rows).toEqual([{ a: '1', b: 2 }, { a: 'x', b: 3 }]);
  });

  it('refuses broken files with the line', () => {
    expect(inputError(() => parseCsv('a,b\n1,2\n3\n'))).toBe('CSV 第 3 行有 1 个值，表头有 2 列');
    expect(inputError(() => parseCsv('a,a\n1,2\n'))).toMatch(/第 1 列和第 2 列同名/);
    expect(inputError(() => parseCsv('a,,c\n1,2,3\n'))).toMatch(/第 2 列没有列名/);
    expect(inputError(() => parseCsv('a,b\n1,"x"y\n'))).toMatch(/CSV 第 2 行无法读取/);
    expect(inputError(() => parseCsv('\r\n\r\n'))).toMatch(/没有表头/);
  });

  it('reads files by extension or content, GBK included, and says what is wrong with a bad one', () => {
    const arff = path.join(tmp, 'data.txt');
    fs.writeFileSync(arff, '% header\n@relation r\n@attribute a numeric\n@data\n1\n');
    expect(readTableFile(arff)).toMatchObject({ format: 'arff', rows: [{ a: 1 }] });
    const gbk = path.join(tmp, 'gbk.csv');
    fs.writeFileSync(gbk, Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x0a, 0xb2, 0xe2, 0xca, 0xd4, 0x0a])); // 名称 / 测试 in GBK
    expect(readTableFile(gbk)).toMatchObject({ format: 'csv', columns: ['名称'], rows: [{ 名称: '测试' }] });
    expect(inputError(() => readTableFile(path.join(tmp, 'none.csv')))).toMatch(/不存在/);
    fs.writeFileSync(path.join(tmp, 'empty.csv'), '');
    expect(inputError(() => readTableFile(path.join(tmp, 'empty.csv')))).toMatch(/是空的/);
    fs.writeFileSync(path.join(tmp, 'binary.csv'), Buffer.from([1, 0, 2, 0]));
    expect(inputError(() => readTableFile(path.join(tmp, 'binary.csv')))).toMatch(/不是文本/);
  });
});

describe('logistic regression by IRLS', () => {
  it('recovers the coefficients of a known model within 3 standard errors', () => {
    const random = seededRandom(7);
    const normal = normalFrom(random);
    const n = 20_000;
    const x = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = normal();
      y[i] = random() < 1 / (1 + Math.exp(-(0.5 + 1.5 * x[i]!))) ? 1 : 0;
    }
    const fit = fitLogistic([x], y);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(15);
    expect(fit.ridge).toBe(0);
    expect(Math.abs(fit.coefficients[0]! - 0.5)).toBeLessThan(3 * fit.standardErrors[0]!);
    expect(Math.abs(fit.coefficients[1]! - 1.5)).toBeLessThan(3 * fit.standardErrors[1]!);
    // The SE of a slope of 1.5 on 20k rows is about 0.02: the test would notice a slope of 1.4 or 1.6.
    expect(fit.standardErrors[1]!).toBeGreaterThan(0.01);
    expect(fit.standardErrors[1]!).toBeLessThan(0.03);
  });

  it('matches the hand-solved binary-predictor case exactly, standard errors included', () => {
    // x = 0: 3 events in 10; x = 1: 6 events in 8. The MLE reproduces both rates:
    // β0 = ln(3/7), β0 + β1 = ln(6/2); Var β0 = 1/3 + 1/7, Var β1 = 1/3 + 1/7 + 1/6 + 1/2.
    const x = [...Array(10).fill(0), ...Array(8).fill(1)];
    const y = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0];
    const fit = fitLogistic([x], y);
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(3 / 7), 10);
    expect(fit.coefficients[1]).toBeCloseTo(Math.log(7), 10);
    expect(fit.standardErrors[0]).toBeCloseTo(Math.sqrt(1 / 3 + 1 / 7), 7);
    expect(fit.standardErrors[1]).toBeCloseTo(Math.sqrt(1 / 3 + 1 / 7 + 1 / 6 + 1 / 2), 7);
    expect(fit.covariance[0]![1]).toBeCloseTo(-(1 / 3 + 1 / 7), 7);
  });

  it('symmetrises before Cholesky and falls back to a ridge on collinear columns', () => {
    const { solution, ridge } = solveSymmetric(
      [
        [2, 1 + 1e-15],
        [1, 2],
      ],
      [[1], [1]],
    );
    expect(ridge).toBe(0);
    expect(solution[0]![0]).toBeCloseTo(1 / 3, 12);
    const x = [0, 1, 2, 3, 4, 5, 6, 7];
    const fit = fitLogistic([x, x], [0, 0, 1, 0, 1, 0, 1, 1]);
    expect(fit.ridge).toBeGreaterThan(0);
    expect(fit.coefficients.every(Number.isFinite)).toBe(true);
    // The two copies share the effect equally.
    expect(fit.coefficients[1]).toBeCloseTo(fit.coefficients[2]!, 6);
  });

  it('stops at the iteration cap under complete separation, without blowing up', () => {
    const fit = fitLogistic([[0, 1, 2, 3, 4, 5]], [0, 0, 0, 1, 1, 1], { maxIterations: 20 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(20);
    expect(fit.coefficients.every(Number.isFinite)).toBe(true);
  });

  it('steps a coefficient out by the quadratic approximation, exactly for a quadratic likelihood', () => {
    // Exact for the quadratic part: β' minimises (β − b)'V⁻¹(β − b) with β_j = 0; check against that minimum.
    const b = [1, -2, 0.5];
    const v = [
      [2, 0.5, 0.3],
      [0.5, 1, 0.2],
      [0.3, 0.2, 0.5],
    ];
    const dropped = withoutCoefficient(b, v, 1);
    // Conditional mean of a Gaussian: b_K − V_Kj V_jj⁻¹ b_j.
    expect(dropped.coefficients[0]).toBeCloseTo(1 - (0.5 * -2) / 1, 12);
    expect(dropped.coefficients[1]).toBeCloseTo(0.5 - (0.2 * -2) / 1, 12);
    expect(dropped.covariance[0]![0]).toBeCloseTo(2 - 0.25, 12);
    expect(dropped.covariance[0]![1]).toBeCloseTo(0.3 - 0.1, 12);
  });
});

const numericColumn = (values: Array<number | null>): TNumericColumn => {
  const array = Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
  const order = Uint32Array.from(values.map((_, i) => i).filter((i) => values[i] !== null)).sort((a, b) => array[a]! - array[b]!);
  return { kind: 'numeric', name: 'x', values: array, order };
};
const OPTIONS = { fineClasses: 20, minBinShare: 0.05, maxBins: 10, monotone: false };
const all = (n: number) => new Uint8Array(n).fill(1);

describe('WOE binning', () => {
  it('computes WOE and IV on a hand-computable table, smoothing an empty cell with 0.5', () => {
    // A: 40 good / 10 bad; B: 30 / 20; C: 30 / 0. Totals 100 good, 30 bad.
    const levels = ['A', 'B', 'C'];
    const counts = [
      [40, 10],
      [30, 20],
      [30, 0],
    ];
    const codes: number[] = [];
    const bad: number[] = [];
    counts.forEach(([g, b], code) => {
      for (let k = 0; k < g!; k++) codes.push(code), bad.push(0);
      for (let k = 0; k < b!; k++) codes.push(code), bad.push(1);
    });
    const column: TCategoricalColumn = { kind: 'categorical', name: 'c', codes: Int32Array.from(codes), levels };
    const binning = binCategorical(column, Uint8Array.from(bad), all(codes.length), { ...OPTIONS, minBinShare: 0.01 });
    const woe = { A: Math.log(0.4 / (10 / 30)), B: Math.log(0.3 / (20 / 30)), C: Math.log(0.3 / (0.5 / 30)) };
    const byLevel = Object.fromEntries(binning.bins.map((b) => [(b.rule as { levels: string[] }).levels[0], b.woe]));
    expect(byLevel.A).toBeCloseTo(woe.A, 12);
    expect(byLevel.B).toBeCloseTo(woe.B, 12);
    expect(byLevel.C).toBeCloseTo(woe.C, 12);
    const iv = (0.4 - 10 / 30) * woe.A + (0.3 - 20 / 30) * woe.B + (0.3 - 0.5 / 30) * woe.C;
    expect(binning.iv).toBeCloseTo(iv, 12);
    // Ordered by WOE, worst first.
    expect(binning.bins.map((b) => (b.rule as { levels: string[] }).levels[0])).toEqual(['B', 'A', 'C']);
    expect(weightOfEvidence(0, 5, 100, 30)).toBeCloseTo(Math.log(0.005 / (5 / 30)), 12);
    expect(informationValueTerm(10, 10, 100, 30)).toBeCloseTo((0.1 - 1 / 3) * Math.log(0.1 / (1 / 3)), 12);
  });

  it('pools rare levels into an "other" bin that unseen levels score as, and gives missing its own bin', () => {
    const codes = [...Array(50).fill(0), ...Array(45).fill(1), 2, 2, 3, -1, -1];
    const bad = [...Array(10).fill(1), ...Array(40).fill(0), ...Array(30).fill(1), ...Array(15).fill(0), 0, 1, 0, 1, 0];
    const column: TCategoricalColumn = { kind: 'categorical', name: 'c', codes: Int32Array.from(codes), levels: ['big', 'mid', 'rare1', 'rare2', 'unseen'] };
    const binning = binCategorical(column, Uint8Array.from(bad), all(codes.length), OPTIONS);
    // 3 % and 1 % are under the 5 % minimum: pooled; pooled they are still under it, so merged into the closer neighbour.
    const rules = binning.bins.map((b) => b.rule);
    expect(rules).toContainEqual({ kind: 'missing' });
    const other = binning.bins.find((b) => b.rule.kind === 'levels' && b.rule.other)!;
    expect((other.rule as { levels: string[] }).levels).toEqual(expect.arrayContaining(['rare1', 'rare2']));
    expect(binning.fallbackWoe).toBe(other.woe);
    const woe = woeColumn(binning, column, Uint32Array.from([0, 97, 99]));
    expect(woe[1]).toBe(other.woe);
    expect(woe[2]).toBe(binning.bins.find((b) => b.rule.kind === 'missing')!.woe);
    // A level no training row had takes the fallback.
    const unseen: TCategoricalColumn = { ...column, codes: Int32Array.from([4]) };
    expect(woeColumn(binning, unseen, Uint32Array.from([0]))[0]).toBe(other.woe);
  });

  it('cuts numeric columns at quantiles, ties never straddling a cut, missing apart', () => {
    const values: Array<number | null> = [];
    const bad: number[] = [];
    for (let v = 1; v <= 100; v++) {
      values.push(v);
      bad.push(v % 4 === 0 ? 1 : 0);
    }
    values.push(null, null);
    bad.push(1, 0);
    const binning = binNumeric(numericColumn(values), Uint8Array.from(bad), all(values.length), { ...OPTIONS, fineClasses: 4, minBinShare: 0.01 });
    // Quantile positions floor(k · 100 / 4) = 25, 50, 75 of the sorted values 1…100: cuts at 26, 51, 76.
    expect(binning.bins.map((b) => b.rule)).toEqual([
      { kind: 'range', min: null, max: 26 },
      { kind: 'range', min: 26, max: 51 },
      { kind: 'range', min: 51, max: 76 },
      { kind: 'range', min: 76, max: null },
      { kind: 'missing' },
    ]);
    expect(binning.bins.map((b) => [b.goods, b.bads])).toEqual([
      [19, 6],
      [19, 6],
      [19, 6],
      [18, 7],
      [1, 1],
    ]);
    const ties = binNumeric(numericColumn([1, 1, 1, 1, 1, 1, 2, 3]), Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1]), all(8), { ...OPTIONS, fineClasses: 4, minBinShare: 0.01 });
    // Quantile positions 2, 4, 6 hold 1, 1, 2: the six 1s stay together below the one cut.
    expect(ties.bins.map((b) => b.rule)).toEqual([
      { kind: 'range', min: null, max: 2 },
      { kind: 'range', min: 2, max: null },
    ]);
    expect(ties.bins[0]!.goods + ties.bins[0]!.bads).toBe(6);
  });

  it('merges bins below the minimum share and, when asked, until WOE is monotone', () => {
    // Four fine classes of 100 rows with bad rates 10 %, 30 %, 20 %, 50 %: rising risk with a dip.
    const values: number[] = [];
    const bad: number[] = [];
    [0.1, 0.3, 0.2, 0.5].forEach((rate, k) => {
      for (let i = 0; i < 100; i++) {
        values.push(k * 100 + i);
        bad.push(i < rate * 100 ? 1 : 0);
      }
    });
    const column = numericColumn(values);
    const free = binNumeric(column, Uint8Array.from(bad), all(400), { ...OPTIONS, fineClasses: 4 });
    expect(free.bins).toHaveLength(4);
    expect(free.trend).toBe('falling');
    const monotone = binNumeric(column, Uint8Array.from(bad), all(400), { ...OPTIONS, fineClasses: 4, monotone: true });
    expect(monotone.bins.map((b) => [b.goods + b.bads, b.bads])).toEqual([
      [100, 10],
      [200, 50],
      [100, 50],
    ]);
    expect(monotone.bins.map((b) => b.rule)).toEqual([
      { kind: 'range', min: null, max: 100 },
      { kind: 'range', min: 100, max: 300 },
      { kind: 'range', min: 300, max: null },
    ]);
    const woe = monotone.bins.map((b) => b.woe);
    expect(woe[0]).toBeGreaterThan(woe[1]!);
    expect(woe[1]).toBeGreaterThan(woe[2]!);
    // At a 30 % minimum share, the 25 % classes are merged into the neighbour closer in WOE.
    const big = binNumeric(column, Uint8Array.from(bad), all(400), { ...OPTIONS, fineClasses: 4, minBinShare: 0.3 });
    expect(big.bins.every((b) => b.goods + b.bads >= 120)).toBe(true);
    // maxBins merges the pair that costs least IV.
    const two = binNumeric(column, Uint8Array.from(bad), all(400), { ...OPTIONS, fineClasses: 4, maxBins: 2 });
    expect(two.bins).toHaveLength(2);
    expect(two.iv).toBeLessThanOrEqual(free.iv);
  });

  it('learns only from the rows in the mask', () => {
    const column = numericColumn([1, 2, 3, 4, 100, 200]);
    const bad = Uint8Array.from([0, 1, 0, 1, 1, 1]);
    const member = Uint8Array.from([1, 1, 1, 1, 0, 0]);
    const binning = binNumeric(column, bad, member, { ...OPTIONS, fineClasses: 2, minBinShare: 0.01 });
    expect(binning.bins.reduce((s, b) => s + b.goods + b.bads, 0)).toBe(4);
    expect(binning.bins.map((b) => b.rule)).toEqual([
      { kind: 'range', min: null, max: 3 },
      { kind: 'range', min: 3, max: null },
    ]);
  });
});

describe('metrics', () => {
  it('AUC by ranks with ties averaged, Gini', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    // Pairs (event, non-event): (1,1) tie ½, (1,2) 0, (3,1) 1, (3,2) 1 → 2.5 / 4.
    expect(auc([1, 1, 2, 3], [0, 1, 0, 1])).toBeCloseTo(0.625, 12);
    expect(auc([5, 5, 5], [0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(gini([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.5, 12);
    expect(auc([1, 2], [1, 1])).toBeNaN();
  });

  it('KS as the largest distance of the cumulative distributions, never splitting a tie', () => {
    // Ascending: 0.1 (−), 0.35 (+), 0.4 (−), 0.8 (+): distances ½, 0, ½, 0.
    expect(ks([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.5, 12);
    expect(ks([1, 2, 3, 4], [0, 0, 1, 1])).toBeCloseTo(1, 12);
    // All tied: no threshold separates anything.
    expect(ks([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(ks([1, 2], [0, 0])).toBeNaN();
  });

  it('PSI on quantile bins of the expected scores, empty shares floored at epsilon', () => {
    const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(psi(expected, expected, 2)).toBe(0);
    // Edge at 6: expected 50 / 50, actual 30 / 70.
    expect(psi(expected, [1, 2, 3, 6, 7, 8, 9, 10, 10, 10], 2)).toBeCloseTo(0.2 * Math.log(7 / 3), 12);
    expect(psi(expected, [7, 8, 9], 2)).toBeCloseTo((PSI_EPSILON - 0.5) * Math.log(PSI_EPSILON / 0.5) + 0.5 * Math.log(2), 12);
    // Repeated values give fewer bins, not empty ones.
    expect(psi([1, 1, 1, 1, 2], [1, 2], 10)).toBeCloseTo((0.5 - 0.8) * Math.log(0.5 / 0.8) + (0.5 - 0.2) * Math.log(0.5 / 0.2), 12);
  });
});

describe('splits', () => {
  const bad = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 < 3 ? 1 : 0));

  it('holds out a stratified share, reproducibly by seed', () => {
    const split = stratifiedHoldout(bad, 0.3, 1);
    expect(split.test).toHaveLength(300);
    expect([...split.test].filter((i) => bad[i]).length).toBe(90);
    expect(new Set([...split.train, ...split.test]).size).toBe(1000);
    expect(stratifiedHoldout(bad, 0.3, 1).test).toEqual(split.test);
    expect(stratifiedHoldout(bad, 0.3, 2).test).not.toEqual(split.test);
  });

  it('deals repeated stratified folds: each row tested once per repeat, bad counts within one', () => {
    const splits = repeatedStratifiedKFold(bad, 5, 3, 9);
    expect(splits).toHaveLength(15);
    for (let r = 0; r < 3; r++) {
      const tested = splits.slice(r * 5, r * 5 + 5).flatMap((s) => [...s.test]);
      expect(tested.sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
      const bads = splits.slice(r * 5, r * 5 + 5).map((s) => [...s.test].filter((i) => bad[i]).length);
      expect(Math.max(...bads) - Math.min(...bads)).toBeLessThanOrEqual(1);
    }
    expect(splits[0]!.test).not.toEqual(splits[5]!.test);
    for (const s of splits) expect(s.train.length + s.test.length).toBe(1000);
  });
});

describe('points scaling', () => {
  it('spreads the intercept so that Σ points = offset + factor · ln(odds of good)', () => {
    const random = seededRandom(3);
    const { factor, offset } = scalingConstants(DEFAULT_SCALING);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(random() * 8);
      const alpha = random() * 4 - 2;
      const betas = Array.from({ length: n }, () => -random() * 2);
      const woes = Array.from({ length: n }, () => random() * 4 - 2);
      const total = betas.reduce((s, beta, j) => s + binPoints(beta, woes[j]!, alpha, n, DEFAULT_SCALING), 0);
      const logitBad = alpha + betas.reduce((s, beta, j) => s + beta * woes[j]!, 0);
      expect(total).toBeCloseTo(offset + factor * -logitBad, 9);
    }
    // 600 points at 50:1, 20 points to double the odds.
    expect(offset + factor * Math.log(50)).toBeCloseTo(600, 9);
    expect(factor * Math.log(2)).toBeCloseTo(20, 9);
  });

  it('sets band minimums strictly decreasing over the training scores and checks monotone bad rates', () => {
    const scores = Array.from({ length: 200 }, (_, i) => 400 + i);
    const bands = bandsFromScores(scores, 350.4);
    expect(bands.map((b) => b.rating)).toEqual(['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C']);
    for (let i = 1; i < bands.length; i++) expect(bands[i]!.minScore).toBeLessThan(bands[i - 1]!.minScore);
    expect(bands[0]!.minScore).toBe(590); // the top 5 %: scores 590 … 599
    expect(bands[8]!.minScore).toBe(350);
    // Few distinct scores: minimums still step down one point at a time.
    const flat = bandsFromScores([500, 500, 500, 501], 480);
    for (let i = 1; i < flat.length; i++) expect(flat[i]!.minScore).toBeLessThan(flat[i - 1]!.minScore);
    const outcomes = bandOutcomes(bands, [595, 595, 401], [0, 1, 1]);
    expect(outcomes[0]).toMatchObject({ rating: 'AAA', count: 2, bads: 1, badRate: 0.5 });
    expect(outcomes[1]!.badRate).toBeNull();
    expect(badRatesMonotone(outcomes)).toBe(true);
    expect(badRatesMonotone(bandOutcomes(bands, [595, 401], [1, 0]))).toBe(false);
  });
});

/** The bin a value falls in under the document's own rule (scorecard.ts), written out independently here. */
function matchBin(bins: readonly TScorecardBin[], value: TCell): TScorecardBin | null {
  for (const bin of bins) {
    if (bin.missing) {
      if (value === null) return bin;
    } else if (bin.values) {
      if (value !== null && bin.values.includes(String(value))) return bin;
    } else if (typeof value === 'number' && (bin.min === undefined || value >= bin.min) && (bin.max === undefined || value < bin.max)) return bin;
  }
  return null;
}

/** A synthetic book: risk falls with income, depends on the region, not on the noise column. */
function syntheticTable(rows: number, seed: number): TTable {
  const random = seededRandom(seed);
  const normal = normalFrom(random);
  const regions = ['north', 'south', 'east', 'west'];
  const regionEffect: Record<string, number> = { north: -0.8, south: 0, east: 0.4, west: 1 };
  const table: TTable = { columns: ['id', 'income', 'region', 'noise', 'outcome'], rows: [] };
  for (let i = 0; i < rows; i++) {
    const income = normal();
    const region = regions[Math.floor(random() * 4)]!;
    const logit = -1 - 1.2 * income + regionEffect[region]!;
    table.rows.push({
      id: `c${i}`,
      income: random() < 0.03 ? null : Math.round(income * 1000) / 1000,
      region,
      noise: random(),
      outcome: random() < 1 / (1 + Math.exp(-logit)) ? 'defaulted' : 'repaid',
    });
  }
  return table;
}

describe('trainScorecard', () => {
  const table = syntheticTable(3000, 11);
  // Monotone: ten free bins on 2,100 rows give pure noise an IV near 0.02 (about bins / rows / p(1 − p)).
  const options = { label: 'outcome', good: 'repaid', name: '合成数据', dataName: 'synthetic', exclude: ['id'], trainedAt: '2026-01-01T00:00:00.000Z', repeats: 1, monotone: true };

  it('finds the informative features, drops noise, and writes a valid, reproducible document', () => {
    const { scorecard, report } = trainScorecard(table, options);
    expect(ZScorecard.safeParse(scorecard).success).toBe(true);
    expect(scorecard.kind).toBe('trained');
    expect(scorecard.characteristics.map((c) => c.feature).sort()).toEqual(['income', 'region']);
    expect(report.features.find((f) => f.feature === 'noise')!.status).toBe('low_iv');
    expect(report.model.coefficients.every((c) => c.coefficient < 0)).toBe(true);
    // WOE coding of a true logistic effect gives coefficients near 1 in size.
    for (const c of report.model.coefficients) expect(Math.abs(c.coefficient + 1)).toBeLessThan(0.35);
    expect(report.crossValidation!.auc).toBeGreaterThan(0.72);
    expect(report.holdout!.psi).toBeLessThan(0.1);
    // Income has a missing bin; the region bins list their values.
    const income = scorecard.characteristics.find((c) => c.feature === 'income')!;
    expect(income.bins.some((b) => b.missing)).toBe(true);
    expect(income.dimension).toBe('operations');
    expect(income.comment).toContain('训练所得');
    expect(scorecard.training).toMatchObject({ data: 'synthetic', label: 'outcome', goodValue: 'repaid', rows: 3000, trainedAt: '2026-01-01T00:00:00.000Z' });
    expect(trainScorecard(table, options).scorecard).toEqual(scorecard);
    expect(trainScorecard(table, { ...options, seed: 5 }).scorecard).not.toEqual(scorecard);
  });

  it('makes every row score offset + factor · ln(odds of good) of its model, with the platform scoring agreeing', () => {
    const { scorecard, report } = trainScorecard(table, options);
    const { factor, offset } = scalingConstants(scorecard.scaling);
    const intercept = report.model.intercept.coefficient;
    for (const row of table.rows.slice(0, 500)) {
      let points = 0;
      let logit = intercept;
      for (const c of scorecard.characteristics) {
        // Every value of this table has a bin (income's missing values included).
        const bin = matchBin(c.bins, row[c.feature] ?? null)!;
        expect(bin).not.toBeNull();
        points += bin.points;
        logit += c.coefficient! * bin.woe!;
      }
      const p = 1 / (1 + Math.exp(-logit));
      expect(points).toBeCloseTo(offset + factor * Math.log((1 - p) / p), 8);
      expect(Math.abs(scoreFeatures(scorecard, row).score - points)).toBeLessThanOrEqual(0.5);
    }
  });

  it('trains on platform feature vectors with a defaulted flag, in the expert version\'s words, without holdout or CV', () => {
    const random = seededRandom(21);
    const levels = ['A', 'B', 'M', 'C', 'D'];
    const rows: Record<string, TCell>[] = [];
    for (let i = 0; i < 2000; i++) {
      const level = levels[Math.floor(random() * 5)]!;
      const arrears = random() < 0.2;
      const logit = -2 + levels.indexOf(level) * 0.5 + (arrears ? 1.2 : 0);
      rows.push({ taxCreditLevel: level, socialArrears: arrears, defaulted: random() < 1 / (1 + Math.exp(-logit)) });
    }
    const { scorecard, report } = trainScorecard({ columns: ['taxCreditLevel', 'socialArrears', 'defaulted'], rows }, { label: 'defaulted', name: '平台候选', dataName: '平台贷款结果', holdout: 0, repeats: 0 });
    expect(report.data.labelRule).toBe('defaulted = true 为坏（违约），false 为好');
    expect(report.holdout).toBeNull();
    expect(report.crossValidation).toBeNull();
    expect(scorecard.training!.holdout).toBeUndefined();
    expect(report.model.trainRows).toBe(2000);
    expect(scorecard.characteristics.map((c) => c.feature).sort()).toEqual(['socialArrears', 'taxCreditLevel']);
    for (const c of scorecard.characteristics) {
      const expert = EXPERT_SCORECARD_V1.characteristics.find((e) => e.feature === c.feature)!;
      expect(c.label).toBe(PLATFORM_FEATURES[c.feature]!.label);
      expect([c.dimension, c.reason, c.advice]).toEqual([expert.dimension, expert.reason, expert.advice]);
    }
    const arrears = scorecard.characteristics.find((c) => c.feature === 'socialArrears')!;
    const points = (flag: boolean) => arrears.bins.find((b) => b.values!.includes(String(flag)))!.points;
    expect(points(true)).toBeLessThan(points(false));
    // The platform's scoring reads the flags as the bins spell them.
    const best = scoreFeatures(scorecard, { taxCreditLevel: 'A', socialArrears: false });
    const worst = scoreFeatures(scorecard, { taxCreditLevel: 'D', socialArrears: true });
    expect(best.score).toBeGreaterThan(worst.score);
  });

  it('eliminates a suppressor whose coefficient has the wrong sign, and refits', () => {
    // x2 follows x1's noise and only a little of the signal z: alone it looks good (WOE), beside x1 it flips.
    const random = seededRandom(5);
    const normal = normalFrom(random);
    const rows: Record<string, TCell>[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = normal();
      const u = normal();
      rows.push({ x1: z + u, x2: u + 0.3 * z + normal(), x3: normal() + 0.5 * z, y: random() < 1 / (1 + Math.exp(1 + z)) ? 1 : 0 });
    }
    const data = { columns: ['x1', 'x2', 'x3', 'y'], rows };
    const base = { label: 'y', name: 'n', dataName: 'd', repeats: 0, monotone: true };
    const kept = trainScorecard(data, base).report;
    expect(kept.features.find((f) => f.feature === 'x2')).toMatchObject({ status: 'wrong_sign', note: expect.stringMatching(/^系数为正/) });
    expect(kept.model.coefficients.map((c) => c.feature)).toEqual(['x1', 'x3']);
    expect(kept.model.coefficients.every((c) => c.coefficient < 0)).toBe(true);
    const all = trainScorecard(data, { ...base, eliminateWrongSign: false }).report;
    expect(all.model.coefficients.find((c) => c.feature === 'x2')!.coefficient).toBeGreaterThan(0);
  });

  it('refuses a label it cannot read, naming the problem', () => {
    expect(inputError(() => trainScorecard(table, { ...options, label: 'missing' }))).toMatch(/没有标签列 missing/);
    expect(inputError(() => trainScorecard(table, { ...options, good: undefined }))).toMatch(/请用 --good 指明/);
    expect(inputError(() => trainScorecard(table, { ...options, good: 'paid' }))).toMatch(/「paid」不是标签列 outcome 的取值/);
    expect(inputError(() => trainScorecard(table, { ...options, label: 'region' }))).toMatch(/有 4 个取值/);
    expect(inputError(() => trainScorecard(table, { ...options, minIv: 5 }))).toMatch(/没有特征可以入模/);
    expect(inputError(() => trainScorecard(table, { ...options, folds: 1 }))).toMatch(/folds 应为 2–20 的整数/);
    const few = { columns: ['x', 'y'], rows: [{ x: 1, y: 1 }, { x: 2, y: 0 }, { x: 3, y: 0 }] };
    expect(inputError(() => trainScorecard(few, { label: 'y', name: 'n', dataName: 'd' }))).toMatch(/坏样本 1 个/);
  });

  it('reads a 0/1 label as 1 = bad, types columns, and names features the way the document allows', () => {
    const data = prepareData(
      {
        columns: ['y', 'flag', 'amount (元)', 'constant', 'empty'],
        rows: [
          { y: 1, flag: true, 'amount (元)': 5, constant: 'a', empty: null },
          { y: '0', flag: false, 'amount (元)': 7, constant: 'a', empty: null },
          { y: null, flag: false, 'amount (元)': Infinity, constant: 'a', empty: null },
        ],
      },
      { label: 'y' },
    );
    expect(data.labelRule).toBe('y = 1 为坏（违约），0 为好');
    expect(Array.from(data.bad)).toEqual([1, 0]);
    expect(data.unlabelled).toBe(1);
    expect(data.columns.map((c) => [c.column, c.feature, c.data.kind])).toEqual([
      ['flag', 'flag', 'categorical'],
      ['amount (元)', 'amount____', 'numeric'],
    ]);
    expect(data.skipped).toEqual([
      { column: 'constant', reason: '取值全部相同' },
      { column: 'empty', reason: '全部为空' },
    ]);
    expect(featureNameFor('1st', new Set())).toBe('_1st');
    expect(featureNameFor('a b', new Set(['a_b']))).toBe('a_b_2');
  });
});

describe('credit-train CLI', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });

  it('trains on the German credit CSV to the reference CV AUC and writes a valid version', () => {
    const out = path.join(tmp, 'german.json');
    const result = run(['--data', GERMAN, '--label', 'creditability', '--good', 'good', '--monotone', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const cv = /CV AUC (\d\.\d+) ± (\d\.\d+)\s+KS (\d\.\d+)/.exec(result.stdout);
    expect(cv).not.toBeNull();
    expect(Number(cv![1])).toBeGreaterThanOrEqual(0.785);
    expect(Number(cv![3])).toBeGreaterThan(0.4);
    expect(result.stdout).toMatch(/留出验证（训练 700 行，留出 300 行）：AUC 0\.\d+/);
    const document = ZScorecard.parse(JSON.parse(fs.readFileSync(out, 'utf8'))) as TScorecard;
    expect(document.training!.crossValidation!.auc).toBeCloseTo(Number(cv![1]), 4);
    expect(document.training!.rows).toBe(1000);
    expect(document.training!.bads).toBe(300);
    expect(document.characteristics.length).toBeGreaterThanOrEqual(8);
  });

  it('parses its arguments, saying what is wrong with bad ones', () => {
    const usage = (args: string[]) => {
      try {
        parseCreditTrainArgs(args);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('expected a usage error');
    };
    expect(usage(['--label', 'x'])).toBe('请用 --data 文件 指定训练数据');
    expect(usage(['--data', 'a.csv', '--label', 'y', '--max-bins', '2.5'])).toBe('--max-bins 应为非负整数，当前为「2.5」');
    expect(usage(['--data', 'a.csv', '--label', 'y', '--min-iv', 'high'])).toBe('--min-iv 应为数值，当前为「high」');
    expect(usage(['--data', 'a.csv', '--label', 'y', '--bogus'])).toMatch(/^参数不正确/);
    expect(usage(['--help'])).toBe('');
    expect(CREDIT_TRAIN_USAGE).toMatch(/不填时标签须为 0\/1，1 表示坏/);
    const parsed = parseCreditTrainArgs(['--data', 'dir/loans.arff', '--label', 'y', '--holdout', '0.25', '--monotone', '--exclude', 'id, date'], new Date('2026-03-01T00:00:00Z'));
    expect(parsed.options).toMatchObject({ name: 'loans 训练版 2026-03-01', dataName: 'loans.arff', holdout: 0.25, monotone: true, exclude: ['id', 'date'] });
  });

  it('exits 2 with a message, not a stack trace, on bad arguments and bad files', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--data', GERMAN, '--label', 'creditability', '--folds', 'five'], /--folds 应为非负整数，当前为「five」/],
      [['--data', GERMAN, '--label', 'creditability'], /请用 --good 指明/],
      [['--data', path.join(tmp, 'nothing.csv'), '--label', 'y'], /数据文件 .*nothing\.csv 不存在/],
    ];
    for (const [args, message] of cases) {
      const result = run(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
