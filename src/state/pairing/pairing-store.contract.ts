// The PairingStore suite every implementation's test runs (spec §2).
import { afterEach, describe, expect, it } from 'vitest';
import type { PairingStore } from './pairing-store.js';
import { sha256Hex } from '../../security/tokens.js';

export interface PairingStoreHarness {
  /** Lockout settings of the stores create() builds: short when time is real. Max must be 3 × base. */
  lockoutBaseMs: number;
  /** A fresh store with its own state (maxFailures 5, lockoutMaxMs 3 × lockoutBaseMs). */
  create(): Promise<PairingStore>;
  /** Lets `ms` pass for the stores: a fake clock moved, or a real sleep. */
  advance(ms: number): Promise<void>;
  /** Slack added to each wait when time is real; 0 for a fake clock. */
  marginMs: number;
}

/** Registers the contract; `harness` is read when each test runs (so beforeAll can build it). */
export function registerPairingStoreContract(name: string, harness: () => PairingStoreHarness): void {
  describe(`${name}: PairingStore contract`, () => {
    const created: PairingStore[] = [];
    const create = async (): Promise<PairingStore> => {
      const store = await harness().create();
      created.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(created.splice(0).map((store) => store.close()));
    });

    /** Fails `client` until the lockout starts; answers the lockout length. */
    const failUntilLocked = async (store: PairingStore, client: string): Promise<number> => {
      for (let i = 1; i < 5; i++) expect(await store.recordFailure(client)).toBe(0);
      return store.recordFailure(client);
    };

    it('without a code nothing redeems', async () => {
      const store = await create();
      expect(await store.hasCode()).toBe(false);
      expect(await store.redeemCode(sha256Hex('123456'))).toBe(false);
      expect(await store.redeemCode('')).toBe(false);
    });

    it('redeems the outstanding code exactly once; a wrong code leaves it outstanding', async () => {
      const store = await create();
      await store.setCode(sha256Hex('042917'));
      expect(await store.hasCode()).toBe(true);
      expect(await store.redeemCode(sha256Hex('042918'))).toBe(false);
      expect(await store.redeemCode('short')).toBe(false);
      expect(await store.redeemCode('')).toBe(false);
      expect(await store.hasCode()).toBe(true);
      expect(await store.redeemCode(sha256Hex('042917'))).toBe(true);
      expect(await store.hasCode()).toBe(false);
      expect(await store.redeemCode(sha256Hex('042917'))).toBe(false);
    });

    it('setCode replaces the outstanding code; setCodeIfAbsent does not', async () => {
      const store = await create();
      expect(await store.setCodeIfAbsent(sha256Hex('111111'))).toBe(true);
      expect(await store.setCodeIfAbsent(sha256Hex('222222'))).toBe(false);
      expect(await store.redeemCode(sha256Hex('222222'))).toBe(false);
      await store.setCode(sha256Hex('333333'));
      expect(await store.redeemCode(sha256Hex('111111'))).toBe(false);
      expect(await store.redeemCode(sha256Hex('333333'))).toBe(true);
      expect(await store.setCodeIfAbsent(sha256Hex('444444'))).toBe(true);
    });

    it('of many concurrent redeems of the right code exactly one succeeds', async () => {
      const store = await create();
      await store.setCode(sha256Hex('777777'));
      const results = await Promise.all(Array.from({ length: 30 }, () => store.redeemCode(sha256Hex('777777'))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('the 5th failure starts a lockout of the base length; other clients are unaffected', async () => {
      const { lockoutBaseMs } = harness();
      const store = await create();
      expect(await store.lockoutRemainingMs('1.1.1.1')).toBe(0);
      expect(await failUntilLocked(store, '1.1.1.1')).toBe(lockoutBaseMs);
      const remaining = await store.lockoutRemainingMs('1.1.1.1');
      expect(remaining).toBeGreaterThan(0);
      expect(remaining).toBeLessThanOrEqual(lockoutBaseMs);
      expect(await store.lockoutRemainingMs('2.2.2.2')).toBe(0);
      expect(await store.recordFailure('2.2.2.2')).toBe(0);
      // Failures during the lockout are not counted and start nothing.
      expect(await store.recordFailure('1.1.1.1')).toBe(0);
    });

    it('each further lockout doubles, capped; counting restarts after each lockout', async () => {
      const { lockoutBaseMs, marginMs } = harness();
      const store = await create();
      expect(await failUntilLocked(store, 'c')).toBe(lockoutBaseMs);
      await harness().advance(lockoutBaseMs + marginMs);
      expect(await store.lockoutRemainingMs('c')).toBe(0);
      expect(await failUntilLocked(store, 'c')).toBe(2 * lockoutBaseMs);
      await harness().advance(2 * lockoutBaseMs + marginMs);
      expect(await failUntilLocked(store, 'c')).toBe(3 * lockoutBaseMs); // 4 × base, capped at 3 × base
      await harness().advance(3 * lockoutBaseMs + marginMs);
      expect(await failUntilLocked(store, 'c')).toBe(3 * lockoutBaseMs);
    });

    it('clearFailures forgets the count and the doubling history', async () => {
      const { lockoutBaseMs, marginMs } = harness();
      const store = await create();
      expect(await failUntilLocked(store, 'c')).toBe(lockoutBaseMs);
      await store.clearFailures('c');
      expect(await store.lockoutRemainingMs('c')).toBe(0);
      expect(await failUntilLocked(store, 'c')).toBe(lockoutBaseMs);
      await harness().advance(lockoutBaseMs + marginMs);
      for (let i = 0; i < 3; i++) await store.recordFailure('c');
      await store.clearFailures('c');
      // The three failures before the clear do not count.
      for (let i = 0; i < 4; i++) expect(await store.recordFailure('c')).toBe(0);
    });
  });
}
