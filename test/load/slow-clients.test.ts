// Slow-loris (issue 7): hundreds of connections trickling their headers or their body do not stop other clients from
// being served, and each is cut off by the server's timeouts; oversize headers are refused with 431.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { call, connectRaw, pair, postJson } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

const HEADER_TRICKLERS = 300;
const BODY_TRICKLERS = 100;
/** One byte per interval: far below any real client, far above an idle keep-alive. */
const TRICKLE_EVERY_MS = 250;
/** request_timeout_secs of the gateway under test: bounds both headers and body. */
const TIMEOUT_SECS = 2;

const llm = useFakeLlm();
let gw: TestGateway;
let token: string;

beforeAll(async () => {
  gw = await startGateway({
    config: {
      ...llmConfig(llm),
      reliability: { provider_retries: 0 },
      memory: { backend: 'none' },
      gateway: { request_timeout_secs: TIMEOUT_SECS, webhook_rate_limit_per_minute: 0 },
    },
  });
  token = await pair(gw.url, gw.pairingCode);
});

afterAll(async () => {
  await gw.close({ removeDir: true });
});

interface Trickler {
  socket: Socket;
  /** Resolves with everything the server sent once it closes the connection. */
  closed: Promise<string>;
  stop(): void;
}

/** Opens a connection, writes `head` at once, then `tail` one byte per TRICKLE_EVERY_MS. */
async function trickle(head: string, tail: string): Promise<Trickler> {
  const socket = await connectRaw(gw.url);
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => undefined); // a reset by the server is an acceptable way to be cut off
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= tail.length) return;
    socket.write(tail[i++] as string);
  }, TRICKLE_EVERY_MS);
  void closed.then(() => clearInterval(timer));
  return { socket, closed, stop: () => clearInterval(timer) };
}

describe('slow clients', () => {
  it('serves other clients while hundreds of connections trickle headers or bodies, and cuts every trickle off', async () => {
    const endlessHeaders = 'X-Slow: ' + 'a'.repeat(10_000);
    const headerTricklers = await Promise.all(
      Array.from({ length: HEADER_TRICKLERS }, () => trickle('GET /health HTTP/1.1\r\nHost: x\r\n', endlessHeaders)),
    );
    const bodyTricklers = await Promise.all(
      Array.from({ length: BODY_TRICKLERS }, () =>
        trickle(
          `POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`,
          `{"message":"${'b'.repeat(4_984)}"}`,
        ),
      ),
    );
    const tricklers = [...headerTricklers, ...bodyTricklers];
    try {
      // A real client, meanwhile: every request answered.
      for (let i = 0; i < 10; i++) {
        expect((await call(`${gw.url}/health`)).status).toBe(200);
        const answer = await postJson(`${gw.url}/webhook`, { message: `real ${i}` }, { authorization: `Bearer ${token}` });
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ response: `echo: real ${i}` });
      }
      // Every trickle ends with the server closing it: nothing, or a 408, was sent back; the handler never ran.
      const received = await Promise.all(tricklers.map((t) => t.closed));
      for (const text of received) {
        expect(text === '' || text.startsWith('HTTP/1.1 408 ')).toBe(true);
        if (text !== '') expect(text.endsWith('\r\n\r\n')).toBe(true); // the 408 row has an empty body
      }
      // No trickled body ever reached the LLM: only the real client's 10 messages did.
      expect(llm.requests).toHaveLength(10);
    } finally {
      for (const t of tricklers) {
        t.stop();
        t.socket.destroy();
      }
    }
  }, 30_000);

  it('refuses oversize headers with 431 and keeps serving', async () => {
    const oneHuge = `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`;
    const severalLarge = `GET /health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 4 }, (_, i) => `X-L${i}: ${'l'.repeat(5_000)}\r\n`).join('')}\r\n`;
    const thousandsSmall = `GET /health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3_000 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`;
    for (const request of [oneHuge, severalLarge, thousandsSmall]) {
      const socket = await connectRaw(gw.url);
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(request);
      await closed;
      expect(received.startsWith('HTTP/1.1 431 ')).toBe(true);
      expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual(renderError('HEADERS_TOO_LARGE').body);
    }
    expect((await call(`${gw.url}/health`)).status).toBe(200);
  });

  it('refuses an unauthenticated webhook before reading its body: a client cannot make the gateway wait for one', async () => {
    const socket = await connectRaw(gw.url);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
    socket.on('error', () => undefined);
    const answered = new Promise<void>((resolve) => socket.on('data', () => received.endsWith('}') && resolve()));
    // 60,000 bytes announced, none sent: the 401 must not wait for them (that would be a 408 after the timeout).
    socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n');
    await answered;
    socket.destroy();
    expect(received.startsWith('HTTP/1.1 401 ')).toBe(true);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual(renderError('UNAUTHORIZED_BEARER').body);
  });
});
