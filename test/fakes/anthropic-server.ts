// Fake Anthropic Messages server (real node:http on port 0): Anthropic's success body, error envelope and 529.
import {
  lastUserMessage,
  requestedModel,
  startFakeVendorServer,
  type FakeReply,
  type FakeVendorServer,
  type RecordedRequest,
} from './fake-vendor-server.js';

export type { FakeReply, RecordedRequest };
export type FakeAnthropicServer = FakeVendorServer;

/** Anthropic's error reply: `{"type":"error","error":{"type","message"}}` (https://docs.anthropic.com/en/api/errors). */
export function anthropicError(status: number, type: string, message: string, headers?: Record<string, string>): FakeReply {
  return { status, body: { type: 'error', error: { type, message } }, headers: { 'request-id': 'req_fake', ...headers } };
}

/** The 529 Anthropic sends when its API is overloaded. */
export function anthropicOverloaded(): FakeReply {
  return anthropicError(529, 'overloaded_error', 'Overloaded');
}

/** A Messages API success body whose content is the given text blocks. */
export function anthropicMessage(model: string, blocks: string[], usage = { input_tokens: 11, output_tokens: 5 }): unknown {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content: blocks.map((text) => ({ type: 'text', text })),
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  };
}

/** Default: checks what Anthropic checks (key, version, max_tokens), then answers `echo: <last user message>`. */
export function echoAnthropic(req: RecordedRequest): FakeReply {
  if (req.method !== 'POST' || req.path !== '/v1/messages') return anthropicError(404, 'not_found_error', 'Not Found');
  if (typeof req.headers['x-api-key'] !== 'string') {
    return anthropicError(401, 'authentication_error', 'x-api-key header is required');
  }
  if (typeof req.headers['anthropic-version'] !== 'string') {
    return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
  }
  const body = req.body as { max_tokens?: unknown } | undefined;
  if (typeof body?.max_tokens !== 'number') return anthropicError(400, 'invalid_request_error', 'max_tokens: Field required');
  return { body: anthropicMessage(requestedModel(req.body), [`echo: ${lastUserMessage(req.body)}`]) };
}

/** Starts the fake; `baseUrl` is the origin (the provider appends `/v1/messages`, like api.anthropic.com). */
export function startFakeAnthropicServer(): Promise<FakeAnthropicServer> {
  return startFakeVendorServer({ pathPrefix: '', defaultHandler: echoAnthropic });
}
