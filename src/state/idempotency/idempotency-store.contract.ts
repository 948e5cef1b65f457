// The IdempotencyStore suite every implementation's test runs (spec §4).
import { afterEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore, StoredResponse } from './idempotency-store.js';

export interface IdempotencyStoreHarness {
  /** TTLs the stores create() builds use: short when time is real. */
  ttlMs: number;
  inFlightTtlMs: number;
  /** A fresh store with its own state. */
  create(): Promise<IdempotencyStore>;
  /** Lets `ms` pass for the stores: a fake clock moved, or a real sleep. */
  advance(ms: number): Promise<void>;
  /** Slack added to each wait when time is real; 0 for a fake clock. */
  marginMs: number;
}

const RESPONSE: StoredResponse = {
  status: 200,
  body: { response: 'hello — ✓', model: 'm', nested: { list: [1, 'two', null], flag: true } },
};

/** Registers the contract; `harness` is read when each test runs (so beforeAll can build it). */
export function registerIdempotencyStoreContract(name: string, harness: () => IdempotencyStoreHarness): void {
  describe(`${name}: IdempotencyStore contract`, () => {
    const created: IdempotencyStore[] = [];
    const create = async (): Promise<IdempotencyStore> => {
      const store = await harness().create();
      created.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(created.splice(0).map((store) => store.close()));
    });

    it('claims a free key once; a repeat while unfinished is in_progress', async () => {
      const store = await create();
      expect(await store.claim('scope', 'key-1')).toEqual({ outcome: 'claimed' });
      expect(await store.claim('scope', 'key-1')).toEqual({ outcome: 'in_progress' });
      expect(await store.claim('scope', 'key-2')).toEqual({ outcome: 'claimed' });
    });

    it('replays the stored response after complete()', async () => {
      const store = await create();
      await store.claim('scope', 'k');
      await store.complete('scope', 'k', RESPONSE);
      expect(await store.claim('scope', 'k')).toEqual({ outcome: 'done', response: RESPONSE });
      expect(await store.claim('scope', 'k')).toEqual({ outcome: 'done', response: RESPONSE });
    });

    it('scopes keys: the same key under another token is a different record', async () => {
      const store = await create();
      await store.claim('token-a', 'k');
      await store.complete('token-a', 'k', RESPONSE);
      expect(await store.claim('token-b', 'k')).toEqual({ outcome: 'claimed' });
      expect(await store.claim('global', 'k')).toEqual({ outcome: 'claimed' });
      // A separator inside scope or key cannot make two pairs collide.
      expect(await store.claim('a:b', 'c')).toEqual({ outcome: 'claimed' });
      expect(await store.claim('a', 'b:c')).toEqual({ outcome: 'claimed' });
    });

    it('release() frees an unfinished claim, so the retry is processed', async () => {
      const store = await create();
      await store.claim('s', 'k');
      await store.release('s', 'k');
      expect(await store.claim('s', 'k')).toEqual({ outcome: 'claimed' });
    });

    it('release() leaves a done record alone, and is harmless on an unknown key', async () => {
      const store = await create();
      await store.claim('s', 'k');
      await store.complete('s', 'k', RESPONSE);
      await store.release('s', 'k');
      await store.release('s', 'unknown');
      expect(await store.claim('s', 'k')).toEqual({ outcome: 'done', response: RESPONSE });
    });

    it('a done record expires after the TTL', async () => {
      const { ttlMs, marginMs } = harness();
      const store = await create();
      await store.claim('s', 'k');
      await store.complete('s', 'k', RESPONSE);
      await harness().advance(ttlMs / 2);
      expect((await store.claim('s', 'k')).outcome).toBe('done');
      await harness().advance(ttlMs / 2 + marginMs);
      expect(await store.claim('s', 'k')).toEqual({ outcome: 'claimed' });
    });

    it('an unfinished claim expires after the in-flight lease (a crashed request does not hold it)', async () => {
      const { inFlightTtlMs, marginMs } = harness();
      const store = await create();
      await store.claim('s', 'k');
      await harness().advance(inFlightTtlMs + marginMs);
      expect(await store.claim('s', 'k')).toEqual({ outcome: 'claimed' });
    });

    it('of many concurrent claims of one key exactly one wins', async () => {
      const store = await create();
      const outcomes = await Promise.all(Array.from({ length: 25 }, () => store.claim('s', 'race')));
      expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.outcome === 'in_progress')).toHaveLength(24);
    });
  });
}
