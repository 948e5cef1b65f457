// WhatsAppWorker: inbox → allowlist → agent (memory + LLM) → Graph API, one job at a time per sender; drains on shutdown.
import type { Agent } from '../../agent/agent.js';
import type { HealthRegistry } from '../../observability/health.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { backoffDelayMs } from '../../providers/retry.js';
import type { GraphClient } from './graph-client.js';
import { GraphHttpError, GraphSendError } from './graph-errors.js';
import type { InboundMessage, InboxJob, JobProgress, WhatsAppInbox } from './inbox.js';
import type { SenderAllowlist } from './sender-allowlist.js';
import { splitReply } from './split-reply.js';

/** spec §5: what the user gets when the LLM fails. */
export const WHATSAPP_APOLOGY = "Sorry, I couldn't process your message right now.";

const DEFAULT_CONCURRENCY = 4;
/** Other instances (Redis) queue work this one is not told about: look at least this often. */
const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** Runs of one job (each already retried inside the Graph client) before it is given up. */
const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_RETRY_BASE_MS = 5_000;
const RETRY_CAP_MS = 5 * 60_000;
/** Beyond the LLM's time, what sending may take: the Graph client's attempts, timeouts and backoff. */
const SEND_BUDGET_MS = 120_000;
/** After an inbox failure the loop waits this long before trying again. */
const ERROR_PAUSE_MS = 1_000;

export interface WhatsAppWorkerOptions {
  inbox: WhatsAppInbox;
  agent: Agent;
  graph: GraphClient;
  isAllowed: SenderAllowlist;
  metrics: Metrics;
  logger: Logger;
  /** Time the agent gets per message before the apology is sent instead. */
  llmTimeoutMs: number;
  /** Jobs in hand at once, across senders (default 4). */
  concurrency?: number;
  pollIntervalMs?: number;
  /** Runs of a job whose sends keep failing before it is dropped (default 6). */
  maxAttempts?: number;
  /** First delay before a failed job runs again (default 5 s, doubling, capped at 5 min). */
  retryBaseMs?: number;
  /** Receives the `channels` component: ok while the inbox answers, error when it does not. */
  health?: HealthRegistry;
  now?: () => number;
}

export interface WhatsAppWorker {
  /** Starts taking jobs (idempotent). The gateway calls it once it listens. */
  start(): void;
  /** New work was queued: look now rather than at the next poll. */
  wake(): void;
  /**
   * Stops taking jobs and lets the ones in hand finish within `graceMs`; past it, their LLM calls and sends are
   * aborted and the jobs go back to the inbox unfinished, to run again at the next start. Never rejects.
   */
  stop(graceMs: number): Promise<void>;
}

export function createWhatsAppWorker(options: WhatsAppWorkerOptions): WhatsAppWorker {
  const { inbox, agent, graph, metrics, logger } = options;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const now = options.now ?? Date.now;
  const leaseMs = options.llmTimeoutMs + SEND_BUDGET_MS;
  const shutdown = new AbortController();

  let started = false;
  let stopping = false;
  let loopDone: Promise<void> = Promise.resolve();
  /** Ids of the jobs in hand, running or waiting behind their sender's: a job is never run twice at once. */
  const held = new Set<string>();
  const running = new Map<string, Promise<void>>();
  /** Senders with a job running → their next jobs, in order: one sender's messages are answered in order. */
  const waiting = new Map<string, InboxJob[]>();
  let wakeUp: (() => void) | null = null;
  let woken = false;

  function wake(): void {
    woken = true;
    wakeUp?.();
  }

  function sleepUntilWoken(ms: number): Promise<void> {
    if (woken || stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function loop(): Promise<void> {
    let inboxDown = false;
    while (!stopping) {
      woken = false;
      let pauseMs = pollIntervalMs;
      try {
        const free = concurrency - held.size;
        if (free > 0) {
          for (const job of await inbox.claim(free, leaseMs)) dispatch(job);
        }
        metrics.whatsappQueueDepth.set(await inbox.depth());
        if (inboxDown) logger.info('WhatsApp inbox available again');
        inboxDown = false;
        options.health?.set('channels', 'ok');
      } catch (err) {
        pauseMs = ERROR_PAUSE_MS;
        // Logged when the inbox goes away, not on every poll while it stays away.
        if (!inboxDown) logger.error({ err: errorText(err) }, 'WhatsApp inbox unavailable');
        inboxDown = true;
        options.health?.set('channels', 'error', 'WhatsApp inbox unavailable');
      }
      await sleepUntilWoken(pauseMs);
    }
  }

  function dispatch(job: InboxJob): void {
    // A lease that ran out while the job was still in hand makes the inbox hand it out again: keep the one we have.
    if (held.has(job.id)) return;
    held.add(job.id);
    const queue = waiting.get(job.message.sender);
    if (queue !== undefined) {
      queue.push(job);
      return;
    }
    waiting.set(job.message.sender, []);
    run(job);
  }

  function run(job: InboxJob): void {
    const sender = job.message.sender;
    const done = processJob(job)
      .catch((err: unknown) => {
        // An inbox failure mid-job: the lease runs out and the job is handed out again.
        logger.error({ wamid: job.message.wamid, err: errorText(err) }, 'WhatsApp job failed');
      })
      .finally(() => {
        running.delete(job.id);
        held.delete(job.id);
        // Once stopping, waiting jobs stay where they are; stop() gives them back.
        if (!stopping) {
          const next = waiting.get(sender)?.shift();
          if (next === undefined) waiting.delete(sender);
          else run(next);
        }
        wake();
      });
    running.set(job.id, done);
  }

  async function processJob(job: InboxJob): Promise<void> {
    const { message } = job;
    if (!options.isAllowed(message.sender)) {
      logger.warn({ sender: message.sender, wamid: message.wamid }, 'WhatsApp message from a sender not in allowed_numbers: not answered');
      await inbox.ack(job.id);
      return;
    }

    let progress = job.progress;
    if (progress === null) {
      const reply = await answer(message);
      if (reply === null) {
        await inbox.retry(job.id, 0);
        return;
      }
      progress = { reply, chunksSent: 0 };
      // Saved before sending: a crash from here on resends this text instead of asking the LLM again.
      await inbox.checkpoint(job.id, progress, leaseMs);
    } else {
      // A job that waited behind its sender's may have used up part of its lease.
      await inbox.checkpoint(job.id, progress, leaseMs);
    }

    const chunks = splitReply(progress.reply);
    for (let i = progress.chunksSent; i < chunks.length; i++) {
      try {
        await graph.sendText(message.replyTo, chunks[i] as string, { signal: shutdown.signal });
      } catch (err) {
        await settleFailedSend(job, err);
        return;
      }
      metrics.whatsappRepliesSent.inc();
      if (i + 1 < chunks.length) {
        const next: JobProgress = { reply: progress.reply, chunksSent: i + 1 };
        await inbox.checkpoint(job.id, next, leaseMs);
      }
    }
    metrics.whatsappReplySeconds.observe(Math.max(0, now() - message.receivedAtMs) / 1000);
    await inbox.ack(job.id);
  }

  /** The agent's answer, the apology when the LLM fails, or null when shutdown interrupted it. */
  async function answer(message: InboundMessage): Promise<string | null> {
    const signal = AbortSignal.any([shutdown.signal, AbortSignal.timeout(options.llmTimeoutMs)]);
    try {
      const result = await agent.respond({
        message: message.text,
        channel: 'whatsapp',
        memoryKey: () => `whatsapp_${message.sender}_${message.wamid}`,
        signal,
      });
      if (result.text.trim() !== '') return result.text;
      logger.warn({ wamid: message.wamid }, 'LLM answered an empty WhatsApp reply: sending the apology');
      return WHATSAPP_APOLOGY;
    } catch (err) {
      if (shutdown.signal.aborted) return null;
      logger.error({ wamid: message.wamid, err: errorText(err) }, 'LLM failed for a WhatsApp message: sending the apology');
      return WHATSAPP_APOLOGY;
    }
  }

  async function settleFailedSend(job: InboxJob, err: unknown): Promise<void> {
    const { wamid } = job.message;
    if (shutdown.signal.aborted) {
      await inbox.retry(job.id, 0);
      return;
    }
    const http = err instanceof GraphHttpError ? err : undefined;
    const details = {
      wamid,
      status: http?.status,
      metaCode: http?.metaCode,
      subcode: http?.subcode,
      fbtraceId: http?.fbtraceId,
      err: errorText(err),
    };
    if (err instanceof GraphSendError && !err.retryable) {
      logger.error(details, 'WhatsApp reply dropped: the Graph API refused it permanently');
      await inbox.ack(job.id);
      return;
    }
    const attempt = job.attempts + 1;
    if (attempt >= maxAttempts) {
      logger.error({ ...details, attempts: attempt }, 'WhatsApp reply dropped: the Graph API kept failing');
      await inbox.ack(job.id);
      return;
    }
    const delayMs = backoffDelayMs(job.attempts, retryBaseMs, Math.random, RETRY_CAP_MS);
    logger.warn({ ...details, attempt, retryInMs: delayMs }, 'WhatsApp reply not sent yet: the job will run again');
    await inbox.retry(job.id, delayMs);
  }

  return {
    start() {
      if (started || stopping) return;
      started = true;
      loopDone = loop();
    },
    wake,
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      wake();
      await loopDone;
      // No job starts once stopping is set, so the ones running now are all there is to wait for.
      const settled = Promise.allSettled([...running.values()]);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        settled.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ jobs: running.size }, 'WhatsApp worker: unfinished jobs go back to the inbox for the next start');
        shutdown.abort(new Error('gateway shutting down'));
        await settled;
      }
      for (const job of [...waiting.values()].flat()) {
        held.delete(job.id);
        await inbox.retry(job.id, 0).catch(() => undefined);
      }
      waiting.clear();
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
