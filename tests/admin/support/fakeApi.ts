/**
 * A fake of the server at the HTTP boundary: umi's request (axios) gets this adapter, so the real request plugin,
 * src/requestErrorConfig.ts and src/services/* all run; only the network is replaced.
 */
import path from 'path';

export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  body: any;
}

export interface FakeReply {
  status: number;
  body: unknown;
}

type Handler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export const ok = (data: unknown = null): FakeReply => ({ status: 200, body: { success: true, data } });

export const fail = (
  status: number,
  errorCode: string,
  errorMessage: string,
  errorFields?: { field: string; message: string }[],
): FakeReply => ({ status, body: { success: false, errorCode, errorMessage, ...(errorFields ? { errorFields } : {}) } });

/** The server never answers (connection dropped): axios rejects with no response. */
export const unreachable = (): FakeReply => ({ status: 0, body: null });

export const page = <T,>(list: T[], total = list.length) => ok({ list, total });

let routes: Route[] = [];
/** Every request the console sent, in order. */
export const calls: FakeRequest[] = [];

function compile(route: string) {
  const keys: string[] = [];
  const source = route.replace(/:(\w+)/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), keys };
}

export const api = {
  /** Answer `METHOD /path/:id` with a reply, or a function of the request. Later registrations win. */
  on(route: string, reply: FakeReply | Handler) {
    const [method, pathPattern] = route.split(' ');
    const { pattern, keys } = compile(pathPattern);
    routes.unshift({ method: method.toUpperCase(), pattern, keys, handler: typeof reply === 'function' ? reply : () => reply });
    return api;
  },
  /** Like `on`, but any route registered with `on` (before or after) takes precedence. */
  fallback(route: string, reply: FakeReply | Handler) {
    const [method, pathPattern] = route.split(' ');
    const { pattern, keys } = compile(pathPattern);
    routes.push({ method: method.toUpperCase(), pattern, keys, handler: typeof reply === 'function' ? reply : () => reply });
    return api;
  },
  reset() {
    routes = [];
    calls.length = 0;
  },
  /** Requests sent to `METHOD /path` (exact path, no query). */
  callsTo(route: string) {
    const [method, p] = route.split(' ');
    return calls.filter((c) => c.method === method.toUpperCase() && c.path === p);
  },
};

function parseBody(data: unknown) {
  if (typeof data !== 'string') return data ?? null;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

async function adapter(config: any) {
  const url = new URL(config.url, 'http://console.test');
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  for (const [k, v] of Object.entries(config.params ?? {})) {
    if (v !== undefined && v !== null) query[k] = String(v);
  }
  const method = String(config.method || 'get').toUpperCase();
  const rawHeaders = typeof config.headers?.toJSON === 'function' ? config.headers.toJSON() : (config.headers ?? {});
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  const request: FakeRequest = { method, path: url.pathname, params: {}, query, headers, body: parseBody(config.data) };
  calls.push(request);

  let reply: FakeReply = { status: 404, body: { success: false, errorCode: 'NOT_FOUND', errorMessage: `fake api: no route for ${method} ${url.pathname}` } };
  for (const route of routes) {
    const match = route.method === method ? route.pattern.exec(url.pathname) : null;
    if (match) {
      request.params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1])]));
      reply = await route.handler(request);
      break;
    }
  }

  if (reply.status === 0) {
    throw Object.assign(new Error('Network Error'), { isAxiosError: true, code: 'ERR_NETWORK', config, request: {} });
  }
  const response = { data: reply.body, status: reply.status, statusText: String(reply.status), headers: {}, config, request: {} };
  const valid = config.validateStatus ? config.validateStatus(reply.status) : reply.status >= 200 && reply.status < 300;
  if (valid) return response;
  throw Object.assign(new Error(`Request failed with status code ${reply.status}`), {
    isAxiosError: true,
    code: reply.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST',
    config,
    response,
  });
}

/** Route every axios instance the console creates (umi's request plugin creates one) through the fake. */
export function installFakeApi() {
  // The same module umi's generated plugin-request imports (by package directory, not by the `exports` map).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const axiosModule = require(path.dirname(require.resolve('axios/package.json')));
  const axios = axiosModule.default ?? axiosModule;
  axios.defaults.adapter = adapter;
}
