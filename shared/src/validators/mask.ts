function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  if (!value) return '';
  if (value.length <= keepStart + keepEnd) return '*'.repeat(value.length);
  return value.slice(0, keepStart) + '*'.repeat(value.length - keepStart - keepEnd) + value.slice(value.length - keepEnd);
}

/** `110105********002X`: region kept, birth date hidden. */
export const maskIdNumber = (id: string): string => maskMiddle(id, 6, 4);
/** `138****5678` */
export const maskMobile = (mobile: string): string => maskMiddle(mobile, 3, 4);
/** A name shows its family name only: `张*`, `欧阳**`-style masking keeps the first character. */
export const maskName = (name: string): string => (name ? name[0] + '*'.repeat(Math.max(name.length - 1, 1)) : '');
