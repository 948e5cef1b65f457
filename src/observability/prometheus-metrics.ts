// The Metrics of `[observability] backend = "prometheus"`: a prom-client Registry per gateway (never the global
// one) holding every zeroclaw_ metric (spec §6). Loaded only when that backend is chosen (see metrics.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRIC_PREFIX, type Metrics } from './metrics.js';

export type PrometheusMetrics = ReturnType<typeof createPrometheusMetrics>;

/** Builds the registry and its metrics; `defaultMetrics` adds process_* (off in tests, which build many). */
export function createPrometheusMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  const p = METRIC_PREFIX;
  const metrics = {
    registry,
    enabled: true,
    render: () => registry.metrics(),
    // The reference's metrics.
    heartbeatTicks: new Counter({ name: `${p}heartbeat_ticks_total`, help: 'Heartbeat tick count', registers }),
    llmRequests: new Counter({
      name: `${p}llm_requests_total`,
      help: 'LLM request count by provider',
      labelNames: ['provider', 'model'] as const,
      registers,
    }),
    toolCalls: new Counter({
      name: `${p}tool_calls_total`,
      help: 'Tool execution count by tool name',
      labelNames: ['tool'] as const,
      registers,
    }),
    agentStarts: new Counter({
      name: `${p}agent_starts_total`,
      help: 'Agent runs started, by provider and model',
      labelNames: ['provider', 'model'] as const,
      registers,
    }),
    agentDuration: new Histogram({
      name: `${p}agent_duration_seconds`,
      help: 'Agent run duration in seconds',
      labelNames: ['provider', 'model'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    requestLatency: new Histogram({
      name: `${p}request_latency_seconds`,
      help: 'HTTP request latency in seconds',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    errors: new Counter({
      name: `${p}errors_total`,
      help: 'Errors by component',
      labelNames: ['component'] as const,
      registers,
    }),
    channelMessages: new Counter({
      name: `${p}channel_messages_total`,
      help: 'Channel messages by channel and direction',
      labelNames: ['channel', 'direction'] as const,
      registers,
    }),
    // clawgate's own.
    httpRequests: new Counter({
      name: `${p}http_requests_total`,
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    rateLimitRejections: new Counter({
      name: `${p}rate_limit_rejections_total`,
      help: 'Requests rejected by a rate limiter',
      labelNames: ['limiter'] as const,
      registers,
    }),
    idempotencyOutcomes: new Counter({
      name: `${p}idempotency_outcomes_total`,
      help: 'Idempotency key outcomes: new, replayed, in_progress, released, invalid',
      labelNames: ['outcome'] as const,
      registers,
    }),
    pairingOutcomes: new Counter({
      name: `${p}pairing_outcomes_total`,
      help: 'Pairing attempts by outcome: paired, invalid_code, locked_out, rate_limited, persist_failed',
      labelNames: ['outcome'] as const,
      registers,
    }),
    providerAttempts: new Counter({
      name: `${p}llm_attempts_total`,
      help: 'LLM HTTP attempts by provider, model and outcome (ok, retryable, fatal, timeout, network)',
      labelNames: ['provider', 'model', 'outcome'] as const,
      registers,
    }),
    llmTokens: new Counter({
      name: `${p}llm_tokens_total`,
      help: 'Tokens reported by the vendor, by provider, model and kind (input, output)',
      labelNames: ['provider', 'model', 'kind'] as const,
      registers,
    }),
    memoryOperations: new Counter({
      name: `${p}memory_operations_total`,
      help: 'Memory operations by backend, operation and outcome (ok, error)',
      labelNames: ['backend', 'operation', 'outcome'] as const,
      registers,
    }),
    whatsappMessagesIn: new Counter({
      name: `${p}whatsapp_messages_in_total`,
      help: 'Inbound WhatsApp messages by type',
      labelNames: ['type'] as const,
      registers,
    }),
    whatsappRepliesSent: new Counter({
      name: `${p}whatsapp_replies_sent_total`,
      help: 'WhatsApp reply messages accepted by the Graph API',
      registers,
    }),
    whatsappSendFailures: new Counter({
      name: `${p}whatsapp_send_failures_total`,
      help: 'WhatsApp sends that failed, by Meta error code',
      labelNames: ['code'] as const,
      registers,
    }),
    whatsappQueueDepth: new Gauge({
      name: `${p}whatsapp_queue_depth`,
      help: 'WhatsApp messages queued and not yet answered',
      registers,
    }),
    whatsappReplySeconds: new Histogram({
      name: `${p}whatsapp_reply_seconds`,
      help: 'Time from receipt of a WhatsApp message to the reply being sent',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
  // Checked here, where the prom-client types meet the interface the rest of the gateway uses.
  return metrics satisfies Metrics;
}
