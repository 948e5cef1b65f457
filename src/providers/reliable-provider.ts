// Wraps the configured providers: retries with backoff, fallback providers, model fallbacks, deadline, metrics (spec §7).
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import {
  ProviderError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderTimeoutError,
  type ChatRequest,
  type ChatResult,
  type Provider,
} from './provider.js';
import type { CancelSignal } from './cancel-signal.js';
import { redactSecrets } from './redact.js';
import { MIN_ATTEMPT_MS, isRetryable, planRetry } from './retry.js';
import { abortReason, sleepUnlessAborted } from './sleep-unless-aborted.js';

export interface ReliableProviderOptions {
  /** The primary provider first, then each of `fallback_providers`, in order. */
  providers: readonly Provider[];
  /** `[reliability] provider_retries`: retries per provider and model after the first attempt. */
  maxRetries: number;
  /** `[reliability] provider_backoff_ms`: first backoff, doubling. */
  baseBackoffMs: number;
  /** `[reliability] model_fallbacks`: model → models tried after it, in order. */
  modelFallbacks: Readonly<Record<string, readonly string[]>>;
  /** Deadline applied when a request brings none (ms from the call); undefined = only the request's signal. */
  defaultTimeoutMs?: number;
  logger: Logger;
  metrics: Metrics;
  /** Waits between attempts; injectable so tests can see the delays. Must reject when `signal` aborts. */
  sleep?: (ms: number, signal?: CancelSignal) => Promise<void>;
  random?: () => number;
}

type AttemptOutcome = 'ok' | 'retryable' | 'fatal' | 'timeout' | 'network';

function outcomeOf(err: unknown): AttemptOutcome {
  if (err instanceof ProviderTimeoutError) return 'timeout';
  if (err instanceof ProviderNetworkError) return 'network';
  return isRetryable(err) ? 'retryable' : 'fatal';
}

function errorText(err: unknown): string {
  // Provider errors are sanitised when built; anything else (a bug) is sanitised here before it reaches a log.
  if (err instanceof ProviderError) return err.message;
  return redactSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

/** prom-client's bound series: `inc` without hashing a fresh label object on every call. */
interface CounterChild {
  inc(value?: number): void;
}

/** Every series one (provider, model) pair updates, bound once. */
interface PairSeries {
  attempts: Record<AttemptOutcome, CounterChild>;
  inputTokens: CounterChild;
  outputTokens: CounterChild;
}

/** The model chain for `model`: itself, then its configured fallbacks, without repeats. */
export function modelChain(model: string, modelFallbacks: Readonly<Record<string, readonly string[]>>): string[] {
  return [...new Set([model, ...(modelFallbacks[model] ?? [])])];
}

export function createReliableProvider(options: ReliableProviderOptions): Provider {
  const [primary] = options.providers;
  if (!primary) throw new TypeError('createReliableProvider needs at least one provider');
  const primaryName = primary.name;
  const { logger, metrics, maxRetries, baseBackoffMs } = options;
  const sleep = options.sleep ?? sleepUnlessAborted;
  const random = options.random ?? Math.random;
  // Bound series and model chains, made on first use: the labels come from config (provider names, the model and
  // its fallbacks), so these stay as small as prom-client's own series tables.
  const requestSeries = new Map<string, CounterChild>();
  const pairSeries = new Map<string, Map<string, PairSeries>>();
  const chains = new Map<string, readonly string[]>();

  function requestsFor(model: string): CounterChild {
    let child = requestSeries.get(model);
    if (child === undefined) {
      child = metrics.llmRequests.labels({ provider: primaryName, model });
      requestSeries.set(model, child);
    }
    return child;
  }

  function seriesFor(provider: string, model: string): PairSeries {
    let byModel = pairSeries.get(provider);
    if (byModel === undefined) {
      byModel = new Map();
      pairSeries.set(provider, byModel);
    }
    let series = byModel.get(model);
    if (series === undefined) {
      const attempt = (outcome: AttemptOutcome): CounterChild => metrics.providerAttempts.labels({ provider, model, outcome });
      series = {
        attempts: { ok: attempt('ok'), retryable: attempt('retryable'), fatal: attempt('fatal'), timeout: attempt('timeout'), network: attempt('network') },
        inputTokens: metrics.llmTokens.labels({ provider, model, kind: 'input' }),
        outputTokens: metrics.llmTokens.labels({ provider, model, kind: 'output' }),
      };
      byModel.set(model, series);
    }
    return series;
  }

  function chainFor(model: string): readonly string[] {
    let chain = chains.get(model);
    if (chain === undefined) {
      chain = modelChain(model, options.modelFallbacks);
      chains.set(model, chain);
    }
    return chain;
  }

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const { signal } = request;
    const deadline =
      request.deadline ?? (options.defaultTimeoutMs !== undefined ? Date.now() + options.defaultTimeoutMs : undefined);
    requestsFor(request.model).inc();
    let lastError: unknown;
    let attempts = 0;

    // Models outer, providers inner (as the reference's ReliableProvider): the asked-for model is tried on every
    // provider before a fallback model is.
    for (const model of chainFor(request.model)) {
      for (const provider of options.providers) {
        const series = seriesFor(provider.name, model);
        // The caller's request object as it is when nothing differs (the usual first attempt): no copy per call.
        const attemptRequest = model === request.model && deadline === request.deadline ? request : { ...request, model, deadline };
        for (let retriesDone = 0; ; retriesDone++) {
          if (signal?.aborted) throw abortReason(signal);
          if (deadline !== undefined && deadline - Date.now() < MIN_ATTEMPT_MS) {
            throw new ProviderTimeoutError(
              `request deadline reached after ${attempts} LLM attempt(s)${lastError ? `; last error: ${errorText(lastError)}` : ''}`,
              provider.name,
              { cause: lastError },
            );
          }
          attempts++;
          try {
            const result = await provider.chat(attemptRequest);
            series.attempts.ok.inc();
            const { usage } = result;
            if (usage?.inputTokens !== undefined) series.inputTokens.inc(usage.inputTokens);
            if (usage?.outputTokens !== undefined) series.outputTokens.inc(usage.outputTokens);
            return result;
          } catch (err) {
            // The caller gave up (request timeout, client gone): stop at once, no retry, no fallback.
            if (signal?.aborted) {
              series.attempts.timeout.inc();
              throw abortReason(signal);
            }
            series.attempts[outcomeOf(err)].inc();
            lastError = err;
            const decision = planRetry({ error: err, retriesDone, maxRetries, baseBackoffMs, nowMs: Date.now(), deadlineMs: deadline, random });
            logger.warn(
              {
                provider: provider.name,
                model,
                attempt: retriesDone + 1,
                status: err instanceof ProviderHttpError ? err.status : undefined,
                vendorCode: err instanceof ProviderHttpError ? err.vendorCode : undefined,
                ...(decision.retry ? { retryInMs: decision.delayMs } : { next: decision.reason }),
                error: errorText(err),
              },
              'LLM attempt failed',
            );
            if (!decision.retry) break;
            await sleep(decision.delayMs, signal);
          }
        }
      }
    }
    throw lastError instanceof Error ? lastError : new ProviderError('LLM request failed', primaryName, { cause: lastError });
  }

  async function close(): Promise<void> {
    await Promise.all(options.providers.map((p) => p.close()));
  }

  return { name: primaryName, chat, close };
}
