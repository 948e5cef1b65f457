// Shared by the provider tests: a validated Config from a partial file, and a logger whose lines can be read.
import { configSchema, type Config, type ConfigFile } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';

/** A Config as the loader would produce it from a config file holding `file`. */
export function makeConfig(file: Record<string, unknown>): Config {
  const parsed: ConfigFile = configSchema.parse(file);
  return Object.freeze({ ...parsed, configPath: '/tmp/clawgate-test/config.toml', dataDir: '/tmp/clawgate-test' });
}

export interface CapturedLog {
  logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Every line's raw JSON text joined, to search for leaks. */
  text(): string;
}

export function captureLog(): CapturedLog {
  const raw: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => raw.join(''),
  };
}

export function testMetrics(): PrometheusMetrics {
  return createPrometheusMetrics({ defaultMetrics: false });
}

/** The value of one labelled series of a counter (full metric name), 0 when absent. */
export async function counterValue(metrics: PrometheusMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const all = await metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  const values = metric.values as { value: number; labels: Record<string, string | number> }[];
  const match = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return match?.value ?? 0;
}
