import type { TAdminLoginRequest, TCurrentUser, TSession, TTotpEnrolment } from '@xyd/shared';
import { callApi, type RequestOptions } from './api';

export function login(body: TAdminLoginRequest) {
  // The sign-in page shows the server's own message (locked, wrong password, TOTP needed) in place.
  return callApi<TCurrentUser>('/api/v1/auth/admin/login', { method: 'POST', data: body, skipErrorHandler: true });
}

export function logout() {
  return callApi<null>('/api/v1/auth/logout', { method: 'POST', skipErrorHandler: true });
}

export function fetchCurrentUser(options?: RequestOptions) {
  return callApi<TCurrentUser>('/api/v1/auth/me', { method: 'GET', ...options });
}

export function listSessions() {
  return callApi<TSession[]>('/api/v1/auth/sessions');
}

export function revokeSession(id: string) {
  return callApi<null>(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function changePassword(body: { oldPassword: string; newPassword: string }) {
  return callApi<null>('/api/v1/auth/password', { method: 'POST', data: body });
}

export function enrolTotp() {
  return callApi<TTotpEnrolment>('/api/v1/auth/totp/enrol', { method: 'POST' });
}

export function confirmTotp(code: string) {
  return callApi<null>('/api/v1/auth/totp/confirm', { method: 'POST', data: { code } });
}
