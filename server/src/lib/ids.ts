/**
 * Time-ordered 53-bit ids made by the application (no reliance on auto-increment, which TiDB does not order).
 * 40 bits of milliseconds since 2024-01-01, 6 bits of worker id and 7 bits of sequence: they stay exact as
 * JavaScript numbers (SQLite returns integers as doubles) and last until about 2058.
 *
 * The worker id is leased from the `id_workers` table (db/id-workers.ts), so no two live processes share one:
 * two processes can then never make the same id. Without a live lease the generator refuses to make ids.
 */
const EPOCH = Date.UTC(2024, 0, 1);
export const WORKER_BITS = 6;
export const WORKER_COUNT = 2 ** WORKER_BITS;
const SEQ_BITS = 7;
const SEQ_MAX = 2 ** SEQ_BITS;

let workerId: number | null = null;
/** The lease must still hold when an id is made; a process that lost it (paused, partitioned) stops. */
let leaseValidUntil = 0;
let lastMs = 0;
let seq = 0;

export class IdWorkerError extends Error {}

export function setIdWorker(id: number | null, validUntilMs = Number.MAX_SAFE_INTEGER): void {
  if (id !== null && (!Number.isInteger(id) || id < 0 || id >= WORKER_COUNT)) throw new IdWorkerError(`worker id out of range: ${id}`);
  workerId = id;
  leaseValidUntil = id === null ? 0 : validUntilMs;
}

export function currentIdWorker(): number | null {
  return workerId;
}

export function newId(): string {
  if (workerId === null) throw new IdWorkerError('no id worker leased: call db.start() before making ids');
  let ms = Date.now() - EPOCH;
  if (ms + EPOCH > leaseValidUntil) throw new IdWorkerError('id worker lease expired: refusing to make ids');
  if (ms < lastMs) ms = lastMs; // clock stepped back: stay monotonic
  if (ms === lastMs) {
    seq += 1;
    if (seq === SEQ_MAX) {
      ms = lastMs + 1; // sequence exhausted in this millisecond: borrow the next one
      seq = 0;
    }
  } else {
    seq = 0;
  }
  lastMs = ms;
  return String((ms * WORKER_COUNT + workerId) * SEQ_MAX + seq);
}

/** The millisecond an id was made in (for tests and diagnostics). */
export function idTimestamp(id: string): Date {
  return new Date(Math.floor(Number(id) / (WORKER_COUNT * SEQ_MAX)) + EPOCH);
}
