// The ioredis client of the shared state: fails fast instead of buffering, reconnects by itself (spec §9).
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { defineScripts } from './redis-scripts.js';
import { StateUnavailableError } from './state-unavailable-error.js';

/** A command without a reply by then fails (and the request answers 503) rather than waiting. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** How long startup waits for Redis before giving up with a clear error (spec §10). */
export const REDIS_STARTUP_TIMEOUT_MS = 10_000;
/** Reconnect backoff: 100 ms, 200 ms, ... then every 2 s, for ever. */
const RECONNECT_MAX_DELAY_MS = 2_000;

export interface RedisClientOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  logger: Logger;
  /** How long to wait for the first connection; default REDIS_STARTUP_TIMEOUT_MS. */
  startupTimeoutMs?: number;
  /** Per-command timeout; default REDIS_COMMAND_TIMEOUT_MS. */
  commandTimeoutMs?: number;
}

/**
 * Connects, waiting at most `startupTimeoutMs` for Redis to answer; rejects with StateUnavailableError
 * naming the server (never its password) when it does not. The client has the clawgate scripts defined.
 */
export async function createRedisClient(options: RedisClientOptions): Promise<Redis> {
  const { logger } = options;
  const where = describeRedisUrl(options.url);
  const startupTimeoutMs = options.startupTimeoutMs ?? REDIS_STARTUP_TIMEOUT_MS;
  const client = new Redis(options.url, {
    lazyConnect: true,
    // Fail closed, at once: a command while disconnected is an error, not an entry in an unbounded queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: Math.min(5_000, startupTimeoutMs),
    retryStrategy: (attempt) => Math.min(attempt * 100, RECONNECT_MAX_DELAY_MS),
  });
  defineScripts(client);

  // Log transitions only: ioredis reports every failed reconnect, which would flood the log during an outage.
  let reachable = false;
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
    if (reachable) logger.error({ err, redis: where }, 'Redis unreachable: failing closed until it returns');
    reachable = false;
  });
  client.on('ready', () => {
    if (lastError !== undefined) logger.info({ redis: where }, 'Redis reachable again');
    reachable = true;
    lastError = undefined;
  });

  try {
    await waitForReady(client, startupTimeoutMs);
  } catch {
    client.disconnect();
    const seconds = Math.round(startupTimeoutMs / 100) / 10;
    throw new StateUnavailableError(
      `Redis at ${where} is unreachable (waited ${seconds} s): ${errorText(lastError)}. ` +
        'Check [state] redis_url / REDIS_URL and that Redis is running.',
      { cause: lastError },
    );
  }
  return client;
}

/** Runs one Redis operation; any failure becomes StateUnavailableError (cause kept) so callers fail closed. */
export async function redisCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw new StateUnavailableError(`Redis ${what} failed: ${errorText(err)}`, { cause: err });
  }
}

/** True when Redis answers a PING now. Never rejects. */
export async function pingRedis(client: Redis): Promise<boolean> {
  if (client.status !== 'ready') return false;
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/** Closes the connection: QUIT when connected, else stops reconnecting at once. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Lost meanwhile: disconnect below.
    }
  }
  client.disconnect();
}

/** `host:port` of a Redis URL, for messages: the password and user never appear. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparseable redis_url)';
  }
}

function waitForReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error('timeout'));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
    // A failed first attempt rejects connect(), while the retry strategy keeps trying until the timer.
    client.connect().catch(() => {});
  });
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return err === undefined ? 'no answer' : String(err);
}
