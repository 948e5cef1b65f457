// POST /whatsapp end to end: Meta-shaped deliveries → durable inbox → worker → fake LLM → fake Graph API (spec §5).
import { describe, expect, it } from 'vitest';
import { WHATSAPP_APOLOGY } from '../../src/channels/whatsapp/worker.js';
import { JSON_CONTENT_TYPE } from '../../src/gateway/messages.js';
import { echoOpenAi, openAiCompletion, openAiError } from '../fakes/openai-server.js';
import { lastUserMessage } from '../fakes/fake-vendor-server.js';
import { call } from '../helpers/http.js';
import {
  ALLOWED_USER,
  BSUID,
  change,
  message,
  messagesBody,
  OTHER_USER,
  PHONE_NUMBER_ID,
  status,
  text,
  waitFor,
  wamid,
  webhook,
} from './meta-payloads.js';
import { metricValue, type WhatsAppTestGateway } from './whatsapp-gateway.js';
import { useWhatsAppSuite } from './whatsapp-suite.js';

const suite = useWhatsAppSuite();
const { start } = suite;

/** Resolves when the inbox is empty and nothing is in flight: every queued message was answered or dropped. */
async function settled(gw: WhatsAppTestGateway): Promise<void> {
  await waitFor('the WhatsApp inbox to drain', async () => (await gw.deps.whatsapp?.inbox.depth()) === 0);
}

const llmMessages = () => suite.llm.requests.map((req) => lastUserMessage(req.body));

describe('POST /whatsapp', () => {
  it('answers 200 {"status":"ok"} before the LLM answers, then replies through the Graph API', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    suite.llm.reply(async (req) => {
      await gate;
      return echoOpenAi(req);
    });
    const gw = await start();
    const answer = await gw.deliver(messagesBody(text('Does it come in another color?')));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
    expect(answer.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    // The LLM is asked and is still thinking; nothing was sent yet.
    await waitFor('the LLM call', () => suite.llm.requests.length === 1);
    expect(suite.graph.sends()).toEqual([]);
    release();
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    const [sent] = suite.graph.requests;
    expect(sent?.path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
    expect(sent?.headers['authorization']).toBe(`Bearer ${suite.graph.accessToken}`);
    expect(sent?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: ALLOWED_USER,
      type: 'text',
      text: { preview_url: false, body: 'echo: Does it come in another color?' },
    });
  });

  it('saves the message under whatsapp_<sender>_<wamid> before asking the LLM', async () => {
    const gw = await start();
    const msg = text('remember the milk');
    await gw.deliver(messagesBody(msg));
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    const saved = await gw.memory.get(`whatsapp_+${ALLOWED_USER}_${msg.id}`);
    expect(saved?.content).toBe('remember the milk');
    expect(saved?.category).toBe('conversation');
  });

  it('answers a redelivered wamid once, even when it arrives again after the reply', async () => {
    const gw = await start();
    const msg = text('only once please');
    const body = messagesBody(msg);
    const [first, second] = await Promise.all([gw.deliver(body), gw.deliver(body)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    await settled(gw);
    expect((await gw.deliver(body)).status).toBe(200);
    await settled(gw);
    expect(suite.graph.sends()).toHaveLength(1);
    expect(suite.llm.requests).toHaveLength(1);
  });

  it('gives the LLM texts, button and list titles, template button texts and media captions', async () => {
    const gw = await start();
    const messages = [
      text('plain text'),
      message('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'b1', title: 'Yes, book it' } } }),
      message('interactive', {
        interactive: { type: 'list_reply', list_reply: { id: 'l2', title: 'Tuesday 10:00', description: 'Morning slot' } },
      }),
      message('button', { button: { text: 'Stop promotions', payload: 'STOP' } }),
      message('image', { image: { id: '1', mime_type: 'image/jpeg', sha256: 'x', caption: 'look at this' } }),
      message('video', { video: { id: '2', mime_type: 'video/mp4', sha256: 'x', caption: 'and this video' } }),
      message('document', {
        document: { id: '3', mime_type: 'application/pdf', sha256: 'x', filename: 'a.pdf', caption: 'my invoice' },
      }),
    ];
    expect((await gw.deliver(messagesBody(...messages))).status).toBe(200);
    await waitFor('seven replies', () => suite.graph.sends().length === 7);
    const expected = [
      'plain text',
      'Yes, book it',
      'Tuesday 10:00',
      'Stop promotions',
      'look at this',
      'and this video',
      'my invoice',
    ];
    expect(llmMessages()).toEqual(expected);
    expect(suite.graph.sends().map((s) => s.body)).toEqual(expected.map((t) => `echo: ${t}`));
  });

  it('acknowledges and counts audio, sticker, location, reaction, contacts, unsupported, captionless media and statuses without the LLM', async () => {
    const gw = await start();
    const body = webhook([
      change({
        messages: [
          message('audio', { audio: { id: 'a', mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true } }),
          message('sticker', { sticker: { id: 's', mime_type: 'image/webp', sha256: 'x', animated: false } }),
          message('location', { location: { latitude: 37.48, longitude: -122.14, name: 'Philz' } }),
          message('reaction', { reaction: { message_id: 'wamid.OUT1', emoji: '👍' } }),
          message('contacts', { contacts: [{ name: { formatted_name: 'Ana' }, phones: [{ phone: '+1 555', wa_id: '1555' }] }] }),
          message('unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }),
          message('image', { image: { id: 'i', mime_type: 'image/jpeg', sha256: 'x' } }),
        ],
      }),
      change({ statuses: [status('sent'), status('delivered'), status('read')] }),
    ]);
    const answer = await gw.deliver(body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
    const metrics = await gw.metricsText();
    for (const type of ['audio', 'sticker', 'location', 'reaction', 'contacts', 'unsupported', 'image']) {
      expect(metricValue(metrics, `zeroclaw_whatsapp_messages_in_total{type="${type}"}`)).toBe(1);
    }
    expect(metricValue(metrics, 'zeroclaw_whatsapp_messages_in_total{type="status"}')).toBe(3);
    expect(await gw.deps.whatsapp?.inbox.depth()).toBe(0);
    expect(suite.llm.requests).toHaveLength(0);
    expect(suite.graph.requests).toHaveLength(0);
  });

  it('acknowledges a statuses-only delivery, including a failed one, and logs its Meta code', async () => {
    const gw = await start();
    const failed = status('failed', [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' }]);
    const answer = await gw.deliver(webhook([change({ statuses: [failed] })]));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
    expect(gw.logs.some((line) => line.includes('131047'))).toBe(true);
    expect(suite.llm.requests).toHaveLength(0);
  });

  it('handles several entries, changes and messages in the order Meta sent them', async () => {
    const gw = await start();
    const body = webhook(
      [change({ messages: [text('one'), text('two')] }), change({ messages: [text('three')] })],
      [change({ statuses: [status('delivered')] }), change({ messages: [text('four'), text('five')] })],
    );
    expect((await gw.deliver(body)).status).toBe(200);
    await waitFor('five replies', () => suite.graph.sends().length === 5);
    expect(llmMessages()).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(suite.graph.sends().map((s) => s.body)).toEqual(['echo: one', 'echo: two', 'echo: three', 'echo: four', 'echo: five']);
  });

  it('answers a user who hid their number by the business-scoped user id', async () => {
    const gw = await start({ whatsapp: { allowed_numbers: [BSUID] } });
    const msg = text('hello from a username', { from: null, fromUserId: BSUID });
    const body = webhook([
      change({ contacts: [{ profile: { name: 'Bob', username: '@bob' }, user_id: BSUID }], messages: [msg] }),
    ]);
    expect((await gw.deliver(body)).status).toBe(200);
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    expect(suite.graph.sends()[0]).toMatchObject({ to: undefined, recipient: BSUID, body: 'echo: hello from a username' });
    expect(await gw.memory.get(`whatsapp_${BSUID}_${msg.id}`)).not.toBeNull();
  });

  it('skips a message with neither a number nor a user id without failing the rest', async () => {
    const gw = await start();
    const body = webhook([change({ messages: [text('nobody', { from: null }), text('somebody')] })]);
    expect((await gw.deliver(body)).status).toBe(200);
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    await settled(gw);
    expect(llmMessages()).toEqual(['somebody']);
  });

  it('gives an unauthorised sender nothing: no LLM call, no reply, a log line', async () => {
    const gw = await start();
    const stranger = text('let me in', { from: OTHER_USER });
    expect((await gw.deliver(messagesBody(stranger))).status).toBe(200);
    await settled(gw);
    expect(suite.llm.requests).toHaveLength(0);
    expect(suite.graph.requests).toHaveLength(0);
    expect(gw.logs.some((line) => line.includes('not in allowed_numbers') && line.includes(`+${OTHER_USER}`))).toBe(true);
  });

  it('normalises allowed_numbers, allows everyone with "*" and nobody with []', async () => {
    const spaced = await start({ whatsapp: { allowed_numbers: ['+1 (650) 555-1234'] } });
    await spaced.deliver(messagesBody(text('spaced')));
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    await suite.closeNow(spaced);

    const everyone = await start({ whatsapp: { allowed_numbers: ['*'] } });
    await everyone.deliver(messagesBody(text('star', { from: OTHER_USER })));
    await waitFor('the reply', () => suite.graph.sends().length === 2);
    expect(suite.graph.sends()[1]?.to).toBe(OTHER_USER);
    await suite.closeNow(everyone);

    const nobody = await start({ whatsapp: { allowed_numbers: [] } });
    await nobody.deliver(messagesBody(text('empty list')));
    await settled(nobody);
    expect(suite.graph.sends()).toHaveLength(2);
    expect(nobody.logs.some((line) => line.includes('allowed_numbers is empty'))).toBe(true);
  });

  it('sends the fixed apology when the LLM fails', async () => {
    suite.llm.reply(() => openAiError(500, 'The server had an error while processing your request.', 'server_error'));
    const gw = await start();
    await gw.deliver(messagesBody(text('are you there?')));
    await waitFor('the apology', () => suite.graph.sends().length === 1);
    expect(suite.graph.sends()[0]?.body).toBe(WHATSAPP_APOLOGY);
  });

  it('splits a reply over 4,096 characters on paragraph boundaries, in order', async () => {
    const paragraphs = Array.from({ length: 5 }, (_, i) => `Paragraph ${i + 1}. ${'word '.repeat(300).trim()}`);
    const long = paragraphs.join('\n\n');
    suite.llm.reply(() => ({ body: openAiCompletion('test/model-a', long) }));
    const gw = await start();
    await gw.deliver(messagesBody(text('tell me a long story')));
    await settled(gw);
    const bodies = suite.graph.sends().map((s) => s.body ?? '');
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(4096);
    expect(bodies.join('\n\n')).toBe(long);
    expect(bodies[0]?.startsWith('Paragraph 1.')).toBe(true);
  });

  it('exposes queue depth, replies sent and time to reply in /metrics and the channels component in /health', async () => {
    const gw = await start();
    await gw.deliver(messagesBody(text('metrics please')));
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    await settled(gw);
    await waitFor('the depth gauge to drop', async () => metricValue(await gw.metricsText(), 'zeroclaw_whatsapp_queue_depth') === 0);
    const metrics = await gw.metricsText();
    expect(metricValue(metrics, 'zeroclaw_whatsapp_replies_sent_total')).toBe(1);
    expect(metricValue(metrics, 'zeroclaw_whatsapp_reply_seconds_count')).toBe(1);
    expect(metricValue(metrics, 'zeroclaw_whatsapp_messages_in_total{type="text"}')).toBe(1);
    const health = await call(`${gw.url}/health`);
    expect((health.json['runtime'] as { components: Record<string, string> }).components['channels']).toBe('ok');
  });

  it('acknowledges JSON that is not a WhatsApp webhook without doing anything', async () => {
    const gw = await start();
    for (const body of [{}, { object: 'page', entry: [] }, [1, 2], 'null']) {
      const answer = await gw.deliver(body);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ status: 'ok' });
    }
    expect(await gw.deps.whatsapp?.inbox.depth()).toBe(0);
  });

  it('keeps unrelated wamids apart: a new message after a redelivery is still answered', async () => {
    const gw = await start();
    const first = text('first');
    await gw.deliver(messagesBody(first));
    await gw.deliver(messagesBody(first, text('second', { id: wamid('second') })));
    await waitFor('two replies', () => suite.graph.sends().length === 2);
    await settled(gw);
    expect(llmMessages()).toEqual(['first', 'second']);
  });
});
