// RedisTokenStore: paired token hashes and revocations shared by every instance (spec §2, §9).
import type { Redis } from 'ioredis';
import { redisCall } from '../redis-connection.js';
import type { RedisKeys } from '../redis-keys.js';
import type { TokenRecord, TokenStore } from './pairing-store.js';

export interface RedisTokenStoreOptions {
  /** A client made by connectRedis (scripts defined); owned by the caller, not closed here. */
  redis: Redis;
  keys: RedisKeys;
  /** Clock in epoch ms for createdAt / lastUsedAt. */
  now?: () => number;
}

/**
 * Token hashes live in one Redis hash (→ createdAt), their last uses in another; revoked hashes leave a
 * tombstone in a set, so an instance whose config file still lists a revoked token does not bring it back.
 * A revocation is seen by every instance at its next request: nothing is cached locally.
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #now: () => number;

  /** Builds the store and adds `initialHashes` (the config file's tokens) unless they were revoked. */
  static async create(options: RedisTokenStoreOptions, initialHashes: readonly string[]): Promise<RedisTokenStore> {
    const store = new RedisTokenStore(options);
    await store.seed(initialHashes);
    return store;
  }

  constructor(options: RedisTokenStoreOptions) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#now = options.now ?? Date.now;
  }

  /** Adds config-file hashes that are neither present nor revoked; answers how many were added. */
  async seed(hashes: readonly string[]): Promise<number> {
    if (hashes.length === 0) return 0;
    return redisCall('token seed', () =>
      this.#redis.clawgateSeedTokens(this.#keys.tokens(), this.#keys.revokedTokens(), ...hashes),
    );
  }

  async verify(hash: string): Promise<boolean> {
    if (hash === '') return false;
    const reply = await redisCall('token check', () =>
      this.#redis.clawgateVerifyToken(this.#keys.tokens(), this.#keys.tokenUses(), hash, this.#now()),
    );
    return reply === 1;
  }

  async add(hash: string): Promise<void> {
    await redisCall('token add', () =>
      this.#redis.clawgateAddToken(this.#keys.tokens(), this.#keys.revokedTokens(), hash, this.#now()),
    );
  }

  async remove(hash: string): Promise<boolean> {
    const reply = await redisCall('token revoke', () =>
      this.#redis.clawgateRemoveToken(this.#keys.tokens(), this.#keys.tokenUses(), this.#keys.revokedTokens(), hash),
    );
    return reply === 1;
  }

  async list(): Promise<TokenRecord[]> {
    const [created, used] = await redisCall('token list', () =>
      Promise.all([this.#redis.hgetall(this.#keys.tokens()), this.#redis.hgetall(this.#keys.tokenUses())]),
    );
    return Object.entries(created).map(([hash, createdAt]) => {
      const record: TokenRecord = { hash };
      const createdMs = parseEpochMs(createdAt);
      const usedMs = parseEpochMs(used[hash]);
      if (createdMs !== undefined) record.createdAt = createdMs;
      if (usedMs !== undefined) record.lastUsedAt = usedMs;
      return record;
    });
  }

  async count(): Promise<number> {
    return redisCall('token count', () => this.#redis.hlen(this.#keys.tokens()));
  }

  /** The connection belongs to whoever made it (createStores); nothing to release here. */
  async close(): Promise<void> {}
}

/** An epoch-ms field as stored by the scripts; "" (unknown) and anything malformed are absent. */
function parseEpochMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
