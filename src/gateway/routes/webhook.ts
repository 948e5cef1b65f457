// POST /webhook: the seven checks in spec order (§3): rate limit, bearer, secret, body, idempotency, memory, LLM.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Agent } from '../../agent/agent.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PairingService } from '../../security/pairing.js';
import type { IdempotencyStore } from '../../state/idempotency/idempotency-store.js';
import type { RateLimiter } from '../../state/rate-limit/rate-limiter.js';
import { sendError } from '../error-handler.js';
import { GatewayError } from '../errors.js';
import { parseIdempotencyKey } from '../idempotency-key.js';
import { DUPLICATE_MESSAGE } from '../messages.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { clientKeyOf, headerValue } from '../request-context.js';
import type { RequestDeadlines } from '../request-deadline.js';
import { parseWebhookBody } from '../webhook-body.js';

export interface WebhookRouteDeps {
  limiter: RateLimiter;
  pairing: PairingService;
  /** null when no webhook secret is configured (step 3 does not apply). */
  verifySecret: ((header: string | undefined) => boolean) | null;
  idempotency: IdempotencyStore;
  agent: Agent;
  deadlines: RequestDeadlines;
  metrics: Metrics;
  logger: Logger;
  trustForwardedHeaders: boolean;
}

/** The auto-save key of a webhook message (spec §3 step 6). */
const newMemoryKey = (): string => `webhook_msg_${randomUUID()}`;

/** Scope of idempotency keys when pairing is disabled (spec §4: otherwise the token's hash). */
const GLOBAL_SCOPE = 'global';

/**
 * Steps 1-3 (rate limit, bearer, secret) need only the headers, so they run in the route's onRequest hook, before
 * fastify reads the body: a refused client never makes the gateway buffer up to 64 KiB, and a flood of refusals
 * costs less. The refusals a flood consists of (429, 401) are answered with their ERRORS row, not thrown: fastify's
 * error path (rejection, handleError, the async error handler) cost about 7 µs of the 401's ~45 µs.
 */
export function registerWebhookRoute(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const { limiter, pairing, idempotency, agent, metrics, logger } = deps;
  const countIdempotency = (outcome: string) => metrics.idempotencyOutcomes.inc({ outcome });
  /** The idempotency scope of each request the hook admitted (its RateLimit fields are already on the reply). */
  const admittedScopes = new WeakMap<FastifyRequest, string>();

  const admit = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    // 1. Rate limit.
    const decision = await limiter.hit(clientKeyOf(request, deps.trustForwardedHeaders));
    const headers = rateLimitHeaders('webhook', limiter.windowSecs, decision);
    if (!decision.allowed) {
      metrics.rateLimitRejections.inc({ limiter: 'webhook' });
      return sendError(reply, 'WEBHOOK_RATE_LIMITED', { retryAfterSecs: decision.resetSecs, headers });
    }
    // Set once here: every later answer, success or error row, carries the RateLimit fields.
    reply.headers(headers);

    // 2. Bearer token.
    let scope = GLOBAL_SCOPE;
    if (pairing.requirePairing) {
      const tokenHash = await pairing.authenticate(headerValue(request, 'authorization'));
      if (tokenHash === null) return sendError(reply, 'UNAUTHORIZED_BEARER');
      scope = tokenHash;
    }

    // 3. Webhook secret.
    if (deps.verifySecret !== null && !deps.verifySecret(headerValue(request, 'x-webhook-secret'))) {
      return sendError(reply, 'UNAUTHORIZED_SECRET');
    }
    admittedScopes.set(request, scope);
    return undefined;
  };

  app.post('/webhook', { onRequest: admit }, async (request, reply) => {
    const scope = admittedScopes.get(request);
    if (scope === undefined) throw new Error('POST /webhook handler ran without its admission hook');

    // 4. Body.
    const message = parseWebhookBody(headerValue(request, 'content-type'), request.body);

    // 5. Idempotency.
    let key: string | undefined;
    try {
      key = parseIdempotencyKey(request.headers);
    } catch (err) {
      countIdempotency('invalid');
      throw err;
    }
    if (key !== undefined) {
      const claim = await idempotency.claim(scope, key);
      if (claim.outcome === 'in_progress') {
        countIdempotency('in_progress');
        throw new GatewayError('IDEMPOTENCY_IN_PROGRESS');
      }
      if (claim.outcome === 'done') {
        countIdempotency('replayed');
        reply.header('idempotent-replayed', 'true');
        return { status: 'duplicate', idempotent: true, message: DUPLICATE_MESSAGE, ...claim.response.body };
      }
      countIdempotency('new');
    }

    // 6 + 7. Memory auto-save, then the LLM.
    let body: { response: string; model: string };
    try {
      const result = await agent.respond({
        message,
        channel: 'webhook',
        memoryKey: newMemoryKey,
        signal: deps.deadlines.signalFor(request),
        deadline: deps.deadlines.deadlineFor(request),
      });
      body = { response: result.text, model: result.model };
    } catch (err) {
      if (key !== undefined) await releaseKey(scope, key);
      if (reply.sent) return reply; // the deadline already answered 408
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'LLM request failed');
      throw new GatewayError('LLM_FAILED');
    }

    if (key !== undefined) {
      // A 408 already went out: the client saw a failure, so the key must not replay a success (spec §4).
      if (reply.sent) await releaseKey(scope, key);
      else await idempotency.complete(scope, key, { status: 200, body });
    }
    if (reply.sent) return reply;
    return body;
  });

  async function releaseKey(scope: string, key: string): Promise<void> {
    countIdempotency('released');
    try {
      await idempotency.release(scope, key);
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not release idempotency key');
    }
  }
}
