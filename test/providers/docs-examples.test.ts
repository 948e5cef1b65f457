// Every TOML example in docs/providers.md is a config createProvider accepts; the README's table lists every catalogue name.
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { validProviderNames } from '../../src/providers/catalog.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { captureLog, makeConfig, testMetrics } from './provider-test-kit.js';

const doc = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('## LLM providers'), readme.indexOf('## Memory'));
const examples = [...doc.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/providers.md', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples.map((text, i) => [i, text] as const))('example %i builds a provider', async (_i, text) => {
    const provider = createProvider(makeConfig(parse(text)), { logger: captureLog().logger, metrics: testMetrics(), env: {} });
    await provider.close();
  });

  it('the README provider table names every provider', () => {
    for (const name of validProviderNames()) {
      const shown = name.replace('<http(s) URL>', '');
      expect(table).toContain(`\`${shown}`);
    }
  });
});
