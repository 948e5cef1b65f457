// POST /pair: rate limit, then lockout, then code check (spec §2).
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';
import type { PairingService } from '../../security/pairing.js';
import type { RateLimiter } from '../../state/rate-limit/rate-limiter.js';
import { sendError } from '../error-handler.js';
import { GatewayError } from '../errors.js';
import { PAIRED_MESSAGE } from '../messages.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { clientKeyOf, headerValue } from '../request-context.js';

export interface PairRouteDeps {
  limiter: RateLimiter;
  pairing: PairingService;
  metrics: Metrics;
  trustForwardedHeaders: boolean;
}

/** Rejections (429, 403) are answered directly with their ERRORS row: no trip through fastify's error path. */
export function registerPairRoute(app: FastifyInstance, deps: PairRouteDeps): void {
  const { limiter, pairing, metrics } = deps;
  const count = (outcome: string) => metrics.pairingOutcomes.inc({ outcome });

  app.post('/pair', async (request, reply) => {
    const clientKey = clientKeyOf(request, deps.trustForwardedHeaders);
    const decision = await limiter.hit(clientKey);
    const headers = rateLimitHeaders('pair', limiter.windowSecs, decision);
    if (!decision.allowed) {
      count('rate_limited');
      metrics.rateLimitRejections.inc({ limiter: 'pair' });
      return sendError(reply, 'PAIR_RATE_LIMITED', { retryAfterSecs: decision.resetSecs, headers });
    }
    // Set once here: every later answer, success or error row, carries the RateLimit fields.
    reply.headers(headers);

    const outcome = await pairing.pair(clientKey, headerValue(request, 'x-pairing-code'));
    switch (outcome.kind) {
      case 'locked_out':
        count('locked_out');
        return sendError(reply, 'PAIR_LOCKED_OUT', { retryAfterSecs: outcome.retryAfterSecs });
      case 'invalid_code':
        count('invalid_code');
        return sendError(reply, 'INVALID_PAIRING_CODE');
      case 'persist_failed':
        count('persist_failed');
        throw new GatewayError('PAIRING_NOT_PERSISTED');
      case 'paired':
        count('paired');
        reply.header('cache-control', 'no-store');
        return { paired: true, persisted: true, token: outcome.token, message: PAIRED_MESSAGE };
    }
  });
}
