import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../test/helpers/fake-clock.js';
import { registerIdempotencyStoreContract } from './idempotency-store.contract.js';
import { LocalIdempotencyStore } from './local-idempotency-store.js';

let clock = createFakeClock();
registerIdempotencyStoreContract('LocalIdempotencyStore', () => ({
  ttlMs: 300_000,
  inFlightTtlMs: 60_000,
  marginMs: 0,
  create: async () => {
    clock = createFakeClock();
    return new LocalIdempotencyStore({ ttlMs: 300_000, inFlightTtlMs: 60_000, maxKeys: 100, now: clock.now });
  },
  advance: async (ms) => clock.advance(ms),
}));

const response = { status: 200, body: { response: 'r' } };

describe('LocalIdempotencyStore', () => {
  it('rejects bad options when built', () => {
    expect(() => new LocalIdempotencyStore({ ttlMs: 0, maxKeys: 1, inFlightTtlMs: 1 })).toThrow(RangeError);
    expect(() => new LocalIdempotencyStore({ ttlMs: 1, maxKeys: 0, inFlightTtlMs: 1 })).toThrow(RangeError);
    expect(() => new LocalIdempotencyStore({ ttlMs: 1, maxKeys: 1, inFlightTtlMs: 0.5 })).toThrow(RangeError);
  });

  it('the TTL counts from completion, not from the claim', async () => {
    const c = createFakeClock();
    const store = new LocalIdempotencyStore({ ttlMs: 1000, inFlightTtlMs: 5000, maxKeys: 10, now: c.now });
    await store.claim('s', 'k');
    c.advance(3000);
    await store.complete('s', 'k', response);
    c.advance(999);
    expect((await store.claim('s', 'k')).outcome).toBe('done');
    c.advance(1);
    expect((await store.claim('s', 'k')).outcome).toBe('claimed');
  });

  it('holds at most maxKeys records, evicting the oldest', async () => {
    const c = createFakeClock();
    const store = new LocalIdempotencyStore({ ttlMs: 60_000, inFlightTtlMs: 60_000, maxKeys: 3, now: c.now });
    for (const key of ['a', 'b', 'c']) {
      await store.claim('s', key);
      await store.complete('s', key, response);
    }
    await store.claim('s', 'd');
    expect(store.size).toBe(3);
    expect((await store.claim('s', 'a')).outcome).toBe('claimed'); // evicted: processed again (evicts 'b')
    expect((await store.claim('s', 'c')).outcome).toBe('done');
    expect((await store.claim('s', 'd')).outcome).toBe('in_progress');
  });

  it('sweeps expired records over time', async () => {
    const c = createFakeClock();
    const store = new LocalIdempotencyStore({ ttlMs: 1000, inFlightTtlMs: 1000, maxKeys: 100, now: c.now });
    for (let i = 0; i < 50; i++) await store.claim('s', `k${i}`);
    c.advance(120_000);
    await store.claim('s', 'fresh');
    expect(store.size).toBe(1);
  });

  it('keeps its own copy of the response', async () => {
    const store = new LocalIdempotencyStore({ ttlMs: 1000, inFlightTtlMs: 1000, maxKeys: 10 });
    const body: Record<string, unknown> = { response: 'first' };
    await store.claim('s', 'k');
    await store.complete('s', 'k', { status: 200, body });
    body.response = 'changed';
    expect(await store.claim('s', 'k')).toEqual({ outcome: 'done', response: { status: 200, body: { response: 'first' } } });
  });
});
