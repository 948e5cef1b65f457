import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../test/helpers/fake-clock.js';
import { LocalRateLimiter, SWEEP_INTERVAL_MS } from './local-rate-limiter.js';
import { registerRateLimiterContract } from './rate-limiter.contract.js';

let clock = createFakeClock();
registerRateLimiterContract('LocalRateLimiter', () => ({
  windowMs: 60_000,
  marginMs: 0,
  create: async ({ limit, maxKeys = 1000 }) => {
    clock = createFakeClock();
    return new LocalRateLimiter({ limit, maxKeys, now: clock.now });
  },
  advance: async (ms) => clock.advance(ms),
}));

describe('LocalRateLimiter', () => {
  it('rejects bad options when built', () => {
    expect(() => new LocalRateLimiter({ limit: -1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new LocalRateLimiter({ limit: 1.5, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new LocalRateLimiter({ limit: 1, maxKeys: 0 })).toThrow(RangeError);
    expect(() => new LocalRateLimiter({ limit: 1, maxKeys: 1, windowMs: 1500 })).toThrow(RangeError);
  });

  it('counts a request until exactly one window after it: the boundary', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 1, maxKeys: 10, now: c.now });
    expect((await limiter.hit('k')).allowed).toBe(true);
    c.advance(59_999);
    expect((await limiter.hit('k')).allowed).toBe(false);
    c.advance(1);
    expect((await limiter.hit('k')).allowed).toBe(true);
  });

  it('resetSecs is the whole seconds until the oldest counted request leaves, 1..60', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 2, maxKeys: 10, now: c.now });
    expect((await limiter.hit('k')).resetSecs).toBe(60);
    c.advance(17_400);
    expect((await limiter.hit('k')).resetSecs).toBe(43); // 42.6 s left of the first: rounded up
    c.advance(42_000);
    expect(await limiter.hit('k')).toMatchObject({ allowed: false, resetSecs: 1 }); // 0.6 s left: at least 1
    c.advance(600);
    // The first left; the oldest counted is now the second, 17.4 s younger.
    expect(await limiter.hit('k')).toMatchObject({ allowed: true, remaining: 0, resetSecs: 18 });
  });

  it('uses its own window length', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 1, windowMs: 10_000, maxKeys: 10, now: c.now });
    expect(limiter.windowSecs).toBe(10);
    expect((await limiter.hit('k')).resetSecs).toBe(10);
    c.advance(10_000);
    expect((await limiter.hit('k')).allowed).toBe(true);
  });

  it('limit 0 tracks no key', async () => {
    const limiter = new LocalRateLimiter({ limit: 0, maxKeys: 10 });
    for (let i = 0; i < 100; i++) await limiter.hit(`k${i}`);
    expect(limiter.size).toBe(0);
  });

  it('when full of live keys, evicts the least recently seen one', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 1, maxKeys: 3, now: c.now });
    await limiter.hit('a');
    await limiter.hit('b');
    await limiter.hit('c');
    await limiter.hit('a'); // rejected, but seen: 'b' is now the least recently seen
    expect((await limiter.hit('d')).allowed).toBe(true);
    expect(limiter.size).toBe(3);
    expect((await limiter.hit('a')).allowed).toBe(false); // kept, still limited
    expect((await limiter.hit('c')).allowed).toBe(false); // kept
    expect((await limiter.hit('b')).allowed).toBe(true); // was evicted: starts afresh
  });

  it('when full, sweeps stale keys before evicting a live one', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 1, maxKeys: 3, now: c.now });
    await limiter.hit('stale'); // t = 0
    c.advance(50_000);
    await limiter.hit('live'); // t = 50 s
    c.advance(5_000);
    expect((await limiter.hit('stale')).allowed).toBe(false); // seen again: 'live' is now least recently seen
    c.advance(6_000); // t = 61 s: 'stale' has nothing left in the window, 'live' has
    await limiter.hit('x');
    await limiter.hit('new'); // full: the sweep drops 'stale' instead of evicting 'live'
    expect(limiter.size).toBe(3);
    expect((await limiter.hit('live')).allowed).toBe(false);
    expect((await limiter.hit('stale')).allowed).toBe(true); // forgotten: starts afresh (evicts 'live' now)
  });

  it('sweeps stale keys at least every 5 minutes', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 5, maxKeys: 1000, now: c.now });
    for (let i = 0; i < 100; i++) await limiter.hit(`k${i}`);
    c.advance(SWEEP_INTERVAL_MS - 1);
    await limiter.hit('k0');
    expect(limiter.size).toBe(100);
    c.advance(1);
    await limiter.hit('k1');
    expect(limiter.size).toBe(2); // only the two keys just hit are left
  });

  it('stays bounded under a million distinct keys', async () => {
    const c = createFakeClock();
    const limiter = new LocalRateLimiter({ limit: 60, maxKeys: 10_000, now: c.now });
    for (let i = 0; i < 1_000_000; i++) {
      if (i % 1000 === 0) c.advance(1);
      await limiter.hit(`203.0.${i >>> 8}.${i & 255}`);
    }
    expect(limiter.size).toBe(10_000);
  });

  it('close() forgets every key', async () => {
    const limiter = new LocalRateLimiter({ limit: 1, maxKeys: 10 });
    await limiter.hit('k');
    await limiter.close();
    expect(limiter.size).toBe(0);
  });
});
