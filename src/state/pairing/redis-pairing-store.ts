// RedisPairingStore: the one-shot code and the lockouts shared by every instance (spec §2, §9).
import type { Redis } from 'ioredis';
import { redisCall } from '../redis-connection.js';
import type { RedisKeys } from '../redis-keys.js';
import { LOCKOUT_HISTORY_TTL_MS, resolveLockoutOptions, type LockoutOptions } from './local-pairing-store.js';
import type { PairingStore } from './pairing-store.js';

export interface RedisPairingStoreOptions extends LockoutOptions {
  /** A client made by connectRedis (scripts defined); owned by the caller, not closed here. */
  redis: Redis;
  keys: RedisKeys;
}

/**
 * The code's hash is one string key; redeeming is compare-and-delete in one script, so of any number of
 * concurrent right codes on any instances exactly one wins. Lockouts run on Redis's clock; a client's record
 * expires a day after its last failure or lockout, which bounds Redis without a max-keys setting.
 */
export class RedisPairingStore implements PairingStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #lockout: Required<LockoutOptions>;

  constructor(options: RedisPairingStoreOptions) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#lockout = resolveLockoutOptions(options);
  }

  async setCode(codeHash: string): Promise<void> {
    await redisCall('pairing code set', () => this.#redis.set(this.#keys.pairingCode(), codeHash));
  }

  async setCodeIfAbsent(codeHash: string): Promise<boolean> {
    const reply = await redisCall('pairing code set', () => this.#redis.set(this.#keys.pairingCode(), codeHash, 'NX'));
    return reply === 'OK';
  }

  async hasCode(): Promise<boolean> {
    return (await redisCall('pairing code check', () => this.#redis.exists(this.#keys.pairingCode()))) === 1;
  }

  async redeemCode(codeHash: string): Promise<boolean> {
    // An empty offer could never match a stored hash; it is not worth a round trip.
    if (codeHash === '') return false;
    const reply = await redisCall('pairing code redeem', () =>
      this.#redis.clawgateRedeemCode(this.#keys.pairingCode(), codeHash),
    );
    return reply === 1;
  }

  async lockoutRemainingMs(clientKey: string): Promise<number> {
    return redisCall('lockout check', () => this.#redis.clawgateLockoutRemaining(this.#keys.lockout(clientKey)));
  }

  async recordFailure(clientKey: string): Promise<number> {
    return redisCall('lockout update', () =>
      this.#redis.clawgateRecordFailure(
        this.#keys.lockout(clientKey),
        this.#lockout.maxFailures,
        this.#lockout.lockoutBaseMs,
        this.#lockout.lockoutMaxMs,
        LOCKOUT_HISTORY_TTL_MS,
      ),
    );
  }

  async clearFailures(clientKey: string): Promise<void> {
    await redisCall('lockout clear', () => this.#redis.del(this.#keys.lockout(clientKey)));
  }

  /** The connection belongs to whoever made it (createStores); nothing to release here. */
  async close(): Promise<void> {}
}
