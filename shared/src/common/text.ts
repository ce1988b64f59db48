const FULL_WIDTH = /[\uFF01-\uFF5E]/g;

/** Full-width ASCII (typed with a Chinese input method: Ａ１２，) made half-width; everything else unchanged. */
export function toHalfWidth(text: string): string {
  return text.replace(FULL_WIDTH, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}
