// connectRedis: the ioredis connection of the shared state: fails fast instead of buffering, reconnects by itself (spec §9).
// Type only: ioredis is loaded by connectRedis, so memory mode never pays for it (about 75 ms and 15 MB at startup).
import type { Redis } from 'ioredis';
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

/** A connected client and what its owner does with it. */
export interface RedisConnection {
  /** The client, with the clawgate scripts defined; pass it to the Redis stores. */
  readonly client: Redis;
  /** True when Redis answers a PING now. Never rejects. */
  ping(): Promise<boolean>;
  /** Closes the connection (QUIT when connected), without logging it as an outage. */
  close(): Promise<void>;
}

/**
 * Connects, waiting at most `startupTimeoutMs` for Redis to answer; rejects with StateUnavailableError
 * naming the server (never its password) when it does not. Afterwards the client reconnects by itself and
 * logs each transition once: lost (error) and back (info).
 */
export async function connectRedis(options: RedisClientOptions): Promise<RedisConnection> {
  const { logger } = options;
  const where = describeRedisUrl(options.url);
  const startupTimeoutMs = options.startupTimeoutMs ?? REDIS_STARTUP_TIMEOUT_MS;
  const { Redis } = await import('ioredis');
  const client = new Redis(options.url, {
    lazyConnect: true,
    // Fail closed, at once: a command while disconnected is an error, not an entry in an unbounded queue.
    enableOfflineQueue: false,
    // Commands in flight when the connection drops are failed, never re-sent later.
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: Math.min(5_000, startupTimeoutMs),
    retryStrategy: (attempt) => Math.min(attempt * 100, RECONNECT_MAX_DELAY_MS),
  });
  defineScripts(client);

  // Transitions only: ioredis reports every failed reconnect, which would flood the log during an outage.
  let closing = false;
  let reachable = false;
  let wasReady = false;
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  client.on('close', () => {
    if (!reachable || closing) return;
    reachable = false;
    logger.error({ err: lastError, redis: where }, 'Redis unreachable: failing closed until it returns');
  });
  client.on('ready', () => {
    lastError = undefined;
    if (wasReady) logger.info({ redis: where }, 'Redis reachable again');
    wasReady = true;
    reachable = true;
  });

  try {
    await waitForReady(client, startupTimeoutMs);
  } catch {
    closing = true;
    client.disconnect();
    const seconds = Math.round(startupTimeoutMs / 100) / 10;
    throw new StateUnavailableError(
      `Redis at ${where} is unreachable (waited ${seconds} s): ${errorText(lastError)}. ` +
        'Check [state] redis_url / REDIS_URL and that Redis is running.',
      { cause: lastError },
    );
  }
  return {
    client,
    ping: () => pingRedis(client),
    close: async () => {
      closing = true;
      await closeRedisClient(client);
    },
  };
}

/** Runs one Redis operation; any failure becomes StateUnavailableError (cause kept) so callers fail closed. */
export async function redisCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw new StateUnavailableError(`Redis ${what} failed: ${errorText(err)}`, { cause: err });
  }
}

async function pingRedis(client: Redis): Promise<boolean> {
  if (client.status !== 'ready') return false;
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

async function closeRedisClient(client: Redis): Promise<void> {
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
