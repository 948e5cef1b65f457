// Anthropic Messages wire protocol (`anthropic`, `anthropic-custom:<URL>`): one HTTP attempt per chat().
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { ProviderError, type ChatRequest, type ChatResult, type Provider, type ProtocolProviderOptions } from './provider.js';
import { attemptTimeoutMs } from './retry.js';
import { createVendorHttpError, stringField } from './vendor-error.js';

/** The API version every request names (https://docs.anthropic.com/en/api/versioning). */
export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by the Messages API; the gateway sends one turn and wants a whole reply. */
export const ANTHROPIC_MAX_TOKENS = 4096;
/** Anthropic accepts temperature 0..1 while the config allows 0..2 (OpenAI's range); larger values are a 400. */
const ANTHROPIC_MAX_TEMPERATURE = 1;

const messageSchema = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  usage: z.object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() }).nullish(),
});

/** The messages path under a base URL given with or without its `/v1`. */
function messagesPath(baseUrl: string): string {
  return /\/v1$/.test(baseUrl.replace(/\/+$/, '')) ? '/messages' : '/v1/messages';
}

export function createAnthropicProvider(options: ProtocolProviderOptions): Provider {
  const { name, apiKey } = options;
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    provider: name,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
  });
  const path = messagesPath(options.baseUrl);
  const headers: Record<string, string> = { accept: 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...options.headers };
  if (apiKey !== undefined && apiKey !== '') headers['x-api-key'] = apiKey;
  const secrets = [apiKey];

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const body: Record<string, unknown> = {
      model: request.model,
      max_tokens: ANTHROPIC_MAX_TOKENS,
      messages: [{ role: 'user', content: request.message }],
      temperature: Math.min(request.temperature, ANTHROPIC_MAX_TEMPERATURE),
    };
    if (request.system !== undefined && request.system !== '') body.system = request.system;
    const response = await http.postJson(path, body, {
      headers,
      signal: request.signal,
      timeoutMs: attemptTimeoutMs(name, request),
    });

    if (response.status < 200 || response.status >= 300) {
      // {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
      const error: unknown = typeof response.body === 'object' && response.body !== null ? (response.body as { error?: unknown }).error : undefined;
      throw createVendorHttpError(name, response, { message: stringField(error, 'message'), code: stringField(error, 'type') }, secrets);
    }

    const parsed = messageSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new ProviderError(`${name} answered HTTP ${response.status} without a Messages API body`, name);
    }
    // Text blocks are joined as they come: citations split one paragraph into several blocks.
    const text = parsed.data.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text ?? '')
      .join('');
    const usage = parsed.data.usage;
    return {
      text,
      model: request.model,
      provider: name,
      ...(usage ? { usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } } : {}),
    };
  }

  return { name, chat, close: () => http.close() };
}
