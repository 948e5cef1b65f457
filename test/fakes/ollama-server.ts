// Fake Ollama server (real node:http on port 0): native /api/chat, NDJSON unless stream:false, `{"error":"..."}`.
import {
  lastUserMessage,
  requestedModel,
  startFakeVendorServer,
  type FakeReply,
  type FakeVendorServer,
  type RecordedRequest,
} from './fake-vendor-server.js';

export type { FakeReply, RecordedRequest };
export type FakeOllamaServer = FakeVendorServer;

/** Ollama's error reply: a bare `{"error":"..."}`. */
export function ollamaError(status: number, message: string): FakeReply {
  return { status, body: { error: message } };
}

function chatResponse(model: string, content: string, done: boolean): Record<string, unknown> {
  return {
    model,
    created_at: '2026-01-01T00:00:00Z',
    message: { role: 'assistant', content },
    done,
    ...(done ? { done_reason: 'stop', total_duration: 1_000_000, prompt_eval_count: 13, eval_count: 4 } : {}),
  };
}

/** Default: `echo: <last user message>`; as the real server, an NDJSON stream unless the body says `stream: false`. */
export function echoOllama(req: RecordedRequest): FakeReply {
  if (req.method !== 'POST' || req.path !== '/api/chat') return { status: 404, body: '404 page not found', headers: { 'content-type': 'text/plain' } };
  const model = requestedModel(req.body);
  if (model === '') return ollamaError(400, 'model is required');
  const text = `echo: ${lastUserMessage(req.body)}`;
  if ((req.body as { stream?: unknown }).stream !== false) {
    const lines = [chatResponse(model, text, false), chatResponse(model, '', true)].map((l) => JSON.stringify(l)).join('\n');
    return { body: `${lines}\n`, headers: { 'content-type': 'application/x-ndjson' } };
  }
  return { body: chatResponse(model, text, true) };
}

/** Starts the fake; `baseUrl` is the origin, like `http://localhost:11434`. */
export function startFakeOllamaServer(): Promise<FakeOllamaServer> {
  return startFakeVendorServer({ pathPrefix: '', defaultHandler: echoOllama });
}
