// A real gateway process killed between the 200 and the reply: restarted on the same data folder, it replies exactly once.
// Needs `npm run build` first (the `pretest` script does it): it runs dist/bundle/main.js like a user would.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { echoOpenAi, startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { lastUserMessage } from '../fakes/fake-vendor-server.js';
import { CLI_PATH, cleanEnv, spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { call } from '../helpers/http.js';
import { makeTempDir } from '../helpers/start-gateway.js';
import { ALLOWED_USER, metaJson, messagesBody, sign, text, waitFor } from './meta-payloads.js';
import { metricValue, whatsappSection } from './whatsapp-gateway.js';

let llm: FakeOpenAiServer;
let graph: FakeGraphServer;
beforeAll(async () => {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first`);
  [llm, graph] = await Promise.all([startFakeOpenAiServer(), startFakeGraphServer()]);
});
afterAll(async () => {
  await Promise.all([llm?.close(), graph?.close()]);
});

const children: GatewayProcess[] = [];
afterEach(async () => {
  for (const gw of children.splice(0)) {
    if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
    await gw.exited;
  }
  llm.reset();
  graph.reset();
});

/** A config folder whose gateway talks to the fakes; the inbox and memory files live beside the config. */
function writeConfig(): { dir: string; configPath: string } {
  const dir = makeTempDir();
  const configPath = join(dir, 'config.toml');
  const config = {
    default_provider: `custom:${llm.baseUrl}`,
    api_key: 'sk-test-abcdefghijklmnop',
    default_model: 'test/model-a',
    gateway: { shutdown_grace_secs: 1 },
    reliability: { provider_retries: 0 },
    observability: { backend: 'prometheus' },
    channels_config: { whatsapp: whatsappSection(graph) },
  };
  writeFileSync(configPath, stringify(config), { mode: 0o600 });
  return { dir, configPath };
}

async function launch(configPath: string, dir: string): Promise<GatewayProcess> {
  const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
  children.push(gw);
  return gw;
}

function deliver(url: string, body: unknown) {
  const raw = metaJson(body);
  return call(`${url}/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
    body: raw,
  });
}

/** Waits until the process reports an empty queue and `sent` replies (its own /metrics). */
async function waitForQuiet(url: string, sent: number): Promise<void> {
  await waitFor(`${sent} replies and an empty queue`, async () => {
    const metrics = (await call(`${url}/metrics`)).text;
    return (
      metricValue(metrics, 'zeroclaw_whatsapp_replies_sent_total') === sent &&
      metricValue(metrics, 'zeroclaw_whatsapp_queue_depth') === 0 &&
      metrics.includes('zeroclaw_whatsapp_queue_depth')
    );
  });
}

const slowLlm = (req: Parameters<typeof echoOpenAi>[0]) => ({ ...echoOpenAi(req), delayMs: 120_000 });

describe('crash between acknowledgement and reply', () => {
  it('SIGKILL while the LLM is thinking: the restarted gateway replies exactly once, redelivery included', async () => {
    const { dir, configPath } = writeConfig();
    llm.reply(slowLlm);
    const first = await launch(configPath, dir);
    const body = messagesBody(text('survive the crash'));
    const ack = await deliver(first.url, body);
    expect(ack.status).toBe(200);
    expect(ack.json).toEqual({ status: 'ok' });
    await waitFor('the LLM call', () => llm.requests.length === 1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(graph.sends()).toEqual([]);

    llm.reply(echoOpenAi);
    const second = await launch(configPath, dir);
    await waitFor('the reply', () => graph.sends().length === 1);
    // Meta did not see a problem, but redelivers anyway (it may): still one reply.
    expect((await deliver(second.url, body)).status).toBe(200);
    await waitForQuiet(second.url, 1);
    expect(graph.sends()).toEqual([
      expect.objectContaining({ to: ALLOWED_USER, body: 'echo: survive the crash' }),
    ]);
    expect(llm.requests.map((r) => lastUserMessage(r.body))).toEqual(['survive the crash', 'survive the crash']);
  });

  it('SIGKILL while the reply is being sent: the restart sends the saved reply without asking the LLM again', async () => {
    const { dir, configPath } = writeConfig();
    graph.reply(() => ({ status: 200, body: {}, delayMs: 120_000 }));
    const first = await launch(configPath, dir);
    expect((await deliver(first.url, messagesBody(text('answer me once')))).status).toBe(200);
    await waitFor('the send to start', () => graph.requests.length === 1);
    first.child.kill('SIGKILL');
    await first.exited;

    graph.reset();
    const second = await launch(configPath, dir);
    await waitForQuiet(second.url, 1);
    // The send the killed process had started never got Meta's answer, so it is made again (at least once on
    // that edge); the LLM was asked once in all.
    expect(graph.sends().map((s) => s.body)).toEqual(['echo: answer me once']);
    expect(llm.requests).toHaveLength(1);
  });

  it('SIGTERM while the LLM is thinking: the job goes back to the inbox and the next start answers it', async () => {
    const { dir, configPath } = writeConfig();
    llm.reply(slowLlm);
    const first = await launch(configPath, dir);
    expect((await deliver(first.url, messagesBody(text('graceful')))).status).toBe(200);
    await waitFor('the LLM call', () => llm.requests.length === 1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(graph.sends()).toEqual([]);

    llm.reply(echoOpenAi);
    const second = await launch(configPath, dir);
    await waitForQuiet(second.url, 1);
    expect(graph.sends().map((s) => s.body)).toEqual(['echo: graceful']);
  });
});
