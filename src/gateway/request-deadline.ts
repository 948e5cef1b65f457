// Per-request deadline (spec §1): past request_timeout_secs the client gets 408 with an empty body and the work is aborted.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './errors.js';

interface Deadline {
  controller: AbortController;
  timer: NodeJS.Timeout;
  /** Epoch ms at which the 408 goes out. */
  at: number;
}

export interface RequestDeadlines {
  /** onRequest hook: starts the clock. */
  start(request: FastifyRequest, reply: FastifyReply): void;
  /** onResponse hook: stops the clock. */
  finish(request: FastifyRequest): void;
  /** Aborted when the deadline passes or the client disconnects first. */
  signalFor(request: FastifyRequest): AbortSignal | undefined;
  /**
   * Epoch ms by which downstream work must be done, so provider retries are budgeted against it (spec §7).
   * It lies a little past the 408: the timer here answers and aborts first, and a downstream timer that fires
   * early (undici's coarse timers can) never turns a timeout into a 500.
   */
  deadlineFor(request: FastifyRequest): number | undefined;
}

const DOWNSTREAM_SLACK_MS = 1_000;

export function createRequestDeadlines(timeoutMs: number): RequestDeadlines {
  const deadlines = new WeakMap<FastifyRequest, Deadline>();
  const timeout = renderError('REQUEST_TIMEOUT');

  const expire = (reply: FastifyReply, controller: AbortController): void => {
    if (!reply.sent) void reply.code(timeout.status).headers(timeout.headers).send();
    controller.abort(new Error('request timed out'));
  };

  return {
    start(request, reply) {
      const controller = new AbortController();
      const timer = setTimeout(() => expire(reply, controller), timeoutMs);
      deadlines.set(request, { controller, timer, at: Date.now() + timeoutMs });
      // A client that goes away before its answer does not need the LLM call either.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
      });
    },
    finish(request) {
      const deadline = deadlines.get(request);
      if (deadline === undefined) return;
      clearTimeout(deadline.timer);
      deadlines.delete(request);
    },
    signalFor(request) {
      return deadlines.get(request)?.controller.signal;
    },
    deadlineFor(request) {
      const deadline = deadlines.get(request);
      return deadline === undefined ? undefined : deadline.at + DOWNSTREAM_SLACK_MS;
    },
  };
}
