// Gemini `generateContent` wire protocol (`gemini`, aliases `google`, `google-gemini`): one HTTP attempt per chat().
import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';
import { ProviderError, type Provider, type ProtocolProviderOptions } from './provider.js';
import { parseDurationMs } from './retry.js';
import { errorMember, stringField } from './vendor-error.js';
import { createWireProtocolProvider } from './wire-protocol-provider.js';

const generateSchema = lazySchema(() =>
  z.object({
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
  }),
);

/** google.rpc error details we act on (https://ai.google.dev/gemini-api/docs/rate-limits). */
const errorDetailsSchema = lazySchema(() =>
  z.array(
    z.looseObject({
      '@type': z.string().optional(),
      retryDelay: z.string().optional(),
      violations: z.array(z.looseObject({ quotaId: z.string().optional() })).optional(),
    }),
  ),
);

/** Our label for a per-day quota: waiting seconds cannot help, so it is not retried (retry.ts). */
const DAILY_QUOTA_CODE = 'daily_quota_exhausted';

/** `models/gemini-2.0-flash` and `gemini-2.0-flash` name the same model; the path wants the bare name. */
function modelPath(model: string): string {
  return `/models/${encodeURIComponent(model.replace(/^models\//, ''))}:generateContent`;
}

export function createGeminiProvider(options: ProtocolProviderOptions): Provider {
  return createWireProtocolProvider(options, {
    // In a header, not the `?key=` query string, so the key never sits in a URL that might be logged.
    credentialHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
    buildRequest(request) {
      const body: Record<string, unknown> = {
        contents: [{ role: 'user', parts: [{ text: request.message }] }],
        generationConfig: { temperature: request.temperature },
      };
      if (request.system !== undefined && request.system !== '') body.systemInstruction = { parts: [{ text: request.system }] };
      return { path: modelPath(request.model), body };
    },
    readErrorBody(body) {
      // {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[RetryInfo, QuotaFailure]}}
      const error = errorMember(body);
      const details = errorDetailsSchema().safeParse(typeof error === 'object' && error !== null ? (error as { details?: unknown }).details : undefined);
      const detailList = details.success ? details.data : [];
      const retryAfterMs = detailList.map((d) => parseDurationMs(d.retryDelay)).find((ms) => ms !== undefined);
      const perDay = detailList.some((d) => (d.violations ?? []).some((v) => /PerDay/i.test(v.quotaId ?? '')));
      const code = perDay ? DAILY_QUOTA_CODE : stringField(error, 'status');
      return {
        message: stringField(error, 'message'),
        ...(code !== undefined ? { code } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    },
    answerSchema: generateSchema,
    answerName: 'a generateContent body',
    readAnswer(answer, provider) {
      const candidate = answer.candidates?.[0];
      if (!candidate) {
        const reason = answer.promptFeedback?.blockReason ?? 'no candidates';
        throw new ProviderError(`${provider} returned no answer (${reason})`, provider);
      }
      const text = (candidate.content?.parts ?? []).map((part) => part.text ?? '').join('');
      const usage = answer.usageMetadata;
      return { text, usage: usage ? { inputTokens: usage.promptTokenCount, outputTokens: usage.candidatesTokenCount } : undefined };
    },
  });
}
