import { api, calls, ok, unreachable } from './support/fakeApi';
import { adminLogin, approveVerification, createOrganisation, listOrganisations, logout, markMessageRead } from '@/services/generated';

const KEY = 'idempotency-key';
const organisation = { name: '杭州银行', type: 'bank' as const, regionCode: '330100' };

describe('Idempotency-Key on creating requests', () => {
  it('sends a fresh random key with every creating POST', async () => {
    api.on('POST /api/v1/organisations', ok({ id: '1' }));
    api.on('POST /api/v1/verifications/:id/approve', ok({ id: '7' }));
    api.on('POST /api/v1/messages/:id/read', ok(null));

    await createOrganisation(organisation);
    await createOrganisation(organisation);
    await approveVerification({ id: '7' });
    await markMessageRead({ id: '3' });

    const keys = calls.map((c) => c.headers[KEY]);
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
    // Two clicks on 新建 are two actions: the second organisation must not be swallowed as a replay of the first.
    expect(new Set(keys).size).toBe(4);
  });

  it('sends none with sign-in, sign-out or reads', async () => {
    api.on('POST /api/v1/auth/admin/login', ok({}));
    api.on('POST /api/v1/auth/logout', ok(null));
    api.on('GET /api/v1/organisations', ok({ list: [], total: 0 }));

    await adminLogin({ username: 'admin', password: 'Secret-pass-123' });
    await logout();
    await listOrganisations({ current: 1, pageSize: 20 });

    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call.headers[KEY]).toBeUndefined();
  });

  it('retries an unanswered creating POST once, with the same key', async () => {
    let attempt = 0;
    api.on('POST /api/v1/organisations', () => (++attempt === 1 ? unreachable() : ok({ id: '1', name: '杭州银行' })));

    await expect(createOrganisation(organisation)).resolves.toEqual({ id: '1', name: '杭州银行' });

    const sent = api.callsTo('POST /api/v1/organisations');
    expect(sent).toHaveLength(2);
    expect(sent[0].headers[KEY]).toMatch(/^[0-9a-f]{32}$/);
    expect(sent[1].headers[KEY]).toBe(sent[0].headers[KEY]);
    expect(sent[1].body).toEqual(sent[0].body);
  });

  it('gives up after that one retry', async () => {
    api.on('POST /api/v1/organisations', unreachable());
    await expect(createOrganisation(organisation)).rejects.toBeTruthy();
    expect(api.callsTo('POST /api/v1/organisations')).toHaveLength(2);
  });
});
