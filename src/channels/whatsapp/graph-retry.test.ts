import { describe, expect, it } from 'vitest';
import { graphRetryDelayMs, isRetryableGraphError, PAIR_RATE_LIMIT_DELAY_MS } from './graph-retry.js';

describe('isRetryableGraphError', () => {
  it('retries 429, 5xx and the throttling/temporary codes', () => {
    expect(isRetryableGraphError(429, undefined)).toBe(true);
    expect(isRetryableGraphError(503, undefined)).toBe(true);
    for (const code of [130429, 131056, 80007, 4, 17, 341, 1, 2, 131000]) expect(isRetryableGraphError(400, code), String(code)).toBe(true);
  });

  it('never retries the permanent codes, whatever the status', () => {
    for (const code of [100, 131008, 131009, 131026, 131047, 131051, 190]) {
      expect(isRetryableGraphError(400, code), String(code)).toBe(false);
      expect(isRetryableGraphError(500, code), String(code)).toBe(false);
    }
  });

  it('treats other 4xx as permanent', () => {
    expect(isRetryableGraphError(400, undefined)).toBe(false);
    expect(isRetryableGraphError(403, 200)).toBe(false);
  });
});

describe('graphRetryDelayMs', () => {
  it('backs off exponentially with jitter in the upper half', () => {
    expect(graphRetryDelayMs(0, {}, { baseMs: 1000, random: () => 0 })).toBe(500);
    expect(graphRetryDelayMs(0, {}, { baseMs: 1000, random: () => 1 })).toBe(1000);
    expect(graphRetryDelayMs(2, {}, { baseMs: 1000, random: () => 1 })).toBe(4000);
  });

  it('waits at least 6 s after a pair rate limit and at least what Retry-After asks', () => {
    expect(graphRetryDelayMs(0, { metaCode: 131056 }, { random: () => 0 })).toBe(PAIR_RATE_LIMIT_DELAY_MS);
    expect(graphRetryDelayMs(0, { retryAfterMs: 9_000 }, { random: () => 0 })).toBe(9_000);
  });
});
