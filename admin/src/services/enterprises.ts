import type { TEnterprise, TEnterpriseDetail, TVerification, TVerificationDetail, TVerificationStatus } from '@xyd/shared';
import { callApi, fetchPage, type PageParams } from './api';

export function listEnterprises(params: PageParams & { keyword?: string; regionCode?: string }) {
  return fetchPage<TEnterprise>('/api/v1/enterprises', params);
}

export function getEnterprise(id: string) {
  return callApi<TEnterpriseDetail>(`/api/v1/enterprises/${id}`);
}

export function listVerifications(params: PageParams & { status?: TVerificationStatus }) {
  return fetchPage<TVerification>('/api/v1/verifications', params);
}

export function getVerification(id: string) {
  return callApi<TVerificationDetail>(`/api/v1/verifications/${id}`);
}

/** Served with the session cookie, so a plain <img> on the same origin can show it. */
export function licenceUrl(id: string) {
  return `/api/v1/verifications/${id}/licence`;
}

export function approveVerification(id: string) {
  return callApi<TVerification>(`/api/v1/verifications/${id}/approve`, { method: 'POST' });
}

export function rejectVerification(id: string, reason: string) {
  return callApi<TVerification>(`/api/v1/verifications/${id}/reject`, { method: 'POST', data: { reason } });
}

/** A platform admin hands a request that no advisor covers (the firm is not in the registry) to another region. */
export function reassignVerification(id: string, regionCode: string) {
  return callApi<TVerification>(`/api/v1/verifications/${id}/reassign`, { method: 'POST', data: { regionCode } });
}
