import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRedisConnections } from '../../../test/helpers/redis-connections.js';
import { canStartRedisServer } from '../../../test/helpers/redis-server.js';
import type { RedisConnection } from '../redis-connection.js';
import { createRedisKeys } from '../redis-keys.js';
import { StateUnavailableError } from '../state-unavailable-error.js';
import { RedisTokenStore } from './redis-token-store.js';
import { registerTokenStoreContract } from './token-store.contract.js';

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

describe.skipIf(!canStartRedisServer())('RedisTokenStore', () => {
  const { connect } = useRedisConnections();
  let redis: RedisConnection['client'];
  let other: RedisConnection['client'];
  beforeAll(async () => {
    redis = await connect();
    other = await connect();
  });

  registerTokenStoreContract('RedisTokenStore', () => ({
    create: (initialHashes) =>
      RedisTokenStore.create({ redis, keys: createRedisKeys(`test:${randomUUID()}:`) }, initialHashes),
  }));

  it('a revocation on one instance is seen by the other at once', async () => {
    const keys = createRedisKeys(`test:${randomUUID()}:`);
    const a = await RedisTokenStore.create({ redis, keys }, [hashOf('zc_1')]);
    const b = await RedisTokenStore.create({ redis: other, keys }, [hashOf('zc_1')]);
    expect(await b.verify(hashOf('zc_1'))).toBe(true);
    expect(await a.remove(hashOf('zc_1'))).toBe(true);
    expect(await b.verify(hashOf('zc_1'))).toBe(false);
  });

  it("a revoked token does not come back from another instance's config file; a new pairing can add it", async () => {
    const keys = createRedisKeys(`test:${randomUUID()}:`);
    const a = await RedisTokenStore.create({ redis, keys }, [hashOf('zc_1'), hashOf('zc_2')]);
    await a.remove(hashOf('zc_1'));
    // Another instance starts later with the old config file.
    const b = await RedisTokenStore.create({ redis: other, keys }, [hashOf('zc_1'), hashOf('zc_2'), hashOf('zc_3')]);
    expect(await b.verify(hashOf('zc_1'))).toBe(false);
    expect(await a.verify(hashOf('zc_3'))).toBe(true);
    expect(await a.count()).toBe(2);
    await b.add(hashOf('zc_1'));
    expect(await a.verify(hashOf('zc_1'))).toBe(true);
  });

  it('keeps createdAt and lastUsedAt from its clock', async () => {
    let t = 1_000;
    const store = await RedisTokenStore.create({ redis, keys: createRedisKeys(`test:${randomUUID()}:`), now: () => t }, [
      hashOf('zc_old'),
    ]);
    await store.add(hashOf('zc_new'));
    t = 2_000;
    await store.verify(hashOf('zc_new'));
    const records = await store.list();
    expect(records.find((r) => r.hash === hashOf('zc_new'))).toEqual({ hash: hashOf('zc_new'), createdAt: 1_000, lastUsedAt: 2_000 });
    expect(records.find((r) => r.hash === hashOf('zc_old'))).toEqual({ hash: hashOf('zc_old') });
  });

  it('rejects with StateUnavailableError when Redis is gone', async () => {
    const client = await connect();
    const store = new RedisTokenStore({ redis: client, keys: createRedisKeys('test:gone:') });
    client.disconnect();
    await expect(store.verify(hashOf('x'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.add(hashOf('x'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.remove(hashOf('x'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.list()).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.count()).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.seed([hashOf('x')])).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
