// A whole gateway with WhatsApp configured against the fake Graph API and the fake LLM, plus signed-POST helpers.
import type { FakeOpenAiServer } from '../fakes/openai-server.js';
import type { FakeGraphServer } from '../fakes/graph-server.js';
import { call, type Answer } from '../helpers/http.js';
import { deepMerge, startGateway, type RawConfig, type TestGateway } from '../helpers/start-gateway.js';
import { ALLOWED_USER, APP_SECRET, metaJson, PHONE_NUMBER_ID, sign, VERIFY_TOKEN } from './meta-payloads.js';

export interface WhatsAppTestGateway extends TestGateway {
  /** POSTs `body` (serialised like Meta unless a string) to /whatsapp, signed with `secret`. */
  deliver(body: unknown, secret?: string): Promise<Answer>;
  /** GET /metrics text. */
  metricsText(): Promise<string>;
}

/** The `[channels_config.whatsapp]` section the tests use, pointing at `graph`. */
export function whatsappSection(graph: FakeGraphServer, overrides: RawConfig = {}): RawConfig {
  return {
    access_token: graph.accessToken,
    phone_number_id: PHONE_NUMBER_ID,
    verify_token: VERIFY_TOKEN,
    app_secret: APP_SECRET,
    allowed_numbers: [`+${ALLOWED_USER}`],
    graph_api_base_url: graph.origin,
    graph_api_version: 'v23.0',
    ...overrides,
  };
}

export async function startWhatsAppGateway(options: {
  llm: FakeOpenAiServer;
  graph: FakeGraphServer;
  whatsapp?: RawConfig;
  config?: RawConfig;
  env?: NodeJS.ProcessEnv;
  dir?: string;
}): Promise<WhatsAppTestGateway> {
  const base: RawConfig = {
    default_provider: `custom:${options.llm.baseUrl}`,
    api_key: 'sk-test-abcdefghijklmnop',
    default_model: 'test/model-a',
    // One attempt: LLM failure tests then see the apology at once instead of after the provider's retries.
    reliability: { provider_retries: 0 },
    channels_config: { whatsapp: whatsappSection(options.graph, options.whatsapp) },
  };
  const gw = await startGateway({
    config: deepMerge(base, options.config ?? {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.dir ? { dir: options.dir } : {}),
  });
  return Object.assign(gw, {
    deliver(body: unknown, secret = APP_SECRET) {
      const raw = typeof body === 'string' ? body : metaJson(body);
      return call(`${gw.url}/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, secret) },
        body: raw,
      });
    },
    async metricsText() {
      return (await call(`${gw.url}/metrics`)).text;
    },
  });
}

/** The value of one sample line of the Prometheus text (0 when absent). */
export function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
