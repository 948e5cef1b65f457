// RedisInbox: the WhatsAppInbox shared by every instance (`[state] backend = "redis"`): a stream with one consumer group (spec §5, §9).
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import { redisCall } from '../../state/redis-connection.js';
import type { RedisKeys } from '../../state/redis-keys.js';
import {
  DEDUPE_RETENTION_MS,
  type EnqueueResult,
  type InboundMessage,
  type InboxJob,
  type JobProgress,
  type WhatsAppInbox,
} from './inbox.js';
import { decodeInboundMessage, decodeJobProgress, encodeInboundMessage, encodeJobProgress } from './inbox-record.js';

/**
 * Every instance reads as this one consumer of this one group. Who holds a job is not the consumer's business
 * here: each claimed job's lease lives in the due-time set, so per-instance consumers (which would pile up in
 * the group with every restart) would add nothing.
 */
const GROUP = 'workers';
const CONSUMER = 'worker';
/** A pending entry that lost its due time is handed out again after this long (see src/state/whatsapp-inbox/inbox-claim.lua). */
const DEFAULT_ORPHAN_IDLE_MS = 5 * 60_000;
/** Fields per job in the claim script's flat reply. */
const CLAIM_FIELDS = 4;

export interface RedisInboxOptions {
  /** A client made by connectRedis (scripts defined); owned by the caller, not closed here. */
  redis: Redis;
  keys: RedisKeys;
  /** Entries that no longer read back are logged here and dropped. */
  logger: Logger;
  /** How long a wamid is remembered (default and minimum of the contract: 7 days). */
  dedupeRetentionMs?: number;
  /** Recovery delay for a pending entry without a due time (default 5 min; tests shorten it). */
  orphanIdleMs?: number;
}

/**
 * One stream holds the jobs not yet acknowledged; the consumer group hands each new entry out once. A claimed
 * entry stays pending until `ack` (XACK + XDEL), and its due time (lease end, or retry time) sits in a sorted
 * set, on Redis's clock: when it passes, any instance takes the job over, so a job held by an instance that
 * died is answered by another. Each wamid is remembered by a key with a 7-day TTL, set in the same script
 * that appends the job, so two instances receiving one redelivery at once queue it once.
 *
 * Nothing grows without bound: the wamid keys expire, and the stream, due set and progress hash hold only
 * jobs not yet acknowledged. Durability is Redis's: run it with `appendonly yes` (docs/deploy.md).
 */
export class RedisInbox implements WhatsAppInbox {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  readonly #retentionMs: number;
  readonly #orphanIdleMs: number;

  constructor(options: RedisInboxOptions) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#logger = options.logger;
    this.#retentionMs = Math.max(DEDUPE_RETENTION_MS, options.dedupeRetentionMs ?? DEDUPE_RETENTION_MS);
    const orphanIdleMs = options.orphanIdleMs ?? DEFAULT_ORPHAN_IDLE_MS;
    if (!Number.isInteger(orphanIdleMs) || orphanIdleMs < 1) throw new RangeError('orphanIdleMs must be an integer >= 1');
    this.#orphanIdleMs = orphanIdleMs;
  }

  async enqueue(messages: readonly InboundMessage[]): Promise<EnqueueResult> {
    if (messages.length === 0) return { queued: [], duplicates: [] };
    // Encode first: a message that cannot be stored fails the whole call before anything is written.
    const encoded = messages.map(encodeInboundMessage);
    const keys = [this.#keys.whatsappQueue(), ...messages.map((message) => this.#keys.whatsappSeen(message.wamid))];
    const outcomes = await redisCall('WhatsApp enqueue', () =>
      this.#redis.clawgateInboxEnqueue(keys.length, ...keys, GROUP, this.#retentionMs, ...encoded),
    );
    const result: EnqueueResult = { queued: [], duplicates: [] };
    messages.forEach((message, i) => (outcomes[i] === 1 ? result.queued : result.duplicates).push(message.wamid));
    return result;
  }

  async claim(limit: number, leaseMs: number): Promise<InboxJob[]> {
    if (limit <= 0) return [];
    const reply = await redisCall('WhatsApp claim', () =>
      this.#redis.clawgateInboxClaim(
        this.#keys.whatsappQueue(),
        this.#keys.whatsappDue(),
        this.#keys.whatsappProgress(),
        GROUP,
        CONSUMER,
        limit,
        Math.max(1, Math.ceil(leaseMs)),
        this.#orphanIdleMs,
      ),
    );
    const jobs: InboxJob[] = [];
    for (let i = 0; i + CLAIM_FIELDS <= reply.length; i += CLAIM_FIELDS) {
      const id = String(reply[i]);
      const job = this.#decode(id, String(reply[i + 1]), Number(reply[i + 2]), String(reply[i + 3]));
      if (job === null) await this.ack(id);
      else jobs.push(job);
    }
    return jobs;
  }

  async checkpoint(jobId: string, progress: JobProgress, leaseMs: number): Promise<void> {
    await this.#reschedule('WhatsApp checkpoint', jobId, leaseMs, encodeJobProgress(progress));
  }

  async ack(jobId: string): Promise<void> {
    const queue = this.#keys.whatsappQueue();
    await redisCall('WhatsApp ack', () =>
      this.#redis
        .multi()
        .xack(queue, GROUP, jobId)
        .xdel(queue, jobId)
        .zrem(this.#keys.whatsappDue(), jobId)
        .hdel(this.#keys.whatsappProgress(), jobId)
        .exec(),
    );
  }

  async retry(jobId: string, delayMs: number): Promise<void> {
    await this.#reschedule('WhatsApp retry', jobId, delayMs, '');
  }

  async depth(): Promise<number> {
    return redisCall('WhatsApp queue depth', () => this.#redis.xlen(this.#keys.whatsappQueue()));
  }

  async health(): Promise<boolean> {
    if (this.#redis.status !== 'ready') return false;
    try {
      return (await this.#redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** The connection belongs to whoever made it (createStores). Unfinished jobs stay queued for any instance. */
  async close(): Promise<void> {}

  async #reschedule(what: string, jobId: string, delayMs: number, progress: string): Promise<void> {
    await redisCall(what, () =>
      this.#redis.clawgateInboxReschedule(
        this.#keys.whatsappDue(),
        this.#keys.whatsappProgress(),
        jobId,
        Math.max(0, Math.ceil(delayMs)),
        progress,
      ),
    );
  }

  #decode(id: string, message: string, earlierClaims: number, progress: string): InboxJob | null {
    try {
      return {
        id,
        message: decodeInboundMessage(message),
        attempts: earlierClaims,
        progress: progress === '' ? null : decodeJobProgress(progress),
      };
    } catch (err) {
      this.#logger.error({ jobId: id, err: err instanceof Error ? err.message : String(err) }, 'WhatsApp inbox: dropping a damaged job');
      return null;
    }
  }
}
