import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRedisConnections } from '../../../test/helpers/redis-connections.js';
import { canStartRedisServer } from '../../../test/helpers/redis-server.js';
import type { RedisConnection } from '../redis-connection.js';
import { createRedisKeys } from '../redis-keys.js';
import { StateUnavailableError } from '../state-unavailable-error.js';
import { registerRateLimiterContract } from './rate-limiter.contract.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!canStartRedisServer())('RedisRateLimiter', () => {
  const { connect } = useRedisConnections();
  let redis: RedisConnection['client'];
  beforeAll(async () => {
    redis = await connect();
  });

  // Real time on Redis's clock: a 2 s window keeps the suite short while leaving room for scheduling.
  registerRateLimiterContract('RedisRateLimiter', () => ({
    windowMs: 2_000,
    marginMs: 150,
    create: async ({ limit }) =>
      new RedisRateLimiter({ redis, keys: createRedisKeys(`test:${randomUUID()}:`), name: 'webhook', limit, windowMs: 2_000 }),
    advance: (ms) => sleep(ms),
  }));

  it('keeps a key only while something in it counts', async () => {
    const prefix = `test:${randomUUID()}:`;
    const limiter = new RedisRateLimiter({ redis, keys: createRedisKeys(prefix), name: 'pair', limit: 3, windowMs: 60_000 });
    await limiter.hit('10.1.1.1');
    const key = `${prefix}ratelimit:pair:10.1.1.1`;
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await redis.zcard(key)).toBe(1);
    // A full 60 s window reports whole seconds 1..60.
    expect((await limiter.hit('10.1.1.1')).resetSecs).toBe(60);
  });

  it('limit 0 stores nothing', async () => {
    const prefix = `test:${randomUUID()}:`;
    const limiter = new RedisRateLimiter({ redis, keys: createRedisKeys(prefix), name: 'webhook', limit: 0 });
    for (let i = 0; i < 10; i++) await limiter.hit(`k${i}`);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });

  it('is exact across instances: two clients share one limit under concurrency', async () => {
    const second = await connect();
    const keys = createRedisKeys(`test:${randomUUID()}:`);
    const a = new RedisRateLimiter({ redis, keys, name: 'webhook', limit: 10 });
    const b = new RedisRateLimiter({ redis: second, keys, name: 'webhook', limit: 10 });
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit('1.2.3.4')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect((await a.hit('1.2.3.4')).allowed).toBe(false);
  });

  it('rejects with StateUnavailableError when Redis is gone', async () => {
    const client = await connect();
    const limiter = new RedisRateLimiter({ redis: client, keys: createRedisKeys('test:gone:'), name: 'webhook', limit: 5 });
    client.disconnect();
    await expect(limiter.hit('k')).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
