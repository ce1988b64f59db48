import Taro from '@tarojs/taro';
import { ApiError } from '@xyd/shared';
import { listMessages, markAllMessagesRead, reportSubscriptions } from '../../miniapp/src/services/generated';
import { request, upload } from '../../miniapp/src/services/request';
import { FakeApi, LOGIN_PATH, fail, ok } from './support/fake-api';

describe('request module', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    api.on('GET', '/api/v1/messages/unread-count', ok({ count: 3 }));
  });

  it('signs in first, sends the token as a Bearer header and unwraps the envelope', async () => {
    await expect(request({ url: '/api/v1/messages/unread-count' })).resolves.toEqual({ count: 3 });

    const [login, call] = api.calls;
    expect(login.path).toBe(LOGIN_PATH);
    expect(login.header.Authorization).toBeUndefined();
    expect(call.header.Authorization).toBe('Bearer token-1');
  });

  it('uses a stored development code in the browser so the same browser stays the same user', async () => {
    await request({ url: '/api/v1/messages/unread-count' });
    api.expireSession();
    await request({ url: '/api/v1/messages/unread-count' });

    const codes = api.callsTo('POST', LOGIN_PATH).map((c) => (c.body as { code: string }).code);
    expect(codes).toHaveLength(2);
    expect(codes[0]).toMatch(/^dev-[0-9a-f]{24}$/);
    expect(codes[1]).toBe(codes[0]);
  });

  it('signs in with the code from Taro.login inside WeChat', async () => {
    process.env.TARO_ENV = 'weapp';
    const login = jest.spyOn(Taro, 'login').mockResolvedValue({ code: 'wx-code-1', errMsg: 'login:ok' });

    await request({ url: '/api/v1/messages/unread-count' });

    expect(login).toHaveBeenCalledTimes(1);
    expect(api.callsTo('POST', LOGIN_PATH)[0].body).toEqual({ code: 'wx-code-1' });
  });

  it('reuses the token across calls and shares one sign-in between concurrent calls', async () => {
    await Promise.all([
      request({ url: '/api/v1/messages/unread-count' }),
      request({ url: '/api/v1/messages/unread-count' }),
    ]);
    await request({ url: '/api/v1/messages/unread-count' });

    expect(api.loginCount).toBe(1);
    expect(api.apiCalls().map((c) => c.header.Authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-1',
    ]);
  });

  it('sends JSON bodies for writes and the query for reads', async () => {
    api.on('GET', '/api/v1/messages', ok({ list: [], total: 0 }));
    api.on('POST', '/api/v1/wechat/subscriptions', ok({ granted: { t1: 1 } }));
    api.on('POST', '/api/v1/messages/read-all', ok({ updated: 0 }));

    await listMessages({ current: 2, pageSize: 20 });
    await reportSubscriptions({ results: { t1: 'accept' } });
    await markAllMessagesRead();

    expect(api.callsTo('GET', '/api/v1/messages')[0].header['Content-Type']).toBeUndefined();
    expect(api.callsTo('POST', '/api/v1/messages/read-all')[0].header['Content-Type']).toBeUndefined();

    expect(api.callsTo('GET', '/api/v1/messages')[0].query).toEqual({ current: 2, pageSize: 20 });
    const write = api.callsTo('POST', '/api/v1/wechat/subscriptions')[0];
    expect(write.body).toEqual({ results: { t1: 'accept' } });
    expect(write.header['Content-Type']).toBe('application/json');
  });

  it('turns an error envelope into a typed ApiError with status, code, message and fields', async () => {
    const reply = fail(400, 'VALIDATION_FAILED', '请求参数有误', [{ field: 'reason', message: '驳回原因至少 2 个字' }]);
    api.on('POST', '/api/v1/verifications/1/reject', { ...reply, body: { ...(reply.body as object), requestId: 'req-7' } });

    const error = await request<null>({ url: '/api/v1/verifications/1/reject', method: 'POST', data: {} }).catch(
      (e: unknown) => e as ApiError,
    );

    expect(error).toBeInstanceOf(ApiError);
    // The same shape as the console's errors (one class in @xyd/shared).
    expect(error).toMatchObject({
      status: 400,
      errorCode: 'VALIDATION_FAILED',
      errorMessage: '请求参数有误',
      errorFields: [{ field: 'reason', message: '驳回原因至少 2 个字' }],
      requestId: 'req-7',
      message: '请求参数有误',
    });
    expect((error as ApiError).fieldMessages()).toEqual({ reason: '驳回原因至少 2 个字' });
  });

  it('fails on a non-2xx status even when the body claims success, and on bodies that are not envelopes', async () => {
    api.on('GET', '/api/v1/odd', { status: 500, body: { success: true, data: 1 } });
    api.on('GET', '/api/v1/html', { status: 502, body: '<html>Bad Gateway</html>' });

    await expect(request({ url: '/api/v1/odd' })).rejects.toMatchObject({ status: 500 });
    await expect(request({ url: '/api/v1/html' })).rejects.toMatchObject({
      status: 502,
      errorCode: 'BAD_RESPONSE',
      message: '服务暂时不可用，请稍后再试',
    });
  });

  it('reports an unreachable server as a network error', async () => {
    await request({ url: '/api/v1/messages/unread-count' });
    jest.spyOn(Taro, 'request').mockRejectedValue({ errMsg: 'request:fail' });

    await expect(request({ url: '/api/v1/messages/unread-count' })).rejects.toMatchObject({
      status: 0,
      errorCode: 'NETWORK_ERROR',
    });
  });

  it('on a 401 clears the token, signs in again once and retries the call', async () => {
    await request({ url: '/api/v1/messages/unread-count' });
    api.expireSession();

    await expect(request({ url: '/api/v1/messages/unread-count' })).resolves.toEqual({ count: 3 });

    expect(api.loginCount).toBe(2);
    expect(api.apiCalls().map((c) => c.header.Authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('gives up after one new sign-in when the server still answers 401', async () => {
    api.on('GET', '/api/v1/auth/me', fail(401, 'UNAUTHENTICATED', '登录已失效，请重新登录'));

    const error = await request<null>({ url: '/api/v1/auth/me' }).catch((e: unknown) => e as ApiError);

    expect(error).toMatchObject({ status: 401, errorCode: 'UNAUTHENTICATED' });
    expect(api.loginCount).toBe(2);
    expect(api.callsTo('GET', '/api/v1/auth/me')).toHaveLength(2);
  });

  it('does not retry a failed sign-in', async () => {
    api.on('POST', LOGIN_PATH, fail(429, 'RATE_LIMITED', '登录过于频繁，请稍后再试'));

    await expect(request({ url: '/api/v1/messages/unread-count' })).rejects.toMatchObject({
      status: 429,
      message: '登录过于频繁，请稍后再试',
    });
    expect(api.calls).toHaveLength(1);
  });

  it('uploads multipart with the token and unwraps the text body', async () => {
    api.on('POST', '/api/v1/verifications', ok({ id: '9', status: 'pending' }));

    const result = await upload({
      url: '/api/v1/verifications',
      name: 'licence',
      file: { path: 'blob:licence', name: 'licence.png' },
      formData: { uscc: 'X' },
    });

    expect(result).toEqual({ id: '9', status: 'pending' });
    const call = api.callsTo('POST', '/api/v1/verifications')[0];
    expect(call).toMatchObject({
      kind: 'upload',
      body: { uscc: 'X' },
      file: { filePath: 'blob:licence', name: 'licence', fileName: 'licence.png' },
      header: { Authorization: 'Bearer token-1' },
    });
  });

  it('re-signs in and retries an upload that meets an expired session', async () => {
    api.on('POST', '/api/v1/verifications', ok({ id: '9' }));
    await request({ url: '/api/v1/messages/unread-count' });
    api.expireSession();

    await expect(
      upload({ url: '/api/v1/verifications', name: 'licence', file: { path: 'blob:x' }, formData: {} }),
    ).resolves.toEqual({ id: '9' });
    expect(api.callsTo('POST', '/api/v1/verifications')).toHaveLength(2);
  });

  describe('Idempotency-Key', () => {
    const KEY = /^[0-9a-z]+-[0-9a-f]{24}$/;

    it('goes with every creating POST, a fresh one per call', async () => {
      api.on('POST', '/api/v1/messages/read-all', ok({ updated: 1 }));
      api.on('POST', '/api/v1/verifications', ok({ id: '9' }));

      await request({ url: '/api/v1/messages/read-all', method: 'POST' });
      await request({ url: '/api/v1/messages/read-all', method: 'POST' });
      await upload({ url: '/api/v1/verifications', name: 'licence', file: { path: 'blob:x' }, formData: {} });

      const keys = api.apiCalls().map((c) => c.header['Idempotency-Key']);
      expect(keys).toHaveLength(3);
      for (const key of keys) expect(key).toMatch(KEY);
      expect(new Set(keys).size).toBe(3);
    });

    it('is not sent with sign-in, reads or deletes', async () => {
      api.on('DELETE', '/api/v1/auth/sessions/5', ok(null));
      await request({ url: '/api/v1/messages/unread-count' });
      await request({ url: '/api/v1/auth/sessions/5', method: 'DELETE' });

      expect(api.calls).toHaveLength(3);
      for (const call of api.calls) expect(call.header['Idempotency-Key']).toBeUndefined();
    });

    it('is the same key when the request layer repeats the call after a new sign-in', async () => {
      api.on('POST', '/api/v1/messages/read-all', ok({ updated: 1 }));
      api.on('POST', '/api/v1/verifications', ok({ id: '9' }));
      await request({ url: '/api/v1/messages/unread-count' });
      api.expireSession();
      await request({ url: '/api/v1/messages/read-all', method: 'POST' });
      api.expireSession();
      await upload({ url: '/api/v1/verifications', name: 'licence', file: { path: 'blob:x' }, formData: {} });

      for (const path of ['/api/v1/messages/read-all', '/api/v1/verifications']) {
        const attempts = api.callsTo('POST', path);
        expect(attempts).toHaveLength(2);
        expect(attempts[0].header.Authorization).not.toBe(attempts[1].header.Authorization);
        expect(attempts[0].header['Idempotency-Key']).toMatch(KEY);
        expect(attempts[1].header['Idempotency-Key']).toBe(attempts[0].header['Idempotency-Key']);
      }
    });

    it('takes the key of an earlier attempt when the caller passes it', async () => {
      api.on('POST', '/api/v1/verifications', ok({ id: '9' }));
      await upload({ url: '/api/v1/verifications', name: 'licence', file: { path: 'blob:x' }, formData: {}, idempotencyKey: 'abc-123' });
      expect(api.callsTo('POST', '/api/v1/verifications')[0].header['Idempotency-Key']).toBe('abc-123');
    });
  });
});
