import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRedisConnections } from '../../../test/helpers/redis-connections.js';
import { canStartRedisServer } from '../../../test/helpers/redis-server.js';
import type { RedisConnection } from '../redis-connection.js';
import { createRedisKeys } from '../redis-keys.js';
import { StateUnavailableError } from '../state-unavailable-error.js';
import { LOCKOUT_HISTORY_TTL_MS } from './local-pairing-store.js';
import { registerPairingStoreContract } from './pairing-store.contract.js';
import { RedisPairingStore } from './redis-pairing-store.js';
import { sha256Hex } from '../../security/tokens.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!canStartRedisServer())('RedisPairingStore', () => {
  const { connect } = useRedisConnections();
  let redis: RedisConnection['client'];
  let other: RedisConnection['client'];
  beforeAll(async () => {
    redis = await connect();
    other = await connect();
  });

  registerPairingStoreContract('RedisPairingStore', () => ({
    lockoutBaseMs: 300,
    marginMs: 150,
    create: async () =>
      new RedisPairingStore({
        redis,
        keys: createRedisKeys(`test:${randomUUID()}:`),
        lockoutBaseMs: 300,
        lockoutMaxMs: 900,
      }),
    advance: (ms) => sleep(ms),
  }));

  function twoInstances() {
    const keys = createRedisKeys(`test:${randomUUID()}:`);
    return [new RedisPairingStore({ redis, keys }), new RedisPairingStore({ redis: other, keys })] as const;
  }

  it('of concurrent right codes on two instances exactly one redeems', async () => {
    const [a, b] = twoInstances();
    expect(await a.setCodeIfAbsent(sha256Hex('123456'))).toBe(true);
    expect(await b.setCodeIfAbsent(sha256Hex('654321'))).toBe(false);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).redeemCode(sha256Hex('123456'))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await b.hasCode()).toBe(false);
  });

  it('shares lockouts: failures on two instances add up, the lockout holds on both', async () => {
    const [a, b] = twoInstances();
    for (let i = 0; i < 4; i++) expect(await (i % 2 ? a : b).recordFailure('9.9.9.9')).toBe(0);
    expect(await a.recordFailure('9.9.9.9')).toBe(60_000);
    expect(await b.lockoutRemainingMs('9.9.9.9')).toBeGreaterThan(59_000);
    await b.clearFailures('9.9.9.9');
    expect(await a.lockoutRemainingMs('9.9.9.9')).toBe(0);
  });

  it('a client record expires (Redis does not keep every client)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new RedisPairingStore({ redis, keys: createRedisKeys(prefix) });
    await store.recordFailure('8.8.8.8');
    const ttl = await redis.pttl(`${prefix}lockout:8.8.8.8`);
    expect(ttl).toBeGreaterThan(LOCKOUT_HISTORY_TTL_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(LOCKOUT_HISTORY_TTL_MS);
  });

  it('rejects with StateUnavailableError when Redis is gone', async () => {
    const client = await connect();
    const store = new RedisPairingStore({ redis: client, keys: createRedisKeys('test:gone:') });
    client.disconnect();
    await expect(store.redeemCode(sha256Hex('1'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.setCode(sha256Hex('1'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.hasCode()).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.lockoutRemainingMs('c')).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.recordFailure('c')).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.clearFailures('c')).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
