// The agent turn: message → memory auto-save → provider → reply. What the webhook route and the WhatsApp worker call.
import type { MemoryBackend } from '../memory/memory-backend.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CancelSignal } from '../providers/cancel-signal.js';
import type { ChatResult, Provider } from '../providers/provider.js';

export interface AgentOptions {
  provider: Provider;
  memory: MemoryBackend;
  metrics: Metrics;
  logger: Logger;
  model: string;
  temperature: number;
  /** memory.auto_save: store each inbound message before the LLM call (spec §3 step 6). */
  autoSave: boolean;
}

export interface AgentTurn {
  /** The inbound message text. */
  message: string;
  /** Channel label for metrics ("webhook", "whatsapp"). */
  channel: string;
  /** Memory key for auto-save, e.g. webhook_msg_<uuid>; called only when the turn is saved. */
  memoryKey: () => string;
  /** Aborts the LLM call (request timeout, client gone). */
  signal?: CancelSignal;
  /** Epoch ms by which the answer is needed: no provider retry starts that cannot finish by then. */
  deadline?: number;
}

export type Agent = ReturnType<typeof createAgent>;

/** A labelled counter child: `inc()` without hashing labels. */
interface CounterChild {
  inc(): void;
}

export function createAgent(options: AgentOptions) {
  const { provider, memory, metrics, logger } = options;
  // Labelled children made on first use and kept, not looked up per turn: `inc(labels)` hashes the label object on
  // every call. First use, not creation, so that /metrics shows a series only once something counted in it.
  const runLabels = { provider: provider.name, model: options.model };
  let run: { starts: CounterChild; duration: { startTimer(): () => void } } | undefined;
  const channelCounters = new Map<string, CounterChild>();
  /** channel_messages_total's child for (channel, direction); the gateway names only a few channels. */
  const channelCounter = (channel: string, direction: 'in' | 'out'): CounterChild => {
    const key = `${direction}:${channel}`;
    let counter = channelCounters.get(key);
    if (counter === undefined) {
      counter = metrics.channelMessages.labels({ channel, direction });
      channelCounters.set(key, counter);
    }
    return counter;
  };

  /**
   * Stores the message; a failure never fails the turn (spec §3 step 6). The memory backend built by
   * createMemory already counts it in errors_total and memory_operations_total.
   */
  async function remember(turn: AgentTurn): Promise<void> {
    const key = turn.memoryKey();
    try {
      await memory.store(key, turn.message, 'conversation');
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err), key }, 'memory auto-save failed; answering anyway');
    }
  }

  /** Runs one turn; rejects with the provider's error (or an AbortError) when the LLM fails. */
  async function respond(turn: AgentTurn): Promise<ChatResult> {
    channelCounter(turn.channel, 'in').inc();
    if (options.autoSave) await remember(turn);
    run ??= { starts: metrics.agentStarts.labels(runLabels), duration: metrics.agentDuration.labels(runLabels) };
    run.starts.inc();
    const stopTimer = run.duration.startTimer();
    try {
      const result = await provider.chat({
        message: turn.message,
        model: options.model,
        temperature: options.temperature,
        signal: turn.signal,
        deadline: turn.deadline,
      });
      channelCounter(turn.channel, 'out').inc();
      return result;
    } catch (err) {
      metrics.errors.inc({ component: 'provider' });
      throw err;
    } finally {
      stopTimer();
    }
  }

  return { respond };
}
