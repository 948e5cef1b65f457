// Errors raised before any route runs, answered with rows of ERRORS like every other error (spec §1): malformed HTTP
// and oversize headers from Node's parser, header/body timeouts, and URLs fastify cannot decode. fastify's defaults
// answer these with bodies of their own ({"statusCode":...,"message":...}) that no client was told about.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../observability/logger.js';
import { sendError } from './error-handler.js';
import { renderError, type ErrorCode } from './errors.js';

/** Node's parser and timeout error codes → the row that answers them; anything else is a malformed request. */
const CLIENT_ERROR_CODES: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The whole HTTP/1.1 answer of a row, written straight to the socket (there is no request object yet). */
export function rawErrorResponse(code: ErrorCode): string {
  const rendered = renderError(code);
  const body = rendered.body === null ? '' : JSON.stringify(rendered.body);
  const headers = [
    `HTTP/1.1 ${rendered.status} ${REASONS[rendered.status] ?? 'Error'}`,
    ...(body === '' ? [] : ['Content-Type: application/json; charset=utf-8']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

/** fastify's clientErrorHandler: answers with the row, unless a response already started on the socket, then closes. */
export function createClientErrorHandler(logger: Logger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const code = CLIENT_ERROR_CODES[error.code ?? ''] ?? 'BAD_REQUEST';
    logger.debug({ code: error.code, answer: code }, 'malformed or too slow request refused');
    // A keep-alive socket may hold a response whose head is already out: a second status line would corrupt it.
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (socket.writable && (pending === undefined || pending === null || !pending.headersSent)) {
      socket.end(rawErrorResponse(code));
    }
    socket.destroySoon();
  };
}

/** fastify's frameworkErrors: a URL it cannot decode (or an over-long route parameter) is a 400 like any other. */
export function answerFrameworkError(_error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, 'BAD_REQUEST');
}
