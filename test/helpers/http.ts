// Small request helpers over real sockets for the gateway tests.
import { request as httpRequest } from 'node:http';
import { createConnection, type Socket } from 'node:net';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: tests read `text`
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Pairs with `code` and answers the token. */
export async function pair(base: string, code: string | null, headers: Record<string, string> = {}): Promise<string> {
  const answer = await call(`${base}/pair`, { method: 'POST', headers: { 'x-pairing-code': code ?? '', ...headers } });
  if (answer.status !== 200) throw new Error(`pairing failed: ${answer.status} ${answer.text}`);
  return answer.json['token'] as string;
}

/** Streams `chunks` with Transfer-Encoding: chunked (no Content-Length) and answers status and body. */
export function postChunked(url: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    let i = 0;
    const writeNext = (): void => {
      if (i >= chunks.length) {
        req.end();
        return;
      }
      const chunk = chunks[i++] as Buffer;
      if (req.write(chunk)) setImmediate(writeNext);
      else req.once('drain', writeNext);
    };
    writeNext();
  });
}

/** A raw TCP connection to the gateway, for trickled (slow-loris) requests. */
export function connectRaw(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.on('error', reject);
  });
}
