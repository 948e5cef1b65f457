// Gemini `generateContent` wire protocol (`gemini`, aliases `google`, `google-gemini`): one HTTP attempt per chat().
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { ProviderError, type ChatRequest, type ChatResult, type Provider, type ProtocolProviderOptions } from './provider.js';
import { attemptTimeoutMs, parseDurationMs } from './retry.js';
import { createVendorHttpError, stringField } from './vendor-error.js';

const generateSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(z.object({ text: z.string().optional() })).optional() }).optional(),
        finishReason: z.string().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  usageMetadata: z.object({ promptTokenCount: z.number().optional(), candidatesTokenCount: z.number().optional() }).optional(),
});

/** google.rpc error details we act on (https://ai.google.dev/gemini-api/docs/rate-limits). */
const errorDetailsSchema = z.array(
  z.looseObject({
    '@type': z.string().optional(),
    retryDelay: z.string().optional(),
    violations: z.array(z.looseObject({ quotaId: z.string().optional() })).optional(),
  }),
);

/** Our label for a per-day quota: waiting seconds cannot help, so it is not retried (retry.ts). */
const DAILY_QUOTA_CODE = 'daily_quota_exhausted';

/** `models/gemini-2.0-flash` and `gemini-2.0-flash` name the same model; the path wants the bare name. */
function modelPath(model: string): string {
  return `/models/${encodeURIComponent(model.replace(/^models\//, ''))}:generateContent`;
}

export function createGeminiProvider(options: ProtocolProviderOptions): Provider {
  const { name, apiKey } = options;
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    provider: name,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
  });
  // In a header, not the `?key=` query string, so the key never sits in a URL that might be logged.
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (apiKey !== undefined && apiKey !== '') headers['x-goog-api-key'] = apiKey;
  const secrets = [apiKey];

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const body: Record<string, unknown> = {
      contents: [{ role: 'user', parts: [{ text: request.message }] }],
      generationConfig: { temperature: request.temperature },
    };
    if (request.system !== undefined && request.system !== '') body.systemInstruction = { parts: [{ text: request.system }] };
    const response = await http.postJson(modelPath(request.model), body, {
      headers,
      signal: request.signal,
      timeoutMs: attemptTimeoutMs(name, request),
    });

    if (response.status < 200 || response.status >= 300) {
      // {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[RetryInfo, QuotaFailure]}}
      const error: unknown = typeof response.body === 'object' && response.body !== null ? (response.body as { error?: unknown }).error : undefined;
      const details = errorDetailsSchema.safeParse(typeof error === 'object' && error !== null ? (error as { details?: unknown }).details : undefined);
      const detailList = details.success ? details.data : [];
      const retryAfterMs = detailList.map((d) => parseDurationMs(d.retryDelay)).find((ms) => ms !== undefined);
      const perDay = detailList.some((d) => (d.violations ?? []).some((v) => /PerDay/i.test(v.quotaId ?? '')));
      const code = perDay ? DAILY_QUOTA_CODE : stringField(error, 'status');
      throw createVendorHttpError(
        name,
        response,
        { message: stringField(error, 'message'), ...(code !== undefined ? { code } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
        secrets,
      );
    }

    const parsed = generateSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new ProviderError(`${name} answered HTTP ${response.status} without a generateContent body`, name);
    }
    const candidate = parsed.data.candidates?.[0];
    if (!candidate) {
      const reason = parsed.data.promptFeedback?.blockReason ?? 'no candidates';
      throw new ProviderError(`${name} returned no answer (${reason})`, name);
    }
    const text = (candidate.content?.parts ?? []).map((part) => part.text ?? '').join('');
    const usage = parsed.data.usageMetadata;
    return {
      text,
      model: request.model,
      provider: name,
      ...(usage ? { usage: { inputTokens: usage.promptTokenCount, outputTokens: usage.candidatesTokenCount } } : {}),
    };
  }

  return { name, chat, close: () => http.close() };
}
