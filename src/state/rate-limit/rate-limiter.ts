// interface RateLimiter + type RateLimitDecision: a sliding window of accepted requests per client key (spec §3).

export interface RateLimitDecision {
  /** True when the request is admitted (and counted). Rejected requests are never counted. */
  allowed: boolean;
  /** Requests admitted per window; 0 means unlimited. */
  limit: number;
  /** Requests the key may still make in the current window after this one. */
  remaining: number;
  /**
   * Whole seconds until the key's oldest counted request leaves the window (1..window):
   * the `retry_after` of a 429, the `t` of the RateLimit header. 0 (with `remaining` 0) when `limit` is 0.
   */
  resetSecs: number;
}

export interface RateLimiter {
  /** Requests admitted per window per key; 0 = unlimited (every hit is allowed, nothing stored). */
  readonly limit: number;
  /** Window length in seconds (60 for both gateway limiters). */
  readonly windowSecs: number;
  /**
   * Counts one request for `key` if it fits the window; answers whether it was admitted.
   * Rejects with StateUnavailableError when a shared store cannot be reached (the caller fails closed).
   */
  hit(key: string): Promise<RateLimitDecision>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
