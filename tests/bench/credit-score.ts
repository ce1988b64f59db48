/**
 * Pure scoring of one firm in process: computeFeatures + scoreFeatures + scoreReasons on ~100 realistic records
 * (30 months of tax, social security and utilities, a few penalties, court cases, a licence and an honour), timed per
 * call. The figure the recompute job's rate is bounded by, without the database. tests/bench/run.ts prints it.
 */
import {
  EXPERT_SCORECARD_V1,
  computeFeatures,
  normaliseCreditRow,
  scoreFeatures,
  scoreReasons,
  type TCreditCategory,
  type TFeatureEnterprise,
  type TFeatureRecord,
} from '@xyd/shared';

const USCC = '91330106MA2H0CM3X6';

/** A record as the pipeline stores it: the push row normalised by the real normaliser, then its current version. */
export function featureRecord(category: TCreditCategory, row: Record<string, unknown>, id: string, disputed = false): TFeatureRecord {
  const result = normaliseCreditRow(category, { uscc: USCC, externalId: id, ...row }, 'push');
  if (!result.ok) throw new Error(`${category} ${id}: ${result.errors.map((e) => e.reason).join('；')}`);
  const { record } = result;
  return {
    id,
    category,
    period: record.period,
    occurredOn: record.occurredOn,
    endsOn: record.endsOn,
    adverse: record.adverse,
    corrected: record.payload.corrected === true,
    disputed,
    payload: record.payload,
  };
}

export const BENCH_AS_OF = '2026-07-01';

export const BENCH_ENTERPRISE: TFeatureEnterprise = {
  establishedOn: '2016-04-12',
  registeredCapitalFen: '300000000',
  scale: 'small',
  industryCode: 'C3484',
  status: 'active',
};

const SEASON = [0.9, 0.7, 1, 1, 1.05, 1.15, 1.3, 1.3, 1.1, 1, 0.95, 1.05];

/** One small manufacturer's records up to June 2026. */
export function benchRecords(): TFeatureRecord[] {
  const records: TFeatureRecord[] = [];
  let n = 0;
  const id = () => String(++n);
  records.push(
    featureRecord('registration', {
      name: '杭州云栖精密机械有限公司',
      legalRepName: '张建国',
      registeredCapitalFen: 300_000_000,
      establishedOn: BENCH_ENTERPRISE.establishedOn,
      industryCode: 'C3484',
      regionCode: '330106',
      scale: 'small',
      status: 'active',
    }, id()),
  );
  for (let i = 0; i < 30; i++) {
    const abs = 2026 * 12 + 5 - 29 + i; // 2024-01 … 2026-06
    const period = `${Math.floor(abs / 12)}-${String((abs % 12) + 1).padStart(2, '0')}`;
    const m = abs % 12;
    const wobble = 1 + ((i * 7) % 5) / 100;
    records.push(
      featureRecord('tax', { period, taxPaidFen: Math.round(3_200_000 * SEASON[m] * wobble), revenueDeclaredFen: 128_000_000, arrearsFen: 0, creditLevel: i < 6 ? 'M' : 'B' }, id()),
      featureRecord('social_security', { period, insuredHeadcount: 40 + Math.floor(i / 6), paidFen: 8_000_000, arrearsFen: i === 27 ? 120_000 : 0 }, id()),
      featureRecord('utility', { period, electricityKwh: Math.round(18_600 * SEASON[m] * wobble), waterTonnes: 320, gasM3: null, arrearsFen: 0 }, id()),
    );
  }
  records.push(
    featureRecord('penalty', { decisionNo: '杭西市监处罚〔2025〕123号', cause: '未按规定公示年度报告', penaltyType: 'fine', amountFen: 2_000_000, severity: 'general', decidedOn: '2025-03-05', decidedBy: '杭州市西湖区市场监督管理局', corrected: true, correctedOn: '2025-09-30' }, id()),
    featureRecord('penalty', { decisionNo: '杭西市监处罚〔2026〕45号', cause: '销售不合格产品', penaltyType: 'fine', amountFen: 5_000_000, severity: 'serious', decidedOn: '2026-02-11', decidedBy: '杭州市西湖区市场监督管理局', corrected: false, correctedOn: null }, id()),
    featureRecord('penalty', { decisionNo: '杭西应急罚〔2024〕7号', cause: '未按规定开展安全培训', penaltyType: 'warning', amountFen: 0, severity: 'minor', decidedOn: '2024-06-20', decidedBy: '杭州市西湖区应急管理局', corrected: false, correctedOn: null }, id()),
    featureRecord('court_case', { caseNo: '（2025）浙0106民初1234号', court: '杭州市西湖区人民法院', role: 'defendant', cause: '买卖合同纠纷', amountFen: 15_600_000, status: 'trial', enforcement: 'none', filedOn: '2025-11-08', closedOn: null }, id()),
    featureRecord('court_case', { caseNo: '（2024）浙0106民初88号', court: '杭州市西湖区人民法院', role: 'plaintiff', cause: '承揽合同纠纷', amountFen: 4_200_000, status: 'closed', enforcement: 'enforced', filedOn: '2024-03-02', closedOn: '2024-09-30' }, id()),
    featureRecord('licence', { licenceNo: 'JY13301060012345', licenceName: '排污许可证', issuedBy: '杭州市生态环境局', validFrom: '2023-03-01', validTo: '2028-02-28', status: 'valid' }, id()),
    featureRecord('honour', { honourType: 'specialised', honourName: '浙江省专精特新中小企业', grantedOn: '2024-12-20', validTo: '2027-12-19', grantedBy: '浙江省经济和信息化厅' }, id()),
  );
  return records;
}

export function benchPureScoring(iterations = Number(process.env.BENCH_SCORE_ITERATIONS ?? 20_000)): { p50Us: number; p99Us: number; perSecond: number; records: number } {
  const records = benchRecords();
  const input = { enterprise: BENCH_ENTERPRISE, records, asOf: BENCH_AS_OF, excludeDisputed: EXPERT_SCORECARD_V1.excludeDisputed };
  const once = () => {
    const result = scoreFeatures(EXPERT_SCORECARD_V1, computeFeatures(input));
    return scoreReasons(EXPERT_SCORECARD_V1, result.points).length;
  };
  // Warm up so the JIT has compiled the hot paths before anything is timed.
  let sink = 0;
  for (let i = 0; i < Math.min(2_000, iterations); i++) sink += once();
  const latencies = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    sink += once();
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1_000;
  }
  const elapsedUs = Number(process.hrtime.bigint() - started) / 1_000;
  if (sink < 0) throw new Error('unreachable');
  latencies.sort();
  const pick = (q: number) => latencies[Math.min(iterations - 1, Math.floor(q * iterations))];
  const round = (us: number) => Math.round(us * 100) / 100;
  return { p50Us: round(pick(0.5)), p99Us: round(pick(0.99)), perSecond: Math.round((iterations * 1_000_000) / elapsedUs), records: records.length };
}
