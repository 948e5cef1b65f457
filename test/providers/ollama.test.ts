// Ollama native /api/chat over real sockets against a fake that answers like a local Ollama (spec §7).
import { describe, expect, it } from 'vitest';
import { ProviderHttpError } from '../../src/providers/provider.js';
import { ollamaError, startFakeOllamaServer } from '../fakes/ollama-server.js';
import { useProviderSuite } from './provider-suite.js';

const suite = useProviderSuite(startFakeOllamaServer);
const { build } = suite;

describe('ollama', () => {
  it('posts /api/chat with stream:false and options.temperature, no key needed, and reads the reply and counts', async () => {
    const { provider, log } = build({ default_provider: 'ollama', api_url: suite.fake.baseUrl });
    const result = await provider.chat({ system: 'sys', message: 'hello llama', model: 'llama3.2', temperature: 0.2 });

    expect(result).toEqual({ text: 'echo: hello llama', model: 'llama3.2', provider: 'ollama', usage: { inputTokens: 13, outputTokens: 4 } });
    const [req] = suite.fake.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/api/chat');
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.body).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hello llama' },
      ],
      stream: false,
      options: { temperature: 0.2 },
    });
    expect(log.lines().filter((l) => l.level === 40)).toEqual([]);
  });

  it('sends OLLAMA_API_KEY as a bearer token when set (hosted Ollama)', async () => {
    const { provider } = build({ default_provider: 'ollama', api_url: suite.fake.baseUrl }, { OLLAMA_API_KEY: 'ollama-key-123456' });
    await provider.chat({ message: 'x', model: 'llama3.2', temperature: 0.7 });
    expect(suite.fake.requests[0]?.headers.authorization).toBe('Bearer ollama-key-123456');
  });

  it('turns {"error":"..."} into a ProviderHttpError and does not retry a 404', async () => {
    suite.fake.reply(() => ollamaError(404, 'model "llama9" not found, try pulling it first'));
    const { provider } = build({ default_provider: 'ollama', api_url: suite.fake.baseUrl });
    const err = (await provider.chat({ message: 'x', model: 'llama9', temperature: 0.7 }).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.status).toBe(404);
    expect(err.message).toContain('model "llama9" not found');
    expect(suite.fake.requests).toHaveLength(1);
  });

  it('retries a 500 from Ollama', async () => {
    let calls = 0;
    suite.fake.reply((req) => (++calls === 1 ? ollamaError(500, 'llama runner process has terminated') : { body: { model: 'm', message: { role: 'assistant', content: 'ok' }, done: true } }));
    const { provider } = build({ default_provider: 'ollama', api_url: suite.fake.baseUrl });
    const result = await provider.chat({ message: 'x', model: 'm', temperature: 0.7 });
    expect(result).toEqual({ text: 'ok', model: 'm', provider: 'ollama' });
    expect(suite.fake.requests).toHaveLength(2);
  });
});
