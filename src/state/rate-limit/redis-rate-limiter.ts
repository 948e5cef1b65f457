// RedisRateLimiter: the sliding window shared by every instance, one script call per request (spec §3, §9).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisCall } from '../redis-connection.js';
import type { RedisKeys } from '../redis-keys.js';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

export interface RedisRateLimiterOptions {
  /** A client made by connectRedis (scripts defined); owned by the caller, not closed here. */
  redis: Redis;
  keys: RedisKeys;
  /** Which limiter ("webhook", "pair"): each has its own keys. */
  name: string;
  /** Requests admitted per window per key; 0 = unlimited (Redis is not asked). */
  limit: number;
  /** Window length; a whole number of seconds (default 60 s). */
  windowMs?: number;
}

/**
 * Exact across instances: the script trims, counts and adds in one atomic step on Redis's clock. No
 * max-keys bound is needed: each key expires one window after its newest admitted request.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly windowSecs: number;
  readonly #windowMs: number;
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #name: string;
  /** Makes each admitted request a distinct member, whichever instance admits it. */
  readonly #instanceId = randomUUID();
  #sequence = 0;

  constructor(options: RedisRateLimiterOptions) {
    const windowMs = options.windowMs ?? 60_000;
    if (!Number.isInteger(options.limit) || options.limit < 0) throw new RangeError('limit must be an integer >= 0');
    if (!Number.isInteger(windowMs) || windowMs < 1000 || windowMs % 1000 !== 0) {
      throw new RangeError('windowMs must be a whole number of seconds');
    }
    if (!/^[a-z0-9-]+$/.test(options.name)) throw new RangeError('name must be lowercase letters, digits, dashes');
    this.limit = options.limit;
    this.windowSecs = windowMs / 1000;
    this.#windowMs = windowMs;
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#name = options.name;
  }

  async hit(key: string): Promise<RateLimitDecision> {
    if (this.limit === 0) return { allowed: true, limit: 0, remaining: 0, resetSecs: 0 };
    const member = `${this.#instanceId}:${(this.#sequence += 1)}`;
    const [allowed, count, resetMs] = await redisCall(`rate limit (${this.#name})`, () =>
      this.#redis.clawgateSlidingWindow(this.#keys.rateLimit(this.#name, key), this.limit, this.#windowMs, member),
    );
    return {
      allowed: allowed === 1,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetSecs: Math.min(this.windowSecs, Math.max(1, Math.ceil(resetMs / 1000))),
    };
  }

  /** The connection belongs to whoever made it (createStores); nothing to release here. */
  async close(): Promise<void> {}
}
