// TOML + env overrides + flags → schema → frozen Config, or one ConfigError listing every problem (style §2.8).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { readDefaultConfigText } from './default-config.js';
import { ENV_OVERRIDES, parseEnvValue } from './env.js';
import { resolveConfigPath } from './paths.js';
import { configSchema, type Config } from './schema.js';
import { normalizeTokenHash } from '../security/tokens.js';

export interface LoadConfigOptions {
  /** --config flag; else CLAWGATE_CONFIG; else ~/.clawgate/config.toml. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags: they beat the environment, which beats the file. */
  flags?: { host?: string; port?: number };
  /** Write the commented default file when none exists (the gateway does; read-only commands don't). */
  createIfMissing?: boolean;
}

export interface LoadedConfig {
  config: Config;
  /** Non-fatal findings (unknown keys), one sentence each. */
  warnings: string[];
  /** True when this call wrote a new default config file. */
  created: boolean;
}

type RawTable = Record<string, unknown>;

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const file = resolveConfigPath(options.configPath, env);
  const created = options.createIfMissing === true && writeDefaultIfMissing(file);
  const raw = readToml(file);
  const problems: string[] = [];
  applyEnvOverrides(raw, env, problems);
  if (options.flags?.host !== undefined) setPath(raw, ['gateway', 'host'], options.flags.host);
  if (options.flags?.port !== undefined) setPath(raw, ['gateway', 'port'], options.flags.port);

  const warnings: string[] = [];
  let result = configSchema.safeParse(raw);
  if (!result.success) {
    // Unknown keys are warnings (spec §0): drop them and validate again.
    for (const issue of result.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      for (const key of issue.keys) {
        warnings.push(`${file}: unknown key "${formatPath([...issue.path, key])}" ignored`);
        deletePath(raw, [...issue.path.map(String), key]);
      }
    }
    result = configSchema.safeParse(raw);
  }
  if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);

  const parsed = result.data;
  const configDir = dirname(file);
  const dataDir = parsed.data_dir ? resolveFrom(configDir, parsed.data_dir) : configDir;
  const config: Config = {
    ...parsed,
    gateway: { ...parsed.gateway, paired_tokens: [...new Set(parsed.gateway.paired_tokens.map(normalizeTokenHash))] },
    configPath: file,
    dataDir,
  };
  return { config: deepFreeze(config), warnings, created };
}

function writeDefaultIfMissing(file: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, readDefaultConfigText(), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function readToml(file: string): RawTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? 'error'})`]);
  }
  try {
    return parseToml(text) as RawTable;
  } catch (err) {
    throw new ConfigError(file, [`not valid TOML: ${(err as Error).message.split('\n')[0]}`]);
  }
}

function applyEnvOverrides(raw: RawTable, env: NodeJS.ProcessEnv, problems: string[]): void {
  for (const override of ENV_OVERRIDES) {
    const name = override.vars.find((v) => env[v] !== undefined && env[v] !== '');
    if (name === undefined) continue;
    const value = parseEnvValue(env[name] as string, override.type);
    if (value === undefined) {
      problems.push(`environment variable ${name}: expected ${override.type}, got "${env[name]}"`);
      continue;
    }
    setPath(raw, override.path, value);
  }
}

function setPath(raw: RawTable, path: readonly string[], value: unknown): void {
  let table = raw;
  for (const key of path.slice(0, -1)) {
    const next = table[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) table[key] = {};
    table = table[key] as RawTable;
  }
  table[path[path.length - 1] as string] = value;
}

function deletePath(raw: RawTable, path: readonly string[]): void {
  let table: unknown = raw;
  for (const key of path.slice(0, -1)) table = (table as RawTable | undefined)?.[key];
  if (typeof table === 'object' && table !== null) delete (table as RawTable)[path[path.length - 1] as string];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? formatPath(issue.path) : '(top level)';
  if (issue.code === 'invalid_type') return `${where}: expected ${issue.expected}, got ${describeReceived(issue)}`;
  return `${where}: ${issue.message}`;
}

function describeReceived(issue: z.core.$ZodIssueInvalidType): string {
  const match = /received (\w+)/.exec(issue.message);
  return match?.[1] ?? 'another type';
}

function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
