import { RateLimitedError } from '../lib/errors';
import { clock } from '../lib/clock';

/**
 * Fixed-window counter per key, in process memory. It blunts password spraying from one address; the
 * per-account lockout (stored in the database) is what holds across processes.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  hit(key: string): void {
    const now = clock.nowMs();
    const current = this.windows.get(key);
    if (!current || now - current.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      if (this.windows.size > 10_000) this.sweep(now);
      return;
    }
    current.count += 1;
    if (current.count > this.limit) {
      const seconds = Math.ceil((current.start + this.windowMs - now) / 1000);
      throw new RateLimitedError(`登录尝试过于频繁，请 ${seconds} 秒后再试`);
    }
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
