// Fake OpenAI-compatible chat-completions server (real node:http on port 0) with OpenAI's success and error bodies.
import {
  lastUserMessage,
  requestedModel,
  startFakeVendorServer,
  type FakeReply,
  type FakeVendorServer,
  type RecordedRequest,
} from './fake-vendor-server.js';

export type { FakeReply, RecordedRequest };

export type FakeOpenAiServer = FakeVendorServer;

/** OpenAI's chat-completion success body, answering `text`. */
export function openAiCompletion(model: string, text: string, usage = { prompt_tokens: 7, completion_tokens: 3 }): unknown {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** OpenAI's error reply: `{"error":{message,type,param,code}}` with the given status. */
export function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  headers?: Record<string, string>,
): FakeReply {
  return { status, body: { error: { message, type, param: null, code } }, ...(headers ? { headers } : {}) };
}

/** The default answer: `echo: <last user message>`, echoing the requested model, with usage. */
export function echoOpenAi(req: RecordedRequest): FakeReply {
  if (req.method !== 'POST' || !req.path.endsWith('/chat/completions')) {
    return openAiError(404, `Unknown request URL: ${req.method} ${req.path}.`, 'invalid_request_error', 'unknown_url');
  }
  return { body: openAiCompletion(requestedModel(req.body), `echo: ${lastUserMessage(req.body)}`) };
}

/** Starts the fake; `baseUrl` ends in `/v1` like OpenAI's. */
export function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  return startFakeVendorServer({ pathPrefix: '/v1', defaultHandler: echoOpenAi });
}
