// POST /webhook end to end: the seven steps in spec §3 order, against a real fake OpenAI-compatible server.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { JSON_CONTENT_TYPE } from '../../src/gateway/messages.js';
import { openAiError } from '../fakes/openai-server.js';
import { llmConfig, TEST_API_KEY, useFakeLlm } from '../helpers/fake-llm.js';
import { call, pair, postJson } from '../helpers/http.js';
import { startGateway, type RawConfig, type TestGateway } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

const open: TestGateway[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close({ removeDir: true });
});

async function start(config: RawConfig = {}): Promise<TestGateway & { token: string }> {
  const gw = await startGateway({
    config: { ...llmConfig(llm), ...config },
  });
  open.push(gw);
  const token = gw.pairingCode === null ? '' : await pair(gw.url, gw.pairingCode);
  return Object.assign(gw, { token });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('POST /webhook', () => {
  it('answers {response, model} from the provider with the configured model and temperature', async () => {
    const gw = await start({ default_model: 'test/model-a', default_temperature: 0.3 });
    const answer = await postJson(`${gw.url}/webhook`, { message: 'What is 2+2?' }, bearer(gw.token));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ response: 'echo: What is 2+2?', model: 'test/model-a' });
    expect(answer.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    const sent = llm.requests.at(-1)?.body as { model: string; temperature: number };
    expect(sent.model).toBe('test/model-a');
    expect(sent.temperature).toBe(0.3);
    expect(llm.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${TEST_API_KEY}`);
  });

  it('refuses a missing or unknown bearer token with the exact 401', async () => {
    const gw = await start();
    const expected = renderError('UNAUTHORIZED_BEARER').body;
    for (const headers of [{}, bearer('zc_' + '0'.repeat(64)), { authorization: gw.token }, { authorization: `Basic ${gw.token}` }]) {
      const answer = await postJson(`${gw.url}/webhook`, { message: 'hi' }, headers);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(expected);
    }
    expect(llm.requests).toHaveLength(0);
  });

  it('checks the webhook secret after the bearer, trimmed and in constant time', async () => {
    const gw = await start({ channels_config: { webhook: { secret: 'my-secret' } } });
    const wrong = await postJson(`${gw.url}/webhook`, { message: 'hi' }, { ...bearer(gw.token), 'x-webhook-secret': 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual(renderError('UNAUTHORIZED_SECRET').body);
    const missing = await postJson(`${gw.url}/webhook`, { message: 'hi' }, bearer(gw.token));
    expect(missing.json).toEqual(renderError('UNAUTHORIZED_SECRET').body);
    // Bearer is checked first: a bad token with a good secret is the bearer's 401.
    const badBearer = await postJson(`${gw.url}/webhook`, { message: 'hi' }, { 'x-webhook-secret': 'my-secret' });
    expect(badBearer.json).toEqual(renderError('UNAUTHORIZED_BEARER').body);
    const ok = await postJson(`${gw.url}/webhook`, { message: 'hi' }, { ...bearer(gw.token), 'x-webhook-secret': '  my-secret ' });
    expect(ok.status).toBe(200);
  });

  it('answers 400 with the exact string for every malformed body, without parser details', async () => {
    const gw = await start();
    const expected = renderError('INVALID_JSON_BODY').body;
    const cases: Array<[string, string]> = [
      ['application/json', '{"message": '],
      ['application/json', '{"msg": "hi"}'],
      ['application/json', '{"message": 42}'],
      ['application/json', '["message"]'],
      ['application/json', 'null'],
      ['application/json', '"message"'],
      ['text/plain', '{"message": "hi"}'],
      ['application/x-www-form-urlencoded', 'message=hi'],
    ];
    for (const [type, body] of cases) {
      const answer = await call(`${gw.url}/webhook`, {
        method: 'POST',
        headers: { ...bearer(gw.token), 'content-type': type },
        body,
      });
      expect(answer.status, `${type} ${body}`).toBe(400);
      expect(answer.json).toEqual(expected);
    }
    const empty = await call(`${gw.url}/webhook`, { method: 'POST', headers: bearer(gw.token) });
    expect(empty.json).toEqual(expected);
    // Extra fields are ignored; charset parameters are fine.
    const extra = await call(`${gw.url}/webhook`, {
      method: 'POST',
      headers: { ...bearer(gw.token), 'content-type': 'application/json; charset=utf-8' },
      body: '{"message":"hi","__proto__":{"polluted":true},"extra":1}',
    });
    expect(extra.status).toBe(200);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(llm.requests).toHaveLength(1);
  });

  it('hides provider failures behind "LLM request failed" and logs a redacted detail', async () => {
    const gw = await start({ reliability: { provider_retries: 0 } });
    llm.reply(() => openAiError(401, `Incorrect API key provided: ${TEST_API_KEY}`, 'invalid_request_error', 'invalid_api_key'));
    const answer = await postJson(`${gw.url}/webhook`, { message: 'hi' }, bearer(gw.token));
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual(renderError('LLM_FAILED').body);
    expect(answer.text).not.toContain(TEST_API_KEY);
    expect(gw.logs.join('\n')).toContain('LLM request failed');
    expect(gw.logs.join('\n')).not.toContain(TEST_API_KEY);
  });

  it('auto-saves each message to SQLite under webhook_msg_<uuid-v4>, category conversation', async () => {
    const gw = await start();
    for (const message of ['first note', 'second note']) {
      expect((await postJson(`${gw.url}/webhook`, { message }, bearer(gw.token))).status).toBe(200);
    }
    const db = new Database(join(gw.dir, 'memory.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      const table = tables.map((t) => t.name).find((n) => /memor/.test(n) && !/fts|migration/.test(n));
      expect(table).toBeDefined();
      const rows = db.prepare(`SELECT * FROM ${table as string}`).all() as Array<Record<string, unknown>>;
      const saved = rows.map((r) => [r['key'], r['content'], r['category']]);
      expect(saved).toHaveLength(2);
      for (const [key, , category] of saved) {
        expect(key).toMatch(/^webhook_msg_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(category).toBe('conversation');
      }
      expect(saved.map((s) => s[1]).sort()).toEqual(['first note', 'second note']);
    } finally {
      db.close();
    }
  });

  it('answers 200 when memory fails, logging and counting the failure (spec §3 step 6)', async () => {
    const gw = await start();
    await gw.memory.close(); // the real SQLite backend now fails every store
    const answer = await postJson(`${gw.url}/webhook`, { message: 'remember me' }, bearer(gw.token));
    expect(answer.status).toBe(200);
    expect(answer.json['response']).toBe('echo: remember me');
    expect(gw.logs.join('\n')).toContain('memory auto-save failed');
    expect(await gw.deps.metrics.render()).toContain('zeroclaw_errors_total{component="memory"} 1');
  });

  it('checks in spec order: secret before body, body before idempotency (a 400 does not take the key)', async () => {
    const gw = await start({ channels_config: { webhook: { secret: 's3' } } });
    const headers = { ...bearer(gw.token), 'x-idempotency-key': 'order-1' };
    const badSecretBadBody = await postJson(`${gw.url}/webhook`, '{broken', { ...headers, 'x-webhook-secret': 'wrong' });
    expect(badSecretBadBody.json).toEqual(renderError('UNAUTHORIZED_SECRET').body);
    const badBody = await postJson(`${gw.url}/webhook`, '{broken', { ...headers, 'x-webhook-secret': 's3' });
    expect(badBody.json).toEqual(renderError('INVALID_JSON_BODY').body);
    const good = await postJson(`${gw.url}/webhook`, { message: 'now valid' }, { ...headers, 'x-webhook-secret': 's3' });
    expect(good.json).toEqual({ response: 'echo: now valid', model: 'anthropic/claude-sonnet-4' });
  });

  it('does not save when memory.auto_save is false', async () => {
    const gw = await start({ memory: { auto_save: false } });
    expect((await postJson(`${gw.url}/webhook`, { message: 'private' }, bearer(gw.token))).status).toBe(200);
    expect(await gw.memory.count()).toBe(0);
  });

  it('accepts requests without a token when pairing is disabled, and /pair answers 403', async () => {
    const gw = await start({ gateway: { require_pairing: false } });
    expect(gw.pairingCode).toBeNull();
    const answer = await postJson(`${gw.url}/webhook`, { message: 'open' });
    expect(answer.status).toBe(200);
    const pairAnswer = await call(`${gw.url}/pair`, { method: 'POST', headers: { 'x-pairing-code': '123456' } });
    expect(pairAnswer.status).toBe(403);
    expect(pairAnswer.json).toEqual(renderError('INVALID_PAIRING_CODE').body);
  });
});
