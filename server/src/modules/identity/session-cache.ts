import { performance } from 'node:perf_hooks';
import type { Actor } from './actor';
import { sessionDataGeneration } from './models';
import { actorOfSession, readSessionActor, type SessionActorRow } from './service';
import { hashToken, touchSession } from './sessions';

interface Entry {
  row: SessionActorRow;
  readAt: number;
  generation: number;
}

/**
 * The request path's session lookup. An API process reuses the session row it read for `ttlMs` (default 1 s)
 * instead of reading it on every request, and judges the row afresh each time (revocation, absolute and idle
 * limits, disabled user or organisation). A change made in this process takes effect at once (see
 * `sessionDataGeneration` in models.ts); one made by another API process takes effect here within `ttlMs`. `ttlMs = 0` reads on every request.
 * Unknown and refused tokens are never kept, so guessing tokens cannot fill the cache.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  async authenticate(token: string): Promise<Actor | null> {
    const hash = hashToken(token);
    const now = performance.now();
    const cached = this.entries.get(hash);
    let row: SessionActorRow | null;
    if (cached && cached.generation === sessionDataGeneration() && now - cached.readAt < this.ttlMs) {
      row = cached.row;
    } else {
      const before = sessionDataGeneration();
      row = await readSessionActor(hash);
      if (cached) this.entries.delete(hash);
      if (row && this.ttlMs > 0 && sessionDataGeneration() === before && actorOfSession(row)) this.keep(hash, { row, readAt: now, generation: before });
    }
    const live = row ? actorOfSession(row) : null;
    if (!live) {
      this.entries.delete(hash);
      return null;
    }
    const touched = await touchSession(live.session);
    if (touched) row!.lastSeenAt = touched;
    return live.actor;
  }

  /** Cached sessions (for tests and the bench). */
  get size(): number {
    return this.entries.size;
  }

  private keep(hash: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) {
      // The oldest reads go first (a Map keeps insertion order); they are the nearest to expiring anyway.
      for (const key of this.entries.keys()) {
        this.entries.delete(key);
        if (this.entries.size < this.maxEntries * 0.9) break;
      }
    }
    this.entries.set(hash, entry);
  }
}
