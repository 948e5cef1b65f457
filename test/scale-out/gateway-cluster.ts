// Several real gateway processes (the built CLI) sharing one Redis: one config folder each, admin API access, teardown.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { ADMIN_KEY_HEADER } from '../../src/gateway/routes/admin.js';
import { readAdminKey } from '../../src/security/admin-key.js';
import { CLI_PATH, cleanEnv, spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { call, type Answer } from '../helpers/http.js';
import { deepMerge, makeTempDir, type RawConfig } from '../helpers/start-gateway.js';
import { metaJson, sign } from '../whatsapp/meta-payloads.js';

export interface ClusterInstance {
  /** http://127.0.0.1:PORT from the banner. */
  url: string;
  /** Its config folder, also its data folder (admin key, memory). */
  dir: string;
  process: GatewayProcess;
  /** The pairing code its banner printed, or null ("pairing active" / disabled). */
  bannerCode: string | null;
  /** Calls its loopback operator API with its admin key. */
  admin(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<Answer>;
  /** True while the process runs. */
  alive(): boolean;
}

/** The config every instance shares: Redis state, the fake LLM, no memory files, quick shutdown. */
export function clusterConfig(options: { redisUrl: string; keyPrefix: string; llmBaseUrl: string }, extra: RawConfig = {}): RawConfig {
  const base: RawConfig = {
    default_provider: `custom:${options.llmBaseUrl}`,
    api_key: 'sk-test-abcdefghijklmnop',
    default_model: 'test/model-a',
    gateway: { shutdown_grace_secs: 1 },
    // One attempt: a provider failure is a failure at once.
    reliability: { provider_retries: 0 },
    memory: { backend: 'none' },
    state: { backend: 'redis', redis_url: options.redisUrl, key_prefix: options.keyPrefix },
  };
  return deepMerge(base, extra);
}

/** Starts one gateway process on its own config folder, on a free port; resolves once its banner is out. */
export async function startInstance(config: RawConfig): Promise<ClusterInstance> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first`);
  const dir = makeTempDir();
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, stringify(config), { mode: 0o600 });
  const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
  const url = gw.url;
  return {
    url,
    dir,
    process: gw,
    bannerCode: /X-Pairing-Code: (\d{6})/.exec(gw.output())?.[1] ?? null,
    admin: (method, path) => call(`${url}${path}`, { method, headers: { [ADMIN_KEY_HEADER]: readAdminKey(dir) } }),
    alive: () => gw.child.exitCode === null && gw.child.signalCode === null,
  };
}

/**
 * Starts `count` instances one after another, so that their banners come in a known order: in redis mode each
 * startup replaces the outstanding pairing code, and the last banner's code is the valid one.
 */
export async function startCluster(count: number, config: RawConfig): Promise<ClusterInstance[]> {
  const instances: ClusterInstance[] = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await startInstance(config));
  } catch (err) {
    await stopCluster(instances);
    throw err;
  }
  return instances;
}

/** SIGTERM each instance and waits for it to exit; SIGKILL after 5 s. */
export async function stopCluster(instances: readonly ClusterInstance[]): Promise<void> {
  await Promise.all(
    instances.map(async ({ process: gw, alive }) => {
      if (!alive()) return;
      gw.child.kill('SIGTERM');
      const timer = setTimeout(() => gw.child.kill('SIGKILL'), 5_000);
      await gw.exited;
      clearTimeout(timer);
    }),
  );
}

/** POSTs `body` to the instance's /whatsapp as Meta would: Meta's JSON escaping, signed with the test app secret. */
export function deliverWhatsApp(instance: ClusterInstance, body: unknown): Promise<Answer> {
  const raw = metaJson(body);
  return call(`${instance.url}/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
    body: raw,
  });
}

let lastHost = 0;
/** A client address not used before in this test file, for requests whose rate limit or lockout is not the point. */
export function freshClientIp(): string {
  lastHost += 1;
  return `10.0.${Math.floor(lastHost / 250)}.${(lastHost % 250) + 1}`;
}
