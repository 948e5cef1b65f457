// One fake OpenAI-compatible LLM per test file: started before all tests, reset after each, closed after all.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';

export const TEST_API_KEY = 'sk-test-abcdefghijklmnop';

/** Registers the hooks and returns the server (usable inside tests and hooks, once started). */
export function useFakeLlm(): FakeOpenAiServer {
  let server: FakeOpenAiServer | undefined;
  beforeAll(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(() => server?.reset());
  afterAll(async () => {
    await server?.close();
  });
  const current = (): FakeOpenAiServer => {
    if (server === undefined) throw new Error('the fake LLM is only available inside tests and hooks');
    return server;
  };
  return new Proxy({} as FakeOpenAiServer, { get: (_target, property) => Reflect.get(current(), property) });
}

/** Config keys pointing the gateway at `llm` with a test key. */
export function llmConfig(llm: FakeOpenAiServer): Record<string, unknown> {
  return { default_provider: `custom:${llm.baseUrl}`, api_key: TEST_API_KEY };
}
