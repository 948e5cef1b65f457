// Per-request deadline (spec §1): past request_timeout_secs the client gets 408 with an empty body and the work is aborted.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './errors.js';

interface Deadline {
  reply: FastifyReply;
  /**
   * Made on the first signalFor(): most requests (health, metrics, every rejection) never do work to abort, and
   * an AbortController with its disconnect listener cost more than the rest of such a request's deadline.
   */
  controller: AbortController | undefined;
  timer: NodeJS.Timeout | undefined;
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

  const expire = (deadline: Deadline): void => {
    if (!deadline.reply.sent) void deadline.reply.code(timeout.status).headers(timeout.headers).send();
    deadline.controller?.abort(new Error('request timed out'));
  };

  return {
    start(request, reply) {
      const deadline: Deadline = { reply, controller: undefined, timer: undefined, at: Date.now() + timeoutMs };
      deadline.timer = setTimeout(expire, timeoutMs, deadline);
      deadlines.set(request, deadline);
    },
    finish(request) {
      const deadline = deadlines.get(request);
      if (deadline === undefined) return;
      clearTimeout(deadline.timer);
      deadlines.delete(request);
    },
    signalFor(request) {
      const deadline = deadlines.get(request);
      if (deadline === undefined) return undefined;
      if (deadline.controller === undefined) {
        const controller = new AbortController();
        deadline.controller = controller;
        // A client that goes away before its answer does not need the LLM call either.
        const raw = deadline.reply.raw;
        const gone = (): void => {
          if (!raw.writableFinished) controller.abort(new Error('client disconnected'));
        };
        if (raw.destroyed || raw.socket === null || raw.socket.destroyed) gone();
        else raw.once('close', gone);
      }
      return deadline.controller.signal;
    },
    deadlineFor(request) {
      const deadline = deadlines.get(request);
      return deadline === undefined ? undefined : deadline.at + DOWNSTREAM_SLACK_MS;
    },
  };
}
