// docs/whatsapp.md holds a working example: its config starts a gateway, and its two curl checks get the documented answers.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { call } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';
import { sign, waitFor } from './meta-payloads.js';

const doc = readFileSync(new URL('../../docs/whatsapp.md', import.meta.url), 'utf8');
const exampleConfig = /### Example config\s+```toml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
const verifyToken = /verify_token = "([^"]+)"/.exec(exampleConfig)?.[1] ?? '';
const appSecret = /app_secret = "([^"]+)"/.exec(exampleConfig)?.[1] ?? '';
const curlBody = /BODY='([^']+)'/.exec(doc)?.[1] ?? '';

let llm: FakeOpenAiServer;
let graph: FakeGraphServer;
beforeAll(async () => {
  [llm, graph] = await Promise.all([startFakeOpenAiServer(), startFakeGraphServer({ accessToken: 'EAAGm0PX4ZCpsBAKzdjNhZA8Yx7example' })]);
});
afterAll(async () => {
  await Promise.all([llm.close(), graph.close()]);
});
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close({ removeDir: true });
});

describe('README WhatsApp section', () => {
  it('shows the same [channels_config.whatsapp] settings as the tested docs example', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## WhatsApp Business'));
    const block = /```toml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const settings = block.split('\n').filter((line) => /^[a-z_]+ = /.test(line));
    expect(settings.length).toBeGreaterThanOrEqual(5);
    for (const line of settings) expect(exampleConfig).toContain(line);
  });
});

describe('docs/whatsapp.md', () => {
  it('has an example config, a verify token, an app secret and a curl body to test', () => {
    expect(exampleConfig).toContain('[channels_config.whatsapp]');
    expect(verifyToken).not.toBe('');
    expect(appSecret).not.toBe('');
    expect(JSON.parse(curlBody)).toMatchObject({ object: 'whatsapp_business_account' });
  });

  it('its config, pointed at the fakes, answers the handshake and the signed delivery as documented', async () => {
    // Only the vendor addresses change: the LLM and the Graph API are the local fakes.
    const configText = exampleConfig
      .replace(/^default_provider = .*$/m, `default_provider = "custom:${llm.baseUrl}"\napi_key = "sk-test-abcdefghijklmnop"`)
      .replace(/^# graph_api_base_url = .*$/m, `graph_api_base_url = "${graph.origin}"`);
    gw = await startGateway({ configText });
    const handshake = await call(`${gw.url}/whatsapp?hub.mode=subscribe&hub.challenge=12345&hub.verify_token=${verifyToken}`);
    expect(handshake.status).toBe(200);
    expect(handshake.text).toBe('12345');

    const delivery = await call(`${gw.url}/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(curlBody, appSecret) },
      body: curlBody,
    });
    expect(delivery.status).toBe(200);
    expect(delivery.json).toEqual({ status: 'ok' });
    await waitFor('the reply', () => graph.sends().length === 1);
    expect(graph.sends()[0]).toMatchObject({ to: '16505551234', body: 'echo: hello' });
  });
});
