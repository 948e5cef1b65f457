// Graph API retry policy as pure functions: which failures are worth another attempt, and after how long (wire-formats §4.6).
import { backoffDelayMs } from '../../providers/retry.js';

/**
 * Meta codes that mean "later": throughput (130429), pair rate (131056), WABA rate (80007), app/user call
 * limits (4, 17, 341), temporary errors (1, 2) and the catch-all unknown error (131000).
 */
export const RETRYABLE_GRAPH_CODES: ReadonlySet<number> = new Set([130429, 131056, 80007, 4, 17, 341, 1, 2, 131000]);

/**
 * Meta codes that no retry can fix: bad parameters (100, 131008, 131009), undeliverable (131026), 24-hour window
 * closed (131047, needs a template), unsupported type (131051), expired or invalid token (190). They win over
 * the HTTP status: a 5xx carrying one of them is still permanent.
 */
export const PERMANENT_GRAPH_CODES: ReadonlySet<number> = new Set([100, 131008, 131009, 131026, 131047, 131051, 190]);

/** Meta asks for about one message per 6 s to the same user; retrying the pair rate limit sooner is refused again. */
export const PAIR_RATE_LIMIT_CODE = 131056;
export const PAIR_RATE_LIMIT_DELAY_MS = 6_000;

export const GRAPH_BACKOFF_BASE_MS = 500;
export const GRAPH_BACKOFF_CAP_MS = 30_000;

/** Whether a Graph error answer is worth retrying: Meta's code decides when it is known, else the status (429, 5xx). */
export function isRetryableGraphError(status: number, metaCode: number | undefined): boolean {
  if (metaCode !== undefined) {
    if (PERMANENT_GRAPH_CODES.has(metaCode)) return false;
    if (RETRYABLE_GRAPH_CODES.has(metaCode)) return true;
  }
  return status === 429 || status >= 500;
}

/**
 * Wait before retry number `retry` (0 = the first retry): exponential backoff with jitter, never shorter than
 * Meta's Retry-After, and at least 6 s after a pair-rate-limit error.
 */
export function graphRetryDelayMs(
  retry: number,
  failure: { metaCode?: number | undefined; retryAfterMs?: number | undefined },
  options: { baseMs?: number; random?: () => number } = {},
): number {
  const backoff = backoffDelayMs(retry, options.baseMs ?? GRAPH_BACKOFF_BASE_MS, options.random, GRAPH_BACKOFF_CAP_MS);
  const floor = failure.metaCode === PAIR_RATE_LIMIT_CODE ? PAIR_RATE_LIMIT_DELAY_MS : 0;
  return Math.max(backoff, floor, failure.retryAfterMs ?? 0);
}
