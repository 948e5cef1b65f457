import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../config/schema.js';
import { createSilentLogger } from '../observability/logger.js';
import { createStores } from './create-stores.js';

function configWith(gateway: Record<string, unknown>): Config {
  return Object.freeze({ ...configSchema.parse({ gateway }), configPath: '/tmp/x/config.toml', dataDir: '/tmp/x' });
}

describe('createStores (memory)', () => {
  it('builds the local stores from [gateway]', async () => {
    let t = 1_700_000_000_000;
    const config = configWith({
      webhook_rate_limit_per_minute: 2,
      pair_rate_limit_per_minute: 1,
      paired_tokens: ['a'.repeat(64)],
      request_timeout_secs: 10,
      idempotency_ttl_secs: 5,
    });
    const stores = await createStores(config, { logger: createSilentLogger(), now: () => t });
    expect(stores.backend).toBe('memory');
    expect(await stores.health()).toBe(true);
    expect([stores.webhookLimiter.limit, stores.webhookLimiter.windowSecs]).toEqual([2, 60]);
    expect([stores.pairLimiter.limit, stores.pairLimiter.windowSecs]).toEqual([1, 60]);
    // Separate state per limiter.
    expect((await stores.pairLimiter.hit('ip')).allowed).toBe(true);
    expect((await stores.pairLimiter.hit('ip')).allowed).toBe(false);
    expect((await stores.webhookLimiter.hit('ip')).allowed).toBe(true);
    expect(await stores.tokens.verify('a'.repeat(64))).toBe(true);
    expect(await stores.tokens.count()).toBe(1);
    // The in-flight lease is the request timeout plus 30 s.
    expect((await stores.idempotency.claim('s', 'k')).outcome).toBe('claimed');
    t += 39_999;
    expect((await stores.idempotency.claim('s', 'k')).outcome).toBe('in_progress');
    t += 1;
    expect((await stores.idempotency.claim('s', 'k')).outcome).toBe('claimed');
    await stores.idempotency.complete('s', 'k', { status: 200, body: {} });
    t += 5_000;
    expect((await stores.idempotency.claim('s', 'k')).outcome).toBe('claimed');
    expect(await stores.pairing.hasCode()).toBe(false);
    await stores.close();
  });

  it('bounds lockout records by rate_limit_max_keys', async () => {
    const stores = await createStores(configWith({ rate_limit_max_keys: 2 }), { logger: createSilentLogger() });
    for (const client of ['a', 'b', 'c']) for (let i = 0; i < 5; i++) await stores.pairing.recordFailure(client);
    expect(await stores.pairing.lockoutRemainingMs('a')).toBe(0);
    expect(await stores.pairing.lockoutRemainingMs('c')).toBeGreaterThan(0);
    await stores.close();
  });
});
