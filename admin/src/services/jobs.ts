import type { TJob, TJobStatus, TJobSummary } from '@xyd/shared';
import { callApi, fetchPage, type PageParams } from './api';

/** Per job type: how many wait, run, finished and failed. */
export function fetchJobSummary() {
  return callApi<TJobSummary>('/api/v1/jobs/summary');
}

export function listJobs(params: PageParams & { status?: TJobStatus; type?: string }) {
  return fetchPage<TJob>('/api/v1/jobs', params);
}

/** Puts a failed job back in the queue; 409 when it is not failed (any more). */
export function retryJob(id: string) {
  return callApi<TJob>(`/api/v1/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' });
}
