import { signInAdmin, startTestServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());


describe('organisations', () => {
  it('answers a new organisation with its own row even when a search for its name finds another first', async () => {
    const admin = await signInAdmin(server, 'admin');
    // "商业银行" is also part of the seeded bank "西湖商业银行", which sorts first (bank before guarantor).
    const res = await admin.post('/api/v1/organisations').send({ name: '商业银行', type: 'guarantor', regionCode: '330100' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ id: expect.any(String), name: '商业银行', type: 'guarantor', regionCode: '330100', regionName: '杭州市', userCount: 0 });
  });

  it('refuses a duplicate name and a rename onto a taken name with 409 naming the organisation', async () => {
    const admin = await signInAdmin(server, 'admin');
    const dup = await admin.post('/api/v1/organisations').send({ name: '钱塘农村商业银行', type: 'bank', regionCode: '330100' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ errorCode: 'CONFLICT', errorMessage: '机构“钱塘农村商业银行”已存在' });

    const created = await admin.post('/api/v1/organisations').send({ name: '改名测试银行', type: 'bank', regionCode: '330100' });
    const renamed = await admin.patch(`/api/v1/organisations/${created.body.data.id}`).send({ name: '西湖商业银行' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.errorMessage).toBe('机构“西湖商业银行”已存在');
    const ok = await admin.patch(`/api/v1/organisations/${created.body.data.id}`).send({ name: '改名后的银行' });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ id: created.body.data.id, name: '改名后的银行' });
  });
});

// Ten racing creates: the unique index decides, the losers get 409 (9 × 500 UniqueConstraintError before).
describe('concurrent creates (the race matters on MySQL/MariaDB; SQLite serialises writers)', () => {
  it('ten parallel POST /organisations with one name give one 201 and nine 409', async () => {
    const admin = await signInAdmin(server, 'admin');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => admin.post('/api/v1/organisations').send({ name: '并发测试担保公司', type: 'guarantor', regionCode: '330100' })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.errorMessage).toBe('机构“并发测试担保公司”已存在');
    const list = await admin.get('/api/v1/organisations').query({ keyword: '并发测试担保公司' });
    expect(list.body.data.total).toBe(1);
  });

  it('ten parallel POST /admin-users with one username give one 201 and nine 409', async () => {
    const admin = await signInAdmin(server, 'admin');
    const orgs = await admin.get('/api/v1/organisations').query({ keyword: '钱塘农村商业银行' });
    const organisationId = orgs.body.data.list[0].id as string;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        admin.post('/api/v1/admin-users').send({
          username: 'race.officer',
          displayName: `并发用户${i}`,
          role: 'fi_officer',
          organisationId,
          password: 'Race-Passw0rd-2026!',
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.errorMessage).toBe('用户名“race.officer”已被使用');
  });

  it('two parallel renames onto one free name give one 200 and one 409', async () => {
    const admin = await signInAdmin(server, 'admin');
    const a = await admin.post('/api/v1/organisations').send({ name: '并发改名甲', type: 'bank', regionCode: '330100' });
    const b = await admin.post('/api/v1/organisations').send({ name: '并发改名乙', type: 'bank', regionCode: '330100' });
    const results = await Promise.all(
      [a, b].map((r) => admin.patch(`/api/v1/organisations/${r.body.data.id}`).send({ name: '并发改名目标' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
