import { addDays, shanghaiDate, usccCheckCharacter } from '@xyd/shared';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { Organisation } from '../../server/src/modules/identity/models';
import { Job } from '../../server/src/modules/jobs/models';
import { recomputeAll } from '../../server/src/modules/credit-engine/jobs';
import { startWorker } from '../../server/src/jobs/worker';
import { newId } from '../../server/src/lib/ids';
import { seededRandom } from '../../server/src/modules/credit-engine/trainer/split';
import { clock, signInAdmin, signedPush, startTestServer, waitFor, type TestServer } from './helpers';

/**
 * A candidate trained on the platform's own outcomes: 400 firms with tax records and, for some, penalties; the
 * firms with penalties default far more often. The worker trains a candidate from their features and outcomes, it
 * is scored in shadow, and the comparison measures both versions on the outcomes.
 */
let server: TestServer;
let admin: Awaited<ReturnType<typeof signInAdmin>>;
const TODAY = shanghaiDate(new Date());
const FIRMS = 400;

beforeAll(async () => {
  server = await startTestServer({}, { seed: true, signInLimit: 10_000 });
  admin = await signInAdmin(server, 'admin');
});
afterAll(async () => {
  clock.reset();
  await server.close();
});

function month(back: number): string {
  const [y, m] = TODAY.split('-').map(Number);
  const abs = y * 12 + (m - 1) - back;
  return `${Math.floor(abs / 12)}-${String((abs % 12) + 1).padStart(2, '0')}`;
}

it('refuses to train on too few outcomes, then trains a candidate that the comparison measures', async () => {
  const org = await Organisation.findOne({ where: { name: '浙江省发展和改革委员会' } });
  const created = await admin.post('/api/v1/data-sources').send({ organisationId: org!.id, name: '训练数据源', categories: ['tax', 'penalty'], regionCodes: ['330000'] });
  expect(created.status).toBe(201);
  const source = { keyId: created.body.data.source.keyId as string, secret: created.body.data.secret as string };
  const push = async (category: string, records: unknown[]) => {
    const res = await signedPush(server, source, category, records);
    expect(res.status).toBe(200);
    expect(res.body.data.errors).toEqual([]);
  };

  const random = seededRandom(42);
  const firms = Array.from({ length: FIRMS }, (_, i) => {
    const first17 = `91330106${String(900_000_000 + i).padStart(9, '0')}`;
    return { id: newId(), uscc: first17 + usccCheckCharacter(first17), penalised: random() < 0.3, paid: Math.round(500_000 + random() * 5_000_000) };
  });
  await Enterprise.bulkCreate(
    firms.map((f, i) => ({
      id: f.id,
      uscc: f.uscc,
      name: `训练样本企业${i}有限公司`,
      legalRepName: '张三',
      legalRepIdHmac: '',
      legalRepIdMasked: '',
      registeredCapitalFen: String(10_000_000 + i * 10_000),
      establishedOn: addDays('2015-01-01', i * 3),
      industryCode: 'C3484',
      industryName: '机械零部件加工',
      regionCode: '330106',
      scale: 'small' as const,
      status: 'active' as const,
      address: null,
      businessScope: null,
    })),
  );
  const tax = firms.flatMap((f) =>
    Array.from({ length: 12 }, (_, k) => ({
      uscc: f.uscc,
      externalId: `TAX-${f.uscc}-${month(k + 1)}`,
      period: month(k + 1),
      taxPaidFen: f.paid,
      revenueDeclaredFen: f.paid * 20,
      arrearsFen: 0,
      creditLevel: 'B',
    })),
  );
  for (let i = 0; i < tax.length; i += 5000) await push('tax', tax.slice(i, i + 5000));
  await push(
    'penalty',
    firms
      .filter((f) => f.penalised)
      .map((f, i) => ({
        uscc: f.uscc,
        externalId: `PEN-${f.uscc}`,
        decisionNo: `训练处罚〔2026〕${i}号`,
        cause: '未按规定公示年度报告',
        penaltyType: 'fine',
        amountFen: 1_000_000,
        severity: 'serious',
        decidedOn: addDays(TODAY, -200 - i),
        decidedBy: '杭州市市场监督管理局',
        corrected: false,
        correctedOn: null,
      })),
  );
  await recomputeAll(server.app, {});

  const stop = startWorker(server.app, { pollMs: 25, concurrency: 2 });
  try {
    // No outcomes yet: the job fails at once with the reason, and is not retried.
    const first = await admin.post('/api/v1/credit/scorecards/train');
    expect(first.status).toBe(202);
    const failed = await waitFor('the first training job to fail', async () => {
      const job = await Job.findByPk(first.body.data.jobId);
      return job?.status === 'failed' ? job : null;
    });
    expect(failed.lastError).toContain('实际结果不足');
    expect(failed.attempts).toBe(1);

    // Outcomes: penalised firms default 45% of the time, the others 5%.
    const outcomes = seededRandom(7);
    const rows = firms.map((f) => [f.id, TODAY, (f.penalised ? 0.45 : 0.05) > outcomes()]);
    await server.app.db.sequelize.query(
      `INSERT INTO credit_outcomes (enterprise_id, observed_on, defaulted, origin) VALUES ${rows.map(() => "(?, ?, ?, 'demo')").join(',')}`,
      { replacements: rows.flat() },
    );
    const second = await admin.post('/api/v1/credit/scorecards/train');
    expect(second.status).toBe(202);
    const candidate = await waitFor('a trained candidate', async () => {
      const job = await Job.findByPk(second.body.data.jobId);
      if (job?.status === 'failed') throw new Error(`training failed: ${job.lastError}`);
      const list = await admin.get('/api/v1/credit/scorecards');
      return list.body.data.find((v: { kind: string; status: string }) => v.kind === 'trained' && v.status === 'candidate');
    });
    expect(candidate.training.rows).toBe(FIRMS);
    expect(candidate.training.crossValidation.auc).toBeGreaterThan(0.6);
    // The candidate is scored in shadow by the recompute its upload queued.
    const comparison = await waitFor('the candidate scored in shadow', async () => {
      const res = await admin.get(`/api/v1/credit/scorecards/${candidate.id}/comparison`);
      return res.body.data.outcomes.labelled === FIRMS ? res.body.data : null;
    });
    expect(comparison.outcomes.candidate.auc).toBeGreaterThan(0.6);
    expect(comparison.outcomes.active.auc).toBeGreaterThan(0.5);
    expect(comparison.inputPsi.length).toBeGreaterThan(0);
    for (const input of comparison.inputPsi) expect(input.psi === null || input.psi >= 0).toBe(true);
  } finally {
    await stop();
  }
});
