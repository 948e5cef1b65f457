// Ollama native `/api/chat` wire protocol with `stream:false` (`ollama`): one HTTP attempt per chat().
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { ProviderError, type ChatRequest, type ChatResult, type Provider, type ProtocolProviderOptions } from './provider.js';
import { attemptTimeoutMs } from './retry.js';
import { createVendorHttpError, stringField } from './vendor-error.js';

const chatSchema = z.object({
  message: z.object({ content: z.string() }),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
});

export function createOllamaProvider(options: ProtocolProviderOptions): Provider {
  const { name, apiKey } = options;
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    provider: name,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
  });
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  // Local Ollama ignores auth; hosted Ollama (ollama.com) wants a bearer key.
  if (apiKey !== undefined && apiKey !== '') headers.authorization = `Bearer ${apiKey}`;
  const secrets = [apiKey];

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const messages: { role: 'system' | 'user'; content: string }[] = [];
    if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
    messages.push({ role: 'user', content: request.message });
    // stream defaults to true (NDJSON chunks); false gets one JSON object.
    const response = await http.postJson(
      '/api/chat',
      { model: request.model, messages, stream: false, options: { temperature: request.temperature } },
      { headers, signal: request.signal, timeoutMs: attemptTimeoutMs(name, request) },
    );

    if (response.status < 200 || response.status >= 300) {
      // {"error":"model \"llama3\" not found, try pulling it first"}
      throw createVendorHttpError(name, response, { message: stringField(response.body, 'error') }, secrets);
    }

    const parsed = chatSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new ProviderError(`${name} answered HTTP ${response.status} without an /api/chat body`, name);
    }
    const { prompt_eval_count: inputTokens, eval_count: outputTokens } = parsed.data;
    return {
      text: parsed.data.message.content,
      model: request.model,
      provider: name,
      ...(inputTokens !== undefined || outputTokens !== undefined ? { usage: { inputTokens, outputTokens } } : {}),
    };
  }

  return { name, chat, close: () => http.close() };
}
