import { request, type RequestOptions } from '@umijs/max';
import type { ApiEnvelope, PageResult } from '@xyd/shared';

export type { RequestOptions };

/** Drop empty filter values so that the server's zod schemas only see what the user chose. */
export function compactParams<P extends object>(params: P): Partial<P> {
  const out: Partial<P> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/**
 * The one transport of the generated client (services/generated/): every endpoint answers the envelope; callers get
 * `data`, failures reject with an ApiError (see requestErrorConfig).
 */
export async function callApi<T>(url: string, options?: RequestOptions): Promise<T> {
  const params = options?.params ? compactParams(options.params as object) : undefined;
  const envelope = await request<ApiEnvelope<T>>(url, { method: 'GET', ...options, ...(params ? { params } : {}) });
  return envelope.data as T;
}

/** A link with its query (downloads the browser fetches with the session cookie): empty values are left out. */
export function urlWithQuery(url: string, query: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(compactParams(query))) search.set(key, String(value));
  const text = search.toString();
  return text ? `${url}?${text}` : url;
}

/** The query part of a generated call's `params`: everything but the path parameters already in the URL. */
export function queryOf<P extends object>(params: P, pathKeys: string[]): Partial<P> {
  const out: Partial<P> = {};
  for (const [key, value] of Object.entries(params)) if (!pathKeys.includes(key)) (out as Record<string, unknown>)[key] = value;
  return out;
}

/** A multipart body: the text fields of `body` beside the file parts. */
export function toFormData(body: object, files: Record<string, Blob>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(body)) if (value !== undefined && value !== null) form.append(key, String(value));
  for (const [key, file] of Object.entries(files)) form.append(key, file);
  return form;
}

/** The shape ProTable's `request` expects. Errors are already shown by the global handler; the table just stays empty. */
export async function toTableResult<T>(page: Promise<PageResult<T>>) {
  try {
    const { list, total } = await page;
    return { data: list, total, success: true };
  } catch {
    return { data: [] as T[], total: 0, success: false };
  }
}
