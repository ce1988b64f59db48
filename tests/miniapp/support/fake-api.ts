/**
 * The server, faked at the request boundary: Taro.request and Taro.uploadFile are replaced, and everything above
 * them (the request module, the services, the pages) runs for real. Sessions behave like the server's: login issues a
 * token, other routes answer 401 without the current one.
 */
import Taro from '@tarojs/taro';

export interface ApiCall {
  kind: 'request' | 'upload';
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  header: Record<string, string>;
  /** Uploads only. */
  file?: { filePath: string; name: string; fileName?: string };
}

export interface Reply {
  status: number;
  body: unknown;
}

type Handler = (call: ApiCall) => Reply;

export const ok = (data: unknown): Reply => ({ status: 200, body: { success: true, data } });

export const fail = (
  status: number,
  errorCode: string,
  errorMessage: string,
  errorFields?: { field: string; message: string }[],
): Reply => ({ status, body: { success: false, errorCode, errorMessage, ...(errorFields ? { errorFields } : {}) } });

export const LOGIN_PATH = '/api/v1/auth/wechat/login';

export class FakeApi {
  readonly calls: ApiCall[] = [];
  private routes: { method: string; path: string; handler: Handler }[] = [];
  private issued = 0;
  private validToken = '';

  constructor() {
    this.on('POST', LOGIN_PATH, () => {
      this.issued += 1;
      this.validToken = `token-${this.issued}`;
      return ok({
        token: this.validToken,
        expiresAt: '2030-01-01T00:00:00.000Z',
        user: { kind: 'wechat', id: '1', displayName: '微信用户', role: 'ent_user' },
      });
    });
  }

  /** Answers `method path` with a fixed reply or a handler; a later registration of the same route wins. */
  on(method: string, path: string, reply: Reply | Handler): this {
    const handler = typeof reply === 'function' ? reply : () => reply;
    this.routes.unshift({ method, path, handler });
    return this;
  }

  /** The server forgets the session (expiry, revocation): the next authenticated call gets a 401. */
  expireSession(): void {
    this.validToken = '';
  }

  get loginCount(): number {
    return this.issued;
  }

  callsTo(method: string, path: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method && c.path === path);
  }

  /** Calls other than signing in. */
  apiCalls(): ApiCall[] {
    return this.calls.filter((c) => c.path !== LOGIN_PATH);
  }

  handle(call: ApiCall): Reply {
    this.calls.push(call);
    if (call.path !== LOGIN_PATH && call.header.Authorization !== `Bearer ${this.validToken}`) {
      return fail(401, 'UNAUTHENTICATED', '登录已失效，请重新登录');
    }
    const route = this.routes.find((r) => r.method === call.method && r.path === call.path);
    return route ? route.handler(call) : fail(404, 'NOT_FOUND', `未模拟的接口 ${call.method} ${call.path}`);
  }

  /** Replaces Taro.request and Taro.uploadFile for the current test (restored by jest's restoreMocks). */
  install(): this {
    jest.spyOn(Taro, 'request').mockImplementation(((options: Taro.request.Option) => {
      const { path, query } = splitUrl(options.url);
      const method = (options.method ?? 'GET').toUpperCase();
      const reply = this.handle({
        kind: 'request',
        method,
        path,
        query: method === 'GET' ? { ...query, ...(options.data as object) } : query,
        body: method === 'GET' ? undefined : options.data,
        header: { ...(options.header as Record<string, string>) },
      });
      return Promise.resolve({ statusCode: reply.status, data: reply.body, header: {}, errMsg: 'request:ok' });
    }) as unknown as typeof Taro.request);

    jest.spyOn(Taro, 'uploadFile').mockImplementation(((options: Taro.uploadFile.Option) => {
      const { path, query } = splitUrl(options.url);
      const reply = this.handle({
        kind: 'upload',
        method: 'POST',
        path,
        query,
        body: { ...options.formData },
        header: { ...(options.header as Record<string, string>) },
        file: { filePath: options.filePath, name: options.name, fileName: options.fileName },
      });
      // Like the real API, an upload hands back the body as text.
      return Promise.resolve({ statusCode: reply.status, data: JSON.stringify(reply.body), errMsg: 'uploadFile:ok' });
    }) as unknown as typeof Taro.uploadFile);
    return this;
  }
}

function splitUrl(url: string): { path: string; query: Record<string, string> } {
  const [path, search = ''] = url.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}
