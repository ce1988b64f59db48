/**
 * GB/T 2260 region codes nest by prefix: 330000 ⊃ 330100 ⊃ 330106. The one place that turns a code into its
 * prefix, used by the server's scope helper and by product matching (a province covers its cities and districts).
 */
export function regionPrefix(regionCode: string): string {
  if (!/^\d{6}$/.test(regionCode)) throw new TypeError(`not a region code: ${regionCode}`);
  if (regionCode.endsWith('0000')) return regionCode.slice(0, 2);
  if (regionCode.endsWith('00')) return regionCode.slice(0, 4);
  return regionCode;
}

/** Whether `inner` is `outer` or lies under it. */
export function regionContains(outer: string, inner: string): boolean {
  return inner.startsWith(regionPrefix(outer));
}
