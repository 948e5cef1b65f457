// Fake Gemini API server (real node:http on port 0): generateContent, google.rpc error bodies, RESOURCE_EXHAUSTED.
import { startFakeVendorServer, type FakeReply, type FakeVendorServer, type RecordedRequest } from './fake-vendor-server.js';

export type { FakeReply, RecordedRequest };
export type FakeGeminiServer = FakeVendorServer;

/** Google's error reply: `{"error":{code,message,status,details?}}`. */
export function geminiError(code: number, status: string, message: string, details?: unknown[]): FakeReply {
  return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

/** A 429 as Gemini sends it: per-minute (with RetryInfo) or per-day quota (QuotaFailure names a PerDay quota). */
export function geminiResourceExhausted(options: { retryDelay?: string; perDay?: boolean } = {}): FakeReply {
  const quotaId = options.perDay ? 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' : 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
  const details: unknown[] = [
    { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId }] },
  ];
  if (options.retryDelay !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: options.retryDelay });
  return geminiError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', details);
}

/** A generateContent success body answering `text`. */
export function geminiResponse(text: string, usage = { promptTokenCount: 9, candidatesTokenCount: 2 }): unknown {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { ...usage, totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount },
    modelVersion: 'gemini-fake',
  };
}

function lastUserText(body: unknown): string {
  const contents = (body as { contents?: unknown } | undefined)?.contents;
  if (!Array.isArray(contents)) return '';
  const last: unknown = contents.at(-1);
  const parts = (last as { parts?: unknown } | undefined)?.parts;
  if (!Array.isArray(parts)) return '';
  return parts.map((p: unknown) => (p as { text?: unknown }).text).filter((t): t is string => typeof t === 'string').join('');
}

/** Default: checks the key header as Google does, then answers `echo: <user text>`. */
export function echoGemini(req: RecordedRequest): FakeReply {
  if (req.method !== 'POST' || !/^\/v1beta\/models\/[^/:]+:generateContent$/.test(req.path)) {
    return geminiError(404, 'NOT_FOUND', `Requested entity was not found: ${req.path}`);
  }
  if (typeof req.headers['x-goog-api-key'] !== 'string') {
    return geminiError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  }
  return { body: geminiResponse(`echo: ${lastUserText(req.body)}`) };
}

/** Starts the fake; `baseUrl` ends in `/v1beta`, like generativelanguage.googleapis.com's. */
export function startFakeGeminiServer(): Promise<FakeGeminiServer> {
  return startFakeVendorServer({ pathPrefix: '/v1beta', defaultHandler: echoGemini });
}
