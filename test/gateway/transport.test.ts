// Transport rules of spec §1 over real sockets: body limit (announced and chunked), 404/405, 408, slow clients.
import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { JSON_CONTENT_TYPE } from '../../src/gateway/messages.js';
import { MAX_BODY_BYTES } from '../../src/gateway/server.js';
import { echoOpenAi } from '../fakes/openai-server.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { call, connectRaw, pair, postChunked, postJson } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

let gw: TestGateway;
let token: string;
afterEach(async () => {
  await gw.close({ removeDir: true });
});

async function start(gateway: Record<string, unknown> = {}): Promise<void> {
  gw = await startGateway({
    config: {
      ...llmConfig(llm),
      reliability: { provider_retries: 0 },
      gateway,
    },
  });
  token = await pair(gw.url, gw.pairingCode);
}

describe('body limit', () => {
  it('answers 413 with a JSON error to an announced body over 64 KiB, and serves the next request', async () => {
    await start();
    const body = JSON.stringify({ message: 'x'.repeat(MAX_BODY_BYTES) });
    const answer = await postJson(`${gw.url}/webhook`, body, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual(renderError('PAYLOAD_TOO_LARGE').body);
    expect(llm.requests).toHaveLength(0);
    expect((await postJson(`${gw.url}/webhook`, { message: 'ok' }, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('answers 413 to a chunked body that grows past 64 KiB, without running the handler', async () => {
    await start();
    const chunks = [Buffer.from('{"message":"'), ...Array.from({ length: 80 }, () => Buffer.alloc(1024, 'y')), Buffer.from('"}')];
    const answer = await postChunked(`${gw.url}/webhook`, chunks, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual(renderError('PAYLOAD_TOO_LARGE').body);
    expect(llm.requests).toHaveLength(0);
  });

  it('accepts a chunked body under the limit', async () => {
    await start();
    const chunks = [Buffer.from('{"message":'), Buffer.from('"chunked"}')];
    const answer = await postChunked(`${gw.url}/webhook`, chunks, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ response: 'echo: chunked' });
  });
});

describe('routing', () => {
  it('answers JSON 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    await start();
    const missing = await call(`${gw.url}/nope?x=1`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual(renderError('NOT_FOUND').body);
    expect(missing.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);

    const wrong = await call(`${gw.url}/webhook`);
    expect(wrong.status).toBe(405);
    expect(wrong.json).toEqual(renderError('METHOD_NOT_ALLOWED').body);
    expect(wrong.headers.get('allow')).toBe('POST');

    const wrongHealth = await call(`${gw.url}/health`, { method: 'DELETE' });
    expect(wrongHealth.status).toBe(405);
    expect(wrongHealth.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('request timeout', () => {
  it('answers 408 with an empty body past request_timeout_secs and aborts the LLM call', async () => {
    await start({ request_timeout_secs: 1 });
    llm.reply(async (req) => {
      await new Promise((r) => setTimeout(r, 10));
      return { ...echoOpenAi(req), delayMs: 5_000 };
    });
    const started = Date.now();
    const answer = await call(`${gw.url}/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-idempotency-key': 'slow-1' },
      body: JSON.stringify({ message: 'slow' }),
    });
    expect(answer.status).toBe(408);
    expect(answer.text).toBe('');
    expect(Date.now() - started).toBeLessThan(4_000);
    // The aborted call released its idempotency key: the retry is processed, not refused as in flight.
    llm.reset();
    const retry = await call(`${gw.url}/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-idempotency-key': 'slow-1' },
      body: JSON.stringify({ message: 'fast' }),
    });
    expect(retry.status).toBe(200);
    expect(llm.requests).toHaveLength(1);
  });

  it('closes a connection that trickles its headers (slow-loris) while serving others', async () => {
    await start({ request_timeout_secs: 1 });
    const socket = await connectRaw(gw.url);
    socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: a\r\n'), 200);
    const closed = new Promise<string>((resolve) => {
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      socket.on('close', () => resolve(received));
    });
    expect((await call(`${gw.url}/health`)).status).toBe(200);
    const received = await closed;
    clearInterval(trickle);
    expect(received === '' || received.startsWith('HTTP/1.1 408')).toBe(true);
  });
});
