import { performance } from 'node:perf_hooks';
import type { Actor } from './actor';
import { sessionDataGeneration } from './models';
import { actorOfSession, readSessionActor } from './service';
import { hashToken, touchSession, withinLimits, type LiveSession } from './sessions';

interface Entry {
  /** The row as judged when read: revocation and the user's and organisation's state do not change without a read. */
  live: { actor: Actor; session: LiveSession };
  readAt: number;
  generation: number;
}

/**
 * The request path's session lookup. An API process reuses the session row it read for `ttlMs` (default 1 s)
 * instead of reading it on every request. A row is judged when it is read (revocation, disabled user or
 * organisation), and its time limits (absolute and idle) on every use; requests within `ttlMs` share the actor it
 * gave. A change made in this process takes effect at once (see `sessionDataGeneration` in models.ts); one made
 * by another API process takes effect here within `ttlMs`.
 * `ttlMs = 0` reads on every request. Unknown and refused tokens are never kept, so guessing tokens cannot fill
 * the cache.
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
    if (cached !== undefined && cached.generation === sessionDataGeneration() && now - cached.readAt < this.ttlMs) {
      if (!withinLimits(cached.live.session)) {
        this.entries.delete(hash);
        return null;
      }
      return this.touched(cached.live);
    }
    const before = sessionDataGeneration();
    const row = await readSessionActor(hash);
    const live = row ? actorOfSession(row) : null;
    if (!live) {
      this.entries.delete(hash);
      return null;
    }
    // Kept only if nothing changed while it was read: a row read across a change may be the row before it.
    if (this.ttlMs > 0 && sessionDataGeneration() === before) this.keep(hash, { live, readAt: now, generation: before });
    else this.entries.delete(hash);
    return this.touched(live);
  }

  private async touched(live: Entry['live']): Promise<Actor> {
    const touched = await touchSession(live.session);
    if (touched) live.session.lastSeenAt = touched;
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
