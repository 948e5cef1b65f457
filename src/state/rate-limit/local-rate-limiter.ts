// LocalRateLimiter: in-process sliding window, bounded number of keys (spec §3).
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

/** Stale keys are swept at least this often (spec §3: "at least every 5 minutes"). */
export const SWEEP_INTERVAL_MS = 5 * 60_000;
/**
 * When the table is full, a full sweep runs at most this often; in between, the least recently seen key is
 * evicted directly. Without the gate a flood of new keys against a table of live keys would scan every key on
 * every request.
 */
const FULL_SWEEP_MIN_INTERVAL_MS = 1_000;

export interface LocalRateLimiterOptions {
  /** Requests admitted per window per key; 0 = unlimited. */
  limit: number;
  /** Window length; a whole number of seconds (default 60 s). */
  windowMs?: number;
  /** Most keys tracked at once (`rate_limit_max_keys`). */
  maxKeys: number;
  /** Clock in epoch ms; tests inject one so windows pass without sleeping. */
  now?: () => number;
}

/**
 * Sliding-window log per key: the timestamps of the key's admitted requests in the last window (at most
 * `limit` of them). The Map is kept in least-recently-seen order (a hit moves its key to the end), so the
 * first key is the one to evict.
 */
export class LocalRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly windowSecs: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #log = new Map<string, number[]>();
  /**
   * A live iterator over #log, kept between evictions. Map iterators follow deletions and see re-inserted keys
   * at their new place, so it walks keys in least-recently-seen order; a fresh iterator per eviction would skip
   * the deleted slots at the front of V8's table every time (O(n) per new key once full).
   */
  #evictionCursor: Iterator<string> | undefined;
  #lastSweepAt: number;

  constructor(options: LocalRateLimiterOptions) {
    const windowMs = options.windowMs ?? 60_000;
    if (!Number.isInteger(options.limit) || options.limit < 0) throw new RangeError('limit must be an integer >= 0');
    if (!Number.isInteger(windowMs) || windowMs < 1000 || windowMs % 1000 !== 0) {
      throw new RangeError('windowMs must be a whole number of seconds');
    }
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) throw new RangeError('maxKeys must be >= 1');
    this.limit = options.limit;
    this.windowSecs = windowMs / 1000;
    this.#windowMs = windowMs;
    this.#maxKeys = options.maxKeys;
    this.#now = options.now ?? Date.now;
    this.#lastSweepAt = this.#now();
  }

  /** Number of keys tracked now (for tests and diagnostics). */
  get size(): number {
    return this.#log.size;
  }

  async hit(key: string): Promise<RateLimitDecision> {
    return this.#hit(key);
  }

  async close(): Promise<void> {
    this.#log.clear();
    this.#evictionCursor = undefined;
  }

  #hit(key: string): RateLimitDecision {
    if (this.limit === 0) return { allowed: true, limit: 0, remaining: 0, resetSecs: 0 };
    const now = this.#now();
    const cutoff = now - this.#windowMs;
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MS) this.#sweep(now);

    let stamps = this.#log.get(key);
    if (stamps === undefined) {
      if (this.#log.size >= this.#maxKeys) this.#makeRoom(now);
      stamps = [now];
      this.#log.set(key, stamps);
      return this.#decision(true, stamps, now);
    }
    // Move to the end: this key is now the most recently seen.
    this.#log.delete(key);
    this.#log.set(key, stamps);
    let expired = 0;
    while (expired < stamps.length && (stamps[expired] ?? 0) <= cutoff) expired++;
    if (expired > 0) stamps.splice(0, expired);
    if (stamps.length >= this.limit) return this.#decision(false, stamps, now);
    stamps.push(now);
    return this.#decision(true, stamps, now);
  }

  #decision(allowed: boolean, stamps: number[], now: number): RateLimitDecision {
    const oldest = stamps[0] ?? now;
    const resetSecs = Math.min(this.windowSecs, Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)));
    return { allowed, limit: this.limit, remaining: Math.max(0, this.limit - stamps.length), resetSecs };
  }

  #makeRoom(now: number): void {
    if (now - this.#lastSweepAt >= FULL_SWEEP_MIN_INTERVAL_MS) this.#sweep(now);
    while (this.#log.size >= this.#maxKeys) {
      let next = this.#evictionCursor?.next();
      if (next === undefined || next.done === true) {
        this.#evictionCursor = this.#log.keys();
        next = this.#evictionCursor.next();
        if (next.done === true) return;
      }
      this.#log.delete(next.value);
    }
  }

  /** Drops every key whose newest admitted request has left the window. */
  #sweep(now: number): void {
    this.#lastSweepAt = now;
    const cutoff = now - this.#windowMs;
    for (const [key, stamps] of this.#log) {
      const newest = stamps[stamps.length - 1];
      if (newest === undefined || newest <= cutoff) this.#log.delete(key);
    }
  }
}
