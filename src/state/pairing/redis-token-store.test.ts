import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRedisConnections } from '../../../test/helpers/redis-connections.js';
import { canStartRedisServer } from '../../../test/helpers/redis-server.js';
import type { RedisConnection } from '../redis-connection.js';
import { createRedisKeys } from '../redis-keys.js';
import { StateUnavailableError } from '../state-unavailable-error.js';
import { RedisTokenStore } from './redis-token-store.js';
import { registerTokenStoreContract } from './token-store.contract.js';
import { sha256Hex } from '../../security/tokens.js';

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
    const a = await RedisTokenStore.create({ redis, keys }, [sha256Hex('zc_1')]);
    const b = await RedisTokenStore.create({ redis: other, keys }, [sha256Hex('zc_1')]);
    expect(await b.verify(sha256Hex('zc_1'))).toBe(true);
    expect(await a.remove(sha256Hex('zc_1'))).toBe(true);
    expect(await b.verify(sha256Hex('zc_1'))).toBe(false);
  });

  it("a revoked token does not come back from another instance's config file; a new pairing can add it", async () => {
    const keys = createRedisKeys(`test:${randomUUID()}:`);
    const a = await RedisTokenStore.create({ redis, keys }, [sha256Hex('zc_1'), sha256Hex('zc_2')]);
    await a.remove(sha256Hex('zc_1'));
    // Another instance starts later with the old config file.
    const b = await RedisTokenStore.create({ redis: other, keys }, [sha256Hex('zc_1'), sha256Hex('zc_2'), sha256Hex('zc_3')]);
    expect(await b.verify(sha256Hex('zc_1'))).toBe(false);
    expect(await a.verify(sha256Hex('zc_3'))).toBe(true);
    expect(await a.count()).toBe(2);
    await b.add(sha256Hex('zc_1'));
    expect(await a.verify(sha256Hex('zc_1'))).toBe(true);
  });

  it('keeps createdAt and lastUsedAt from its clock', async () => {
    let t = 1_000;
    const store = await RedisTokenStore.create({ redis, keys: createRedisKeys(`test:${randomUUID()}:`), now: () => t }, [
      sha256Hex('zc_old'),
    ]);
    await store.add(sha256Hex('zc_new'));
    t = 2_000;
    await store.verify(sha256Hex('zc_new'));
    const records = await store.list();
    expect(records.find((r) => r.hash === sha256Hex('zc_new'))).toEqual({ hash: sha256Hex('zc_new'), createdAt: 1_000, lastUsedAt: 2_000 });
    expect(records.find((r) => r.hash === sha256Hex('zc_old'))).toEqual({ hash: sha256Hex('zc_old') });
  });

  it('rejects with StateUnavailableError when Redis is gone', async () => {
    const client = await connect();
    const store = new RedisTokenStore({ redis: client, keys: createRedisKeys('test:gone:') });
    client.disconnect();
    await expect(store.verify(sha256Hex('x'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.add(sha256Hex('x'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.remove(sha256Hex('x'))).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.list()).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.count()).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.seed([sha256Hex('x')])).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
