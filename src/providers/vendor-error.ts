// Turns a vendor's non-2xx answer into a ProviderHttpError with a sanitised message and the delay it asked for.
import type { HttpResponse } from './http-client.js';
import { ProviderHttpError } from './provider.js';
import { redactSecrets } from './redact.js';
import { parseRetryAfterMs } from './retry.js';

/** What a protocol adapter could read from the vendor's error body. */
export interface VendorErrorDetail {
  /** The vendor's human-readable message. */
  message?: string;
  /** The vendor's error code or type, e.g. `insufficient_quota`, `overloaded_error`, `RESOURCE_EXHAUSTED`. */
  code?: string;
  /** A delay found in the body (Gemini RetryInfo), used when no Retry-After header was sent. */
  retryAfterMs?: number;
}

/** Builds the error; `secrets` (the API key in use) are redacted from the message along with secret-shaped text. */
export function createVendorHttpError(
  provider: string,
  response: HttpResponse,
  detail: VendorErrorDetail,
  secrets: readonly (string | undefined)[],
): ProviderHttpError {
  const text = detail.message ?? response.text;
  const code = detail.code !== undefined ? ` (${detail.code})` : '';
  const message = redactSecrets(`${provider} answered HTTP ${response.status}${code}: ${text || '<empty body>'}`, secrets);
  const retryAfterMs = parseRetryAfterMs(response.headers) ?? detail.retryAfterMs;
  return new ProviderHttpError(message, provider, response.status, retryAfterMs, detail.code);
}

/** A string field of an unknown JSON object, if it is one. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** The `error` member of a JSON error body (`{"error": …}`), of any type; undefined when the body is not an object. */
export function errorMember(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
}

/** A JSON object (not an array, not null): what a zod `z.object` accepts as its input. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent or a finite number: what `z.number().optional()` accepts. */
export function isOptionalNumber(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}
