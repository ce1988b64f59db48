import { request, type RequestOptions } from '@umijs/max';
import type { ApiEnvelope, PageResult } from '@xyd/shared';

export type { RequestOptions };

/** Every endpoint answers the envelope; callers get `data`, failures reject (see requestErrorConfig). */
export async function callApi<T>(url: string, options?: RequestOptions): Promise<T> {
  const envelope = await request<ApiEnvelope<T>>(url, { method: 'GET', ...options });
  return envelope.data as T;
}

export interface PageParams {
  current?: number;
  pageSize?: number;
}

/** Drop empty filter values so that the server's zod schemas only see what the user chose. */
export function compactParams<P extends object>(params: P): Partial<P> {
  const out: Partial<P> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function fetchPage<T>(url: string, params: object): Promise<PageResult<T>> {
  return callApi<PageResult<T>>(url, { method: 'GET', params: compactParams(params) });
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
