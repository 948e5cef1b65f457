// GET /metrics: Prometheus text when [observability] backend = "prometheus", else the reference's hint line (spec §6).
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';
import { METRICS_DISABLED_HINT, PROMETHEUS_CONTENT_TYPE } from '../messages.js';

export function registerMetricsRoute(app: FastifyInstance, deps: { metrics: Metrics; prometheus: boolean }): void {
  app.get('/metrics', async (_request, reply) => {
    reply.type(PROMETHEUS_CONTENT_TYPE);
    if (!deps.prometheus) return `${METRICS_DISABLED_HINT}\n`;
    return deps.metrics.render();
  });
}
