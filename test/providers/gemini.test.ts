// Gemini generateContent over real sockets against a fake that answers like generativelanguage.googleapis.com (spec §7).
import { describe, expect, it } from 'vitest';
import { ProviderHttpError } from '../../src/providers/provider.js';
import { geminiError, geminiResourceExhausted, geminiResponse, startFakeGeminiServer } from '../fakes/gemini-server.js';
import { useProviderSuite } from './provider-suite.js';

const KEY = 'AIzaSyA-fake-0123456789abcdefghijklmnopq';
const suite = useProviderSuite(startFakeGeminiServer);
const { build } = suite;

describe('gemini', () => {
  it.each(['gemini', 'google', 'google-gemini'])('%s: key in x-goog-api-key, systemInstruction, generationConfig; reads parts and usage', async (name) => {
    const { provider } = build({ default_provider: name, api_url: suite.fake.baseUrl }, { GEMINI_API_KEY: KEY });
    const result = await provider.chat({ system: 'terse', message: 'hi there', model: 'gemini-2.0-flash', temperature: 0.9 });

    expect(result).toEqual({ text: 'echo: hi there', model: 'gemini-2.0-flash', provider: 'gemini', usage: { inputTokens: 9, outputTokens: 2 } });
    const [req] = suite.fake.requests;
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
    suite.fake.reply(() => ({ body: { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }, { text: 'b' }] }, finishReason: 'STOP' }] } }));
    const { provider } = build({ default_provider: 'gemini', api_url: suite.fake.baseUrl, api_key: KEY });
    const result = await provider.chat({ message: 'x', model: 'models/gemini-2.5-pro', temperature: 0.7 });
    expect(result).toEqual({ text: 'ab', model: 'models/gemini-2.5-pro', provider: 'gemini' });
    expect(suite.fake.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('retries RESOURCE_EXHAUSTED per minute, waiting at least RetryInfo.retryDelay', async () => {
    let calls = 0;
    suite.fake.reply(() => (++calls === 1 ? geminiResourceExhausted({ retryDelay: '2s' }) : { body: geminiResponse('later') }));
    const { provider } = build({ default_provider: 'gemini', api_url: suite.fake.baseUrl, api_key: KEY, reliability: { provider_backoff_ms: 10 } });
    const result = await provider.chat({ message: 'x', model: 'gemini-2.0-flash', temperature: 0.7 });
    expect(result.text).toBe('later');
    expect(suite.fake.requests).toHaveLength(2);
    expect(suite.delays).toEqual([2000]);
  });

  it('does not retry a per-day RESOURCE_EXHAUSTED', async () => {
    suite.fake.reply(() => geminiResourceExhausted({ perDay: true, retryDelay: '20s' }));
    const { provider } = build({ default_provider: 'gemini', api_url: suite.fake.baseUrl, api_key: KEY });
    const err = (await provider.chat({ message: 'x', model: 'gemini-2.0-flash', temperature: 0.7 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.status).toBe(429);
    expect(err.vendorCode).toBe('daily_quota_exhausted');
    expect(suite.fake.requests).toHaveLength(1);
  });

  it('reads the google.rpc error body and redacts the key Google echoes back', async () => {
    suite.fake.reply(() => geminiError(400, 'INVALID_ARGUMENT', `API key not valid. Please pass a valid API key. (key=${KEY})`));
    const { provider } = build({ default_provider: 'gemini', api_url: suite.fake.baseUrl, api_key: KEY });
    const err = (await provider.chat({ message: 'x', model: 'gemini-2.0-flash', temperature: 0.7 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err.status).toBe(400);
    expect(err.vendorCode).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('API key not valid');
    expect(err.message).not.toContain('0123456789abcdef');
    expect(suite.fake.requests).toHaveLength(1);
  });

  it('reports a blocked prompt as a provider error, not an empty reply', async () => {
    suite.fake.reply(() => ({ body: { promptFeedback: { blockReason: 'SAFETY' } } }));
    const { provider } = build({ default_provider: 'gemini', api_url: suite.fake.baseUrl, api_key: KEY });
    await expect(provider.chat({ message: 'x', model: 'g', temperature: 0.7 })).rejects.toThrow(/SAFETY/);
  });
});
