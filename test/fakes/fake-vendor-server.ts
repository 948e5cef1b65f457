// Shared core of the vendor fakes: a real node:http server on port 0 that records requests and answers by handler.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
}

/** What the fake answers; omitted fields take the vendor's success defaults. */
export interface FakeReply {
  /** HTTP status; default 200. */
  status?: number;
  /** JSON-serialised unless it is a string (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering; the wait ends early when the client goes away. */
  delayMs?: number;
}

export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeVendorServer {
  /** Base URL a provider is configured with (origin plus the vendor's path prefix). */
  baseUrl: string;
  /** Origin only, e.g. `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every request received since start or the last `reset()`, in order. */
  requests: RecordedRequest[];
  /** Replaces the handler for the following requests. */
  reply(handler: FakeHandler): void;
  /** Clears recorded requests and restores the default handler. */
  reset(): void;
  close(): Promise<void>;
}

function parseBody(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves after `ms`, or early (false) when the client's socket closes first. */
function waitUnlessGone(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

export async function startFakeVendorServer(options: {
  pathPrefix: string;
  defaultHandler: FakeHandler;
}): Promise<FakeVendorServer> {
  const requests: RecordedRequest[] = [];
  let handler = options.defaultHandler;

  const server = createServer((req, res) => {
    void (async () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: parseBody(await readBody(req)),
      };
      requests.push(recorded);
      let reply: FakeReply;
      try {
        reply = await handler(recorded);
      } catch (err) {
        reply = { status: 500, body: { error: `fake handler threw: ${String(err)}` } };
      }
      if (reply.delayMs !== undefined && reply.delayMs > 0) {
        const stillThere = await waitUnlessGone(res, reply.delayMs);
        if (!stillThere) return;
      }
      if (res.destroyed) return;
      const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...reply.headers,
      });
      res.end(payload);
    })();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${origin}${options.pathPrefix}`,
    origin,
    requests,
    reply(next) {
      handler = next;
    },
    reset() {
      requests.length = 0;
      handler = options.defaultHandler;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The text of the last `role: "user"` message of an OpenAI/Ollama-style `messages` array, if any. */
export function lastUserMessage(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'user') {
      const content = (m as { content?: unknown }).content;
      return typeof content === 'string' ? content : JSON.stringify(content);
    }
  }
  return '';
}

/** The `model` field of a JSON body, if any. */
export function requestedModel(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const model = (body as { model?: unknown }).model;
  return typeof model === 'string' ? model : '';
}
