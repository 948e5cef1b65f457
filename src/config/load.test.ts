import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/start-gateway.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';
import { sha256Hex } from '../security/tokens.js';

function configFile(text: string): string {
  const path = join(makeTempDir(), 'config.toml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('gives every default for an empty file, data in the file folder, frozen', async () => {
    const path = configFile('');
    const { config, warnings } = await loadConfig({ configPath: path, env: {} });
    expect(warnings).toEqual([]);
    expect(config.gateway).toMatchObject({ host: '127.0.0.1', port: 3000, require_pairing: true, request_timeout_secs: 30 });
    expect(config.default_provider).toBe('openrouter');
    expect(config.default_model).toBe('anthropic/claude-sonnet-4');
    expect(config.default_temperature).toBe(0.7);
    expect(config.reliability).toEqual({ provider_retries: 2, provider_backoff_ms: 500, fallback_providers: [], model_fallbacks: {} });
    expect(config.dataDir).toBe(join(path, '..'));
    expect(Object.isFrozen(config.gateway)).toBe(true);
  });

  it('parses config.example.toml to the same defaults (every key shown there is valid)', async () => {
    const example = readFileSync(new URL('../../config.example.toml', import.meta.url), 'utf8');
    const uncommented = example.replace(/^# ([a-z_]+ = .*?)(\s+#.*)?$/gm, '$1');
    const { config, warnings } = await loadConfig({ configPath: configFile(uncommented.replace('# [channels_config.whatsapp]', '[channels_config.whatsapp]')), env: {} });
    expect(warnings).toEqual([]);
    expect(config.channels_config.whatsapp?.allowed_numbers).toEqual(['+1234567890']);
  });

  it('lets env beat the file and flags beat env', async () => {
    const path = configFile('default_model = "file"\n[gateway]\nport = 1000\nhost = "127.0.0.1"\n');
    const env = { ZEROCLAW_MODEL: 'env', MODEL: 'lower-priority', PORT: '2000', ZEROCLAW_TEMPERATURE: '1.5', ZEROCLAW_ALLOW_PUBLIC_BIND: 'true' };
    const { config } = await loadConfig({ configPath: path, env });
    expect(config.default_model).toBe('env');
    expect(config.gateway.port).toBe(2000);
    expect(config.default_temperature).toBe(1.5);
    expect(config.gateway.allow_public_bind).toBe(true);
    const flagged = await loadConfig({ configPath: path, env, flags: { port: 0, host: 'localhost' } });
    expect(flagged.config.gateway.port).toBe(0);
    expect(flagged.config.gateway.host).toBe('localhost');
  });

  it('warns about unknown keys and keeps going', async () => {
    const path = configFile('mystery = 1\n[gateway]\nport = 3001\nshiny = true\n[unknown_table]\nx = 1\n');
    const { config, warnings } = await loadConfig({ configPath: path, env: {} });
    expect(config.gateway.port).toBe(3001);
    expect(warnings.join('\n')).toContain('"mystery"');
    expect(warnings.join('\n')).toContain('"gateway.shiny"');
    expect(warnings.join('\n')).toContain('"unknown_table"');
  });

  it('reports every wrong type at once, naming key, expected type and file', async () => {
    const path = configFile('default_temperature = "hot"\n[gateway]\nport = "x"\nrequire_pairing = 1\n');
    const error = await loadConfig({ configPath: path, env: { ZEROCLAW_GATEWAY_PORT: 'abc' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(path);
    expect(message).toContain('ZEROCLAW_GATEWAY_PORT: expected number');
    expect(message).toContain('default_temperature: expected number, got string');
    expect(message).toContain('gateway.require_pairing: expected boolean, got number');
  });

  it('reports broken TOML and out-of-range values clearly', async () => {
    await expect(loadConfig({ configPath: configFile('[gateway\nport = 1'), env: {} })).rejects.toThrow(/not valid TOML/);
    await expect(loadConfig({ configPath: configFile('[gateway]\nport = 70000'), env: {} })).rejects.toThrow(/gateway\.port/);
    await expect(loadConfig({ configPath: configFile('default_temperature = 3'), env: {} })).rejects.toThrow(/default_temperature/);
  });

  it('creates the commented default file with mode 0600 only when asked', async () => {
    const path = join(makeTempDir(), 'nested', 'config.toml');
    await expect(loadConfig({ configPath: path, env: {} })).rejects.toThrow(/file not found/);
    const { created } = await loadConfig({ configPath: path, env: {}, createIfMissing: true });
    expect(created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await loadConfig({ configPath: path, env: {}, createIfMissing: true })).created).toBe(false);
  });

  it('normalises paired_tokens: plaintext entries are hashed, hashes lowercased and deduplicated', async () => {
    const hash = 'A'.repeat(64);
    const path = configFile(`[gateway]\npaired_tokens = ["${hash}", "${hash.toLowerCase()}", "zc_old"]\n`);
    const { config } = await loadConfig({ configPath: path, env: {} });
    expect(config.gateway.paired_tokens).toEqual(['a'.repeat(64), sha256Hex('zc_old')]);
  });
});
