import { describe, expect, it } from 'vitest';
import { ProviderConfigError, ProviderHttpError, ProviderNetworkError, ProviderTimeoutError } from './provider.js';
import { MAX_BACKOFF_MS, attemptTimeoutMs, backoffDelayMs, isRetryable, parseDurationMs, parseRetryAfterMs, planRetry } from './retry.js';

const http = (status: number, retryAfterMs?: number, code?: string) => new ProviderHttpError('x', 'p', status, retryAfterMs, code);

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delay-seconds, fractional too', () => {
    expect(parseRetryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' }, now)).toBe(500);
  });
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, now)).toBe(7000);
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, now)).toBe(0);
  });
  it('prefers retry-after-ms', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
  });
  it('ignores junk and absence', () => {
    expect(parseRetryAfterMs({}, now)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': '-3' }, now)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after-ms': 'abc' }, now)).toBeUndefined();
  });
});

describe('parseDurationMs', () => {
  it('reads protobuf JSON durations', () => {
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('1.25s')).toBe(1250);
    expect(parseDurationMs('30')).toBeUndefined();
    expect(parseDurationMs(30)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base with equal jitter', () => {
    expect(backoffDelayMs(0, 500, () => 0)).toBe(250);
    expect(backoffDelayMs(0, 500, () => 1)).toBe(500);
    expect(backoffDelayMs(2, 500, () => 1)).toBe(2000);
    expect(backoffDelayMs(2, 500, () => 0)).toBe(1000);
  });
  it('is capped', () => {
    expect(backoffDelayMs(40, 500, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelayMs(3, 500, () => 1, 1000)).toBe(1000);
  });
  it('is zero for a zero base', () => {
    expect(backoffDelayMs(5, 0)).toBe(0);
  });
});

describe('isRetryable', () => {
  it.each([408, 429, 500, 502, 503, 504, 529])('retries HTTP %i', (status) => expect(isRetryable(http(status))).toBe(true));
  it.each([400, 401, 402, 403, 404, 409, 413, 422])('does not retry HTTP %i', (status) => expect(isRetryable(http(status))).toBe(false));
  it('does not retry quota and billing errors even on 429', () => {
    expect(isRetryable(http(429, undefined, 'insufficient_quota'))).toBe(false);
    expect(isRetryable(http(429, undefined, 'daily_quota_exhausted'))).toBe(false);
    expect(isRetryable(http(429, undefined, 'rate_limit_exceeded'))).toBe(true);
  });
  it('retries timeouts and network errors, never config errors or unknown errors', () => {
    expect(isRetryable(new ProviderTimeoutError('t', 'p'))).toBe(true);
    expect(isRetryable(new ProviderNetworkError('n', 'p'))).toBe(true);
    expect(isRetryable(new ProviderConfigError('c', 'p'))).toBe(false);
    expect(isRetryable(new TypeError('bug'))).toBe(false);
  });
});

describe('planRetry', () => {
  const base = { retriesDone: 0, maxRetries: 2, baseBackoffMs: 100, nowMs: 1_000_000, random: () => 1 };
  it('retries after the backoff, with Retry-After as a floor', () => {
    expect(planRetry({ ...base, error: http(503) })).toEqual({ retry: true, delayMs: 100 });
    expect(planRetry({ ...base, error: http(429, 1500) })).toEqual({ retry: true, delayMs: 1500 });
    expect(planRetry({ ...base, error: http(429, 10) })).toEqual({ retry: true, delayMs: 100 });
  });
  it('stops when retries are used up or the error is not retryable', () => {
    expect(planRetry({ ...base, retriesDone: 2, error: http(503) })).toEqual({ retry: false, reason: 'exhausted' });
    expect(planRetry({ ...base, error: http(401) })).toEqual({ retry: false, reason: 'not_retryable' });
  });
  it('does not wait for a Retry-After beyond the cap', () => {
    expect(planRetry({ ...base, error: http(429, 3_600_000) })).toEqual({ retry: false, reason: 'retry_after_too_long' });
  });
  it('starts no retry that could not finish before the deadline', () => {
    expect(planRetry({ ...base, error: http(503, 2000), deadlineMs: base.nowMs + 2050 })).toEqual({ retry: false, reason: 'deadline' });
    expect(planRetry({ ...base, error: http(503, 2000), deadlineMs: base.nowMs + 5000 })).toEqual({ retry: true, delayMs: 2000 });
  });
});

describe('attemptTimeoutMs', () => {
  it('is the time left, undefined without a deadline, and throws once it has passed', () => {
    expect(attemptTimeoutMs('p', {}, 10)).toBeUndefined();
    expect(attemptTimeoutMs('p', { deadline: 500 }, 100)).toBe(400);
    expect(() => attemptTimeoutMs('p', { deadline: 100 }, 100)).toThrow(ProviderTimeoutError);
  });
});
