import { randomInt } from 'node:crypto';

/**
 * Time-ordered 53-bit ids made by the application (no reliance on auto-increment, which TiDB does not order).
 * 40 bits of milliseconds since 2024-01-01 and 13 bits of sequence starting at a random point per process:
 * they stay exact as JavaScript numbers (SQLite returns integers as doubles) and last until about 2058.
 */
const EPOCH = Date.UTC(2024, 0, 1);
const SEQ_BITS = 13;
const SEQ_MAX = 2 ** SEQ_BITS;

let lastMs = 0;
let seq = randomInt(SEQ_MAX);
let seqAtMsStart = seq;

export function newId(): string {
  let ms = Date.now() - EPOCH;
  if (ms < lastMs) ms = lastMs; // clock stepped back: stay monotonic
  if (ms === lastMs) {
    seq = (seq + 1) % SEQ_MAX;
    if (seq === seqAtMsStart) {
      ms = lastMs + 1; // sequence exhausted in this millisecond: borrow the next one
      seqAtMsStart = seq;
    }
  } else {
    seqAtMsStart = seq;
  }
  lastMs = ms;
  return String(ms * SEQ_MAX + seq);
}
