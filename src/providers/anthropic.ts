// Anthropic Messages wire protocol (`anthropic`, `anthropic-custom:<URL>`): one HTTP attempt per chat().
import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';
import type { Provider, ProtocolProviderOptions } from './provider.js';
import { errorMember, stringField } from './vendor-error.js';
import { createWireProtocolProvider } from './wire-protocol-provider.js';

/** The API version every request names (https://docs.anthropic.com/en/api/versioning). */
export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by the Messages API; the gateway sends one turn and wants a whole reply. */
export const ANTHROPIC_MAX_TOKENS = 4096;
/** Anthropic accepts temperature 0..1 while the config allows 0..2 (OpenAI's range); larger values are a 400. */
const ANTHROPIC_MAX_TEMPERATURE = 1;

const messageSchema = lazySchema(() =>
  z.object({
    content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
    usage: z.object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() }).nullish(),
  }),
);

/** The messages path under a base URL given with or without its `/v1`. */
function messagesPath(baseUrl: string): string {
  return /\/v1$/.test(baseUrl.replace(/\/+$/, '')) ? '/messages' : '/v1/messages';
}

export function createAnthropicProvider(options: ProtocolProviderOptions): Provider {
  const path = messagesPath(options.baseUrl);
  return createWireProtocolProvider(options, {
    fixedHeaders: { 'anthropic-version': ANTHROPIC_VERSION },
    credentialHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
    buildRequest(request) {
      const body: Record<string, unknown> = {
        model: request.model,
        max_tokens: ANTHROPIC_MAX_TOKENS,
        messages: [{ role: 'user', content: request.message }],
        temperature: Math.min(request.temperature, ANTHROPIC_MAX_TEMPERATURE),
      };
      if (request.system !== undefined && request.system !== '') body.system = request.system;
      return { path, body };
    },
    readErrorBody(body) {
      // {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
      const error = errorMember(body);
      return { message: stringField(error, 'message'), code: stringField(error, 'type') };
    },
    answerSchema: messageSchema,
    answerName: 'a Messages API body',
    readAnswer(answer) {
      // Text blocks are joined as they come: citations split one paragraph into several blocks.
      const text = answer.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text ?? '')
        .join('');
      const usage = answer.usage;
      return { text, usage: usage ? { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } : undefined };
    },
  });
}
