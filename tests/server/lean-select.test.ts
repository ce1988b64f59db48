/**
 * leanSelect (server/src/db/index.ts) reads hot paths through a driver pool of its own on MySQL, casting values
 * natively instead of through Sequelize's callback: the values must be the ones Sequelize gives for the same query.
 */
import { QueryTypes } from 'sequelize';
import { leanSelect } from '../../server/src/db';
import { startTestServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

it('answers the values Sequelize answers: ids, dates, days, amounts, texts and NULLs', async () => {
  const sequelize = server.app.db.sequelize;
  const sql = `SELECT e.id, e.uscc, e.name, e.established_on AS establishedOn, e.registered_capital_fen AS capital,
      e.created_at AS createdAt, e.updated_at AS updatedAt, e.address, m.id AS memberId, m.created_at AS memberSince
    FROM enterprises e LEFT JOIN enterprise_members m ON m.enterprise_id = e.id
    ORDER BY m.id IS NULL, e.id, m.id LIMIT 40`;
  const lean = await leanSelect<Record<string, unknown>>(sequelize, sql);
  const viaSequelize = await sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
  expect(lean.length).toBeGreaterThan(10);
  expect(lean.some((r) => r.memberId === null)).toBe(true);
  expect(lean.map((r) => ({ ...r }))).toEqual(viaSequelize.map((r) => ({ ...r })));
});

it('keeps UTC: a DATETIME written through Sequelize reads back as the same instant', async () => {
  const sequelize = server.app.db.sequelize;
  await sequelize.query('CREATE TABLE lean_probe (id INTEGER PRIMARY KEY, at DATETIME NOT NULL)');
  try {
    const at = new Date('2026-03-01T08:30:00Z');
    await sequelize.query('INSERT INTO lean_probe (id, at) VALUES (1, ?)', { replacements: [at] });
    const [row] = await leanSelect<{ at: Date | string }>(sequelize, 'SELECT at FROM lean_probe WHERE id = ?', [1]);
    expect(new Date(row!.at).toISOString()).toBe(at.toISOString());
  } finally {
    await sequelize.query('DROP TABLE lean_probe');
  }
});
