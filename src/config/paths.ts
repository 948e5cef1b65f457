// Where the config file lives: --config, else CLAWGATE_CONFIG, else ~/.clawgate/config.toml.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONFIG_PATH_VAR } from './env.js';

export function defaultConfigPath(): string {
  return join(homedir(), '.clawgate', 'config.toml');
}

export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = flag ?? env[CONFIG_PATH_VAR];
  return chosen && chosen.trim() !== '' ? resolve(chosen) : defaultConfigPath();
}
