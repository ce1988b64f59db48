import { ROLE_LABELS } from '@xyd/shared'

/** `911101********CD2X`: registering authority, type and province stay readable, the body is hidden. */
export function maskUscc(uscc: string): string {
  if (!uscc) return ''
  if (uscc.length <= 10) return uscc
  return uscc.slice(0, 6) + '*'.repeat(uscc.length - 10) + uscc.slice(-4)
}

export function memberRoleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000
const pad = (n: number) => String(n).padStart(2, '0')

/**
 * An ISO timestamp as Beijing time, `2025-11-26 19:05`. Computed by hand rather than with Intl time zones, which not
 * every WeChat JS engine ships; China has no daylight saving.
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return iso
  const d = new Date(time + SHANGHAI_OFFSET_MS)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}
