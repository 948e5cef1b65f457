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
  /** Epoch ms of the deadline, so retries are budgeted against it (spec §7). */
  deadlineFor(request: FastifyRequest): number | undefined;
  /**
   * When the work failed because the deadline arrived (the provider's own budget ran out a hair before our
   * timer), answers the 408 now, as the timer would have; true when it did.
   */
  expireIfDue(request: FastifyRequest, reply: FastifyReply): boolean;
}

/** A provider budgeted against the same deadline gives up within a few ms of it. */
const DEADLINE_TOLERANCE_MS = 25;

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
      return deadlines.get(request)?.at;
    },
    expireIfDue(request, reply) {
      const deadline = deadlines.get(request);
      if (deadline === undefined || Date.now() < deadline.at - DEADLINE_TOLERANCE_MS) return false;
      clearTimeout(deadline.timer);
      expire(reply, deadline.controller);
      return true;
    },
  };
}
