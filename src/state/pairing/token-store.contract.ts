// The TokenStore suite every implementation's test runs (spec §2).
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenStore } from './pairing-store.js';
import { sha256Hex } from '../../security/tokens.js';

export interface TokenStoreHarness {
  /** A fresh store (its own state) seeded with `initialHashes`, as from the config file. */
  create(initialHashes: string[]): Promise<TokenStore>;
}

/** Registers the contract; `harness` is read when each test runs (so beforeAll can build it). */
export function registerTokenStoreContract(name: string, harness: () => TokenStoreHarness): void {
  describe(`${name}: TokenStore contract`, () => {
    const created: TokenStore[] = [];
    const create = async (initialHashes: string[]): Promise<TokenStore> => {
      const store = await harness().create(initialHashes);
      created.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(created.splice(0).map((store) => store.close()));
    });

    it('verifies the seeded hashes and nothing else', async () => {
      const store = await create([sha256Hex('zc_a'), sha256Hex('zc_b')]);
      expect(await store.count()).toBe(2);
      expect(await store.verify(sha256Hex('zc_a'))).toBe(true);
      expect(await store.verify(sha256Hex('zc_b'))).toBe(true);
      expect(await store.verify(sha256Hex('zc_c'))).toBe(false);
      expect(await store.verify('')).toBe(false);
    });

    it('an empty store has no tokens', async () => {
      const store = await create([]);
      expect(await store.count()).toBe(0);
      expect(await store.list()).toEqual([]);
    });

    it('add() pairs a token with its creation time; verify() records the last use', async () => {
      const store = await create([sha256Hex('zc_old')]);
      const before = Date.now();
      await store.add(sha256Hex('zc_new'));
      expect(await store.verify(sha256Hex('zc_new'))).toBe(true);
      expect(await store.count()).toBe(2);
      const records = await store.list();
      const added = records.find((r) => r.hash === sha256Hex('zc_new'));
      const old = records.find((r) => r.hash === sha256Hex('zc_old'));
      expect(added?.createdAt).toBeGreaterThanOrEqual(before - 60_000);
      expect(added?.lastUsedAt).toBeGreaterThanOrEqual(added?.createdAt ?? Infinity);
      expect(old).toEqual({ hash: sha256Hex('zc_old') });
    });

    it('remove() revokes: the token no longer verifies', async () => {
      const store = await create([sha256Hex('zc_a'), sha256Hex('zc_b')]);
      expect(await store.remove(sha256Hex('zc_a'))).toBe(true);
      expect(await store.remove(sha256Hex('zc_a'))).toBe(false);
      expect(await store.remove(sha256Hex('zc_unknown'))).toBe(false);
      expect(await store.verify(sha256Hex('zc_a'))).toBe(false);
      expect(await store.verify(sha256Hex('zc_b'))).toBe(true);
      expect((await store.list()).map((r) => r.hash)).toEqual([sha256Hex('zc_b')]);
      expect(await store.count()).toBe(1);
    });

    it('add() of a token already there keeps one record', async () => {
      const store = await create([sha256Hex('zc_a')]);
      await store.add(sha256Hex('zc_a'));
      expect(await store.count()).toBe(1);
    });
  });
}
