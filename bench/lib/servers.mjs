// The servers the bench compares: clawgate (the built CLI, as a user runs it) and the raw node:http baseline.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'smol-toml';
import { startNodeProcess } from './processes.mjs';

/** The built CLI under test; BENCH_CLI points at another build (say, a worktree of an older commit) to compare. */
export const CLI_PATH = process.env.BENCH_CLI ?? fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));
const BASELINE_PATH = fileURLToPath(new URL('../baseline-server.mjs', import.meta.url));
const FAKE_LLM_PATH = fileURLToPath(new URL('../fake-llm.mjs', import.meta.url));

export const MODEL = 'bench-model';
export const API_KEY = `sk-bench-${randomBytes(8).toString('hex')}`;
/** The bearer token both servers accept; only its hash is configured. */
export const TOKEN = `zc_${randomBytes(32).toString('hex')}`;
export const TOKEN_HASH = createHash('sha256').update(TOKEN).digest('hex');

/** Only what a server needs from the environment: no provider keys or ports from the machine leak in. */
function baseEnv(extra) {
  const env = {};
  for (const name of ['PATH', 'LANG', 'TZ']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

export function startFakeLlm() {
  return startNodeProcess({ name: 'fake LLM', role: 'helper', args: [FAKE_LLM_PATH], env: baseEnv({}) });
}

/**
 * Writes a clawgate config folder. `settings`: webhookLimit, maxKeys, memory ('sqlite' | 'none'),
 * redisUrl (redis mode), trustForwarded, pairLimit, webhookSecret, prometheus (GET /metrics serves the registry).
 */
export function writeClawgateConfig(llmUrl, settings = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'clawgate-bench-'));
  mkdirSync(dir, { recursive: true });
  const config = {
    default_provider: `custom:${llmUrl}/v1`,
    default_model: MODEL,
    api_key: API_KEY,
    reliability: { provider_retries: 0 },
    gateway: {
      paired_tokens: [TOKEN_HASH],
      webhook_rate_limit_per_minute: settings.webhookLimit ?? 60,
      pair_rate_limit_per_minute: settings.pairLimit ?? 10,
      rate_limit_max_keys: settings.maxKeys ?? 10_000,
      trust_forwarded_headers: settings.trustForwarded ?? false,
    },
    memory: { backend: settings.memory ?? 'sqlite' },
    ...(settings.redisUrl ? { state: { backend: 'redis', redis_url: settings.redisUrl } } : {}),
    ...(settings.webhookSecret ? { channels_config: { webhook: { secret: settings.webhookSecret } } } : {}),
    ...(settings.prometheus ? { observability: { backend: 'prometheus' } } : {}),
  };
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, stringify(config), { mode: 0o600 });
  return { dir, configPath };
}

/** Starts the built CLI on `port` (0 = any) with a config from writeClawgateConfig. */
export function startClawgate(configPath, { port = 0, nodeFlags = [], name = 'clawgate' } = {}) {
  return startNodeProcess({
    name,
    nodeFlags,
    args: [CLI_PATH, 'gateway', '--config', configPath, '--port', String(port)],
    env: baseEnv({ HOME: tmpdir() }),
  });
}

/** Starts the baseline with the same limits as the clawgate it is compared with. */
export function startBaseline(llmUrl, { port = 0, webhookLimit = 60, maxKeys = 10_000, nodeFlags = [] } = {}) {
  return startNodeProcess({
    name: 'baseline',
    nodeFlags,
    args: [BASELINE_PATH],
    env: baseEnv({
      PORT: String(port),
      LLM_URL: `${llmUrl}/v1`,
      API_KEY,
      MODEL,
      TOKEN_HASHES: TOKEN_HASH,
      WEBHOOK_LIMIT: String(webhookLimit),
      MAX_KEYS: String(maxKeys),
    }),
  });
}
