// GET /health (always 200 while serving, spec §6) and GET /ready (503 while a needed dependency is down).
import type { FastifyInstance } from 'fastify';
import type { HealthRegistry } from '../../observability/health.js';
import { GatewayError } from '../errors.js';

export function registerHealthRoutes(app: FastifyInstance, deps: { health: HealthRegistry }): void {
  app.get('/health', async () => deps.health.snapshot());

  app.get('/ready', async () => {
    if (!deps.health.isReady()) throw new GatewayError('NOT_READY');
    return { status: 'ready' };
  });
}
