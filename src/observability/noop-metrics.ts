// The Metrics of `[observability] backend = "none"` (the default): GET /metrics answers only the hint line, so no
// value could ever be read; every update is a call that does nothing, and prom-client is never loaded.
import type { CounterMetric, GaugeMetric, HistogramMetric, HistogramSeries, Metrics } from './metrics.js';

const noop = (): void => {};

const counter: CounterMetric<never> = { inc: noop, labels: () => counter };
const histogramSeries: HistogramSeries = { observe: noop, startTimer: () => noop };
const histogram: HistogramMetric<never> = { observe: noop, labels: () => histogramSeries };
const gauge: GaugeMetric = { set: noop };

export function createNoopMetrics(): Metrics {
  return {
    enabled: false,
    render: async () => '',
    heartbeatTicks: counter,
    llmRequests: counter,
    toolCalls: counter,
    agentStarts: counter,
    agentDuration: histogram,
    requestLatency: histogram,
    errors: counter,
    channelMessages: counter,
    httpRequests: counter,
    rateLimitRejections: counter,
    idempotencyOutcomes: counter,
    pairingOutcomes: counter,
    providerAttempts: counter,
    llmTokens: counter,
    memoryOperations: counter,
    whatsappMessagesIn: counter,
    whatsappRepliesSent: counter,
    whatsappSendFailures: counter,
    whatsappQueueDepth: gauge,
    whatsappReplySeconds: histogram,
  };
}
