// createStores: config.state.backend → the local stores or the Redis stores (spec §9).
import type { Redis } from 'ioredis';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { IdempotencyStore } from './idempotency/idempotency-store.js';
import { LocalIdempotencyStore } from './idempotency/local-idempotency-store.js';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency-store.js';
import { LocalPairingStore } from './pairing/local-pairing-store.js';
import { LocalTokenStore } from './pairing/local-token-store.js';
import type { PairingStore, TokenStore } from './pairing/pairing-store.js';
import { RedisPairingStore } from './pairing/redis-pairing-store.js';
import { RedisTokenStore } from './pairing/redis-token-store.js';
import { LocalRateLimiter } from './rate-limit/local-rate-limiter.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';
import { connectRedis } from './redis-connection.js';
import { createRedisKeys, type RedisKeys } from './redis-keys.js';

/** Both gateway limiters count per minute (spec §3). */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/**
 * An unfinished idempotency claim outlives the request timeout by this much, so a request that is still
 * running is never overtaken, while a crashed one frees its key soon after.
 */
export const IN_FLIGHT_GRACE_MS = 30_000;

export interface Stores {
  /** Where the state lives: this process, or Redis shared by every instance. */
  backend: 'memory' | 'redis';
  /** `webhook_rate_limit_per_minute` per client key. */
  webhookLimiter: RateLimiter;
  /** `pair_rate_limit_per_minute` per client key. */
  pairLimiter: RateLimiter;
  idempotency: IdempotencyStore;
  pairing: PairingStore;
  tokens: TokenStore;
  /**
   * Redis mode: the shared connection and key builder, for shared state built elsewhere (the WhatsApp inbox);
   * closed by close(). Null in memory mode.
   */
  redis: { client: Redis; keys: RedisKeys } | null;
  /** True when the stores can be used now (always, for memory); for `/ready` and `/health`. Never rejects. */
  health(): Promise<boolean>;
  /** Closes every store and the connection. */
  close(): Promise<void>;
}

export interface StoresDeps {
  logger: Logger;
  /** Clock of the local stores and of token times (tests); rate limits and lockouts in Redis use Redis's. */
  now?: () => number;
  /** Redis mode: how long startup waits for Redis; default REDIS_STARTUP_TIMEOUT_MS (10 s). */
  redisStartupTimeoutMs?: number;
}

/**
 * Builds the stores `config.state.backend` selects. Redis mode: rejects with ConfigError without a
 * redis_url, and with StateUnavailableError (a message naming host:port, never the password) when Redis
 * stays unreachable for the startup wait; the config file's tokens are added unless revoked.
 */
export async function createStores(config: Config, deps: StoresDeps): Promise<Stores> {
  return config.state.backend === 'redis' ? createRedisStores(config, deps) : createLocalStores(config, deps);
}

function createLocalStores(config: Config, deps: StoresDeps): Stores {
  const gateway = config.gateway;
  const now = deps.now;
  const stores = {
    webhookLimiter: new LocalRateLimiter({
      limit: gateway.webhook_rate_limit_per_minute,
      windowMs: RATE_LIMIT_WINDOW_MS,
      maxKeys: gateway.rate_limit_max_keys,
      now,
    }),
    pairLimiter: new LocalRateLimiter({
      limit: gateway.pair_rate_limit_per_minute,
      windowMs: RATE_LIMIT_WINDOW_MS,
      maxKeys: gateway.rate_limit_max_keys,
      now,
    }),
    idempotency: new LocalIdempotencyStore({
      ttlMs: gateway.idempotency_ttl_secs * 1000,
      maxKeys: gateway.idempotency_max_keys,
      inFlightTtlMs: gateway.request_timeout_secs * 1000 + IN_FLIGHT_GRACE_MS,
      now,
    }),
    pairing: new LocalPairingStore({ maxKeys: gateway.rate_limit_max_keys, now }),
    tokens: new LocalTokenStore(gateway.paired_tokens, { now }),
  };
  return {
    backend: 'memory',
    ...stores,
    redis: null,
    health: async () => true,
    close: async () => {
      await Promise.all(Object.values(stores).map((store) => store.close()));
    },
  };
}

async function createRedisStores(config: Config, deps: StoresDeps): Promise<Stores> {
  const gateway = config.gateway;
  const url = config.state.redis_url;
  if (url === undefined || url.trim() === '') {
    throw new ConfigError(config.configPath, ['state.redis_url: required when [state] backend = "redis" (or set REDIS_URL)']);
  }
  const connection = await connectRedis({ url, logger: deps.logger, startupTimeoutMs: deps.redisStartupTimeoutMs });
  const redis = connection.client;
  const keys = createRedisKeys(config.state.key_prefix);
  let tokens: RedisTokenStore;
  try {
    tokens = await RedisTokenStore.create({ redis, keys, now: deps.now }, gateway.paired_tokens);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return {
    backend: 'redis',
    webhookLimiter: new RedisRateLimiter({
      redis,
      keys,
      name: 'webhook',
      limit: gateway.webhook_rate_limit_per_minute,
      windowMs: RATE_LIMIT_WINDOW_MS,
    }),
    pairLimiter: new RedisRateLimiter({
      redis,
      keys,
      name: 'pair',
      limit: gateway.pair_rate_limit_per_minute,
      windowMs: RATE_LIMIT_WINDOW_MS,
    }),
    idempotency: new RedisIdempotencyStore({
      redis,
      keys,
      ttlMs: gateway.idempotency_ttl_secs * 1000,
      inFlightTtlMs: gateway.request_timeout_secs * 1000 + IN_FLIGHT_GRACE_MS,
    }),
    pairing: new RedisPairingStore({ redis, keys }),
    tokens,
    redis: { client: redis, keys },
    health: () => connection.ping(),
    // The stores hold no resources of their own: closing the one connection closes them all.
    close: () => connection.close(),
  };
}
