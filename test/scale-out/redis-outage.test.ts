// Redis stopped under two running gateway processes: they fail closed (503), stay up, and resume by themselves (spec §9).
// Needs `npm run build` first (the `pretest` script does it): the instances run dist/bundle/main.js like a user would.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { useFakeLlm } from '../helpers/fake-llm.js';
import { cleanEnv, runCli } from '../helpers/gateway-process.js';
import { call, pair, postJson, type Answer } from '../helpers/http.js';
import { canStartRedisServer, useRedisServer } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/start-gateway.js';
import { messagesBody, text, waitFor, wamid } from '../whatsapp/meta-payloads.js';
import { whatsappSection } from '../whatsapp/whatsapp-gateway.js';
import {
  clusterConfig,
  deliverWhatsApp,
  startCluster,
  stopCluster,
  type ClusterInstance,
} from './gateway-cluster.js';

/** The /health component of the shared state store. */
const stateOf = (health: Answer): unknown => (health.json['runtime'] as { components: Record<string, unknown> }).components['state'];

describe.skipIf(!canStartRedisServer())('Redis stopped and restarted under two gateway processes', () => {
  // With its data kept across the restart, as a production Redis (appendonly yes) keeps it.
  const redis = useRedisServer({ appendOnly: true });
  const llm = useFakeLlm();
  let graph: FakeGraphServer;
  let cluster: ClusterInstance[] = [];

  beforeAll(async () => {
    graph = await startFakeGraphServer();
    cluster = await startCluster(
      2,
      clusterConfig(
        { redisUrl: redis().url, keyPrefix: `outage:${randomUUID()}:`, llmBaseUrl: llm.baseUrl },
        { channels_config: { whatsapp: whatsappSection(graph) } },
      ),
    );
  }, 30_000);

  afterAll(async () => {
    await stopCluster(cluster);
    await graph?.close();
  });

  it('answers 503 on /pair, /webhook and /whatsapp, 503 on /ready, state "error" on /health while down; resumes by itself', async () => {
    const whatsappDelivery = messagesBody(text('sent during the outage', { id: wamid('outage') }));
    const newest = cluster[cluster.length - 1] as ClusterInstance;
    const token = await pair(newest.url, newest.bannerCode);
    const send = (instance: ClusterInstance, message: string): Promise<Answer> =>
      postJson(`${instance.url}/webhook`, { message }, { authorization: `Bearer ${token}` });
    for (const instance of cluster) expect((await send(instance, 'before')).status).toBe(200);

    await redis().stop();
    const unavailable = renderError('STATE_UNAVAILABLE');
    const notReady = renderError('NOT_READY');
    for (const instance of cluster) {
      // The health monitor re-probes every 2 s.
      await waitFor('/health to show the state store in error', async () => {
        const health = await call(`${instance.url}/health`);
        return health.status === 200 && stateOf(health) === 'error';
      });
      const ready = await call(`${instance.url}/ready`);
      expect([ready.status, ready.json]).toEqual([notReady.status, notReady.body]);

      const refusals = await Promise.all([
        call(`${instance.url}/pair`, { method: 'POST', headers: { 'x-pairing-code': '123456' } }),
        ...Array.from({ length: 10 }, (_, i) => send(instance, `during ${i}`)),
        // Not acknowledged, so Meta delivers it again later.
        deliverWhatsApp(instance, whatsappDelivery),
      ]);
      for (const refused of refusals) expect([refused.status, refused.json]).toEqual([unavailable.status, unavailable.body]);
    }
    expect(llm.requests.filter((req) => JSON.stringify(req.body).includes('during'))).toEqual([]);
    for (const instance of cluster) expect(instance.alive()).toBe(true);

    await redis().start();
    for (const instance of cluster) {
      await waitFor('/ready to answer 200 again', async () => (await call(`${instance.url}/ready`)).status === 200, 15_000);
      expect(stateOf(await call(`${instance.url}/health`))).toBe('ok');
      const answer = await send(instance, 'after');
      expect([answer.status, answer.json['response']]).toEqual([200, 'echo: after']);
      // The log names the outage once and the recovery once, whatever the number of failed requests.
      const lines = instance.process.output().split('\n');
      expect(lines.filter((line) => line.includes('Redis unreachable'))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('Redis reachable again'))).toHaveLength(1);
    }

    // Meta's retry of the refused delivery reaches both instances at once: it is answered once.
    const retried = await Promise.all(cluster.map((instance) => deliverWhatsApp(instance, whatsappDelivery)));
    for (const answer of retried) expect([answer.status, answer.json]).toEqual([200, { status: 'ok' }]);
    await waitFor('the WhatsApp reply', async () => graph.sends().length > 0);
    expect(graph.sends().map((sent) => sent.body)).toEqual(['echo: sent during the outage']);
  });

  it('an instance started while Redis is unreachable exits 1 after the bounded wait, naming host:port, never the password', async () => {
    const port = await closedPort();
    const dir = makeTempDir();
    const configPath = join(dir, 'config.toml');
    const config = clusterConfig({ redisUrl: `redis://:s3cret-pw@127.0.0.1:${port}`, keyPrefix: 'unused:', llmBaseUrl: llm.baseUrl });
    writeFileSync(configPath, stringify(config), { mode: 0o600 });
    // runCli gives up after 15 s: the startup wait (10 s) is bounded below that.
    const result = await runCli(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
    expect(result.code).toBe(1);
    expect(result.output).toContain(`Redis at 127.0.0.1:${port} is unreachable`);
    expect(result.output).not.toContain('s3cret-pw');
    expect(result.output).not.toContain('listening on');
  }, 20_000);
});

/** A port nothing listens on (bound once by the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
