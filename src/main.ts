// Entry: loadConfig → build dependencies → createGateway → listen → banner; close() drains and releases everything.
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createAgent } from './agent/agent.js';
import type { WhatsAppChannel, WhatsAppChannelDeps } from './channels/whatsapp/create-whatsapp-channel.js';
import { removeStaleTempFiles, savePairedTokens } from './config/save-paired-tokens.js';
import { loadConfig, type LoadConfigOptions } from './config/load.js';
import type { Config } from './config/schema.js';
import { renderBanner } from './gateway/banner.js';
import { removeRuntimeFile, writeRuntimeFile } from './gateway/runtime-file.js';
import { isLoopbackHost } from './gateway/client-ip.js';
import { createGateway, type GatewayDeps } from './gateway/server.js';
import { createMemory } from './memory/create-memory.js';
import type { MemoryBackend } from './memory/memory-backend.js';
import { HealthRegistry, startHealthMonitor } from './observability/health.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createProvider } from './providers/create-provider.js';
import type { Provider } from './providers/provider.js';
import { ensureAdminKey } from './security/admin-key.js';
import { PairingService } from './security/pairing.js';
import { createStores, type Stores } from './state/create-stores.js';

/** How often /health and /ready re-probe the state store and memory. */
const HEALTH_PROBE_INTERVAL_MS = 2_000;

/** Raised before listening when the host is public and nothing opted in (spec §1). */
export class PublicBindError extends Error {
  override name = 'PublicBindError';
  constructor(readonly host: string) {
    super(
      `refusing to bind to public address ${host}: set [gateway] allow_public_bind = true ` +
        `(or ZEROCLAW_ALLOW_PUBLIC_BIND=1), configure a [tunnel] provider, or bind to 127.0.0.1`,
    );
  }
}

export function assertBindAllowed(config: Config): void {
  const { host, allow_public_bind } = config.gateway;
  if (isLoopbackHost(host) || allow_public_bind || config.tunnel.provider !== 'none') return;
  throw new PublicBindError(host);
}

export interface BuildOptions {
  logger: Logger;
  metrics?: Metrics;
  env?: NodeJS.ProcessEnv;
  /** Replaces the provider built from config (tests of the gateway's own behaviour). */
  provider?: Provider;
  /** Clock of the state stores (tests move time instead of sleeping). */
  now?: () => number;
}

export interface BuiltGateway {
  app: FastifyInstance;
  deps: GatewayDeps;
  memory: MemoryBackend;
  provider: Provider;
  /** The one-time pairing code issued at startup, for the banner; null when none. */
  pairingCode: string | null;
  /** Stops timers and closes the server, stores, memory and provider. */
  close(): Promise<void>;
}

/** Builds every dependency from `config` and the gateway on top of them. Never listens. */
export async function buildGateway(config: Config, options: BuildOptions): Promise<BuiltGateway> {
  const { logger } = options;
  const metrics = options.metrics ?? (await createMetrics(config.observability.backend));
  const health = new HealthRegistry();
  health.set('gateway', 'starting');
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const provider = options.provider ?? createProvider(config, { logger, metrics, env: options.env ?? process.env });
    opened.push(provider);
    const stores = await createStores(config, { logger, ...(options.now ? { now: options.now } : {}) });
    opened.push(stores);
    const memory = await createMemory(config, { logger, metrics });
    opened.push(memory);

    const pairing = new PairingService({
      pairing: stores.pairing,
      tokens: stores.tokens,
      persist: (change) => savePairedTokens(config.configPath, change),
      requirePairing: config.gateway.require_pairing,
      logger,
      onPairedChange: (paired) => health.setPaired(paired),
    });
    const pairingCode = await pairing.issueInitialCode();

    const heartbeat = startHeartbeat(metrics, health, config.observability.heartbeat_interval_secs * 1000);
    const stateCheck = async (): Promise<boolean> => {
      if (!(await stores.health())) return false;
      // With Redis another instance may pair the first token or revoke the last: keep /health's `paired` current.
      if (config.gateway.require_pairing) health.setPaired((await stores.tokens.count()) > 0);
      return true;
    };
    const monitor = startHealthMonitor(
      health,
      { memory: () => memory.health(), state: stateCheck },
      HEALTH_PROBE_INTERVAL_MS,
    );
    opened.push({
      close: async () => {
        clearInterval(heartbeat);
        monitor.stop();
      },
    });
    await monitor.runOnce();
    health.set('channels', 'ok');

    const agent = createAgent({
      provider,
      memory,
      metrics,
      logger,
      model: config.default_model,
      temperature: config.default_temperature,
      // The none backend stores nothing: skipping the call spares every message a promise chain.
      autoSave: config.memory.auto_save && config.memory.backend !== 'none',
    });
    const adminKey = ensureAdminKey(config.dataDir);
    // Opened last, so closed first: the worker drains while memory and the provider are still there.
    const whatsapp = await openWhatsApp(config, { agent, metrics, logger, health, redis: stores.redis });
    if (whatsapp) opened.push({ close: () => whatsapp.close(config.gateway.shutdown_grace_secs * 1000) });
    const deps: GatewayDeps = { config, logger, metrics, health, stores, pairing, agent, adminKey, whatsapp };
    const app = await createGateway(deps);
    health.set('gateway', 'ok');

    const close = async (): Promise<void> => {
      await app.close();
      await closeAll(opened, logger);
    };
    return { app, deps, memory, provider, pairingCode, close };
  } catch (err) {
    await closeAll(opened, logger);
    throw err;
  }
}

/**
 * The WhatsApp channel, or null when `[channels_config.whatsapp]` does not configure it. Its modules are imported
 * only when the section exists: a gateway without WhatsApp does not load them (startup time and idle RSS).
 */
async function openWhatsApp(
  config: Config,
  deps: Omit<WhatsAppChannelDeps, 'inbox'> & { redis: Stores['redis'] },
): Promise<WhatsAppChannel | null> {
  if (config.channels_config.whatsapp === undefined) return null;
  const { createWhatsAppChannel } = await import('./channels/whatsapp/create-whatsapp-channel.js');
  const { redis, ...channelDeps } = deps;
  // Redis mode: every instance shares one inbox (wamid dedupe and work queue, spec §9) on the stores' connection.
  let inbox: WhatsAppChannelDeps['inbox'];
  if (redis !== null) {
    const { RedisInbox } = await import('./channels/whatsapp/redis-inbox.js');
    inbox = new RedisInbox({ redis: redis.client, keys: redis.keys, logger: deps.logger });
  }
  return createWhatsAppChannel(config, { ...channelDeps, inbox });
}

function startHeartbeat(metrics: Metrics, health: HealthRegistry, intervalMs: number): NodeJS.Timeout {
  const tick = () => {
    metrics.heartbeatTicks.inc();
    health.set('scheduler', 'ok');
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return timer;
}

async function closeAll(resources: Array<{ close(): Promise<void> }>, logger: Logger): Promise<void> {
  for (const resource of resources.reverse()) {
    try {
      await resource.close();
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'error while closing');
    }
  }
}

export interface RunOptions extends LoadConfigOptions {
  /** Where the banner goes (default stdout). */
  print?: (text: string) => void;
  logger?: Logger;
}

export interface RunningGateway extends BuiltGateway {
  config: Config;
  /** http://HOST:PORT with the port actually bound. */
  url: string;
  /** Stops accepting, lets in-flight requests finish within shutdown_grace_secs, then closes everything. */
  shutdown(): Promise<void>;
}

/** What `clawgate gateway` runs: load, check, build, listen, print the banner. */
export async function runGateway(options: RunOptions = {}): Promise<RunningGateway> {
  const { config, warnings, created } = await loadConfig({ ...options, createIfMissing: true });
  const logger = options.logger ?? createLogger({ level: config.observability.log_level });
  for (const warning of warnings) logger.warn(warning);
  if (created) logger.info({ path: config.configPath }, 'wrote a default config file');
  assertBindAllowed(config);
  const staleTempFiles = removeStaleTempFiles(config.configPath);
  if (staleTempFiles > 0) logger.info({ count: staleTempFiles }, 'removed temp files left by an interrupted config save');

  const built = await buildGateway(config, { logger, ...(options.env ? { env: options.env } : {}) });
  let port: number;
  try {
    await built.app.listen({ host: config.gateway.host, port: config.gateway.port });
    const address = built.app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : config.gateway.port;
  } catch (err) {
    await built.close();
    throw err;
  }
  const url = `http://${formatHost(config.gateway.host)}:${port}`;
  writeRuntimeFile(config.dataDir, { url, pid: process.pid });
  const print = options.print ?? ((text: string) => process.stdout.write(text));
  print(
    renderBanner({
      url,
      pairingCode: built.pairingCode,
      requirePairing: config.gateway.require_pairing,
      prometheus: config.observability.backend === 'prometheus',
      warnings: built.deps.whatsapp?.warnings ?? [],
    }),
  );

  const graceMs = config.gateway.shutdown_grace_secs * 1000;
  const shutdown = async (): Promise<void> => {
    const server = built.app.server;
    // A keep-alive connection whose last request just finished would otherwise hold close() open until its
    // idle timeout; past the grace period, in-flight requests are cut.
    const reapIdle = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    try {
      await built.close();
    } finally {
      removeRuntimeFile(config.dataDir, process.pid);
      clearInterval(reapIdle);
      clearTimeout(force);
    }
  };
  return { ...built, config, url, shutdown };
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
