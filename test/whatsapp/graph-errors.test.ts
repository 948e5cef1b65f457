// Graph API failures end to end: 429/5xx/throttling retried with backoff, permanent errors logged with Meta's code and dropped.
import { describe, expect, it } from 'vitest';
import { GRAPH_ERRORS, graphError } from '../fakes/graph-server.js';
import { messagesBody, text, waitFor } from './meta-payloads.js';
import { metricValue, type WhatsAppTestGateway } from './whatsapp-gateway.js';
import { useWhatsAppSuite } from './whatsapp-suite.js';

const suite = useWhatsAppSuite();
const { start } = suite;

async function drained(gw: WhatsAppTestGateway): Promise<void> {
  await waitFor('the WhatsApp inbox to drain', async () => (await gw.deps.whatsapp?.inbox.depth()) === 0);
}

const failures = async (gw: WhatsAppTestGateway, code: string) =>
  metricValue(await gw.metricsText(), `zeroclaw_whatsapp_send_failures_total{code="${code}"}`);

describe('Graph API errors', () => {
  it('retries a 429 (code 130429) and delivers the reply once', async () => {
    suite.graph.replyInOrder([GRAPH_ERRORS.throughput()]);
    const gw = await start();
    await gw.deliver(messagesBody(text('busy?')));
    await drained(gw);
    const sends = suite.graph.sends();
    expect(sends).toHaveLength(2);
    expect(sends[0]).toEqual(sends[1]);
    expect(suite.graph.requests.map((r) => r.path)).toEqual([sends[0]?.path, sends[0]?.path]);
    expect(await failures(gw, '130429')).toBe(1);
    expect(metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_replies_sent_total')).toBe(1);
    expect(gw.logs.some((line) => line.includes('retrying') && line.includes('130429'))).toBe(true);
  });

  it('retries 500s and Meta\'s temporary codes carried by a 400, then succeeds', async () => {
    suite.graph.replyInOrder([GRAPH_ERRORS.serverError(), graphError(400, 2, 'Service temporarily unavailable', { type: 'OAuthException' })]);
    const gw = await start();
    await gw.deliver(messagesBody(text('flaky')));
    await drained(gw);
    expect(suite.graph.sends()).toHaveLength(3);
    expect(await failures(gw, '131000')).toBe(1);
    expect(await failures(gw, '2')).toBe(1);
    expect(metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_replies_sent_total')).toBe(1);
  });

  it('retries a 503 without a Meta body', async () => {
    suite.graph.replyInOrder([{ status: 503, body: '<html>Service Unavailable</html>' }]);
    const gw = await start();
    await gw.deliver(messagesBody(text('gateway down?')));
    await drained(gw);
    expect(suite.graph.sends()).toHaveLength(2);
    expect(await failures(gw, 'http_503')).toBe(1);
  });

  it.each([
    ['131047', 'window closed', GRAPH_ERRORS.windowClosed],
    ['100', 'invalid parameter', GRAPH_ERRORS.invalidParameter],
    ['190', 'expired token', GRAPH_ERRORS.expiredToken],
    ['131026', 'undeliverable', () => graphError(400, 131026, '(#131026) Message undeliverable')],
  ])('drops a permanent error (%s, %s) after one attempt and logs Meta\'s code', async (code, _what, reply) => {
    suite.graph.replyInOrder([reply()]);
    const gw = await start();
    await gw.deliver(messagesBody(text('no luck')));
    await drained(gw);
    expect(suite.graph.sends()).toHaveLength(1);
    expect(await failures(gw, code)).toBe(1);
    expect(metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_replies_sent_total')).toBe(0);
    const line = gw.logs.find((l) => l.includes('refused it permanently'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ metaCode: Number(code), fbtraceId: expect.stringMatching(/^AbCdEfGh/) });
    expect(gw.logs.some((l) => l.includes(suite.graph.accessToken))).toBe(false);
  });

  it('gives a job whose sends keep failing back to the inbox instead of losing it', async () => {
    suite.graph.replyInOrder(Array.from({ length: 4 }, () => GRAPH_ERRORS.serverError()));
    const gw = await start();
    await gw.deliver(messagesBody(text('persistent')));
    // The Graph client's four attempts fail; the job goes back to the inbox for a later run.
    await waitFor('four attempts', () => suite.graph.sends().length === 4);
    await waitFor('the job to be rescheduled', () => gw.logs.some((l) => l.includes('the job will run again')));
    expect(await gw.deps.whatsapp?.inbox.depth()).toBe(1);
    expect(suite.llm.requests).toHaveLength(1);
  });
});
