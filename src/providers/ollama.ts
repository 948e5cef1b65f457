// Ollama native `/api/chat` wire protocol with `stream:false` (`ollama`): one HTTP attempt per chat().
import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';
import type { Provider, ProtocolProviderOptions } from './provider.js';
import { stringField } from './vendor-error.js';
import { createWireProtocolProvider } from './wire-protocol-provider.js';

const chatSchema = lazySchema(() =>
  z.object({
    message: z.object({ content: z.string() }),
    prompt_eval_count: z.number().optional(),
    eval_count: z.number().optional(),
  }),
);

export function createOllamaProvider(options: ProtocolProviderOptions): Provider {
  return createWireProtocolProvider(options, {
    // Local Ollama ignores auth; hosted Ollama (ollama.com) wants a bearer key.
    credentialHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    buildRequest(request) {
      const messages: { role: 'system' | 'user'; content: string }[] = [];
      if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
      messages.push({ role: 'user', content: request.message });
      // stream defaults to true (NDJSON chunks); false gets one JSON object.
      return {
        path: '/api/chat',
        body: { model: request.model, messages, stream: false, options: { temperature: request.temperature } },
      };
    },
    // {"error":"model \"llama3\" not found, try pulling it first"}
    readErrorBody: (body) => ({ message: stringField(body, 'error') }),
    answerSchema: chatSchema,
    answerName: 'an /api/chat body',
    readAnswer(answer) {
      const { prompt_eval_count: inputTokens, eval_count: outputTokens } = answer;
      const reported = inputTokens !== undefined || outputTokens !== undefined;
      return { text: answer.message.content, usage: reported ? { inputTokens, outputTokens } : undefined };
    },
  });
}
