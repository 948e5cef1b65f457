import { describe, expect, it } from 'vitest';
import { resolveProvider } from './catalog.js';
import { resolveApiKey } from './create-provider.js';

describe('resolveApiKey', () => {
  const openrouter = resolveProvider('openrouter');
  const env = { OPENROUTER_API_KEY: 'own', ZEROCLAW_API_KEY: 'zeroclaw', API_KEY: 'generic' };

  it('primary: api_key, then the provider variable, then ZEROCLAW_API_KEY, then API_KEY', () => {
    expect(resolveApiKey(openrouter, 'configured', env, true)).toEqual({ key: 'configured', source: 'api_key' });
    expect(resolveApiKey(openrouter, undefined, env, true)).toEqual({ key: 'own', source: 'OPENROUTER_API_KEY' });
    expect(resolveApiKey(openrouter, undefined, { ...env, OPENROUTER_API_KEY: '' }, true)).toEqual({ key: 'zeroclaw', source: 'ZEROCLAW_API_KEY' });
    expect(resolveApiKey(openrouter, '  ', { API_KEY: 'generic' }, true)).toEqual({ key: 'generic', source: 'API_KEY' });
    expect(resolveApiKey(openrouter, undefined, {}, true)).toEqual({});
  });

  it('fallback: its own variable before api_key (which belongs to the primary)', () => {
    const anthropic = resolveProvider('anthropic');
    expect(resolveApiKey(anthropic, 'sk-or-primary', { ANTHROPIC_API_KEY: 'ant' }, false)).toEqual({ key: 'ant', source: 'ANTHROPIC_API_KEY' });
    expect(resolveApiKey(anthropic, 'sk-or-primary', {}, false)).toEqual({ key: 'sk-or-primary', source: 'api_key' });
  });

  it('tries every own variable in order (GEMINI_API_KEY, then GOOGLE_API_KEY)', () => {
    expect(resolveApiKey(resolveProvider('gemini'), undefined, { GOOGLE_API_KEY: 'g' }, true)).toEqual({ key: 'g', source: 'GOOGLE_API_KEY' });
  });

  it('falls back to LM Studio\'s placeholder key', () => {
    expect(resolveApiKey(resolveProvider('lmstudio'), undefined, {}, true)).toEqual({ key: 'lm-studio', source: 'default' });
  });
});
