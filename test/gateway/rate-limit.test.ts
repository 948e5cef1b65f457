// The /webhook limiter through HTTP (spec §3): first step, headers, per-client keys, forwarded headers only when trusted.
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS, renderError } from '../../src/gateway/errors.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { pair, postJson } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

let gw: TestGateway;
afterEach(async () => {
  await gw.close({ removeDir: true });
});

async function start(gateway: Record<string, unknown>, now?: () => number): Promise<void> {
  gw = await startGateway({
    config: { ...llmConfig(llm), gateway: { require_pairing: false, ...gateway } },
    ...(now ? { now } : {}),
  });
}

const hit = (headers: Record<string, string> = {}) => postJson(`${gw.url}/webhook`, { message: 'hi' }, headers);

describe('webhook rate limit', () => {
  it('admits exactly the limit per window, then 429 with Retry-After and RateLimit fields', async () => {
    let now = 1_000_000;
    await start({ webhook_rate_limit_per_minute: 3 }, () => now);
    const first = await hit();
    expect(first.headers.get('ratelimit-policy')).toBe('"webhook";q=3;w=60');
    expect(first.headers.get('ratelimit')).toBe('"webhook";r=2;t=60');
    now += 20_000;
    await hit();
    await hit();
    const limited = await hit();
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual(renderError('WEBHOOK_RATE_LIMITED', { retryAfterSecs: 40 }).body);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.headers.get('ratelimit')).toBe('"webhook";r=0;t=40');
    // Sliding window: the first request leaves after 60 s, freeing exactly one slot.
    now += 40_000;
    expect((await hit()).status).toBe(200);
    expect((await hit()).status).toBe(429);
  });

  it('is the first step: unauthenticated requests are limited before the 401', async () => {
    await start({ require_pairing: true, webhook_rate_limit_per_minute: 1 });
    expect((await hit()).status).toBe(401);
    const second = await hit();
    expect(second.status).toBe(429);
    expect(second.json['error']).toBe(ERRORS.WEBHOOK_RATE_LIMITED.error);
  });

  it('sends the RateLimit fields on every answer after the limiter, errors included', async () => {
    await start({ require_pairing: true, webhook_rate_limit_per_minute: 5 });
    const unauthorized = await hit();
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('ratelimit')).toBe('"webhook";r=4;t=60');
    const token = await pair(gw.url, gw.pairingCode);
    const badBody = await postJson(`${gw.url}/webhook`, '{', { authorization: `Bearer ${token}` });
    expect(badBody.status).toBe(400);
    expect(badBody.headers.get('ratelimit')).toMatch(/^"webhook";r=3;t=\d+$/);
  });

  it('0 means unlimited and sends no RateLimit fields', async () => {
    await start({ webhook_rate_limit_per_minute: 0 });
    for (let i = 0; i < 20; i++) expect((await hit()).status).toBe(200);
    expect((await hit()).headers.get('ratelimit')).toBeNull();
  });

  it('ignores X-Forwarded-For and X-Real-IP unless trust_forwarded_headers is set', async () => {
    await start({ webhook_rate_limit_per_minute: 1 });
    expect((await hit({ 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await hit({ 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);
    expect((await hit({ 'x-real-ip': '198.51.100.3' })).status).toBe(429);
  });

  it('keys clients by the first parseable forwarded address when trusted', async () => {
    await start({ webhook_rate_limit_per_minute: 1, trust_forwarded_headers: true });
    expect((await hit({ 'x-forwarded-for': 'garbage, 198.51.100.1:4567, 10.0.0.1' })).status).toBe(200);
    expect((await hit({ 'x-forwarded-for': '::ffff:198.51.100.1' })).status).toBe(429);
    expect((await hit({ 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    expect((await hit({ 'x-real-ip': '198.51.100.3' })).status).toBe(200);
    expect((await hit({ 'x-real-ip': '198.51.100.3' })).status).toBe(429);
    // No parseable header: the peer address (127.0.0.1) is the key.
    expect((await hit({ 'x-forwarded-for': 'not-an-ip' })).status).toBe(200);
    expect((await hit()).status).toBe(429);
  });

  it('tracks at most rate_limit_max_keys clients: the least recently seen is evicted', async () => {
    await start({ webhook_rate_limit_per_minute: 1, trust_forwarded_headers: true, rate_limit_max_keys: 2 });
    const from = (ip: string) => hit({ 'x-forwarded-for': ip });
    expect((await from('192.0.2.1')).status).toBe(200);
    expect((await from('192.0.2.2')).status).toBe(200);
    expect((await from('192.0.2.3')).status).toBe(200); // evicts .1
    expect((await from('192.0.2.1')).status).toBe(200); // forgotten, so admitted again (evicts .2)
    expect((await from('192.0.2.3')).status).toBe(429);
  });
});
