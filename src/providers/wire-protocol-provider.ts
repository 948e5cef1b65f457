// The send → status check → parse → ChatResult sequence every protocol adapter shares; each adapter supplies its wire details.
import type { z } from 'zod';
import { createHttpClient } from './http-client.js';
import {
  ProviderError,
  type ChatRequest,
  type ChatResult,
  type ChatUsage,
  type Provider,
  type ProtocolProviderOptions,
} from './provider.js';
import { attemptTimeoutMs } from './retry.js';
import { createVendorHttpError, type VendorErrorDetail } from './vendor-error.js';

/** One vendor's wire protocol: how a chat turn is sent and how its answers, good and bad, are read. */
export interface WireProtocol<Answer> {
  /** Headers sent on every request after `accept` and before the configured extras (e.g. `anthropic-version`). */
  fixedHeaders?: Readonly<Record<string, string>>;
  /** The header carrying the API key; only called with a non-empty key, and sent last so extras cannot replace it. */
  credentialHeaders(apiKey: string): Record<string, string>;
  /** The path under the base URL and the JSON body for one chat turn. */
  buildRequest(request: ChatRequest): { path: string; body: unknown };
  /** What a non-2xx body says (message, code, retry delay); the status and Retry-After header are read by the caller. */
  readErrorBody(body: unknown): VendorErrorDetail;
  /** The part of a 2xx body the protocol reads; a body that does not match is a ProviderError. */
  answerSchema: () => z.ZodType<Answer>;
  /**
   * Optional fast path for the common answer: true only for bodies `answerSchema` accepts and whose fields
   * `readAnswer` reads unchanged; false sends the body through `answerSchema`, which has the last word.
   */
  isAnswer?(body: unknown): body is Answer;
  /** The expected body, named in the mismatch error: "<provider> answered HTTP 200 without <answerName>". */
  answerName: string;
  /** Reply text and the usage to report (undefined: none); may throw a ProviderError for an answer with no reply. */
  readAnswer(answer: Answer, provider: string): { text: string; usage: ChatUsage | undefined };
}

/** A Provider making one HTTP attempt per chat() over a pooled client; retries and fallbacks live in reliable-provider.ts. */
export function createWireProtocolProvider<Answer>(options: ProtocolProviderOptions, protocol: WireProtocol<Answer>): Provider {
  const { name, apiKey } = options;
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    provider: name,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
  });
  // Built once and frozen: the HTTP client merges it with its own content headers once and reuses the result.
  const headers: Readonly<Record<string, string>> = Object.freeze({
    accept: 'application/json',
    ...protocol.fixedHeaders,
    ...options.headers,
    ...(apiKey !== undefined && apiKey !== '' ? protocol.credentialHeaders(apiKey) : {}),
  });
  const secrets = [apiKey];

  function readAnswerBody(body: unknown, status: number): Answer {
    if (protocol.isAnswer?.(body)) return body;
    const parsed = protocol.answerSchema().safeParse(body);
    if (!parsed.success) throw new ProviderError(`${name} answered HTTP ${status} without ${protocol.answerName}`, name);
    return parsed.data;
  }

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const { path, body } = protocol.buildRequest(request);
    const response = await http.postJson(path, body, {
      headers,
      signal: request.signal,
      timeoutMs: attemptTimeoutMs(name, request),
    });

    if (response.status < 200 || response.status >= 300) {
      throw createVendorHttpError(name, response, protocol.readErrorBody(response.body), secrets);
    }

    const { text, usage } = protocol.readAnswer(readAnswerBody(response.body, response.status), name);
    // The model asked for, as the reference answers it; vendors echo dated variants (gpt-4o → gpt-4o-2024-08-06).
    const result: ChatResult = { text, model: request.model, provider: name };
    if (usage !== undefined) result.usage = usage;
    return result;
  }

  return { name, chat, close: () => http.close() };
}
