import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import { usccCheckCharacter, type TCreditCategory } from '@xyd/shared';
import { newId } from '../../server/src/lib/ids';
import { jobDefinition } from '../../server/src/jobs/registry';
import { AuditLog } from '../../server/src/modules/audit/model';
import { Enterprise } from '../../server/src/modules/enterprises/models';
import { CreditChange, CreditRecord } from '../../server/src/modules/credit-data/models';
import { shiftDate } from '@xyd/shared';
import { expireAdverseRecords, retentionCutoff } from '../../server/src/modules/credit-data/retention';
import { startTestServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { seed: false });
});
afterAll(() => server.close());

// 00:30 on 2026-12-02 in Shanghai, still 2026-12-01 in UTC: five years back from the Shanghai day is 2021-12-02.
const NOW = new Date('2026-12-01T16:30:00Z');

let serial = 0;
async function enterprise(): Promise<{ id: string; uscc: string }> {
  serial += 1;
  const first17 = `91330106${String(serial).padStart(9, '0')}`;
  const row = { id: newId(), uscc: first17 + usccCheckCharacter(first17) };
  await Enterprise.bulkCreate([
    {
      ...row,
      name: `保存期限测试${serial}有限公司`,
      legalRepName: '李四',
      legalRepIdHmac: '',
      legalRepIdMasked: '',
      registeredCapitalFen: '50000000',
      establishedOn: '2012-05-01',
      industryCode: 'I6510',
      industryName: '软件开发',
      regionCode: '330106',
      scale: 'micro',
      status: 'active',
      address: null,
      businessScope: null,
    },
  ]);
  return row;
}

const SOURCE_ID = '42';
let externalSerial = 0;
function recordRow(
  firm: { id: string; uscc: string },
  category: TCreditCategory,
  fields: { endsOn: string | null; adverse?: boolean; current?: boolean; expiredAt?: Date | null },
) {
  externalSerial += 1;
  const externalId = `ext-${externalSerial}`;
  return {
    id: newId(),
    enterpriseId: firm.id,
    uscc: firm.uscc,
    category,
    sourceId: SOURCE_ID,
    externalId,
    period: null,
    occurredOn: fields.endsOn,
    endsOn: fields.endsOn,
    adverse: fields.adverse ?? true,
    corrected: false,
    payload: '{}',
    contentHash: createHash('sha256').update(externalId).digest('hex'),
    isCurrent: fields.current === false ? null : 1,
    expiredAt: fields.expiredAt ?? null,
    batchId: '1',
    rowNumber: externalSerial,
    createdAt: new Date('2022-01-01T00:00:00Z'),
  };
}

async function expiredAt(id: string): Promise<Date | null> {
  const row = await CreditRecord.findByPk(id, { attributes: ['expiredAt'] });
  return row?.expiredAt ? new Date(row.expiredAt) : null;
}

const expireAudits = async () =>
  (await AuditLog.findAll({ where: { action: 'credit_data.expire' }, order: [['at', 'ASC'], ['id', 'ASC']] })).map((a) => ({
    actorType: a.actorType,
    targetType: a.targetType,
    outcome: a.outcome,
    detail: JSON.parse(a.detail ?? 'null') as { count: number; before: string },
  }));

describe('retention of adverse credit data (征信业管理条例 第十六条)', () => {
  it('counts five years back from the Shanghai calendar day', () => {
    expect(retentionCutoff(NOW)).toBe('2021-12-02');
    expect(retentionCutoff(new Date('2026-12-01T15:59:59Z'))).toBe('2021-12-01');
    // A leap day less five years is the last day of that February.
    expect(shiftDate('2028-02-29', -60)).toBe('2023-02-28');
    expect(shiftDate('2026-01-31', -1)).toBe('2025-12-31');
  });

  it('expires adverse records whose event ended more than five years ago, with an audit row and a change mark', async () => {
    const penalised = await enterprise();
    const listed = await enterprise();
    const clean = await enterprise();
    const earlierExpiry = new Date('2024-01-01T00:00:00Z');
    const rows = {
      dayBefore: recordRow(penalised, 'penalty', { endsOn: '2021-12-01' }),
      exactly: recordRow(penalised, 'penalty', { endsOn: '2021-12-02' }),
      dayAfter: recordRow(penalised, 'penalty', { endsOn: '2021-12-03' }),
      supersededOld: recordRow(listed, 'blacklist', { endsOn: '2019-07-01', current: false }),
      notAdverse: recordRow(clean, 'penalty', { endsOn: '2010-01-01', adverse: false }),
      noEnd: recordRow(clean, 'court_case', { endsOn: null }),
      alreadyExpired: recordRow(clean, 'penalty', { endsOn: '2015-05-05', expiredAt: earlierExpiry }),
    };
    await CreditRecord.bulkCreate(Object.values(rows));
    // The feed already has an unread change for the penalised firm's penalties: it is bumped, not duplicated.
    await CreditChange.create({ enterpriseId: penalised.id, category: 'penalty', revision: 1, changedAt: new Date('2026-11-01T00:00:00Z') });

    expect(await expireAdverseRecords(server.app, NOW)).toBe(2);

    expect(await expiredAt(rows.dayBefore.id)).toEqual(NOW);
    expect(await expiredAt(rows.supersededOld.id)).toEqual(NOW);
    expect(await expiredAt(rows.exactly.id)).toBeNull();
    expect(await expiredAt(rows.dayAfter.id)).toBeNull();
    expect(await expiredAt(rows.notAdverse.id)).toBeNull();
    expect(await expiredAt(rows.noEnd.id)).toBeNull();
    expect(await expiredAt(rows.alreadyExpired.id)).toEqual(earlierExpiry);
    // Nothing is deleted.
    expect(await CreditRecord.count({ where: { enterpriseId: [penalised.id, listed.id, clean.id] } })).toBe(7);

    expect(await expireAudits()).toEqual([
      { actorType: 'system', targetType: 'credit_records', outcome: 'success', detail: { count: 2, before: '2021-12-02' } },
    ]);
    const changes = await CreditChange.findAll({ where: { enterpriseId: [penalised.id, listed.id, clean.id] }, order: [['category', 'ASC']], raw: true });
    expect(changes.map((c) => [String(c.enterpriseId), c.category, Number(c.revision)])).toEqual([
      [listed.id, 'blacklist', 1],
      [penalised.id, 'penalty', 2],
    ]);

    // A second run finds nothing and audits nothing.
    expect(await expireAdverseRecords(server.app, NOW)).toBe(0);
    expect(await expireAudits()).toHaveLength(1);

    // The next Shanghai day, the record that ended exactly five years ago has passed its term too.
    const nextDay = new Date(NOW.getTime() + 86_400_000);
    expect(await expireAdverseRecords(server.app, nextDay)).toBe(1);
    expect(await expiredAt(rows.exactly.id)).toEqual(nextDay);
    expect(await expiredAt(rows.dayAfter.id)).toBeNull();
  });

  it('works through a backlog a thousand records at a time, each batch with its own audit row', async () => {
    await AuditLog.destroy({ where: { action: 'credit_data.expire' } });
    const firms = [await enterprise(), await enterprise(), await enterprise()];
    const backlog = Array.from({ length: 2_345 }, (_, i) => recordRow(firms[i % 3]!, i % 2 === 0 ? 'penalty' : 'court_case', { endsOn: '2020-03-15' }));
    await CreditRecord.bulkCreate(backlog);

    expect(await expireAdverseRecords(server.app, NOW)).toBe(2_345);
    expect(await CreditRecord.count({ where: { id: backlog.map((r) => r.id), expiredAt: null } })).toBe(0);
    expect((await expireAudits()).map((a) => a.detail.count).sort((a, b) => b - a)).toEqual([1_000, 1_000, 345]);
    const changed = await CreditChange.count({ where: { enterpriseId: firms.map((f) => f.id), category: { [Op.in]: ['penalty', 'court_case'] } } });
    expect(changed).toBe(6);
  });

  it('is the daily credit.retention job', () => {
    expect(jobDefinition('credit.retention')).toMatchObject({ label: '信用数据保存期限', maxAttempts: 1 });
  });
});
