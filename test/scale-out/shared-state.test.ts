// Three real gateway processes on one Redis behave as one gateway (spec §9): limits, pairing, idempotency, revocation, WhatsApp.
// Needs `npm run build` first (the `pretest` script does it): the instances run dist/bundle/main.js like a user would.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { DUPLICATE_MESSAGE } from '../../src/gateway/messages.js';
import { sha256Hex, tokenFingerprint } from '../../src/security/tokens.js';
import { createRedisKeys } from '../../src/state/redis-keys.js';
import { startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { echoOpenAi } from '../fakes/openai-server.js';
import { useFakeLlm } from '../helpers/fake-llm.js';
import { call, pair, postJson, type Answer } from '../helpers/http.js';
import { canStartRedisServer, useRedisServer } from '../helpers/redis-server.js';
import { messagesBody, text, waitFor, wamid } from '../whatsapp/meta-payloads.js';
import { whatsappSection } from '../whatsapp/whatsapp-gateway.js';
import {
  clusterConfig,
  deliverWhatsApp,
  freshClientIp,
  startCluster,
  stopCluster,
  type ClusterInstance,
} from './gateway-cluster.js';

const WEBHOOK_LIMIT = 10;

describe.skipIf(!canStartRedisServer())('three gateway processes sharing one Redis', () => {
  const redis = useRedisServer();
  const llm = useFakeLlm();
  let graph: FakeGraphServer;
  let cluster: ClusterInstance[] = [];
  const keyPrefix = `scale-out:${randomUUID()}:`;
  const keys = createRedisKeys(keyPrefix);
  /** A plain client of the test's own, to look at the shared state. */
  let inspector: Redis;

  beforeAll(async () => {
    graph = await startFakeGraphServer();
    inspector = new Redis(redis().url, { lazyConnect: true });
    await inspector.connect();
    const config = clusterConfig(
      { redisUrl: redis().url, keyPrefix, llmBaseUrl: llm.baseUrl },
      {
        gateway: {
          // Behind a proxy (docs/deploy.md): the client key comes from X-Forwarded-For.
          trust_forwarded_headers: true,
          webhook_rate_limit_per_minute: WEBHOOK_LIMIT,
          pair_rate_limit_per_minute: 0,
        },
        channels_config: { whatsapp: whatsappSection(graph) },
      },
    );
    cluster = await startCluster(3, config);
  }, 45_000);

  afterAll(async () => {
    await stopCluster(cluster);
    await graph?.close();
    inspector?.disconnect();
  });

  /** Instance `i` modulo the cluster size: spreads requests round robin. */
  const at = (i: number): ClusterInstance => cluster[i % cluster.length] as ClusterInstance;

  const webhook = (i: number, token: string, message: string, headers: Record<string, string> = {}): Promise<Answer> =>
    postJson(`${at(i).url}/webhook`, { message }, { authorization: `Bearer ${token}`, 'x-forwarded-for': freshClientIp(), ...headers });

  /** A new token: the code comes from one instance's operator API, the pairing goes to another. */
  async function newToken(): Promise<string> {
    const issued = await at(0).admin('POST', '/admin/pairing-code');
    expect(issued.status).toBe(200);
    return pair(at(1).url, String(issued.json['code']), { 'x-forwarded-for': freshClientIp() });
  }

  it('pairing: the newest banner holds the one valid code, and 50 concurrent correct attempts make exactly one token', async () => {
    const codes = cluster.map((instance) => instance.bannerCode);
    expect(codes.every((code) => code !== null)).toBe(true);
    const newest = codes[codes.length - 1] as string;
    const invalid = renderError('INVALID_PAIRING_CODE');
    if (codes[0] !== newest) {
      // The first instance's startup code was replaced by the later startups (docs/deploy.md, "Pairing codes").
      const stale = await call(`${at(0).url}/pair`, { method: 'POST', headers: { 'x-pairing-code': codes[0] as string, 'x-forwarded-for': freshClientIp() } });
      expect([stale.status, stale.json]).toEqual([invalid.status, invalid.body]);
    }

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(`${at(i).url}/pair`, { method: 'POST', headers: { 'x-pairing-code': newest, 'x-forwarded-for': freshClientIp() } }),
      ),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) {
      expect([loser.status, loser.json]).toEqual([invalid.status, invalid.body]);
    }
    const token = String(winners[0]?.json['token']);
    expect(token).toMatch(/^zc_[0-9a-f]{64}$/);
    for (let i = 0; i < cluster.length; i++) expect((await webhook(i, token, 'hi')).status).toBe(200);
    // Instances that did not pair it learn of it too, at their next health probe (every 2 s).
    for (const instance of cluster) {
      await waitFor('/health to say paired', async () => (await call(`${instance.url}/health`)).json['paired'] === true);
    }
    const listed = await at(2).admin('GET', '/admin/tokens');
    expect(listed.json['tokens']).toEqual([expect.objectContaining({ fingerprint: tokenFingerprint(sha256Hex(token)) })]);
  });

  it(`webhook rate limit: ${WEBHOOK_LIMIT}/min for one X-Forwarded-For admits exactly ${WEBHOOK_LIMIT} across the instances`, async () => {
    const token = await newToken();
    const client = { 'x-forwarded-for': '203.0.113.77' };
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => webhook(i, token, `burst ${i}`, client)));
    const admitted = answers.filter((answer) => answer.status === 200);
    expect(admitted).toHaveLength(WEBHOOK_LIMIT);
    expect(llm.requests).toHaveLength(WEBHOOK_LIMIT);
    for (const rejected of answers.filter((answer) => answer.status !== 200)) {
      const retryAfter = Number(rejected.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const limited = renderError('WEBHOOK_RATE_LIMITED', { retryAfterSecs: retryAfter });
      expect([rejected.status, rejected.json]).toEqual([limited.status, limited.body]);
    }
    // Another client (another forwarded address) has its own window, on every instance.
    for (let i = 0; i < cluster.length; i++) expect((await webhook(i, token, 'other client')).status).toBe(200);
  });

  it('idempotency: one key sent to every instance at once calls the LLM once; any instance replays the answer', async () => {
    const token = await newToken();
    llm.reply((req) => ({ ...echoOpenAi(req), delayMs: 1_000 }));
    const key = { 'x-idempotency-key': `order-${randomUUID()}` };
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => webhook(i, token, 'charge once', key)));

    const processed = answers.filter((answer) => answer.status === 200 && answer.json['status'] === undefined);
    expect(processed).toHaveLength(1);
    expect(processed[0]?.json).toEqual({ response: 'echo: charge once', model: 'test/model-a' });
    const inProgress = renderError('IDEMPOTENCY_IN_PROGRESS');
    for (const other of answers.filter((answer) => answer !== processed[0])) {
      // Still running (409), or, for a late one, already done (the duplicate answer).
      if (other.status === 409) expect(other.json).toEqual(inProgress.body);
      else expect(other.json['status']).toBe('duplicate');
    }
    expect(llm.requests).toHaveLength(1);

    for (let i = 0; i < cluster.length; i++) {
      const replay = await webhook(i, token, 'charge once', key);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.json).toEqual({
        status: 'duplicate',
        idempotent: true,
        message: DUPLICATE_MESSAGE,
        response: 'echo: charge once',
        model: 'test/model-a',
      });
    }
    expect(llm.requests).toHaveLength(1);
  });

  it('revocation through one instance is seen by every instance at its next request', async () => {
    const [revoked, kept] = [await newToken(), await newToken()];
    for (let i = 0; i < cluster.length; i++) {
      expect((await webhook(i, revoked, 'before')).status).toBe(200);
      expect((await webhook(i, kept, 'before')).status).toBe(200);
    }
    const fingerprint = tokenFingerprint(sha256Hex(revoked));
    const answer = await at(1).admin('DELETE', `/admin/tokens/${fingerprint}`);
    expect([answer.status, answer.json]).toEqual([200, { revoked: true, fingerprint }]);

    const unauthorized = renderError('UNAUTHORIZED_BEARER');
    for (let i = 0; i < cluster.length; i++) {
      const refused = await webhook(i, revoked, 'after');
      expect([refused.status, refused.json]).toEqual([unauthorized.status, unauthorized.body]);
      expect((await webhook(i, kept, 'after')).status).toBe(200);
    }
    const listed = (await at(2).admin('GET', '/admin/tokens')).json['tokens'] as Array<{ fingerprint: string }>;
    expect(listed.map((t) => t.fingerprint)).not.toContain(fingerprint);
  });

  it('WhatsApp: one message delivered to every instance at once, then redelivered to each, is answered once', async () => {
    graph.reset();
    const delivery = messagesBody(text('hello from whatsapp', { id: wamid('scale') }));

    const first = await Promise.all(cluster.map((instance) => deliverWhatsApp(instance, delivery)));
    for (const answer of first) expect([answer.status, answer.json]).toEqual([200, { status: 'ok' }]);
    await waitFor('the reply', async () => graph.sends().length >= 1);
    // Meta redelivers (it missed our 200, say) to whichever instance the load balancer picks.
    for (const instance of cluster) expect((await deliverWhatsApp(instance, delivery)).status).toBe(200);

    // Then a new message; once it is answered and the shared queue is empty, a redelivery queued by mistake
    // would have been answered too (or would still be queued).
    await deliverWhatsApp(at(2), messagesBody(text('marker', { id: wamid('marker') })));
    await waitFor('the marker reply', async () => graph.sends().some((send) => send.body === 'echo: marker'));
    await waitFor('an empty shared queue', async () => (await inspector.xlen(keys.whatsappQueue())) === 0);
    expect(graph.sends().map((send) => send.body).sort()).toEqual(['echo: hello from whatsapp', 'echo: marker']);
    expect(llm.requests).toHaveLength(2);
  });
});
