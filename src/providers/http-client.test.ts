import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVendorServer, type FakeVendorServer } from '../../test/fakes/fake-vendor-server.js';
import { Cancellation } from './cancel-signal.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { ProviderNetworkError, ProviderTimeoutError } from './provider.js';

let fake: FakeVendorServer;
let client: HttpClient;

beforeAll(async () => {
  fake = await startFakeVendorServer({ pathPrefix: '/api/v1', defaultHandler: (req) => ({ body: { got: req.body } }) });
});
afterEach(async () => {
  await client.close();
  fake.reset();
});
afterAll(async () => {
  await fake.close();
});

describe('createHttpClient', () => {
  it('joins the base path and the request path, sends JSON with a length, parses JSON back', async () => {
    client = createHttpClient({ baseUrl: `${fake.baseUrl}/`, provider: 'p' });
    expect(client.baseUrl).toBe(fake.baseUrl);
    const res = await client.postJson('/chat/completions', { a: 1 }, { headers: { 'x-extra': 'yes' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ got: { a: 1 } });
    const [req] = fake.requests;
    expect(req?.path).toBe('/api/v1/chat/completions');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['content-length']).toBe('7');
    expect(req?.headers['x-extra']).toBe('yes');
  });

  it('resolves non-2xx answers and keeps a non-JSON body as text', async () => {
    fake.reply(() => ({ status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p' });
    const res = await client.postJson('/x', {});
    expect(res).toMatchObject({ status: 502, body: undefined, text: '<html>Bad Gateway</html>' });
  });

  it('cuts a request off after its overall timeout', async () => {
    fake.reply(() => ({ delayMs: 30_000 }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p', timeoutMs: 30_000 });
    await expect(client.postJson('/x', {}, { timeoutMs: 50 })).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('throws the caller\'s abort reason, not a timeout', async () => {
    fake.reply(() => ({ delayMs: 30_000 }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p' });
    const controller = new AbortController();
    const reason = new Error('gateway request timed out');
    const pending = client.postJson('/x', {}, { signal: controller.signal });
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('stops when a Cancellation (the gateway\'s light signal) is cancelled, and answers a request still queued at once', async () => {
    fake.reply(() => ({ delayMs: 30_000 }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p', connections: 1 });
    const first = new Cancellation();
    const second = new Cancellation();
    const running = client.postJson('/x', {}, { signal: first });
    await expect.poll(() => fake.requests.length).toBe(1);
    // The only socket is busy: this one waits in undici's queue and has not started.
    const queued = client.postJson('/x', {}, { signal: second });
    const queuedReason = new Error('client disconnected');
    second.cancel(queuedReason);
    await expect(queued).rejects.toBe(queuedReason);
    const runningReason = new Error('request timed out');
    first.cancel(runningReason);
    await expect(running).rejects.toBe(runningReason);
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a body larger than the cap', async () => {
    fake.reply(() => ({ body: { big: 'x'.repeat(10_000) } }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p', maxResponseBytes: 1000 });
    await expect(client.postJson('/x', {})).rejects.toBeInstanceOf(ProviderNetworkError);
  });

  it('takes a body of exactly the cap', async () => {
    const body = `"${'x'.repeat(998)}"`;
    fake.reply(() => ({ body }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p', maxResponseBytes: 1000 });
    const res = await client.postJson('/x', {});
    expect(res.text).toBe(body);
  });

  it('sends its own content type over a caller\'s, and the same headers again on the next call', async () => {
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p' });
    const headers = { 'Content-Type': 'text/plain', authorization: 'Bearer k' };
    await client.postJson('/x', { a: 1 }, { headers });
    await client.postJson('/x', { b: 22 }, { headers });
    expect(fake.requests.map((r) => [r.headers['content-type'], r.headers['content-length'], r.headers.authorization])).toEqual([
      ['application/json', '7', 'Bearer k'],
      ['application/json', '8', 'Bearer k'],
    ]);
  });
});

/** A vendor that streams its answer chunked (no content-length), one chunk every `gapMs`, as a broken proxy might. */
async function startStreamingServer(chunks: readonly (string | Uint8Array)[], gapMs: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let next = 0;
      const send = (): void => {
        if (res.destroyed) return;
        if (next === chunks.length) {
          res.end();
          return;
        }
        res.write(chunks[next++]);
        const timer = setTimeout(send, gapMs);
        timers.add(timer);
      };
      send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('createHttpClient with a chunked answer', () => {
  it('reads a chunked body whole', async () => {
    const streaming = await startStreamingServer(['{"a":', '"b', 'c"}'], 1);
    client = createHttpClient({ baseUrl: streaming.baseUrl, provider: 'p' });
    try {
      const res = await client.postJson('/x', {});
      expect(res).toMatchObject({ status: 200, body: { a: 'bc' }, text: '{"a":"bc"}' });
    } finally {
      await streaming.close();
    }
  });

  it('decodes a UTF-8 character split across two chunks', async () => {
    const bytes = Buffer.from('{"a":"été ✓"}', 'utf8');
    const cut = bytes.indexOf(0xa9); // the second byte of the first é
    const streaming = await startStreamingServer([bytes.subarray(0, cut), bytes.subarray(cut)], 20);
    client = createHttpClient({ baseUrl: streaming.baseUrl, provider: 'p' });
    try {
      const res = await client.postJson('/x', {});
      expect(res.body).toEqual({ a: 'été ✓' });
    } finally {
      await streaming.close();
    }
  });

  it('refuses a chunked body once it passes the cap, with no length to check up front', async () => {
    const streaming = await startStreamingServer(['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)], 1);
    client = createHttpClient({ baseUrl: streaming.baseUrl, provider: 'p', maxResponseBytes: 1000 });
    try {
      const err = await client.postJson('/x', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderNetworkError);
      expect((err as Error).message).toBe('p: response body larger than 1000 bytes');
    } finally {
      await streaming.close();
    }
  });

  // Short budgets run on a timer of the client's own, longer ones on undici's timeouts plus a body-phase timer.
  it.each([300, 2_100])('cuts off a body that keeps trickling past an overall timeout of %i ms, though each gap is shorter', async (timeoutMs) => {
    // Chunks 50 ms apart for three seconds in all: longer than the budget, while no single gap comes near it.
    const streaming = await startStreamingServer(Array.from({ length: 60 }, () => ' '), 50);
    client = createHttpClient({ baseUrl: streaming.baseUrl, provider: 'p' });
    try {
      const err = await client.postJson('/x', {}, { timeoutMs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderTimeoutError);
      expect((err as Error).message).toBe(`p: no complete answer within ${timeoutMs} ms`);
    } finally {
      await streaming.close();
    }
  });

  it('throws the caller\'s abort reason when the signal aborts while the body is read', async () => {
    const streaming = await startStreamingServer(Array.from({ length: 100 }, () => ' '), 50);
    client = createHttpClient({ baseUrl: streaming.baseUrl, provider: 'p' });
    try {
      const controller = new AbortController();
      const reason = new Error('client went away');
      setTimeout(() => controller.abort(reason), 150);
      await expect(client.postJson('/x', {}, { signal: controller.signal })).rejects.toBe(reason);
    } finally {
      await streaming.close();
    }
  });
});
