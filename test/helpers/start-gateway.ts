// Starts a whole gateway in-process on 127.0.0.1:0 against a temp config folder; logs captured for inspection.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { stringify } from 'smol-toml';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { buildGateway, type BuiltGateway, type BuildOptions } from '../../src/main.js';
import { REDACT_PATHS, type Logger } from '../../src/observability/logger.js';
import { createPrometheusMetrics } from '../../src/observability/prometheus-metrics.js';

export type RawConfig = Record<string, unknown>;

export interface StartOptions {
  /** Config file contents as an object (merged over the test defaults), or as TOML text. */
  config?: RawConfig;
  configText?: string;
  /** Reuse a folder (a restart); default: a new temp folder. */
  dir?: string;
  /** Environment seen by the config loader and provider (never the real process.env). */
  env?: NodeJS.ProcessEnv;
  provider?: BuildOptions['provider'];
  now?: () => number;
}

export interface TestGateway extends BuiltGateway {
  url: string;
  config: Config;
  dir: string;
  configPath: string;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
  /** Stops the gateway; the folder stays for a restart unless `removeDir`. */
  close(options?: { removeDir?: boolean }): Promise<void>;
}

/** A logger writing JSON lines into `lines`, with the production redaction rules. */
export function createCapturingLogger(lines: string[]): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  return pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'clawgate-test-'));
}

export function deepMerge(base: RawConfig, override: RawConfig): RawConfig {
  const out: RawConfig = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] =
      isTable(current) && isTable(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isTable(value: unknown): value is RawConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startGateway(options: StartOptions = {}): Promise<TestGateway> {
  const dir = options.dir ?? makeTempDir();
  const configPath = join(dir, 'config.toml');
  if (options.configText !== undefined) writeFileSync(configPath, options.configText, { mode: 0o600 });
  else if (options.config !== undefined || options.dir === undefined) {
    const base: RawConfig = { observability: { backend: 'prometheus' } };
    writeFileSync(configPath, stringify(deepMerge(base, options.config ?? {})), { mode: 0o600 });
  }
  const env = options.env ?? {};
  const { config } = await loadConfig({ configPath, env });
  const logs: string[] = [];
  const built = await buildGateway(config, {
    logger: createCapturingLogger(logs),
    metrics: createPrometheusMetrics({ defaultMetrics: false }),
    env,
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    ...built,
    url: `http://127.0.0.1:${port}`,
    config,
    dir,
    configPath,
    logs,
    async close(closeOptions = {}) {
      await built.close();
      if (closeOptions.removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
