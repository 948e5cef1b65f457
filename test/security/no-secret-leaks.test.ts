// Secrets (issue 7): run the built gateway through a full scenario (pairing with failures, webhook with a secret,
// idempotency, an LLM error that echoes the API key, a Graph API error that echoes the access token, WhatsApp
// verification with the token in the query string, signed and unsigned deliveries, metrics, the operator API), then
// search everything it wrote (its output, every answer's headers and body, the metrics text, every file it wrote)
// for every secret. None may appear: not the bearer token, the pairing code (outside the startup banner), the
// webhook secret, the WhatsApp app secret, verify token or access token, the API key or the operator's admin key.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY_HEADER } from '../../src/gateway/routes/admin.js';
import { adminKeyPath } from '../../src/security/admin-key.js';
import { graphError, startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { echoOpenAi, openAiError, startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { cleanEnv, spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/start-gateway.js';
import { messagesBody, metaJson, sign, text, waitFor } from '../whatsapp/meta-payloads.js';

const secrets = {
  apiKey: `sk-live-${randomBytes(16).toString('hex')}`,
  webhookSecret: `whsec_${randomBytes(16).toString('hex')}`,
  appSecret: randomBytes(16).toString('hex'),
  verifyToken: `verify-${randomBytes(12).toString('hex')}`,
  accessToken: `EAAG${randomBytes(24).toString('hex')}`,
};
const SENDER = '15551234567';

let llm: FakeOpenAiServer;
let graph: FakeGraphServer;
let dir: string;
let gw: GatewayProcess;
/** Everything the gateway answered, as text: status line, headers and body of every response. */
const answers: string[] = [];
/** Every secret found, with where and its context. */
const found: string[] = [];

beforeAll(async () => {
  llm = await startFakeOpenAiServer();
  // A vendor that quotes the key it was given back in its error, as some do.
  llm.reply((req) => {
    const body = req.body as { messages?: Array<{ content?: string }> } | undefined;
    if (body?.messages?.some((m) => m.content?.includes('please fail'))) {
      return openAiError(401, `Incorrect API key provided: ${String(req.headers.authorization).replace('Bearer ', '')}`, 'invalid_request_error', 'invalid_api_key');
    }
    return echoOpenAi(req);
  });
  graph = await startFakeGraphServer({ accessToken: secrets.accessToken });
  // Meta quoting the token back in a permanent error (not retried, logged with Meta's code).
  graph.reply(() => graphError(401, 190, `Invalid OAuth access token - Cannot parse access token: ${secrets.accessToken}`));
  dir = makeTempDir();
  const configPath = join(dir, 'config.toml');
  writeFileSync(
    configPath,
    stringify({
      default_provider: `custom:${llm.baseUrl}`,
      api_key: secrets.apiKey,
      reliability: { provider_retries: 0 },
      gateway: { pair_rate_limit_per_minute: 100 },
      channels_config: {
        webhook: { secret: secrets.webhookSecret },
        whatsapp: {
          access_token: secrets.accessToken,
          phone_number_id: '106540352242922',
          verify_token: secrets.verifyToken,
          app_secret: secrets.appSecret,
          allowed_numbers: [`+${SENDER}`],
          graph_api_base_url: graph.origin,
        },
      },
      observability: { backend: 'prometheus', log_level: 'debug' },
    }),
    { mode: 0o600 },
  );
  gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
});

afterAll(async () => {
  if (gw.child.exitCode === null) {
    gw.child.kill('SIGKILL');
    await gw.exited;
  }
  await llm.close();
  await graph.close();
});

/** One request; the whole answer is kept for the search unless `keep` is false (the one body meant to hold a secret). */
async function send(path: string, init: RequestInit = {}, keep = true): Promise<{ status: number; body: string }> {
  const response = await fetch(`${gw.url}${path}`, init);
  const body = await response.text();
  if (keep) answers.push(`${response.status} ${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${body}`);
  return { status: response.status, body };
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no secret in anything the gateway writes', () => {
  it('runs a full scenario and finds no secret in output, answers, metrics or files', async () => {
    const code = /X-Pairing-Code: (\d{6})/.exec(gw.output())?.[1];
    expect(code).toBeDefined();
    const pairingCode = code as string;

    // Pairing: wrong codes first (failures are logged), then the right one.
    for (const wrong of ['000000', '999999', '']) {
      if (wrong === pairingCode) continue;
      expect((await send('/pair', { method: 'POST', headers: { 'x-pairing-code': wrong } })).status).toBe(403);
    }
    const paired = await send('/pair', { method: 'POST', headers: { 'x-pairing-code': pairingCode } }, false);
    expect(paired.status).toBe(200);
    const token = (JSON.parse(paired.body) as { token: string }).token;

    const webhook = (message: string, headers: Record<string, string> = {}) =>
      send('/webhook', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-webhook-secret': secrets.webhookSecret, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ message }),
      });
    expect((await webhook('hello')).status).toBe(200);
    expect((await webhook('once', { 'x-idempotency-key': 'k-1' })).status).toBe(200);
    expect((await webhook('once', { 'x-idempotency-key': 'k-1' })).status).toBe(200); // replayed
    expect((await webhook('x', { 'x-webhook-secret': 'not-it' })).status).toBe(401);
    expect((await webhook('x', { authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await send('/webhook', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-webhook-secret': secrets.webhookSecret, 'content-type': 'application/json' }, body: '{"message":' })).status).toBe(400);
    // The vendor's error quotes the API key: the client gets the plain 500, the log a redacted reason.
    expect((await webhook('please fail')).status).toBe(500);
    expect(llm.requests.some((r) => JSON.stringify(r.body).includes('please fail'))).toBe(true);

    // WhatsApp: Meta's handshake carries the verify token in the query string.
    const challenge = await send(`/whatsapp?hub.mode=subscribe&hub.verify_token=${secrets.verifyToken}&hub.challenge=4242`, {}, false);
    expect(challenge).toEqual({ status: 200, body: '4242' });
    expect((await send(`/whatsapp?hub.mode=subscribe&hub.verify_token=${secrets.verifyToken}x&hub.challenge=1`)).status).toBe(403);
    const delivery = metaJson(messagesBody(text('hi from whatsapp', { from: SENDER })));
    expect((await send('/whatsapp', { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(delivery, secrets.appSecret) }, body: delivery })).status).toBe(200);
    expect((await send('/whatsapp', { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(delivery, 'wrong') }, body: delivery })).status).toBe(401);
    await waitFor('the reply to reach the Graph API (and fail with the token quoted)', () => graph.sends().length > 0);
    await waitFor('the permanent Graph error to be logged', () => gw.output().includes('190'));

    // Metrics, and the operator API (fingerprints only).
    expect((await send('/metrics')).status).toBe(200);
    const adminKey = readFileSync(adminKeyPath(dir), 'utf8').trim();
    expect((await send('/admin/tokens', { headers: { [ADMIN_KEY_HEADER]: adminKey } })).status).toBe(200);

    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);

    // The search. The banner's two lines show the code on purpose (the operator must read it); nothing else may.
    const output = gw
      .output()
      .split('\n')
      .filter((line) => !/One-time pairing code: \d{6}/.test(line) && !/-H "X-Pairing-Code: \d{6}"/.test(line))
      .join('\n');
    const configPath = join(dir, 'config.toml');
    const written = filesUnder(dir).filter((path) => path !== configPath && path !== adminKeyPath(dir));
    expect(written.length).toBeGreaterThan(0);
    const places: Array<{ where: string; text: string }> = [
      { where: 'stdout/stderr', text: output },
      ...answers.map((answer, i) => ({ where: `answer ${i}`, text: answer })),
      ...written.map((path) => ({ where: path, text: readFileSync(path).toString('latin1') })),
      // The config file holds what its owner wrote in it (the API key, the secrets); the gateway adds only hashes.
      { where: `${configPath} (token and code only)`, text: readFileSync(configPath, 'utf8') },
    ];
    const everywhere: Record<string, RegExp> = {
      'bearer token': new RegExp(token),
      'token hex': new RegExp(token.slice(3)),
      'pairing code': new RegExp(`(?<![0-9])${pairingCode}(?![0-9])`),
      'admin key': new RegExp(adminKey),
    };
    const besidesConfig: Record<string, RegExp> = {
      'API key': new RegExp(secrets.apiKey),
      'webhook secret': new RegExp(secrets.webhookSecret),
      'app secret': new RegExp(secrets.appSecret),
      'verify token': new RegExp(secrets.verifyToken),
      'access token': new RegExp(secrets.accessToken),
    };
    for (const place of places) {
      const patterns = place.where.endsWith('(token and code only)') ? everywhere : { ...everywhere, ...besidesConfig };
      for (const [name, pattern] of Object.entries(patterns)) {
        const match = pattern.exec(place.text);
        if (match) found.push(`${name} in ${place.where}: …${place.text.slice(Math.max(0, match.index - 80), match.index + 80)}…`);
      }
    }
    expect(found, found.join('\n')).toEqual([]);
    // The search itself works: the output is not empty and did record the failures.
    expect(output).toContain('LLM');
    expect(answers.length).toBeGreaterThan(10);
  }, 60_000);
});
