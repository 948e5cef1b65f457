// The RateLimiter suite every implementation's test runs (spec §3).
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimiter } from './rate-limiter.js';

export interface RateLimiterHarness {
  /** Window of the limiters create() builds: a whole number of seconds. */
  windowMs: number;
  /** A fresh limiter with its own state. */
  create(options: { limit: number; maxKeys?: number }): Promise<RateLimiter>;
  /** Lets `ms` pass for the limiters: a fake clock moved, or a real sleep for a store with its own clock. */
  advance(ms: number): Promise<void>;
  /** Slack added to each wait when time is real; 0 for a fake clock. */
  marginMs: number;
}

/** Registers the contract; `harness` is read when each test runs (so beforeAll can build it). */
export function registerRateLimiterContract(name: string, harness: () => RateLimiterHarness): void {
  describe(`${name}: RateLimiter contract`, () => {
    const created: RateLimiter[] = [];
    const create = async (options: { limit: number; maxKeys?: number }): Promise<RateLimiter> => {
      const limiter = await harness().create(options);
      created.push(limiter);
      return limiter;
    };
    afterEach(async () => {
      await Promise.all(created.splice(0).map((limiter) => limiter.close()));
    });

    it('reports its limit and window', async () => {
      const limiter = await create({ limit: 7 });
      expect(limiter.limit).toBe(7);
      expect(limiter.windowSecs).toBe(harness().windowMs / 1000);
    });

    it('admits `limit` requests per window, counting remaining down, then rejects', async () => {
      const limiter = await create({ limit: 3 });
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await limiter.hit('10.0.0.1'));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
      for (const decision of decisions) {
        expect(decision.limit).toBe(3);
        expect(decision.resetSecs).toBeGreaterThanOrEqual(1);
        expect(decision.resetSecs).toBeLessThanOrEqual(limiter.windowSecs);
        expect(Number.isInteger(decision.resetSecs)).toBe(true);
      }
    });

    it('keeps keys apart', async () => {
      const limiter = await create({ limit: 1 });
      expect((await limiter.hit('a')).allowed).toBe(true);
      expect((await limiter.hit('a')).allowed).toBe(false);
      expect((await limiter.hit('b')).allowed).toBe(true);
      expect((await limiter.hit('::ffff:a')).allowed).toBe(true);
    });

    it('keeps two limiters apart', async () => {
      const first = await create({ limit: 1 });
      const second = await create({ limit: 1 });
      expect((await first.hit('a')).allowed).toBe(true);
      expect((await second.hit('a')).allowed).toBe(true);
    });

    it('admits again once the window has passed', async () => {
      const { windowMs, marginMs } = harness();
      const limiter = await create({ limit: 2 });
      await limiter.hit('k');
      await limiter.hit('k');
      expect((await limiter.hit('k')).allowed).toBe(false);
      await harness().advance(windowMs + marginMs);
      const again = await limiter.hit('k');
      expect(again).toMatchObject({ allowed: true, remaining: 1 });
    });

    it('slides: a request leaves the window one window after it was admitted, rejected ones never count', async () => {
      const { windowMs, marginMs } = harness();
      const limiter = await create({ limit: 2 });
      expect((await limiter.hit('k')).allowed).toBe(true);
      await harness().advance(windowMs / 2);
      expect((await limiter.hit('k')).allowed).toBe(true);
      for (let i = 0; i < 5; i++) expect((await limiter.hit('k')).allowed).toBe(false);
      await harness().advance(windowMs / 2 + marginMs);
      // Only the first request has left: one slot is free. Had the rejected hits counted, none would be.
      expect(await limiter.hit('k')).toMatchObject({ allowed: true, remaining: 0 });
      expect((await limiter.hit('k')).allowed).toBe(false);
    });

    it('limit 0 admits everything and stores nothing', async () => {
      const limiter = await create({ limit: 0 });
      for (let i = 0; i < 500; i++) {
        expect(await limiter.hit(`k${i % 3}`)).toEqual({ allowed: true, limit: 0, remaining: 0, resetSecs: 0 });
      }
    });
  });
}
