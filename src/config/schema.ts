// zod schema of config.toml: every key, its default and its bounds (spec §0); exports type Config.
import { z } from 'zod';

const nonNegativeInt = z.number().int().min(0);
const positiveInt = z.number().int().min(1);

export const gatewaySchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(3000),
  require_pairing: z.boolean().default(true),
  /** SHA-256 hex of each paired token; plaintext entries from old files are hashed on load (spec §2). */
  paired_tokens: z.array(z.string()).default([]),
  pair_rate_limit_per_minute: nonNegativeInt.default(10),
  webhook_rate_limit_per_minute: nonNegativeInt.default(60),
  rate_limit_max_keys: positiveInt.default(10_000),
  trust_forwarded_headers: z.boolean().default(false),
  idempotency_ttl_secs: positiveInt.default(300),
  idempotency_max_keys: positiveInt.default(10_000),
  allow_public_bind: z.boolean().default(false),
  request_timeout_secs: positiveInt.max(3600).default(30),
  /** How long SIGINT/SIGTERM waits for in-flight requests before closing anyway. */
  shutdown_grace_secs: nonNegativeInt.max(600).default(10),
});

export const webhookChannelSchema = z.strictObject({
  secret: z.string().optional(),
});

export const whatsappChannelSchema = z.strictObject({
  access_token: z.string().optional(),
  phone_number_id: z.string().optional(),
  verify_token: z.string().optional(),
  app_secret: z.string().optional(),
  allowed_numbers: z.array(z.string()).default([]),
  graph_api_base_url: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com'),
  graph_api_version: z.string().regex(/^v\d+\.\d+$/, 'a version such as "v23.0"').default('v23.0'),
});

export const channelsSchema = z.strictObject({
  webhook: webhookChannelSchema.default({}),
  whatsapp: whatsappChannelSchema.optional(),
});

export const memorySchema = z.strictObject({
  backend: z.string().default('sqlite'),
  auto_save: z.boolean().default(true),
  /** sqlite: the database file; markdown: the folder. Default: inside the data folder. */
  path: z.string().optional(),
  /** postgres: connection string (env DATABASE_URL wins). */
  db_url: z.string().optional(),
});

export const observabilitySchema = z.strictObject({
  backend: z.enum(['none', 'prometheus']).default('none'),
  heartbeat_interval_secs: positiveInt.max(86_400).default(30),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const reliabilitySchema = z.strictObject({
  provider_retries: nonNegativeInt.max(10).default(2),
  provider_backoff_ms: nonNegativeInt.max(60_000).default(500),
  fallback_providers: z.array(z.string()).default([]),
  model_fallbacks: z.record(z.string(), z.array(z.string())).default({}),
});

export const tunnelSchema = z.strictObject({
  provider: z.string().default('none'),
});

export const stateSchema = z.strictObject({
  backend: z.enum(['memory', 'redis']).default('memory'),
  redis_url: z.string().optional(),
  key_prefix: z.string().default('clawgate:'),
});

export const configSchema = z.strictObject({
  api_key: z.string().optional(),
  api_url: z.string().optional(),
  default_provider: z.string().min(1).default('openrouter'),
  default_model: z.string().min(1).default('anthropic/claude-sonnet-4'),
  default_temperature: z.number().min(0).max(2).default(0.7),
  /** Where the gateway writes its files (databases, state); default: the config file's folder. */
  data_dir: z.string().optional(),
  gateway: gatewaySchema.default(gatewaySchema.parse({})),
  channels_config: channelsSchema.default(channelsSchema.parse({})),
  memory: memorySchema.default(memorySchema.parse({})),
  observability: observabilitySchema.default(observabilitySchema.parse({})),
  reliability: reliabilitySchema.default(reliabilitySchema.parse({})),
  tunnel: tunnelSchema.default(tunnelSchema.parse({})),
  state: stateSchema.default(stateSchema.parse({})),
});

export type ConfigFile = z.infer<typeof configSchema>;

/** The validated config plus what loading resolved: where it came from and where files go. */
export type Config = Readonly<
  ConfigFile & {
    /** Absolute path of the config file this was read from (and where tokens are persisted). */
    configPath: string;
    /** Absolute folder for every file the gateway writes. */
    dataDir: string;
  }
>;
