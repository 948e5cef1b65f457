// The metrics every part of the gateway updates (spec §6), as a narrow interface with two implementations:
// prometheus-metrics.ts (prom-client, loaded only for `[observability] backend = "prometheus"`) and
// noop-metrics.ts (backend "none", the default: nothing can read the values, so nothing is counted or loaded).

export const METRIC_PREFIX = 'zeroclaw_';

export type MetricLabels<L extends string> = Partial<Record<L, string | number>>;

/** A series of one counter bound to its labels: `inc` without hashing a label object on every call. */
export interface CounterSeries {
  inc(value?: number): void;
}

export interface CounterMetric<L extends string = string> extends CounterSeries {
  inc(value?: number): void;
  inc(labels: MetricLabels<L>, value?: number): void;
  labels(labels: MetricLabels<L>): CounterSeries;
}

export interface GaugeMetric {
  set(value: number): void;
}

/** A histogram series bound to its labels. */
export interface HistogramSeries {
  observe(value: number): void;
  /** Starts a timer; calling the answer observes the seconds since. */
  startTimer(): () => unknown;
}

export interface HistogramMetric<L extends string = string> {
  observe(value: number): void;
  labels(labels: MetricLabels<L>): HistogramSeries;
}

export interface Metrics {
  /** False for the no-op backend: a caller may skip work done only to build labels or observations. */
  readonly enabled: boolean;
  /** The Prometheus text exposition of every metric ('' when nothing is collected). */
  render(): Promise<string>;
  // The reference's metrics.
  heartbeatTicks: CounterMetric<never>;
  llmRequests: CounterMetric<'provider' | 'model'>;
  toolCalls: CounterMetric<'tool'>;
  agentStarts: CounterMetric<'provider' | 'model'>;
  agentDuration: HistogramMetric<'provider' | 'model'>;
  requestLatency: HistogramMetric<never>;
  errors: CounterMetric<'component'>;
  channelMessages: CounterMetric<'channel' | 'direction'>;
  // clawgate's own.
  httpRequests: CounterMetric<'route' | 'method' | 'status'>;
  rateLimitRejections: CounterMetric<'limiter'>;
  idempotencyOutcomes: CounterMetric<'outcome'>;
  pairingOutcomes: CounterMetric<'outcome'>;
  providerAttempts: CounterMetric<'provider' | 'model' | 'outcome'>;
  llmTokens: CounterMetric<'provider' | 'model' | 'kind'>;
  memoryOperations: CounterMetric<'backend' | 'operation' | 'outcome'>;
  whatsappMessagesIn: CounterMetric<'type'>;
  whatsappRepliesSent: CounterMetric<never>;
  whatsappSendFailures: CounterMetric<'code'>;
  whatsappQueueDepth: GaugeMetric;
  whatsappReplySeconds: HistogramMetric<never>;
}

export type MetricsBackend = 'none' | 'prometheus';

/**
 * The Metrics for `[observability] backend`. prom-client (about 45 ms of startup and 8 MB, plus a label hash per
 * update) is imported only for "prometheus"; `defaultMetrics` adds its process_* metrics.
 */
export async function createMetrics(backend: MetricsBackend, options: { defaultMetrics?: boolean } = {}): Promise<Metrics> {
  if (backend === 'none') {
    const { createNoopMetrics } = await import('./noop-metrics.js');
    return createNoopMetrics();
  }
  const { createPrometheusMetrics } = await import('./prometheus-metrics.js');
  return createPrometheusMetrics(options);
}
