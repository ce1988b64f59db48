/** The console is served under this prefix (config.ts `base`); history.push() adds it, window.location keeps it. */
export const CONSOLE_BASE = '/admin';
export const LOGIN_PATH = '/login';

/** A browser pathname as a route path: `/admin/verifications` → `/verifications`. */
export function toRoutePath(pathname: string): string {
  if (pathname === CONSOLE_BASE || pathname === `${CONSOLE_BASE}/`) return '/';
  return pathname.startsWith(`${CONSOLE_BASE}/`) ? pathname.slice(CONSOLE_BASE.length) : pathname;
}

export function isLoginPath(pathname: string): boolean {
  return toRoutePath(pathname).replace(/\/$/, '') === LOGIN_PATH;
}

/** Only same-console paths are followed after sign-in, never another origin (`//evil`, `https://…`). */
export function safeRedirect(target: string | null | undefined): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.includes('\\')) return '/';
  return isLoginPath(target.split('?')[0]) ? '/' : target;
}

/** The login page's address, remembering where the user was headed. */
export function loginPathFor(location: { pathname: string; search?: string }): string {
  const here = toRoutePath(location.pathname) + (location.search ?? '');
  if (isLoginPath(location.pathname) || here === '/') return LOGIN_PATH;
  return `${LOGIN_PATH}?redirect=${encodeURIComponent(here)}`;
}
