// Floods and bounds (issue 7): with trust_forwarded_headers every request can claim a new client address. The rate
// limiters, the lockout table and the idempotency table must stay at their configured maximum however many addresses
// (and keys) arrive, while a real client keeps being answered.
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { LocalIdempotencyStore } from '../../src/state/idempotency/local-idempotency-store.js';
import { LocalPairingStore } from '../../src/state/pairing/local-pairing-store.js';
import { LocalRateLimiter } from '../../src/state/rate-limit/local-rate-limiter.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { call, pair, postJson } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

/** Small tables so the flood overflows them many times over. */
const MAX_KEYS = 64;
const MAX_IDEMPOTENCY_KEYS = 32;
/** Distinct forged addresses per flood. */
const FLOOD = 2_000;
const CONCURRENCY = 32;

const llm = useFakeLlm();
let gw: TestGateway;
let pool: Pool;
let token: string;

beforeAll(async () => {
  gw = await startGateway({
    config: {
      ...llmConfig(llm),
      reliability: { provider_retries: 0 },
      memory: { backend: 'none' },
      gateway: {
        trust_forwarded_headers: true,
        rate_limit_max_keys: MAX_KEYS,
        idempotency_max_keys: MAX_IDEMPOTENCY_KEYS,
        webhook_rate_limit_per_minute: 5,
        // Above the 5 failures that start a lockout, so the lockout (not the limiter) answers the 6th attempt.
        pair_rate_limit_per_minute: 10,
      },
    },
  });
  token = await pair(gw.url, gw.pairingCode, { 'x-forwarded-for': '198.51.100.1' });
  pool = new Pool(gw.url, { connections: CONCURRENCY });
});

afterAll(async () => {
  await pool.close();
  await gw.close({ removeDir: true });
});

/** The i-th forged address: 10.x.y.z, all distinct for i < 2^24. */
function forged(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** Sends `count` requests built by `build(i)`, CONCURRENCY at a time; answers how many got each status. */
async function flood(
  count: number,
  build: (i: number) => { method: 'POST' | 'GET'; path: string; headers: Record<string, string>; body?: string },
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const { method, path, headers, body } = build(next++);
      const res = await pool.request({ method, path, headers, ...(body !== undefined ? { body } : {}) });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

const stores = () => gw.deps.stores;

describe('a flood of forged client addresses (trust_forwarded_headers = true)', () => {
  it('keeps the webhook limiter at rate_limit_max_keys, and a real client is still answered', async () => {
    const limiter = stores().webhookLimiter;
    expect(limiter).toBeInstanceOf(LocalRateLimiter);
    const statuses = await flood(FLOOD, (i) => ({
      method: 'POST',
      path: '/webhook',
      headers: { 'x-forwarded-for': forged(i), 'content-type': 'application/json' },
      body: '{"message":"flood"}',
    }));
    expect(statuses).toEqual({ 401: FLOOD });
    expect((limiter as LocalRateLimiter).size).toBe(MAX_KEYS);

    const real = await postJson(`${gw.url}/webhook`, { message: 'still here' }, {
      authorization: `Bearer ${token}`,
      'x-forwarded-for': '203.0.113.7',
    });
    expect(real.status).toBe(200);
    expect(real.json).toMatchObject({ response: 'echo: still here' });
    expect((limiter as LocalRateLimiter).size).toBe(MAX_KEYS);
  });

  it('keeps the pair limiter and the lockout table at rate_limit_max_keys', async () => {
    const pairing = gw.deps.stores.pairing;
    expect(pairing).toBeInstanceOf(LocalPairingStore);
    // Each address fails 5 times: every one of them starts a lockout record.
    const statuses = await flood(FLOOD, (i) => ({
      method: 'POST',
      path: '/pair',
      headers: { 'x-forwarded-for': forged(100_000 + Math.floor(i / 5)), 'x-pairing-code': '000000' },
    }));
    expect(statuses).toEqual({ 403: FLOOD });
    expect((stores().pairLimiter as LocalRateLimiter).size).toBe(MAX_KEYS);
    expect((pairing as LocalPairingStore).size).toBe(MAX_KEYS);

    // The newest flooder is locked out: its record survived the eviction of the oldest ones.
    const locked = await call(`${gw.url}/pair`, {
      method: 'POST',
      headers: { 'x-forwarded-for': forged(100_000 + FLOOD / 5 - 1), 'x-pairing-code': '000000' },
    });
    expect(locked.status).toBe(429);
    expect(locked.json).toEqual(renderError('PAIR_LOCKED_OUT', { retryAfterSecs: 60 }).body);
    expect((await call(`${gw.url}/health`)).status).toBe(200);
  });

  it('keeps the idempotency table at idempotency_max_keys under unique keys from unique addresses', async () => {
    const idempotency = stores().idempotency;
    expect(idempotency).toBeInstanceOf(LocalIdempotencyStore);
    const count = 500;
    const statuses = await flood(count, (i) => ({
      method: 'POST',
      path: '/webhook',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-forwarded-for': forged(200_000 + i),
        'x-idempotency-key': `flood-${i}`,
      },
      body: '{"message":"flood"}',
    }));
    expect(statuses).toEqual({ 200: count });
    expect((idempotency as LocalIdempotencyStore).size).toBe(MAX_IDEMPOTENCY_KEYS);

    // The newest keys replay; the table bound evicted the oldest.
    const replay = await postJson(`${gw.url}/webhook`, { message: 'flood' }, {
      authorization: `Bearer ${token}`,
      'x-forwarded-for': forged(300_000),
      'x-idempotency-key': `flood-${count - 1}`,
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((idempotency as LocalIdempotencyStore).size).toBe(MAX_IDEMPOTENCY_KEYS);
  });
});
