// Two gateway instances = two createStores() on one private Redis: shared limits, one winner, outages (spec §9).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createLogger, createSilentLogger } from '../../src/observability/logger.js';
import { createStores, type Stores } from '../../src/state/create-stores.js';
import { StateUnavailableError } from '../../src/state/state-unavailable-error.js';
import { canStartRedisServer, useRedisServer } from '../helpers/redis-server.js';
import { sha256Hex } from '../../src/security/tokens.js';

function redisConfig(url: string | undefined, options: { prefix?: string; gateway?: Record<string, unknown> } = {}): Config {
  const file = configSchema.parse({
    gateway: options.gateway ?? {},
    state: { backend: 'redis', redis_url: url, key_prefix: options.prefix ?? `test:${randomUUID()}:` },
  });
  return Object.freeze({ ...file, configPath: '/tmp/clawgate-test/config.toml', dataDir: '/tmp/clawgate-test' });
}

/** Resolves once `check` answers true, polling; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const opened: Stores[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((stores) => stores.close()));
});

async function instance(config: Config, logger = createSilentLogger()): Promise<Stores> {
  const stores = await createStores(config, { logger });
  opened.push(stores);
  return stores;
}

describe.skipIf(!canStartRedisServer())('createStores (redis): two instances behave as one', () => {
  const server = useRedisServer();

  async function twoInstances(gateway: Record<string, unknown> = {}): Promise<[Stores, Stores]> {
    const config = redisConfig(server().url, { gateway });
    return [await instance(config), await instance(config)];
  }

  it('builds the Redis stores from [state] and [gateway]', async () => {
    const [a] = await twoInstances({ webhook_rate_limit_per_minute: 7, pair_rate_limit_per_minute: 3 });
    expect(a.backend).toBe('redis');
    expect(await a.health()).toBe(true);
    expect([a.webhookLimiter.limit, a.webhookLimiter.windowSecs]).toEqual([7, 60]);
    expect([a.pairLimiter.limit, a.pairLimiter.windowSecs]).toEqual([3, 60]);
  });

  it('enforces one exact global limit, whichever instance each request hits; limiters stay apart', async () => {
    const [a, b] = await twoInstances({ webhook_rate_limit_per_minute: 10, pair_rate_limit_per_minute: 2 });
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).webhookLimiter.hit('203.0.113.9')),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    const rejected = decisions.find((d) => !d.allowed);
    expect(rejected?.resetSecs).toBeGreaterThanOrEqual(59);
    expect((await a.pairLimiter.hit('203.0.113.9')).allowed).toBe(true);
    expect((await b.pairLimiter.hit('203.0.113.9')).allowed).toBe(true);
    expect((await a.pairLimiter.hit('203.0.113.9')).allowed).toBe(false);
  });

  it('one winner of 50 concurrent correct codes across instances; lockouts shared', async () => {
    const [a, b] = await twoInstances();
    expect(await a.pairing.setCodeIfAbsent(sha256Hex('314159'))).toBe(true);
    expect(await b.pairing.setCodeIfAbsent(sha256Hex('271828'))).toBe(false);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).pairing.redeemCode(sha256Hex('314159'))));
    expect(results.filter(Boolean)).toHaveLength(1);
    for (let i = 0; i < 4; i++) await (i % 2 ? a : b).pairing.recordFailure('198.51.100.1');
    expect(await b.pairing.recordFailure('198.51.100.1')).toBe(60_000);
    expect(await a.pairing.lockoutRemainingMs('198.51.100.1')).toBeGreaterThan(0);
  });

  it('one claim of an idempotency key sent to both instances at once; replay from the other', async () => {
    const [a, b] = await twoInstances();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).idempotency.claim('tok', 'k-1')));
    const winnerIndex = outcomes.findIndex((o) => o.outcome === 'claimed');
    expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
    const [winner, loser] = winnerIndex % 2 ? [a, b] : [b, a];
    const response = { status: 200, body: { response: 'hi', model: 'm' } };
    await winner.idempotency.complete('tok', 'k-1', response);
    expect(await loser.idempotency.claim('tok', 'k-1')).toEqual({ outcome: 'done', response });
  });

  it('tokens: the config files seed them, a revocation is seen everywhere and survives a restart', async () => {
    const prefix = `test:${randomUUID()}:`;
    const tokens = [sha256Hex('zc_a'), sha256Hex('zc_b')];
    const a = await instance(redisConfig(server().url, { prefix, gateway: { paired_tokens: tokens } }));
    const b = await instance(redisConfig(server().url, { prefix, gateway: { paired_tokens: tokens } }));
    expect(await b.tokens.count()).toBe(2);
    expect(await a.tokens.remove(sha256Hex('zc_a'))).toBe(true);
    expect(await b.tokens.verify(sha256Hex('zc_a'))).toBe(false);
    // A third instance starts with the old config file: the revoked token stays revoked.
    const c = await instance(redisConfig(server().url, { prefix, gateway: { paired_tokens: tokens } }));
    expect(await c.tokens.verify(sha256Hex('zc_a'))).toBe(false);
    expect(await c.tokens.verify(sha256Hex('zc_b'))).toBe(true);
  });

  it('without redis_url: a ConfigError naming the key', async () => {
    const error = await createStores(redisConfig(undefined), { logger: createSilentLogger() }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('state.redis_url');
  });

  it('an unreachable Redis at startup: a clear error after the bounded wait, no password in it', async () => {
    const url = `redis://:hunter2-secret@127.0.0.1:${server().port + 1}`;
    const error = await createStores(redisConfig(url), { logger: createSilentLogger(), redisStartupTimeoutMs: 600 }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StateUnavailableError);
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain(`127.0.0.1:${server().port + 1}`);
    expect(message).toContain('unreachable');
    expect(message).not.toContain('hunter2');
  });
});

describe.skipIf(!canStartRedisServer())('createStores (redis): outage and recovery', () => {
  const server = useRedisServer();

  it('fails closed while Redis is down (StateUnavailableError, health false) and resumes by itself', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    const stores = await instance(redisConfig(server().url, { gateway: { webhook_rate_limit_per_minute: 100 } }), logger);
    expect((await stores.webhookLimiter.hit('k')).allowed).toBe(true);

    await server().stop();
    await eventually(async () => !(await stores.health()));
    const failures = await Promise.allSettled([
      stores.webhookLimiter.hit('k'),
      stores.pairLimiter.hit('k'),
      stores.tokens.verify(sha256Hex('zc_x')),
      stores.pairing.redeemCode(sha256Hex('000000')),
      stores.pairing.lockoutRemainingMs('k'),
      stores.idempotency.claim('tok', 'k'),
    ]);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      if (failure.status === 'rejected') expect(failure.reason).toBeInstanceOf(StateUnavailableError);
    }

    await server().start();
    await eventually(() => stores.health());
    expect((await stores.webhookLimiter.hit('k')).allowed).toBe(true);
    expect(await stores.tokens.verify(sha256Hex('zc_x'))).toBe(false);

    const messages = lines.map((line) => String(JSON.parse(line).msg));
    expect(messages.filter((m) => m.startsWith('Redis unreachable'))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('Redis reachable again'))).toHaveLength(1);
  });

  it('startup waits for a Redis that comes up within the bounded wait', async () => {
    await server().stop();
    const starting = createStores(redisConfig(server().url), { logger: createSilentLogger(), redisStartupTimeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server().start();
    const stores = await starting;
    opened.push(stores);
    expect(await stores.health()).toBe(true);
  });
});
