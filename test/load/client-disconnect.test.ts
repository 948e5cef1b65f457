// A client that goes away before its answer does not keep the LLM call running (spec §1): the gateway aborts it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, pair } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

/** An LLM that never answers; it tells when each request arrives and when the gateway drops it. */
let llm: Server;
let arrived: (req: IncomingMessage) => void = () => undefined;
let gw: TestGateway;
let token: string;

beforeAll(async () => {
  llm = createServer((req) => arrived(req));
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  const { port } = llm.address() as AddressInfo;
  gw = await startGateway({
    config: {
      default_provider: `custom:http://127.0.0.1:${port}/v1`,
      api_key: 'sk-test',
      reliability: { provider_retries: 0 },
      memory: { backend: 'none' },
      // Far longer than the test waits: an abort seen here comes from the disconnect, not from the deadline.
      gateway: { request_timeout_secs: 120 },
    },
  });
  token = await pair(gw.url, gw.pairingCode);
});

afterAll(async () => {
  await gw.close({ removeDir: true });
  llm.closeAllConnections();
  await new Promise<void>((resolve) => llm.close(() => resolve()));
});

describe('client disconnect', () => {
  it('aborts the LLM call when the client closes its connection before the answer', async () => {
    const upstream = new Promise<IncomingMessage>((resolve) => (arrived = resolve));
    const client = await connectRaw(gw.url);
    client.on('error', () => undefined);
    const body = JSON.stringify({ message: 'I will not wait' });
    client.write(
      `POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const req = await upstream;
    const dropped = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    client.destroy();
    await dropped; // the test times out (30 s) if the gateway kept waiting for the LLM
    expect(req.socket.destroyed).toBe(true);
  });
});
