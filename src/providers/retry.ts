// Retry policy as pure functions: backoff with jitter, Retry-After parsing, what is retryable, the deadline budget (spec §7).
import { headerValue, type ResponseHeaders } from './http-client.js';
import { ProviderConfigError, ProviderHttpError, ProviderNetworkError, ProviderTimeoutError } from './provider.js';

/** Exponential backoff never waits longer than this between two attempts. */
export const MAX_BACKOFF_MS = 30_000;
/**
 * A vendor asking for a longer pause than this is not waited for: retrying earlier would only be refused again,
 * so the provider is given up and the next fallback tried (the gateway's deadline is usually shorter anyway).
 */
export const MAX_RETRY_AFTER_MS = 60_000;
/** No attempt starts with less time than this left before the deadline: it could not finish. */
export const MIN_ATTEMPT_MS = 100;

/**
 * Vendor error codes that mean "out of money or quota": retrying cannot help (OpenAI `insufficient_quota`,
 * OpenAI billing codes, Anthropic spend limits, our label for Gemini's per-day quota).
 */
const NON_RETRYABLE_VENDOR_CODES = new Set([
  'insufficient_quota',
  'billing_hard_limit_reached',
  'billing_not_active',
  'access_terminated',
  'enforced_spend_limit_reached',
  'daily_quota_exhausted',
]);

/**
 * Delay the vendor asked for, in ms: `retry-after-ms` (OpenAI, Azure) first, then `Retry-After` as
 * delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfterMs(headers: ResponseHeaders, nowMs = Date.now()): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = headerValue(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name; Date.parse alone accepts "-3".
  if (!/^[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Parses a protobuf Duration in JSON form (`"30s"`, `"1.5s"`, Gemini's `RetryInfo.retryDelay`) into ms. */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

/**
 * Backoff before retry number `retry` (0 = the first retry): `baseMs` doubling each time, capped at `capMs`,
 * with "equal jitter" (a random point in the upper half) so clients that failed together do not retry together.
 */
export function backoffDelayMs(retry: number, baseMs: number, random: () => number = Math.random, capMs = MAX_BACKOFF_MS): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(retry, 30));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}

/** True for failures a later attempt of the same provider may not hit: network, timeout, 408, 429, 5xx (529 too). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ProviderConfigError) return false;
  if (err instanceof ProviderTimeoutError || err instanceof ProviderNetworkError) return true;
  if (err instanceof ProviderHttpError) {
    if (err.vendorCode !== undefined && NON_RETRYABLE_VENDOR_CODES.has(err.vendorCode)) return false;
    return err.status === 408 || err.status === 429 || err.status >= 500;
  }
  return false;
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not_retryable' | 'exhausted' | 'retry_after_too_long' | 'deadline' };

export interface RetryInput {
  /** The failure of the attempt just made. */
  error: unknown;
  /** Retries already made for this provider and model (0 after the first attempt). */
  retriesDone: number;
  /** `[reliability] provider_retries`. */
  maxRetries: number;
  /** `[reliability] provider_backoff_ms`. */
  baseBackoffMs: number;
  nowMs: number;
  /** Epoch ms by which the whole request must be answered; undefined = no deadline. */
  deadlineMs?: number;
  random?: () => number;
}

/**
 * Decides whether to retry the same provider and after how long. The vendor's Retry-After is a floor on the
 * backoff; a retry whose wait would leave less than MIN_ATTEMPT_MS before the deadline is not started.
 */
export function planRetry(input: RetryInput): RetryDecision {
  if (!isRetryable(input.error)) return { retry: false, reason: 'not_retryable' };
  if (input.retriesDone >= input.maxRetries) return { retry: false, reason: 'exhausted' };
  const retryAfterMs = input.error instanceof ProviderHttpError ? input.error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) return { retry: false, reason: 'retry_after_too_long' };
  const delayMs = Math.max(backoffDelayMs(input.retriesDone, input.baseBackoffMs, input.random), retryAfterMs ?? 0);
  if (input.deadlineMs !== undefined && input.nowMs + delayMs + MIN_ATTEMPT_MS > input.deadlineMs) {
    return { retry: false, reason: 'deadline' };
  }
  return { retry: true, delayMs };
}

/**
 * Time budget of one HTTP attempt: what is left before `request.deadline` (undefined = the client's default).
 * Throws ProviderTimeoutError when the deadline has already passed, so no call starts that cannot finish.
 */
export function attemptTimeoutMs(provider: string, request: { deadline?: number }, nowMs = Date.now()): number | undefined {
  if (request.deadline === undefined) return undefined;
  const left = request.deadline - nowMs;
  if (left <= 0) throw new ProviderTimeoutError(`${provider}: request deadline passed before the call`, provider);
  return left;
}
