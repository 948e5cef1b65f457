import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRedisConnections } from '../../../test/helpers/redis-connections.js';
import { canStartRedisServer } from '../../../test/helpers/redis-server.js';
import type { RedisConnection } from '../redis-connection.js';
import { createRedisKeys } from '../redis-keys.js';
import { StateUnavailableError } from '../state-unavailable-error.js';
import { registerIdempotencyStoreContract } from './idempotency-store.contract.js';
import { RedisIdempotencyStore } from './redis-idempotency-store.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const response = { status: 200, body: { response: 'first answer', model: 'm' } };

describe.skipIf(!canStartRedisServer())('RedisIdempotencyStore', () => {
  const { connect } = useRedisConnections();
  let redis: RedisConnection['client'];
  let other: RedisConnection['client'];
  beforeAll(async () => {
    redis = await connect();
    other = await connect();
  });

  registerIdempotencyStoreContract('RedisIdempotencyStore', () => ({
    ttlMs: 1_000,
    inFlightTtlMs: 500,
    marginMs: 150,
    create: async () =>
      new RedisIdempotencyStore({ redis, keys: createRedisKeys(`test:${randomUUID()}:`), ttlMs: 1_000, inFlightTtlMs: 500 }),
    advance: (ms) => sleep(ms),
  }));

  /** Two instances: two clients, two stores, one key space. */
  function twoInstances(options = { ttlMs: 60_000, inFlightTtlMs: 60_000 }) {
    const keys = createRedisKeys(`test:${randomUUID()}:`);
    return [
      new RedisIdempotencyStore({ redis, keys, ...options }),
      new RedisIdempotencyStore({ redis: other, keys, ...options }),
    ] as const;
  }

  it('of concurrent claims on two instances exactly one wins; the other replays its answer', async () => {
    const [a, b] = twoInstances();
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).claim('tok', 'same')));
    expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
    const winner = outcomes.findIndex((o) => o.outcome === 'claimed') % 2 ? a : b;
    await winner.complete('tok', 'same', response);
    expect(await (winner === a ? b : a).claim('tok', 'same')).toEqual({ outcome: 'done', response });
  });

  it("release() and complete() leave another instance's claim alone", async () => {
    const [a, b] = twoInstances({ ttlMs: 60_000, inFlightTtlMs: 300 });
    expect((await a.claim('tok', 'k')).outcome).toBe('claimed');
    await sleep(450); // a's lease runs out (a is a crashed or stalled instance) ...
    expect((await b.claim('tok', 'k')).outcome).toBe('claimed'); // ... and b takes the key
    await a.release('tok', 'k');
    await a.complete('tok', 'k', { status: 200, body: { response: 'stale' } });
    expect((await a.claim('tok', 'k')).outcome).toBe('in_progress');
    await b.complete('tok', 'k', response);
    expect(await a.claim('tok', 'k')).toEqual({ outcome: 'done', response });
  });

  it('every record has a TTL', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new RedisIdempotencyStore({ redis, keys: createRedisKeys(prefix), ttlMs: 300_000, inFlightTtlMs: 60_000 });
    await store.claim('tok', 'k');
    const [key] = await redis.keys(`${prefix}*`);
    expect(key).toBeDefined();
    const inFlightTtl = await redis.pttl(key ?? '');
    expect(inFlightTtl).toBeGreaterThan(55_000);
    expect(inFlightTtl).toBeLessThanOrEqual(60_000);
    await store.complete('tok', 'k', response);
    expect(await redis.pttl(key ?? '')).toBeGreaterThan(295_000);
  });

  it('rejects with StateUnavailableError when Redis is gone', async () => {
    const client = await connect();
    const store = new RedisIdempotencyStore({ redis: client, keys: createRedisKeys('test:gone:'), ttlMs: 1000, inFlightTtlMs: 1000 });
    client.disconnect();
    await expect(store.claim('s', 'k')).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.complete('s', 'k', response)).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.release('s', 'k')).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
