// GatewayError or fastify error → its ERRORS row; JSON 404/405; anything unknown → logged, plain 500 (style §4).
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../observability/logger.js';
import { StateUnavailableError } from '../state/state-unavailable-error.js';
import { ERRORS, GatewayError, renderError, type ErrorCode, type ErrorParams, type ErrorRow } from './errors.js';
import { JSON_CONTENT_TYPE } from './messages.js';

/** Registered paths → their methods, for telling a 405 from a 404. */
export type RouteTable = Map<string, Set<string>>;

/** fastify's own error codes that are the client's fault, by the row they answer with. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_TYPE: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
};

export function installErrorHandling(app: FastifyInstance, deps: { logger: Logger; routes: RouteTable }): void {
  app.setNotFoundHandler(async (request) => {
    const path = request.url.split('?')[0] ?? request.url;
    const methods = deps.routes.get(path);
    if (methods === undefined) throw new GatewayError('NOT_FOUND');
    throw new GatewayError('METHOD_NOT_ALLOWED', { headers: { allow: [...methods].sort().join(', ') } });
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // The deadline may have answered 408 while the handler was still running.
    if (reply.sent) return reply;
    const code = classify(error);
    if (code === 'INTERNAL') {
      deps.logger.error({ err: error, reqId: request.id, route: request.routeOptions.url }, 'unhandled error');
    }
    return error instanceof GatewayError ? sendError(reply, error.code, error.params) : sendError(reply, code);
  });
}

function classify(error: FastifyError): ErrorCode {
  if (error instanceof GatewayError) return error.code;
  if (error instanceof StateUnavailableError) return 'STATE_UNAVAILABLE';
  const known = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
  if (known !== undefined) return known;
  // Other 4xx raised by fastify itself (malformed requests): a generic 400, never its internal text.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return 'BAD_REQUEST';
  return 'INTERNAL';
}

/**
 * JSON bodies of rows already sent, by code and retry-after: the answers a flood of refusals consists of (401, 429)
 * are the same few bytes every time, so they are serialised once. Retry-after values are whole seconds up to an
 * hour (the longest lockout), which bounds the table.
 */
const serializedBodies = new Map<string, string>();
const NO_PARAMS: ErrorParams = Object.freeze({});

/** Answers with the row `code` of ERRORS (status, headers, body), as renderError describes it. */
export function sendError(reply: FastifyReply, code: ErrorCode, params: ErrorParams = NO_PARAMS): FastifyReply {
  const row: ErrorRow = ERRORS[code];
  if (row.error !== null && row.text !== true) {
    const retryAfter = params.retryAfterSecs;
    const cacheKey = retryAfter === undefined ? code : `${code} ${retryAfter}`;
    let body = serializedBodies.get(cacheKey);
    if (body === undefined) {
      body = JSON.stringify(renderError(code, params).body);
      serializedBodies.set(cacheKey, body);
    }
    reply.code(row.status);
    if (row.headers !== undefined) reply.headers(row.headers);
    if (params.headers !== undefined) reply.headers(params.headers);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.type(JSON_CONTENT_TYPE).send(body);
  }
  const rendered = renderError(code, params);
  reply.code(rendered.status).headers(rendered.headers);
  if (rendered.body === null) return reply.send();
  return reply.type('text/plain; charset=utf-8').send(rendered.body as string);
}
