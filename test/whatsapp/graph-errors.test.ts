// Graph API failures end to end: 429/5xx/throttling retried with backoff, permanent errors logged with Meta's code and dropped.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS, graphError, startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { messagesBody, text, waitFor } from './meta-payloads.js';
import { metricValue, startWhatsAppGateway, type WhatsAppTestGateway } from './whatsapp-gateway.js';

let llm: FakeOpenAiServer;
let graph: FakeGraphServer;
beforeAll(async () => {
  [llm, graph] = await Promise.all([startFakeOpenAiServer(), startFakeGraphServer()]);
});
afterAll(async () => {
  await Promise.all([llm.close(), graph.close()]);
});

const open: WhatsAppTestGateway[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close({ removeDir: true });
  llm.reset();
  graph.reset();
});

async function start(): Promise<WhatsAppTestGateway> {
  const gw = await startWhatsAppGateway({ llm, graph });
  open.push(gw);
  return gw;
}

async function drained(gw: WhatsAppTestGateway): Promise<void> {
  await waitFor('the WhatsApp inbox to drain', async () => (await gw.deps.whatsapp?.inbox.depth()) === 0);
}

const failures = async (gw: WhatsAppTestGateway, code: string) =>
  metricValue(await gw.metricsText(), `zeroclaw_whatsapp_send_failures_total{code="${code}"}`);

describe('Graph API errors', () => {
  it('retries a 429 (code 130429) and delivers the reply once', async () => {
    graph.replyInOrder([GRAPH_ERRORS.throughput()]);
    const gw = await start();
    await gw.deliver(messagesBody(text('busy?')));
    await drained(gw);
    const sends = graph.sends();
    expect(sends).toHaveLength(2);
    expect(sends[0]).toEqual(sends[1]);
    expect(graph.requests.map((r) => r.path)).toEqual([sends[0]?.path, sends[0]?.path]);
    expect(await failures(gw, '130429')).toBe(1);
    expect(metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_replies_sent_total')).toBe(1);
    expect(gw.logs.some((line) => line.includes('retrying') && line.includes('130429'))).toBe(true);
  });

  it('retries 500s and Meta\'s temporary codes carried by a 400, then succeeds', async () => {
    graph.replyInOrder([GRAPH_ERRORS.serverError(), graphError(400, 2, 'Service temporarily unavailable', { type: 'OAuthException' })]);
    const gw = await start();
    await gw.deliver(messagesBody(text('flaky')));
    await drained(gw);
    expect(graph.sends()).toHaveLength(3);
    expect(await failures(gw, '131000')).toBe(1);
    expect(await failures(gw, '2')).toBe(1);
    expect(metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_replies_sent_total')).toBe(1);
  });

  it('retries a 503 without a Meta body', async () => {
    graph.replyInOrder([{ status: 503, body: '<html>Service Unavailable</html>' }]);
    const gw = await start();
    await gw.deliver(messagesBody(text('gateway down?')));
    await drained(gw);
    expect(graph.sends()).toHaveLength(2);
    expect(await failures(gw, 'http_503')).toBe(1);
  });

  it.each([
    ['131047', 'window closed', GRAPH_ERRORS.windowClosed],
    ['100', 'invalid parameter', GRAPH_ERRORS.invalidParameter],
    ['190', 'expired token', GRAPH_ERRORS.expiredToken],
    ['131026', 'undeliverable', () => graphError(400, 131026, '(#131026) Message undeliverable')],
  ])('drops a permanent error (%s, %s) after one attempt and logs Meta\'s code', async (code, _what, reply) => {
    graph.replyInOrder([reply()]);
    const gw = await start();
    await gw.deliver(messagesBody(text('no luck')));
    await drained(gw);
    expect(graph.sends()).toHaveLength(1);
    expect(await failures(gw, code)).toBe(1);
    expect(metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_replies_sent_total')).toBe(0);
    const line = gw.logs.find((l) => l.includes('refused it permanently'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ metaCode: Number(code), fbtraceId: expect.stringMatching(/^AbCdEfGh/) });
    expect(gw.logs.some((l) => l.includes(graph.accessToken))).toBe(false);
  });

  it('gives a job whose sends keep failing back to the inbox instead of losing it', async () => {
    graph.replyInOrder(Array.from({ length: 4 }, () => GRAPH_ERRORS.serverError()));
    const gw = await start();
    await gw.deliver(messagesBody(text('persistent')));
    // The Graph client's four attempts fail; the job goes back to the inbox for a later run.
    await waitFor('four attempts', () => graph.sends().length === 4);
    await waitFor('the job to be rescheduled', () => gw.logs.some((l) => l.includes('the job will run again')));
    expect(await gw.deps.whatsapp?.inbox.depth()).toBe(1);
    expect(llm.requests).toHaveLength(1);
  });
});
