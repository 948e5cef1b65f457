// OpenAI chat-completions wire protocol (OpenRouter, OpenAI, Groq, … LM Studio, custom:): one HTTP attempt per chat().
import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';
import type { Provider, ProtocolProviderOptions } from './provider.js';
import { errorMember, isOptionalNumber, isRecord, stringField } from './vendor-error.js';
import { createWireProtocolProvider } from './wire-protocol-provider.js';

/** The part of a chat.completion we read; `content` may be null (tool calls) or an array of parts (some proxies). */
const completionSchema = lazySchema(() =>
  z.object({
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
  }),
);

type Completion = z.infer<ReturnType<typeof completionSchema>>;

/**
 * The usual completion (string or null content, numeric usage) checked by hand; anything else, including content
 * given as parts, goes through completionSchema. Accepts nothing the schema refuses.
 */
function isPlainCompletion(body: unknown): body is Completion {
  if (!isRecord(body)) return false;
  const { choices, usage } = body;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const choice of choices as unknown[]) {
    if (!isRecord(choice) || !isRecord(choice.message)) return false;
    const content = choice.message.content;
    if (content !== undefined && content !== null && typeof content !== 'string') return false;
  }
  if (usage === undefined || usage === null) return true;
  return isRecord(usage) && isOptionalNumber(usage.prompt_tokens) && isOptionalNumber(usage.completion_tokens);
}

type ChatMessage = { role: 'system' | 'user'; content: string };

export function createOpenAiCompatibleProvider(options: ProtocolProviderOptions): Provider {
  return createWireProtocolProvider(options, {
    credentialHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    buildRequest(request) {
      const messages: ChatMessage[] = [];
      if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
      messages.push({ role: 'user', content: request.message });
      return { path: '/chat/completions', body: { model: request.model, messages, temperature: request.temperature } };
    },
    readErrorBody(body) {
      const error = errorMember(body);
      // OpenAI nests {message,type,code}; some compatibles send {"error":"text"} or {"message":"..."}.
      const message = typeof error === 'string' ? error : (stringField(error, 'message') ?? stringField(body, 'message'));
      const code = stringField(error, 'code') ?? stringField(error, 'type');
      return { message, code };
    },
    answerSchema: completionSchema,
    isAnswer: isPlainCompletion,
    answerName: 'a chat completion body',
    readAnswer(answer) {
      const content = answer.choices[0]?.message.content;
      const text = typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');
      const usage = answer.usage;
      return { text, usage: usage ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } : undefined };
    },
  });
}
