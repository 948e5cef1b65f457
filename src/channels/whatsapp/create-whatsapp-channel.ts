// createWhatsAppChannel: `[channels_config.whatsapp]` → inbox + Graph client + worker, or null when WhatsApp is not configured.
import { join } from 'node:path';
import type { Agent } from '../../agent/agent.js';
import type { Config } from '../../config/schema.js';
import type { HealthRegistry } from '../../observability/health.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { createGraphClient, type GraphClient } from './graph-client.js';
import type { WhatsAppInbox } from './inbox.js';
import { createSenderAllowlist } from './sender-allowlist.js';
import { INBOX_FILE_NAME, SqliteInbox } from './sqlite-inbox.js';
import { createWhatsAppWorker, type WhatsAppWorker } from './worker.js';

type WhatsAppSection = NonNullable<Config['channels_config']['whatsapp']>;

/** What POST/GET /whatsapp and the gateway's lifecycle need. */
export interface WhatsAppChannel {
  /** `verify_token` for Meta's GET handshake; undefined (or blank) means no token can match. */
  verifyToken: string | undefined;
  /** The app secret (ZEROCLAW_WHATSAPP_APP_SECRET beats `app_secret`); undefined means every POST is refused. */
  appSecret: string | undefined;
  inbox: WhatsAppInbox;
  /** Startup warnings (also logged), one sentence each, for the banner: no app secret, empty allowlist, no token. */
  warnings: string[];
  /** Null when `access_token` or `phone_number_id` is missing: messages are queued but not answered yet. */
  worker: WhatsAppWorker | null;
  /** Starts the worker; the gateway calls it once it listens. */
  start(): void;
  /** Stops the worker (draining within `graceMs`), then closes the Graph client and the inbox. */
  close(graceMs: number): Promise<void>;
}

export interface WhatsAppChannelDeps {
  agent: Agent;
  metrics: Metrics;
  logger: Logger;
  health: HealthRegistry;
  /** The shared inbox in `[state] backend = "redis"` mode; default: a SqliteInbox in the data folder. */
  inbox?: WhatsAppInbox;
}

/**
 * True when the section configures WhatsApp. An app secret alone does not: ZEROCLAW_WHATSAPP_APP_SECRET set in the
 * environment creates the section, and must not turn on a channel nobody configured.
 */
export function isWhatsAppConfigured(section: WhatsAppSection | undefined): section is WhatsAppSection {
  if (section === undefined) return false;
  return [section.access_token, section.phone_number_id, section.verify_token].some((v) => v !== undefined && v.trim() !== '');
}

export async function createWhatsAppChannel(config: Config, deps: WhatsAppChannelDeps): Promise<WhatsAppChannel | null> {
  const section = config.channels_config.whatsapp;
  if (!isWhatsAppConfigured(section)) return null;
  const { logger, metrics } = deps;
  const appSecret = nonBlank(section.app_secret)?.trim();
  const warnings: string[] = [];
  if (appSecret === undefined) {
    warnings.push(
      'WhatsApp: no app secret configured, so every POST /whatsapp is refused with 401; set [channels_config.whatsapp] app_secret or ZEROCLAW_WHATSAPP_APP_SECRET',
    );
  }
  if (section.allowed_numbers.length === 0) {
    warnings.push('WhatsApp: allowed_numbers is empty, so no sender is answered; list numbers (+<digits>) or "*" for everyone');
  }
  const accessToken = nonBlank(section.access_token);
  const phoneNumberId = nonBlank(section.phone_number_id);
  if (accessToken === undefined || phoneNumberId === undefined) {
    warnings.push('WhatsApp: access_token or phone_number_id missing, so messages are queued but not answered until both are set');
  }
  for (const warning of warnings) logger.warn(warning);

  const inbox = deps.inbox ?? new SqliteInbox({ path: join(config.dataDir, INBOX_FILE_NAME), logger });
  let graph: GraphClient | null = null;
  let worker: WhatsAppWorker | null = null;
  try {
    if (accessToken !== undefined && phoneNumberId !== undefined) {
      graph = createGraphClient({
        baseUrl: section.graph_api_base_url,
        version: section.graph_api_version,
        phoneNumberId,
        accessToken,
        metrics,
        logger,
      });
      worker = createWhatsAppWorker({
        inbox,
        agent: deps.agent,
        graph,
        isAllowed: createSenderAllowlist(section.allowed_numbers),
        metrics,
        logger,
        llmTimeoutMs: config.gateway.request_timeout_secs * 1000,
        health: deps.health,
      });
    }
  } catch (err) {
    await inbox.close();
    throw err;
  }
  deps.health.set('channels', 'starting');

  return {
    verifyToken: section.verify_token,
    appSecret,
    inbox,
    warnings,
    worker,
    start() {
      worker?.start();
      deps.health.set('channels', 'ok');
    },
    async close(graceMs) {
      await worker?.stop(graceMs);
      await graph?.close();
      await inbox.close();
    },
  };
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
