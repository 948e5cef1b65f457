import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../test/helpers/fake-clock.js';
import { LOCKOUT_HISTORY_TTL_MS, LocalPairingStore, lockoutLengthMs, resolveLockoutOptions } from './local-pairing-store.js';
import { registerPairingStoreContract } from './pairing-store.contract.js';

let clock = createFakeClock();
registerPairingStoreContract('LocalPairingStore', () => ({
  lockoutBaseMs: 60_000,
  marginMs: 0,
  create: async () => {
    clock = createFakeClock();
    return new LocalPairingStore({ lockoutMaxMs: 180_000, maxKeys: 100, now: clock.now });
  },
  advance: async (ms) => clock.advance(ms),
}));

async function lockOut(store: LocalPairingStore, client: string): Promise<number> {
  let length = 0;
  for (let i = 0; i < 5; i++) length = await store.recordFailure(client);
  return length;
}

describe('LocalPairingStore', () => {
  it('rejects bad options when built', () => {
    expect(() => new LocalPairingStore({ maxKeys: 0 })).toThrow(RangeError);
    expect(() => new LocalPairingStore({ maxKeys: 1, maxFailures: 0 })).toThrow(RangeError);
    expect(() => new LocalPairingStore({ maxKeys: 1, lockoutBaseMs: 10, lockoutMaxMs: 5 })).toThrow(RangeError);
  });

  it('defaults: 60, 120, 240, ... capped at 3600 s', () => {
    const options = resolveLockoutOptions({});
    const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => lockoutLengthMs(n, options) / 1000);
    expect(lengths).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it('the lockout lasts exactly its length, counting down', async () => {
    const c = createFakeClock();
    const store = new LocalPairingStore({ maxKeys: 10, now: c.now });
    expect(await lockOut(store, 'ip')).toBe(60_000);
    c.advance(15_500);
    expect(await store.lockoutRemainingMs('ip')).toBe(44_500);
    c.advance(44_499);
    expect(await store.lockoutRemainingMs('ip')).toBe(1);
    c.advance(1);
    expect(await store.lockoutRemainingMs('ip')).toBe(0);
  });

  it('doubles through the defaults up to the cap, then stays there', async () => {
    const c = createFakeClock();
    const store = new LocalPairingStore({ maxKeys: 10, now: c.now });
    const seen = [];
    for (let i = 0; i < 8; i++) {
      const length = await lockOut(store, 'ip');
      seen.push(length / 1000);
      c.advance(length);
    }
    expect(seen).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('forgets a client a day after its last lockout ended', async () => {
    const c = createFakeClock();
    const store = new LocalPairingStore({ maxKeys: 10, now: c.now });
    expect(await lockOut(store, 'ip')).toBe(60_000);
    c.advance(60_000 + LOCKOUT_HISTORY_TTL_MS - 1);
    expect(await lockOut(store, 'ip')).toBe(120_000);
    c.advance(120_000 + LOCKOUT_HISTORY_TTL_MS);
    expect(await lockOut(store, 'ip')).toBe(60_000);
  });

  it('holds at most maxKeys clients, evicting the oldest', async () => {
    const c = createFakeClock();
    const store = new LocalPairingStore({ maxKeys: 2, now: c.now });
    await lockOut(store, 'a');
    await lockOut(store, 'b');
    await store.recordFailure('c'); // evicts 'a', the oldest
    expect(await store.lockoutRemainingMs('a')).toBe(0);
    expect(await store.lockoutRemainingMs('b')).toBe(60_000);
  });

  it('compares codes of any length without throwing', async () => {
    const store = new LocalPairingStore({ maxKeys: 1 });
    await store.setCode('a'.repeat(64));
    expect(await store.redeemCode('a'.repeat(63))).toBe(false);
    expect(await store.redeemCode('a'.repeat(65))).toBe(false);
    expect(await store.redeemCode('é'.repeat(32))).toBe(false);
    expect(await store.redeemCode('a'.repeat(64))).toBe(true);
  });
});
