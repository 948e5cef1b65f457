// Gemini generateContent over real sockets against a fake that answers like generativelanguage.googleapis.com (spec §7).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../src/providers/create-provider.js';
import { ProviderHttpError, type Provider } from '../../src/providers/provider.js';
import { geminiError, geminiResourceExhausted, geminiResponse, startFakeGeminiServer, type FakeGeminiServer } from '../fakes/gemini-server.js';
import { captureLog, makeConfig, testMetrics } from './provider-test-kit.js';

const KEY = 'AIzaSyA-fake-0123456789abcdefghijklmnopq';
let fake: FakeGeminiServer;
const open: Provider[] = [];
const delays: number[] = [];

beforeAll(async () => {
  fake = await startFakeGeminiServer();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  fake.reset();
  delays.length = 0;
});
afterAll(async () => {
  await fake.close();
});

function build(file: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Provider {
  const provider = createProvider(makeConfig(file), {
    logger: captureLog().logger,
    metrics: testMetrics(),
    env,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  open.push(provider);
  return provider;
}

describe('gemini', () => {
  it.each(['gemini', 'google', 'google-gemini'])('%s: key in x-goog-api-key, systemInstruction, generationConfig; reads parts and usage', async (name) => {
    const provider = build({ default_provider: name, api_url: fake.baseUrl }, { GEMINI_API_KEY: KEY });
    const result = await provider.chat({ system: 'terse', message: 'hi there', model: 'gemini-2.0-flash', temperature: 0.9 });

    expect(result).toEqual({ text: 'echo: hi there', model: 'gemini-2.0-flash', provider: 'gemini', usage: { inputTokens: 9, outputTokens: 2 } });
    const [req] = fake.requests;
    expect(req?.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(req?.path).not.toContain('key=');
    expect(req?.headers['x-goog-api-key']).toBe(KEY);
    expect(req?.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi there' }] }],
      systemInstruction: { parts: [{ text: 'terse' }] },
      generationConfig: { temperature: 0.9 },
    });
  });

  it('accepts a models/ prefixed model name and joins multiple parts', async () => {
    fake.reply(() => ({ body: { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }, { text: 'b' }] }, finishReason: 'STOP' }] } }));
    const provider = build({ default_provider: 'gemini', api_url: fake.baseUrl, api_key: KEY });
    const result = await provider.chat({ message: 'x', model: 'models/gemini-2.5-pro', temperature: 0.7 });
    expect(result).toEqual({ text: 'ab', model: 'models/gemini-2.5-pro', provider: 'gemini' });
    expect(fake.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('retries RESOURCE_EXHAUSTED per minute, waiting at least RetryInfo.retryDelay', async () => {
    let calls = 0;
    fake.reply(() => (++calls === 1 ? geminiResourceExhausted({ retryDelay: '2s' }) : { body: geminiResponse('later') }));
    const provider = build({ default_provider: 'gemini', api_url: fake.baseUrl, api_key: KEY, reliability: { provider_backoff_ms: 10 } });
    const result = await provider.chat({ message: 'x', model: 'gemini-2.0-flash', temperature: 0.7 });
    expect(result.text).toBe('later');
    expect(fake.requests).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it('does not retry a per-day RESOURCE_EXHAUSTED', async () => {
    fake.reply(() => geminiResourceExhausted({ perDay: true, retryDelay: '20s' }));
    const provider = build({ default_provider: 'gemini', api_url: fake.baseUrl, api_key: KEY });
    const err = (await provider.chat({ message: 'x', model: 'gemini-2.0-flash', temperature: 0.7 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.status).toBe(429);
    expect(err.vendorCode).toBe('daily_quota_exhausted');
    expect(fake.requests).toHaveLength(1);
  });

  it('reads the google.rpc error body and redacts the key Google echoes back', async () => {
    fake.reply(() => geminiError(400, 'INVALID_ARGUMENT', `API key not valid. Please pass a valid API key. (key=${KEY})`));
    const provider = build({ default_provider: 'gemini', api_url: fake.baseUrl, api_key: KEY });
    const err = (await provider.chat({ message: 'x', model: 'gemini-2.0-flash', temperature: 0.7 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err.status).toBe(400);
    expect(err.vendorCode).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('API key not valid');
    expect(err.message).not.toContain('0123456789abcdef');
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a blocked prompt as a provider error, not an empty reply', async () => {
    fake.reply(() => ({ body: { promptFeedback: { blockReason: 'SAFETY' } } }));
    const provider = build({ default_provider: 'gemini', api_url: fake.baseUrl, api_key: KEY });
    await expect(provider.chat({ message: 'x', model: 'g', temperature: 0.7 })).rejects.toThrow(/SAFETY/);
  });
});
