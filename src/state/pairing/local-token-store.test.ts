import { describe, expect, it } from 'vitest';
import { LocalTokenStore } from './local-token-store.js';
import { registerTokenStoreContract } from './token-store.contract.js';

registerTokenStoreContract('LocalTokenStore', () => ({
  create: async (initialHashes) => new LocalTokenStore(initialHashes),
}));

describe('LocalTokenStore', () => {
  it('records times from its clock', async () => {
    let t = 1000;
    const store = new LocalTokenStore(['seeded'], { now: () => t });
    await store.add('added');
    t = 2000;
    await store.verify('added');
    await store.verify('seeded');
    expect(await store.list()).toEqual([
      { hash: 'seeded', lastUsedAt: 2000 },
      { hash: 'added', createdAt: 1000, lastUsedAt: 2000 },
    ]);
  });

  it('list() answers copies', async () => {
    const store = new LocalTokenStore(['h']);
    const [record] = await store.list();
    if (record) record.lastUsedAt = 5;
    expect(await store.list()).toEqual([{ hash: 'h' }]);
  });
});
