// OpenAI-compatible providers over real sockets against a fake that answers like OpenAI (spec §7).
import { describe, expect, it } from 'vitest';
import { ProviderConfigError, ProviderHttpError } from '../../src/providers/provider.js';
import { openAiError, startFakeOpenAiServer } from '../fakes/openai-server.js';
import { useProviderSuite } from './provider-suite.js';
import { counterValue } from './provider-test-kit.js';

const KEY = 'sk-or-v1-0123456789abcdef0123456789abcdef';
const suite = useProviderSuite(startFakeOpenAiServer);
const { build } = suite;

describe('openrouter (OpenAI chat completions)', () => {
  it('sends the OpenAI request shape with OpenRouter headers and reads text and usage', async () => {
    const { provider, metrics } = build({ api_key: KEY, api_url: suite.fake.baseUrl });
    const result = await provider.chat({ system: 'be brief', message: 'hello', model: 'anthropic/claude-sonnet-4', temperature: 0.3 });

    expect(result).toEqual({
      text: 'echo: hello',
      model: 'anthropic/claude-sonnet-4',
      provider: 'openrouter',
      usage: { inputTokens: 7, outputTokens: 3 },
    });
    expect(suite.fake.requests).toHaveLength(1);
    const [req] = suite.fake.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['http-referer']).toMatch(/^https:\/\//);
    expect(req?.headers['x-title']).toBe('clawgate');
    expect(req?.body).toEqual({
      model: 'anthropic/claude-sonnet-4',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ],
      temperature: 0.3,
    });
    const labels = { provider: 'openrouter', model: 'anthropic/claude-sonnet-4' };
    expect(await counterValue(metrics, 'zeroclaw_llm_requests_total', labels)).toBe(1);
    expect(await counterValue(metrics, 'zeroclaw_llm_attempts_total', { ...labels, outcome: 'ok' })).toBe(1);
    expect(await counterValue(metrics, 'zeroclaw_llm_tokens_total', { ...labels, kind: 'input' })).toBe(7);
    expect(await counterValue(metrics, 'zeroclaw_llm_tokens_total', { ...labels, kind: 'output' })).toBe(3);
  });

  it('omits the system message when there is none and reuses one keep-alive connection', async () => {
    const { provider } = build({ api_key: KEY, api_url: suite.fake.baseUrl });
    await provider.chat({ message: 'one', model: 'm', temperature: 0.7 });
    await provider.chat({ message: 'two', model: 'm', temperature: 0.7 });
    expect(suite.fake.requests.map((r) => r.body)).toEqual([
      { model: 'm', messages: [{ role: 'user', content: 'one' }], temperature: 0.7 },
      { model: 'm', messages: [{ role: 'user', content: 'two' }], temperature: 0.7 },
    ]);
    expect(suite.fake.requests[1]?.headers.connection).not.toBe('close');
  });

  it('turns an OpenAI error body into a ProviderHttpError without the key in its message, and does not retry 401', async () => {
    suite.fake.reply(() => openAiError(401, `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com.`, 'invalid_request_error', 'invalid_api_key'));
    const { provider, log, metrics } = build({ api_key: KEY, api_url: suite.fake.baseUrl });
    const err: unknown = await provider.chat({ message: 'hi', model: 'm', temperature: 0.7 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ProviderHttpError);
    const httpErr = err as ProviderHttpError;
    expect(httpErr.status).toBe(401);
    expect(httpErr.vendorCode).toBe('invalid_api_key');
    expect(httpErr.message).toContain('Incorrect API key provided');
    expect(httpErr.message).not.toContain(KEY);
    expect(httpErr.message).not.toContain('0123456789abcdef');
    expect(suite.fake.requests).toHaveLength(1);
    expect(log.text()).not.toContain('0123456789abcdef');
    expect(await counterValue(metrics, 'zeroclaw_llm_attempts_total', { provider: 'openrouter', model: 'm', outcome: 'fatal' })).toBe(1);
  });
});

describe('custom:<URL>', () => {
  it('talks to the given base URL with the generic key variable', async () => {
    const { provider } = build({ default_provider: `custom:${suite.fake.baseUrl}/` }, { ZEROCLAW_API_KEY: 'generic-key-123' });
    const result = await provider.chat({ message: 'ping', model: 'local-model', temperature: 0 });
    expect(result.text).toBe('echo: ping');
    expect(result.provider).toBe('custom');
    expect(suite.fake.requests[0]?.path).toBe('/v1/chat/completions');
    expect(suite.fake.requests[0]?.headers.authorization).toBe('Bearer generic-key-123');
    expect(suite.fake.requests[0]?.headers['x-title']).toBeUndefined();
  });

  it('sends no Authorization header when a custom server has no key configured', async () => {
    const { provider } = build({ default_provider: `custom:${suite.fake.baseUrl}` });
    await provider.chat({ message: 'ping', model: 'local-model', temperature: 0 });
    expect(suite.fake.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('configuration errors', () => {
  it('rejects an unknown provider at startup, listing the valid names', () => {
    expect(() => build({ default_provider: 'openrouterr' })).toThrow(ProviderConfigError);
    expect(() => build({ default_provider: 'openrouterr' })).toThrow(/valid providers: .*openrouter.*anthropic.*custom:<http\(s\) URL>/);
  });

  it.each(['custom:', 'custom:not a url', 'custom:ftp://example.com/v1', 'anthropic-custom:file:///etc/passwd'])(
    'rejects %s at startup',
    (name) => {
      expect(() => build({ default_provider: name })).toThrow(ProviderConfigError);
    },
  );

  it('rejects an unknown fallback provider at startup too', () => {
    expect(() => build({ api_key: KEY, reliability: { fallback_providers: ['nope'] } })).toThrow(/provider "nope"/);
  });

  it('warns at startup naming the variable when the key is missing, then fails each request without calling out', async () => {
    const { provider, log } = build({ api_url: suite.fake.baseUrl });
    const warning = log.lines().find((l) => l.level === 40);
    expect(warning?.msg).toContain('OPENROUTER_API_KEY');

    await expect(provider.chat({ message: 'hi', model: 'm', temperature: 0.7 })).rejects.toThrow(ProviderConfigError);
    await expect(provider.chat({ message: 'hi', model: 'm', temperature: 0.7 })).rejects.toThrow(/OPENROUTER_API_KEY/);
    expect(suite.fake.requests).toHaveLength(0);
  });
});

describe('abort', () => {
  it('stops the HTTP call when the signal aborts, and the fake closes cleanly', async () => {
    suite.fake.reply(() => ({ delayMs: 60_000 }));
    const { provider } = build({ api_key: KEY, api_url: suite.fake.baseUrl });
    const controller = new AbortController();
    const pending = provider.chat({ message: 'slow', model: 'm', temperature: 0.7, signal: controller.signal });
    await expect.poll(() => suite.fake.requests.length).toBe(1);
    controller.abort();
    const err: unknown = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(suite.fake.requests).toHaveLength(1);
  });
});

describe('reading a 200 answer', () => {
  const answer = (body: unknown) => {
    suite.fake.reply(() => ({ body }));
    const { provider } = build({ api_key: KEY, api_url: suite.fake.baseUrl });
    return provider.chat({ message: 'hi', model: 'm', temperature: 0.7 });
  };

  it('reads content given as parts, and a null content as empty text', async () => {
    await expect(answer({ choices: [{ message: { content: [{ type: 'text', text: 'a' }, { text: 'b' }] } }] })).resolves.toMatchObject({ text: 'ab' });
    await expect(answer({ choices: [{ message: { content: null } }], usage: null })).resolves.toEqual({ text: '', model: 'm', provider: 'openrouter' });
  });

  it.each([
    ['no choices', { choices: [] }],
    ['choices not an array', { choices: { 0: { message: { content: 'x' } } } }],
    ['a choice without a message', { choices: [{ text: 'x' }] }],
    ['a later choice that is no object', { choices: [{ message: { content: 'x' } }, 'y'] }],
    ['content of another type', { choices: [{ message: { content: 42 } }] }],
    ['token counts as strings', { choices: [{ message: { content: 'x' } }], usage: { prompt_tokens: '7' } }],
    ['usage as an array', { choices: [{ message: { content: 'x' } }], usage: [] }],
    ['an array body', [{ choices: [{ message: { content: 'x' } }] }]],
  ])('refuses a body with %s', async (_what, body) => {
    await expect(answer(body)).rejects.toThrow('openrouter answered HTTP 200 without a chat completion body');
  });
});
