// createGateway(deps): the fastify instance with hooks, routes and error handler. Builds, never listens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Agent } from '../agent/agent.js';
import type { WhatsAppChannel } from '../channels/whatsapp/create-whatsapp-channel.js';
import type { Config } from '../config/schema.js';
import type { HealthRegistry } from '../observability/health.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { PairingService } from '../security/pairing.js';
import { createWebhookSecretVerifier } from '../security/signatures.js';
import type { Stores } from '../state/create-stores.js';
import { installErrorHandling, type RouteTable } from './error-handler.js';
import { createRequestDeadlines, type RequestDeadlines } from './request-deadline.js';
import { answerFrameworkError, createClientErrorHandler } from './transport-errors.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerPairRoute } from './routes/pair.js';
import { registerWebhookRoute } from './routes/webhook.js';
import { registerWhatsAppRoutes } from './routes/whatsapp.js';

/** spec §1: 64 KiB on every route, announced or streamed. */
export const MAX_BODY_BYTES = 65_536;
/** Slow-loris bounds: headers must arrive within this, and idle keep-alive sockets close after it. */
const HEADERS_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node checks requestTimeout/headersTimeout (its default of 30 s lets a trickle live too long). */
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;
const MAX_HEADER_BYTES = 16_384;

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  health: HealthRegistry;
  stores: Stores;
  pairing: PairingService;
  /** The agent turn (memory + LLM) shared by /webhook and the WhatsApp worker. */
  agent: Agent;
  /** Enables the loopback operator API (new code, list/revoke tokens) guarded by this key. */
  adminKey?: string;
  /** The WhatsApp channel when `[channels_config.whatsapp]` is configured; /whatsapp answers 404 without it. */
  whatsapp?: WhatsAppChannel | null;
}

export async function createGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config, logger, metrics } = deps;
  const gateway = config.gateway;
  const requestTimeoutMs = gateway.request_timeout_secs * 1000;

  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Our onResponse hook logs each request by route (never the raw URL: its query may hold a verify token).
    logController: new LogController({ disableRequestLogging: true }),
    // fastify's default builds a pino child (bindings and redaction rules) for every request; nothing here logs
    // through request.log, and our own lines carry what they need (route, reqId), so requests share the logger.
    childLoggerFactory: (parent) => parent,
    bodyLimit: MAX_BODY_BYTES,
    // Malformed HTTP, oversize headers, timeouts before routing and undecodable URLs answer with rows of ERRORS.
    clientErrorHandler: createClientErrorHandler(logger),
    frameworkErrors: answerFrameworkError,
    // No route declares a JSON schema (zod checks each body in its route), so fastify's ajv validator and
    // fast-json-stringify serializer compilers would never run: not loading them saves ~30 ms of startup and ~3 MB.
    schemaController: { compilersFactory: { buildValidator: refuseSchemas, buildSerializer: refuseSchemas } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    serverFactory: (handler) =>
      createServer(
        {
          // The whole request (headers and body) must arrive within the gateway's deadline.
          requestTimeout: requestTimeoutMs,
          headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
          keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
          connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
          maxHeaderSize: MAX_HEADER_BYTES,
        },
        handler as (req: IncomingMessage, res: ServerResponse) => void,
      ) as Server,
  });

  // Every body is read as raw bytes (bounded by bodyLimit) and parsed by its route: /webhook answers its own 400
  // for a wrong content type, and /whatsapp must verify the signature over the exact bytes before any parsing.
  // 'application/json' is named as well as '*': fastify caches the parser of an exact type by the header's raw text,
  // while '*' makes it parse the header anew on every request.
  app.removeAllContentTypeParsers();
  const keepRaw = (_request: unknown, body: Buffer, done: (err: null, body: Buffer) => void): void => done(null, body);
  app.addContentTypeParser(['application/json', '*'], { parseAs: 'buffer' }, keepRaw);

  const deadlines = createRequestDeadlines(requestTimeoutMs);
  const countRequest = createRequestCounter(metrics);
  const debugEnabled = logger.isLevelEnabled('debug');
  // Callback hooks, not async ones: they run on every request, and a promise per hook costs more than their work.
  app.addHook('onResponse', (request, reply, done) => {
    deadlines.finish(request);
    if (metrics.enabled) {
      countRequest(routeOf(request), request.method, reply.statusCode);
      metrics.requestLatency.observe(reply.elapsedTime / 1000);
    }
    if (reply.statusCode >= 500) {
      logger.warn({ method: request.method, route: routeOf(request), status: reply.statusCode }, 'request failed');
    } else if (debugEnabled) {
      logger.debug({ method: request.method, route: routeOf(request), status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    }
    done();
  });

  const routes: RouteTable = new Map();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = routes.get(route.url) ?? new Set<string>();
    for (const method of methods) known.add(method);
    routes.set(route.url, known);
  });
  installErrorHandling(app, { logger, routes });

  // /health and /ready answer from memory at once: they are the only routes without a deadline timer.
  registerHealthRoutes(app, { health: deps.health });
  // Every other route runs in a scope whose preHandler arms the request's deadline (spec §1).
  await app.register(async (scope) => registerWorkRoutes(scope, deps, deadlines));

  // The WhatsApp worker starts answering only once the gateway is actually listening.
  const whatsapp = deps.whatsapp;
  if (whatsapp) app.addHook('onListen', async () => whatsapp.start());

  await app.ready();
  return app;
}

/** The routes that do work (state stores, the LLM, the config file), each under the request deadline. */
async function registerWorkRoutes(app: FastifyInstance, deps: GatewayDeps, deadlines: RequestDeadlines): Promise<void> {
  const { config, logger, metrics } = deps;
  const gateway = config.gateway;
  app.addHook('preHandler', (request, reply, done) => {
    deadlines.start(request, reply);
    done();
  });
  registerMetricsRoute(app, { metrics, prometheus: config.observability.backend === 'prometheus' });
  registerPairRoute(app, {
    limiter: deps.stores.pairLimiter,
    pairing: deps.pairing,
    metrics,
    trustForwardedHeaders: gateway.trust_forwarded_headers,
  });
  registerWebhookRoute(app, {
    limiter: deps.stores.webhookLimiter,
    pairing: deps.pairing,
    verifySecret: createWebhookSecretVerifier(config.channels_config.webhook.secret),
    idempotency: deps.stores.idempotency,
    agent: deps.agent,
    deadlines,
    metrics,
    logger,
    trustForwardedHeaders: gateway.trust_forwarded_headers,
  });

  await registerWhatsAppRoutes(app, { channel: deps.whatsapp ?? null, metrics, logger });
  if (deps.adminKey !== undefined) {
    registerAdminRoutes(app, { pairing: deps.pairing, tokens: deps.stores.tokens, adminKey: deps.adminKey });
  }
}

/** The registered route a request matched (its pattern, never the raw URL), or 'unmatched'. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** The schema compiler factory of a gateway whose routes declare no schemas: a route that did would fail to start. */
function refuseSchemas(): never {
  throw new Error('clawgate routes validate with zod and declare no fastify schemas');
}

/**
 * `http_requests_total{route,method,status}` with one labelled child per combination, kept: prom-client hashes
 * the label object on every `inc(labels)`, and this runs for every request. Routes and methods are the registered
 * ones (or 'unmatched'), so the combinations are few.
 */
function createRequestCounter(metrics: Metrics): (route: string, method: string, status: number) => void {
  const children = new Map<string, { inc(): void }>();
  return (route, method, status) => {
    const id = `${route} ${method} ${status}`;
    let child = children.get(id);
    if (child === undefined) {
      child = metrics.httpRequests.labels({ route, method, status });
      children.set(id, child);
    }
    child.inc();
  };
}
