// GET /whatsapp (Meta's handshake) and POST /whatsapp's checks before the inbox: exact answers of spec §5.
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { call, postJson } from '../helpers/http.js';
import { startGateway } from '../helpers/start-gateway.js';
import { APP_SECRET, messagesBody, metaJson, sign, text, VERIFY_TOKEN, waitFor } from './meta-payloads.js';
import { useWhatsAppSuite } from './whatsapp-suite.js';

const suite = useWhatsAppSuite();
const { start } = suite;

function verifyUrl(base: string, params: Record<string, string>): string {
  return `${base}/whatsapp?${new URLSearchParams(params).toString()}`;
}

const expectText = (answer: { status: number; text: string; headers: Headers }, code: Parameters<typeof renderError>[0]) => {
  const row = renderError(code);
  expect(answer.status).toBe(row.status);
  expect(answer.text).toBe(row.body);
  expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
};

describe('GET /whatsapp', () => {
  it('answers the challenge as the whole text/plain body when mode and token match', async () => {
    const gw = await start();
    const answer = await call(verifyUrl(gw.url, { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': VERIFY_TOKEN }));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('1158201444');
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('answers 400 "Missing hub.challenge" when the token matches but there is no challenge', async () => {
    const gw = await start();
    expectText(await call(verifyUrl(gw.url, { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN })), 'WHATSAPP_MISSING_CHALLENGE_TEXT');
  });

  it('answers 403 "Forbidden" for a wrong token, a wrong mode or nothing at all', async () => {
    const gw = await start();
    const cases: Array<Record<string, string>> = [
      { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'wrong' },
      { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': `${VERIFY_TOKEN}x` },
      { 'hub.mode': 'subscribe', 'hub.challenge': '1' },
      { 'hub.mode': 'unsubscribe', 'hub.challenge': '1', 'hub.verify_token': VERIFY_TOKEN },
      { 'hub.challenge': '1', 'hub.verify_token': VERIFY_TOKEN },
      {},
    ];
    for (const params of cases) expectText(await call(verifyUrl(gw.url, params)), 'WHATSAPP_FORBIDDEN_TEXT');
  });

  it('answers 404 "WhatsApp not configured" as text when the section is absent, even with the app secret in the environment', async () => {
    const gw = await startGateway({ env: { ZEROCLAW_WHATSAPP_APP_SECRET: APP_SECRET } });
    suite.closeAfterTest(gw);
    expectText(
      await call(verifyUrl(gw.url, { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': VERIFY_TOKEN })),
      'WHATSAPP_NOT_CONFIGURED_TEXT',
    );
    const post = await postJson(`${gw.url}/whatsapp`, messagesBody(text('hi')));
    expect(post.status).toBe(404);
    expect(post.json).toEqual(renderError('WHATSAPP_NOT_CONFIGURED').body);
  });

  it('never writes the verify token to the log, whatever the outcome', async () => {
    const gw = await start();
    await call(verifyUrl(gw.url, { 'hub.mode': 'subscribe', 'hub.challenge': '42', 'hub.verify_token': VERIFY_TOKEN }));
    await call(verifyUrl(gw.url, { 'hub.mode': 'subscribe', 'hub.challenge': '42', 'hub.verify_token': 'guess-token-123' }));
    await call(`${gw.url}/whatsapp?hub.verify_token=${VERIFY_TOKEN}&oops`, { method: 'DELETE' });
    expect(gw.logs.length).toBeGreaterThan(0);
    for (const line of gw.logs) {
      expect(line).not.toContain(VERIFY_TOKEN);
      expect(line).not.toContain('guess-token-123');
    }
  });
});

describe('POST /whatsapp checks', () => {
  it('refuses every POST with 401 and says an app secret is required when none is configured; warns at startup', async () => {
    const gw = await start({ whatsapp: { app_secret: '' } });
    const raw = metaJson(messagesBody(text('hi')));
    for (const signature of [sign(raw), sign(raw, ''), undefined]) {
      const answer = await call(`${gw.url}/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
        body: raw,
      });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(renderError('WHATSAPP_APP_SECRET_REQUIRED').body);
    }
    expect(gw.logs.some((line) => line.includes('"level":40') && line.includes('no app secret configured'))).toBe(true);
    expect(await gw.deps.whatsapp?.inbox.depth()).toBe(0);
  });

  it('lets ZEROCLAW_WHATSAPP_APP_SECRET beat app_secret', async () => {
    const gw = await start({ whatsapp: { app_secret: 'file-secret' }, env: { ZEROCLAW_WHATSAPP_APP_SECRET: APP_SECRET } });
    expect((await gw.deliver(messagesBody(text('env wins')))).status).toBe(200);
    const fileSigned = await gw.deliver(messagesBody(text('file loses')), 'file-secret');
    expect(fileSigned.status).toBe(401);
    expect(fileSigned.json).toEqual(renderError('INVALID_SIGNATURE').body);
  });

  it('refuses a missing, malformed or wrong signature with 401 "Invalid signature" and queues nothing', async () => {
    const gw = await start();
    const raw = metaJson(messagesBody(text('forged')));
    const good = sign(raw);
    const hex = good.slice('sha256='.length);
    const headers: Array<string | undefined> = [
      undefined,
      '',
      hex,
      `sha1=${hex}`,
      `SHA256=${hex}`,
      `sha256 =${hex}`,
      `sha256=${hex.slice(0, 63)}`,
      `sha256=${hex}0`,
      `sha256=${'z'.repeat(64)}`,
      sign(raw, 'another-secret'),
      sign(`${raw} `),
    ];
    for (const signature of headers) {
      const answer = await call(`${gw.url}/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}) },
        body: raw,
      });
      expect(answer.status, `signature ${String(signature)}`).toBe(401);
      expect(answer.json).toEqual(renderError('INVALID_SIGNATURE').body);
    }
    expect(gw.logs.some((line) => line.includes(hex))).toBe(false);
    expect(await gw.deps.whatsapp?.inbox.depth()).toBe(0);
  });

  it('verifies the signature over the exact bytes: a non-ASCII body signed over Meta\'s escaped form is accepted', async () => {
    const gw = await start();
    const body = messagesBody(text('Olá! ¿Tienes el café en otro color? 日本語 👋 €'));
    const raw = metaJson(body);
    expect(raw).toContain('\\u00e1');
    expect(raw).toContain('\\ud83d\\udc4b');
    expect(raw).not.toContain('á');
    const answer = await gw.deliver(raw);
    expect(answer.status).toBe(200);
    await waitFor('the reply', () => suite.graph.sends().length === 1);
    expect(suite.graph.sends()[0]?.body).toBe('echo: Olá! ¿Tienes el café en otro color? 日本語 👋 €');

    // The same JSON re-serialised without the escapes is other bytes: Meta's signature no longer matches.
    const reserialised = JSON.stringify(body);
    const mismatch = await call(`${gw.url}/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
      body: reserialised,
    });
    expect(mismatch.status).toBe(401);
  });

  it('answers 400 "Invalid JSON payload" for a correctly signed body that is not JSON', async () => {
    const gw = await start();
    for (const raw of ['{"object": "whatsapp_business_account", ', 'not json', '']) {
      const answer = await gw.deliver(raw);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(renderError('INVALID_JSON_PAYLOAD').body);
    }
  });

  it('checks the signature before the JSON: an unsigned malformed body is a 401, not a 400', async () => {
    const gw = await start();
    const answer = await call(`${gw.url}/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(renderError('INVALID_SIGNATURE').body);
  });
});
