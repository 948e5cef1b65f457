// RedisIdempotencyStore: idempotency records shared by every instance, claimed atomically, with TTLs (spec §4, §9).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redisCall } from '../redis-connection.js';
import type { RedisKeys } from '../redis-keys.js';
import { StateUnavailableError } from '../state-unavailable-error.js';
import type { ClaimResult, IdempotencyStore, StoredResponse } from './idempotency-store.js';

export interface RedisIdempotencyStoreOptions {
  /** A client made by connectRedis (scripts defined); owned by the caller, not closed here. */
  redis: Redis;
  keys: RedisKeys;
  /** How long a done record is replayed, from its completion (`idempotency_ttl_secs`). */
  ttlMs: number;
  /** How long an unfinished claim holds its key, so a crashed instance cannot hold it forever. */
  inFlightTtlMs: number;
}

const IN_FLIGHT = 'i:';
const DONE = 'd:';

/** A done record's JSON comes back from Redis: checked, never cast. */
const storedResponseSchema = z.object({ status: z.number().int(), body: z.record(z.string(), z.unknown()) });

/**
 * Records are "i:<owner>" while in flight and "d:<json>" when done, each with its own PX. The owner is this
 * store's id, so complete() and release() touch only this instance's own claim. No max-keys bound is needed:
 * every record expires.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;
  readonly #inFlightTtlMs: number;
  readonly #inFlightValue = `${IN_FLIGHT}${randomUUID()}`;

  constructor(options: RedisIdempotencyStoreOptions) {
    for (const name of ['ttlMs', 'inFlightTtlMs'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
    }
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#ttlMs = options.ttlMs;
    this.#inFlightTtlMs = options.inFlightTtlMs;
  }

  async claim(scope: string, key: string): Promise<ClaimResult> {
    const existing = await redisCall('idempotency claim', () =>
      this.#redis.clawgateIdempotencyClaim(this.#keys.idempotency(scope, key), this.#inFlightValue, this.#inFlightTtlMs),
    );
    if (existing === null) return { outcome: 'claimed' };
    if (existing.startsWith(DONE)) return { outcome: 'done', response: parseDone(existing) };
    return { outcome: 'in_progress' };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    const done = `${DONE}${JSON.stringify({ status: response.status, body: response.body })}`;
    await redisCall('idempotency complete', () =>
      this.#redis.clawgateIdempotencyComplete(
        this.#keys.idempotency(scope, key),
        done,
        this.#ttlMs,
        this.#inFlightValue,
      ),
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await redisCall('idempotency release', () =>
      this.#redis.clawgateIdempotencyRelease(this.#keys.idempotency(scope, key), this.#inFlightValue),
    );
  }

  /** The connection belongs to whoever made it (createStores); nothing to release here. */
  async close(): Promise<void> {}
}

function parseDone(record: string): StoredResponse {
  let json: unknown;
  try {
    json = JSON.parse(record.slice(DONE.length));
  } catch (err) {
    throw new StateUnavailableError('Redis idempotency record is not valid JSON', { cause: err });
  }
  const parsed = storedResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new StateUnavailableError('Redis idempotency record has an unexpected shape', { cause: parsed.error });
  }
  return parsed.data;
}
