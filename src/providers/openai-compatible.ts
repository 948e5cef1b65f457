// OpenAI chat-completions wire protocol (OpenRouter, OpenAI, Groq, … LM Studio, custom:): one HTTP attempt per chat().
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { ProviderError, type ChatRequest, type ChatResult, type Provider, type ProtocolProviderOptions } from './provider.js';
import { attemptTimeoutMs } from './retry.js';
import { createVendorHttpError, stringField } from './vendor-error.js';

/** The part of a chat.completion we read; `content` may be null (tool calls) or an array of parts (some proxies). */
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.union([z.string(), z.array(z.object({ type: z.string().optional(), text: z.string().optional() })), z.null()]).optional(),
        }),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullish(),
});

type ChatMessage = { role: 'system' | 'user'; content: string };

export function createOpenAiCompatibleProvider(options: ProtocolProviderOptions): Provider {
  const { name, apiKey } = options;
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    provider: name,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
  });
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (apiKey !== undefined && apiKey !== '') headers.authorization = `Bearer ${apiKey}`;
  const secrets = [apiKey];

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const messages: ChatMessage[] = [];
    if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
    messages.push({ role: 'user', content: request.message });
    const response = await http.postJson(
      '/chat/completions',
      { model: request.model, messages, temperature: request.temperature },
      { headers, signal: request.signal, timeoutMs: attemptTimeoutMs(name, request) },
    );

    if (response.status < 200 || response.status >= 300) {
      const error: unknown = typeof response.body === 'object' && response.body !== null ? (response.body as { error?: unknown }).error : undefined;
      // OpenAI nests {message,type,code}; some compatibles send {"error":"text"} or {"message":"..."}.
      const message = typeof error === 'string' ? error : (stringField(error, 'message') ?? stringField(response.body, 'message'));
      const code = stringField(error, 'code') ?? stringField(error, 'type');
      throw createVendorHttpError(name, response, { message, code }, secrets);
    }

    const parsed = completionSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new ProviderError(`${name} answered HTTP ${response.status} without a chat completion body`, name);
    }
    const content = parsed.data.choices[0]?.message.content;
    const text = typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');
    const usage = parsed.data.usage;
    return {
      text,
      // The model asked for, as the reference answers it; vendors echo dated variants (gpt-4o → gpt-4o-2024-08-06).
      model: request.model,
      provider: name,
      ...(usage ? { usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } } : {}),
    };
  }

  return { name, chat, close: () => http.close() };
}
