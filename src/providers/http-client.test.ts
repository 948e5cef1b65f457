import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVendorServer, type FakeVendorServer } from '../../test/fakes/fake-vendor-server.js';
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

  it('refuses a body larger than the cap', async () => {
    fake.reply(() => ({ body: { big: 'x'.repeat(10_000) } }));
    client = createHttpClient({ baseUrl: fake.baseUrl, provider: 'p', maxResponseBytes: 1000 });
    await expect(client.postJson('/x', {})).rejects.toBeInstanceOf(ProviderNetworkError);
  });
});
