// [reliability] over real sockets: retries, Retry-After, no retry on 4xx/quota, fallback providers and models, deadline, redaction.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../src/providers/create-provider.js';
import { ProviderHttpError, ProviderNetworkError, ProviderTimeoutError, type Provider } from '../../src/providers/provider.js';
import { openAiCompletion, openAiError, startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { requestedModel } from '../fakes/fake-vendor-server.js';
import { captureLog, counterValue, makeConfig, testMetrics } from './provider-test-kit.js';

const KEY = 'sk-or-v1-secretsecretsecret0123456789';
let first: FakeOpenAiServer;
let second: FakeOpenAiServer;
const open: Provider[] = [];

beforeAll(async () => {
  [first, second] = await Promise.all([startFakeOpenAiServer(), startFakeOpenAiServer()]);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  first.reset();
  second.reset();
});
afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
});

interface Built {
  provider: Provider;
  delays: number[];
  log: ReturnType<typeof captureLog>;
  metrics: ReturnType<typeof testMetrics>;
}

/** Primary: openrouter at the first fake; `fallback_providers` as given. Sleeps are recorded, not waited, unless `realSleep`. */
function build(reliability: Record<string, unknown>, options: { realSleep?: boolean; file?: Record<string, unknown> } = {}): Built {
  const delays: number[] = [];
  const log = captureLog();
  const metrics = testMetrics();
  const provider = createProvider(
    makeConfig({ api_key: KEY, api_url: first.baseUrl, reliability: { provider_backoff_ms: 100, ...reliability }, ...options.file }),
    {
      logger: log.logger,
      metrics,
      env: {},
      ...(options.realSleep
        ? {}
        : {
            sleep: (ms: number) => {
              delays.push(ms);
              return Promise.resolve();
            },
          }),
    },
  );
  open.push(provider);
  return { provider, delays, log, metrics };
}

const ask = (provider: Provider, extra: { model?: string; deadline?: number; signal?: AbortSignal } = {}) =>
  provider.chat({ message: 'hi', model: extra.model ?? 'm', temperature: 0.7, ...extra });

describe('retries', () => {
  it('retries a 429 after the Retry-After seconds (as a floor over the backoff), then succeeds', async () => {
    let calls = 0;
    first.reply((req) =>
      ++calls === 1
        ? openAiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', { 'retry-after': '1' })
        : { body: openAiCompletion(requestedModel(req.body), 'second time lucky') },
    );
    const { provider, delays, metrics } = build({});
    const result = await ask(provider);
    expect(result.text).toBe('second time lucky');
    expect(first.requests).toHaveLength(2);
    expect(delays).toEqual([1000]);
    expect(await counterValue(metrics, 'zeroclaw_llm_attempts_total', { provider: 'openrouter', model: 'm', outcome: 'retryable' })).toBe(1);
    expect(await counterValue(metrics, 'zeroclaw_llm_attempts_total', { provider: 'openrouter', model: 'm', outcome: 'ok' })).toBe(1);
    expect(await counterValue(metrics, 'zeroclaw_llm_requests_total', { provider: 'openrouter', model: 'm' })).toBe(1);
  });

  it('honours retry-after-ms with real timers', async () => {
    let calls = 0;
    first.reply((req) =>
      ++calls === 1
        ? openAiError(503, 'The server is overloaded', 'server_error', 'server_is_overloaded', { 'retry-after-ms': '20' })
        : { body: openAiCompletion(requestedModel(req.body), 'ok') },
    );
    const { provider } = build({ provider_backoff_ms: 0 }, { realSleep: true });
    expect((await ask(provider)).text).toBe('ok');
    expect(first.requests).toHaveLength(2);
  });

  it('backs off exponentially between retries of 5xx, up to provider_retries', async () => {
    first.reply(() => openAiError(500, 'The server had an error while processing your request.', 'server_error'));
    const { provider, delays } = build({ provider_retries: 3, provider_backoff_ms: 400 });
    const err = await ask(provider).catch((e: unknown) => e);
    expect((err as ProviderHttpError).status).toBe(500);
    expect(first.requests).toHaveLength(4);
    expect(delays).toHaveLength(3);
    // Equal jitter: each wait lies in the upper half of 400, 800, 1600.
    expect(delays[0]).toBeGreaterThanOrEqual(200);
    expect(delays[0]).toBeLessThanOrEqual(400);
    expect(delays[1]).toBeGreaterThanOrEqual(400);
    expect(delays[1]).toBeLessThanOrEqual(800);
    expect(delays[2]).toBeGreaterThanOrEqual(800);
    expect(delays[2]).toBeLessThanOrEqual(1600);
  });

  it.each([400, 401, 403, 404])('never retries a %i', async (status) => {
    first.reply(() => openAiError(status, 'nope', 'invalid_request_error'));
    const { provider, delays } = build({ provider_retries: 5 });
    const err = await ask(provider).catch((e: unknown) => e);
    expect((err as ProviderHttpError).status).toBe(status);
    expect(first.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('retries a network error (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { provider, delays, metrics } = build({ provider_retries: 1 }, { file: { api_url: `http://127.0.0.1:${port}/v1` } });
    const err = await ask(provider).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderNetworkError);
    expect(delays).toHaveLength(1);
    expect(await counterValue(metrics, 'zeroclaw_llm_attempts_total', { provider: 'openrouter', model: 'm', outcome: 'network' })).toBe(2);
  });
});

describe('fallbacks', () => {
  it('moves to the second provider after the first exhausts its retries', async () => {
    first.reply(() => openAiError(502, 'Bad gateway', 'server_error'));
    const { provider, delays } = build({ provider_retries: 2, fallback_providers: [`custom:${second.baseUrl}`] });
    const result = await ask(provider);
    expect(result).toMatchObject({ text: 'echo: hi', provider: 'custom', model: 'm' });
    expect(first.requests).toHaveLength(3);
    expect(second.requests).toHaveLength(1);
    expect(delays).toHaveLength(2);
  });

  it('moves on at once after a quota error (429 insufficient_quota), without retrying it', async () => {
    first.reply(() => openAiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
    const { provider, delays } = build({ provider_retries: 3, fallback_providers: [`custom:${second.baseUrl}`] });
    expect((await ask(provider)).provider).toBe('custom');
    expect(first.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('moves on at once after a 401', async () => {
    first.reply(() => openAiError(401, 'bad key', 'invalid_request_error', 'invalid_api_key'));
    const { provider } = build({ fallback_providers: [`custom:${second.baseUrl}`] });
    expect((await ask(provider)).provider).toBe('custom');
    expect(first.requests).toHaveLength(1);
  });

  it('tries model_fallbacks when the model fails, on every provider first, and reports the model that answered', async () => {
    const notFound = (req: { body: unknown }) =>
      requestedModel(req.body) === 'big'
        ? openAiError(404, 'The model `big` does not exist', 'invalid_request_error', 'model_not_found')
        : { body: openAiCompletion(requestedModel(req.body), 'small answer') };
    first.reply(notFound);
    second.reply(notFound);
    const { provider, metrics } = build({ fallback_providers: [`custom:${second.baseUrl}`], model_fallbacks: { big: ['small', 'tiny'] } });
    const result = await ask(provider, { model: 'big' });
    expect(result).toEqual({ text: 'small answer', model: 'small', provider: 'openrouter', usage: { inputTokens: 7, outputTokens: 3 } });
    expect(first.requests.map((r) => requestedModel(r.body))).toEqual(['big', 'small']);
    expect(second.requests.map((r) => requestedModel(r.body))).toEqual(['big']);
    expect(await counterValue(metrics, 'zeroclaw_llm_tokens_total', { provider: 'openrouter', model: 'small', kind: 'output' })).toBe(3);
  });
});

describe('deadline', () => {
  it('starts no retry that cannot finish before the deadline', async () => {
    first.reply(() => openAiError(503, 'overloaded', 'server_error', null, { 'retry-after': '5' }));
    const { provider, delays } = build({ provider_retries: 5 });
    const err = await ask(provider, { deadline: Date.now() + 2000 }).catch((e: unknown) => e);
    expect((err as ProviderHttpError).status).toBe(503);
    expect(first.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('cuts a slow attempt off at the deadline and does not retry it', async () => {
    first.reply(() => ({ delayMs: 30_000 }));
    const { provider } = build({ provider_retries: 5, fallback_providers: [`custom:${second.baseUrl}`] }, { realSleep: true });
    const err = await ask(provider, { deadline: Date.now() + 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderTimeoutError);
    expect(first.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(0);
  });

  it('stops during a backoff wait when the request is aborted', async () => {
    // 10 s: well inside the default deadline (request_timeout_secs 30), so the wrapper really is asleep when aborted.
    first.reply(() => openAiError(429, 'slow down', 'requests', 'rate_limit_exceeded', { 'retry-after': '10' }));
    const { provider, log } = build({ provider_retries: 2, fallback_providers: [`custom:${second.baseUrl}`] }, { realSleep: true });
    const controller = new AbortController();
    const pending = ask(provider, { signal: controller.signal });
    // The failed attempt is logged with its planned wait just before the wrapper goes to sleep.
    await expect.poll(() => log.text().includes('"retryInMs":10000')).toBe(true);
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(first.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(0);
  });
});

describe('redaction', () => {
  it('keeps a key that appears in an upstream error out of the error and the log', async () => {
    first.reply(() => ({
      status: 500,
      body: { error: { message: `upstream rejected Authorization: Bearer ${KEY} (also ghp_abcdefghijklmnopqrstuvwxyz0123456789)`, type: 'server_error', code: null } },
    }));
    const { provider, log } = build({ provider_retries: 1 });
    const err = (await ask(provider).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err.message).toContain('upstream rejected');
    expect(err.message).not.toContain('secretsecret');
    expect(err.message).not.toContain('ghp_abcdefghij');
    expect(log.text()).toContain('LLM attempt failed');
    expect(log.text()).not.toContain('secretsecret');
    expect(log.text()).not.toContain('ghp_abcdefghij');
  });
});
