// Anthropic Messages over real sockets against a fake that answers like api.anthropic.com (spec §7).
import { describe, expect, it } from 'vitest';
import { ProviderHttpError } from '../../src/providers/provider.js';
import { anthropicError, anthropicMessage, anthropicOverloaded, startFakeAnthropicServer } from '../fakes/anthropic-server.js';
import { useProviderSuite } from './provider-suite.js';

const KEY = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345';
const suite = useProviderSuite(startFakeAnthropicServer);
const { build } = suite;

describe('anthropic', () => {
  it('sends x-api-key, anthropic-version, max_tokens and a top-level system; joins text blocks; reads usage', async () => {
    suite.fake.reply((req) => ({ body: anthropicMessage('claude-sonnet-4', ['Hello', ', world'], { input_tokens: 21, output_tokens: 4 }) }));
    const { provider } = build({ default_provider: 'anthropic', api_url: suite.fake.baseUrl }, { ANTHROPIC_API_KEY: KEY });
    const result = await provider.chat({ system: 'be kind', message: 'hi', model: 'claude-sonnet-4', temperature: 0.4 });

    expect(result).toEqual({ text: 'Hello, world', model: 'claude-sonnet-4', provider: 'anthropic', usage: { inputTokens: 21, outputTokens: 4 } });
    const [req] = suite.fake.requests;
    expect(req?.path).toBe('/v1/messages');
    expect(req?.headers['x-api-key']).toBe(KEY);
    expect(req?.headers['anthropic-version']).toBe('2023-06-01');
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.body).toEqual({
      model: 'claude-sonnet-4',
      max_tokens: 4096,
      system: 'be kind',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.4,
    });
  });

  it('passes the default fake (key, version and max_tokens checked) and caps temperature at Anthropic\'s 1', async () => {
    const { provider } = build({ default_provider: 'anthropic', api_url: suite.fake.baseUrl, api_key: KEY });
    const result = await provider.chat({ message: 'ping', model: 'claude-haiku', temperature: 1.8 });
    expect(result.text).toBe('echo: ping');
    expect((suite.fake.requests[0]?.body as { temperature: number }).temperature).toBe(1);
    expect(suite.fake.requests[0]?.body).not.toHaveProperty('system');
  });

  it('anthropic-custom:<URL> uses that base, with or without /v1', async () => {
    const { provider } = build({ default_provider: `anthropic-custom:${suite.fake.baseUrl}/v1` }, { ANTHROPIC_API_KEY: KEY });
    expect((await provider.chat({ message: 'x', model: 'm', temperature: 0 })).provider).toBe('anthropic-custom');
    expect(suite.fake.requests[0]?.path).toBe('/v1/messages');
  });

  it('retries 529 overloaded_error, then answers', async () => {
    let calls = 0;
    suite.fake.reply((req) => (++calls === 1 ? anthropicOverloaded() : { body: anthropicMessage('m', ['recovered']) }));
    const { provider } = build({ default_provider: 'anthropic', api_url: suite.fake.baseUrl, api_key: KEY });
    const result = await provider.chat({ message: 'x', model: 'm', temperature: 0 });
    expect(result.text).toBe('recovered');
    expect(suite.fake.requests).toHaveLength(2);
    expect(suite.delays).toHaveLength(1);
  });

  it('reads the error envelope: type as vendor code, message kept, status kept', async () => {
    suite.fake.reply(() => anthropicError(400, 'invalid_request_error', 'messages: roles must alternate'));
    const { provider } = build({ default_provider: 'anthropic', api_url: suite.fake.baseUrl, api_key: KEY });
    const err = (await provider.chat({ message: 'x', model: 'm', temperature: 0 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.status).toBe(400);
    expect(err.vendorCode).toBe('invalid_request_error');
    expect(err.message).toContain('roles must alternate');
    expect(suite.fake.requests).toHaveLength(1);
  });

  it('gives up after the retries when 529 persists', async () => {
    suite.fake.reply(() => anthropicOverloaded());
    const { provider } = build({ default_provider: 'anthropic', api_url: suite.fake.baseUrl, api_key: KEY, reliability: { provider_retries: 2 } });
    const err = (await provider.chat({ message: 'x', model: 'm', temperature: 0 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err.status).toBe(529);
    expect(err.vendorCode).toBe('overloaded_error');
    expect(suite.fake.requests).toHaveLength(3);
  });
});
