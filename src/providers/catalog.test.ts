import { describe, expect, it } from 'vitest';
import { resolveProvider, validProviderNames } from './catalog.js';
import { ProviderConfigError } from './provider.js';

describe('resolveProvider', () => {
  it.each([
    ['openrouter', 'openai-compatible', 'https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY'],
    ['openai', 'openai-compatible', 'https://api.openai.com/v1', 'OPENAI_API_KEY'],
    ['groq', 'openai-compatible', 'https://api.groq.com/openai/v1', 'GROQ_API_KEY'],
    ['mistral', 'openai-compatible', 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY'],
    ['deepseek', 'openai-compatible', 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'],
    ['xai', 'openai-compatible', 'https://api.x.ai/v1', 'XAI_API_KEY'],
    ['together', 'openai-compatible', 'https://api.together.xyz/v1', 'TOGETHER_API_KEY'],
    ['fireworks', 'openai-compatible', 'https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'],
    ['perplexity', 'openai-compatible', 'https://api.perplexity.ai', 'PERPLEXITY_API_KEY'],
    ['lmstudio', 'openai-compatible', 'http://localhost:1234/v1', 'LMSTUDIO_API_KEY'],
    ['anthropic', 'anthropic', 'https://api.anthropic.com', 'ANTHROPIC_API_KEY'],
    ['ollama', 'ollama', 'http://localhost:11434', 'OLLAMA_API_KEY'],
    ['gemini', 'gemini', 'https://generativelanguage.googleapis.com/v1beta', 'GEMINI_API_KEY'],
  ])('%s → %s at %s, key %s', (name, style, baseUrl, keyVar) => {
    const entry = resolveProvider(name);
    expect(entry).toMatchObject({ name, style, baseUrl });
    expect(entry.keyEnvVars[0]).toBe(keyVar);
  });

  it('resolves aliases and ignores case', () => {
    expect(resolveProvider('grok').name).toBe('xai');
    expect(resolveProvider('google').name).toBe('gemini');
    expect(resolveProvider('Google-Gemini').name).toBe('gemini');
    expect(resolveProvider(' OpenRouter ').name).toBe('openrouter');
  });

  it('knows which providers need a key', () => {
    expect(resolveProvider('openrouter').keyRequired).toBe(true);
    expect(resolveProvider('ollama').keyRequired).toBe(false);
    expect(resolveProvider('lmstudio')).toMatchObject({ keyRequired: false, defaultKey: 'lm-studio' });
    expect(resolveProvider('openrouter').headers).toMatchObject({ 'X-Title': 'clawgate' });
  });

  it('parses custom: and anthropic-custom: URLs', () => {
    expect(resolveProvider('custom:http://10.0.0.5:8000/v1/')).toMatchObject({ name: 'custom', style: 'openai-compatible', baseUrl: 'http://10.0.0.5:8000/v1' });
    expect(resolveProvider('anthropic-custom:https://proxy.example.com')).toMatchObject({ name: 'anthropic-custom', style: 'anthropic', baseUrl: 'https://proxy.example.com' });
  });

  it.each(['nope', '', 'custom:', 'custom:localhost:8000', 'custom:ftp://x.test', 'custom:https://user:pw@x.test/v1'])(
    'rejects %j with the list of valid names',
    (name) => {
      expect(() => resolveProvider(name)).toThrow(ProviderConfigError);
      expect(() => resolveProvider(name)).toThrow(/valid providers: openrouter, openai, .*custom:<http\(s\) URL>/);
    },
  );

  it('lists every provider of the issue among the valid names', () => {
    const names = validProviderNames();
    for (const name of ['openrouter', 'openai', 'groq', 'mistral', 'deepseek', 'xai', 'grok', 'together', 'fireworks', 'perplexity', 'lmstudio', 'anthropic', 'ollama', 'gemini', 'google', 'google-gemini']) {
      expect(names).toContain(name);
    }
  });
});
