// createStores: config.state.backend → the local stores or the Redis stores (spec §9).
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { IdempotencyStore } from './idempotency/idempotency-store.js';
import { LocalIdempotencyStore } from './idempotency/local-idempotency-store.js';
import { LocalPairingStore } from './pairing/local-pairing-store.js';
import { LocalTokenStore } from './pairing/local-token-store.js';
import type { PairingStore, TokenStore } from './pairing/pairing-store.js';
import { LocalRateLimiter } from './rate-limit/local-rate-limiter.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';

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
  /** True when the stores can be used now (always, for memory); for `/ready` and `/health`. Never rejects. */
  health(): Promise<boolean>;
  /** Closes every store and the connection. */
  close(): Promise<void>;
}

export interface StoresDeps {
  logger: Logger;
  /** Clock of the local stores (tests); Redis uses its own. */
  now?: () => number;
}

/** Builds the stores `config.state.backend` selects. In redis mode, rejects when Redis stays unreachable. */
export async function createStores(config: Config, deps: StoresDeps): Promise<Stores> {
  if (config.state.backend === 'redis') {
    throw new Error('[state] backend = "redis" is not available in this build yet');
  }
  return createLocalStores(config, deps);
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
    health: async () => true,
    close: async () => {
      await Promise.all(Object.values(stores).map((store) => store.close()));
    },
  };
}
