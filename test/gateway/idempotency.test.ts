// X-Idempotency-Key on /webhook (spec §4): replay, 409 in flight, release after failure, per-token scope, bad keys.
import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { DUPLICATE_MESSAGE } from '../../src/gateway/messages.js';
import { openAiError, echoOpenAi } from '../fakes/openai-server.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { pair, postJson } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

let gw: TestGateway;
let token: string;
afterEach(async () => {
  await gw.close({ removeDir: true });
});

async function start(config: Record<string, unknown> = {}): Promise<void> {
  gw = await startGateway({
    config: {
      ...llmConfig(llm),
      reliability: { provider_retries: 0 },
      ...config,
    },
  });
  token = await pair(gw.url, gw.pairingCode);
}

const send = (message: string, key: string | undefined, authToken = token) =>
  postJson(`${gw.url}/webhook`, { message }, {
    authorization: `Bearer ${authToken}`,
    ...(key !== undefined ? { 'x-idempotency-key': key } : {}),
  });

describe('idempotency', () => {
  it('processes a key once and replays the first answer with the reference body', async () => {
    await start();
    const first = await send('order 12345', 'order-12345');
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ response: 'echo: order 12345', model: 'anthropic/claude-sonnet-4' });

    const repeat = await send('order 12345 again', 'order-12345');
    expect(repeat.status).toBe(200);
    expect(repeat.json).toEqual({
      status: 'duplicate',
      idempotent: true,
      message: DUPLICATE_MESSAGE,
      response: 'echo: order 12345',
      model: 'anthropic/claude-sonnet-4',
    });
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(llm.requests).toHaveLength(1);
  });

  it('answers 409 with Retry-After: 1 while the first request is in flight', async () => {
    await start();
    llm.reply(async (req) => ({ ...echoOpenAi(req), delayMs: 700 }));
    const first = send('slow', 'k-inflight');
    await new Promise((r) => setTimeout(r, 200));
    const second = await send('slow', 'k-inflight');
    expect(second.status).toBe(409);
    expect(second.json).toEqual(renderError('IDEMPOTENCY_IN_PROGRESS').body);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await first).status).toBe(200);
    expect(llm.requests).toHaveLength(1);
  });

  it('releases the key when the first request fails, so the retry is processed', async () => {
    await start();
    llm.reply(() => openAiError(500, 'boom', 'server_error'));
    const failed = await send('try 1', 'k-fail');
    expect(failed.status).toBe(500);
    llm.reset();
    const retried = await send('try 2', 'k-fail');
    expect(retried.status).toBe(200);
    expect(retried.json['response']).toBe('echo: try 2');
  });

  it('scopes keys to the token: another client with the same key is processed, not replayed', async () => {
    await start();
    const otherToken = await pair(gw.url, await gw.deps.pairing.issueCode());
    expect((await send('mine', 'shared-key')).json['response']).toBe('echo: mine');
    const other = await send('theirs', 'shared-key', otherToken);
    expect(other.json).toEqual({ response: 'echo: theirs', model: 'anthropic/claude-sonnet-4' });
    expect(llm.requests).toHaveLength(2);
  });

  it('refuses keys longer than 255 characters or with control characters, and ignores blank ones', async () => {
    await start();
    // (C0 controls other than tab never reach the handler: Node's HTTP parser refuses them first.)
    for (const key of ['k'.repeat(256), 'tab\there', 'c1\u0085char', '""']) {
      const answer = await send('x', key);
      expect(answer.status, JSON.stringify(key)).toBe(400);
      expect(answer.json).toEqual(renderError('INVALID_IDEMPOTENCY_KEY').body);
    }
    expect((await send('x', 'k'.repeat(255))).status).toBe(200);
    expect((await send('blank 1', '   ')).status).toBe(200);
    expect((await send('blank 2', '   ')).json['response']).toBe('echo: blank 2');
  });

  it('accepts the IETF Idempotency-Key header, quoted or bare', async () => {
    await start();
    const headers = { authorization: `Bearer ${token}` };
    await postJson(`${gw.url}/webhook`, { message: 'a' }, { ...headers, 'idempotency-key': '"ietf-1"' });
    const repeat = await postJson(`${gw.url}/webhook`, { message: 'b' }, { ...headers, 'idempotency-key': 'ietf-1' });
    expect(repeat.json['status']).toBe('duplicate');
  });

  it('holds at most idempotency_max_keys keys, evicting the oldest', async () => {
    await start({ gateway: { idempotency_max_keys: 2 } });
    await send('1', 'a');
    await send('2', 'b');
    await send('3', 'c');
    expect((await send('again', 'c')).json['status']).toBe('duplicate');
    expect((await send('again', 'a')).json['response']).toBe('echo: again');
  });
});
