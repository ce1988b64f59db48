import { request } from '@umijs/max';
import { ApiError, isApiEnvelope } from '@xyd/shared';
import { downloadApplicationReportUrl } from '@/services/generated';

/** What the institution is told when the firm's grant does not (or no longer) cover the report. */
export const REPORT_REFUSED = '企业未授权或授权已撤销、已到期，无法查看信用报告';

/** The file name a Content-Disposition header gives (RFC 5987 `filename*` first), else `fallback`. */
export function filenameOf(disposition: string | null | undefined, fallback: string): string {
  if (!disposition) return fallback;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // a malformed escape: fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]+)"|filename\s*=\s*([^;]+)/i.exec(disposition);
  return (plain?.[1] ?? plain?.[2])?.trim() || fallback;
}

interface HttpFailure {
  response?: { status: number; data?: unknown };
}

/**
 * A failed binary download carries its error envelope as a Blob (the request asked for one): read it back into the
 * ApiError every other call rejects with.
 */
async function downloadFailure(error: unknown): Promise<unknown> {
  if (error instanceof ApiError) return error;
  const response = (error as HttpFailure | undefined)?.response;
  const data = response?.data;
  if (response && data instanceof Blob && typeof data.text === 'function') {
    try {
      const body: unknown = JSON.parse(await data.text());
      if (isApiEnvelope(body)) return ApiError.fromEnvelope(body, response.status);
    } catch {
      // not JSON: keep the HTTP failure
    }
  }
  return error;
}

/** Hands a blob to the browser as a file download. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled: revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Downloads report.pdf with the session cookie (and the X-Console-Page header of every API call, so that the access
 * log names this page) and saves it under the server's file name. Rejects with an ApiError on a refusal.
 */
export async function downloadReportPdf(applicationId: string): Promise<string> {
  try {
    const response = await request<Blob>(downloadApplicationReportUrl({ id: applicationId }), {
      method: 'GET',
      responseType: 'blob',
      getResponse: true,
      skipErrorHandler: true,
    });
    const data: unknown = response.data;
    const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type: 'application/pdf' });
    const headers = response.headers as Record<string, string | undefined> & { get?: (name: string) => unknown };
    const disposition = typeof headers.get === 'function' ? headers.get('content-disposition') : headers['content-disposition'];
    const filename = filenameOf(typeof disposition === 'string' ? disposition : null, `信用报告-${applicationId}.pdf`);
    saveBlob(blob, filename);
    return filename;
  } catch (error) {
    throw await downloadFailure(error);
  }
}
