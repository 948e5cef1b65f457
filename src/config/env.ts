// Table: environment variable → config path (names as the reference spells them, spec §0). Env wins over the file.

export type EnvValueType = 'string' | 'number' | 'boolean';

export interface EnvOverride {
  /** Variables in priority order: the first one set wins. */
  vars: readonly string[];
  /** Where the value goes in the raw config object. */
  path: readonly string[];
  type: EnvValueType;
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { vars: ['ZEROCLAW_PROVIDER', 'PROVIDER'], path: ['default_provider'], type: 'string' },
  { vars: ['ZEROCLAW_MODEL', 'MODEL'], path: ['default_model'], type: 'string' },
  { vars: ['ZEROCLAW_TEMPERATURE'], path: ['default_temperature'], type: 'number' },
  { vars: ['ZEROCLAW_GATEWAY_PORT', 'PORT'], path: ['gateway', 'port'], type: 'number' },
  { vars: ['ZEROCLAW_GATEWAY_HOST', 'HOST'], path: ['gateway', 'host'], type: 'string' },
  { vars: ['ZEROCLAW_ALLOW_PUBLIC_BIND'], path: ['gateway', 'allow_public_bind'], type: 'boolean' },
  { vars: ['ZEROCLAW_WHATSAPP_APP_SECRET'], path: ['channels_config', 'whatsapp', 'app_secret'], type: 'string' },
  { vars: ['DATABASE_URL'], path: ['memory', 'db_url'], type: 'string' },
  { vars: ['REDIS_URL'], path: ['state', 'redis_url'], type: 'string' },
];

/** Where the config file is looked for when neither --config nor a default applies. */
export const CONFIG_PATH_VAR = 'CLAWGATE_CONFIG';

/**
 * Parses one env value; undefined when it does not fit `type`.
 * Booleans accept "1"/"true"/"yes"/"on" and "0"/"false"/"no"/"off" (spec §0 names "1"/"true").
 */
export function parseEnvValue(raw: string, type: EnvValueType): string | number | boolean | undefined {
  const value = raw.trim();
  if (type === 'string') return value;
  if (type === 'number') {
    if (value === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  const lower = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  return undefined;
}
