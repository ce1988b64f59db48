import type {
  TAdminRole,
  TAdminUser,
  TAuditAnchor,
  TAuditLog,
  TAuditVerifyResult,
  TCreateAdminUser,
  TCreateOrganisation,
  TOrgType,
  TOrganisation,
  TRegion,
  TUpdateAdminUser,
  TUpdateOrganisation,
} from '@xyd/shared';
import { callApi, fetchPage, type PageParams } from './api';

export function listOrganisations(params: PageParams & { type?: TOrgType; keyword?: string }) {
  return fetchPage<TOrganisation>('/api/v1/organisations', params);
}

export function createOrganisation(body: TCreateOrganisation) {
  return callApi<TOrganisation>('/api/v1/organisations', { method: 'POST', data: body });
}

export function updateOrganisation(id: string, body: TUpdateOrganisation) {
  return callApi<TOrganisation>(`/api/v1/organisations/${id}`, { method: 'PATCH', data: body });
}

export function listAdminUsers(params: PageParams & { role?: TAdminRole; organisationId?: string; keyword?: string }) {
  return fetchPage<TAdminUser>('/api/v1/admin-users', params);
}

export function createAdminUser(body: TCreateAdminUser) {
  return callApi<TAdminUser>('/api/v1/admin-users', { method: 'POST', data: body });
}

export function updateAdminUser(id: string, body: TUpdateAdminUser) {
  return callApi<TAdminUser>(`/api/v1/admin-users/${id}`, { method: 'PATCH', data: body });
}

export function resetAdminUserPassword(id: string, newPassword: string) {
  return callApi<null>(`/api/v1/admin-users/${id}/reset-password`, { method: 'POST', data: { newPassword } });
}

export function listRegions(parent?: string) {
  return callApi<TRegion[]>('/api/v1/regions', { method: 'GET', params: parent ? { parent } : {} });
}

export function listAuditLogs(params: PageParams & { action?: string; actorId?: string }) {
  return fetchPage<TAuditLog>('/api/v1/audit-logs', params);
}

/** The latest stored verification run (verification runs as a job on the worker). */
export function fetchAuditVerification() {
  return callApi<TAuditVerifyResult>('/api/v1/audit-logs/verify');
}

/** Queues a new verification run; answers the current result while the job runs. */
export function requestAuditVerification() {
  return callApi<TAuditVerifyResult>('/api/v1/audit-logs/verify', { method: 'POST' });
}

/** Chain heads exported as external anchors, newest first. */
export function listAuditAnchors(params: PageParams) {
  return fetchPage<TAuditAnchor>('/api/v1/audit-logs/anchors', params);
}
