/**
 * Stands in for @umijs/plugins' layout fallback header (swapped in by config.ts), which would link a CDN avatar.
 * The console's header is configured in app.tsx (`actionsRender`, `avatarProps`).
 */
export function getRightRenderContent(): null {
  return null;
}
