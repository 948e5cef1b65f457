// Per-request deadline (spec §1): past request_timeout_secs the client gets 408 with an empty body and the work is aborted.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Cancellation, type CancelSignal } from '../providers/cancel-signal.js';
import { renderError } from './errors.js';

interface Deadline {
  reply: FastifyReply;
  /** Made on the first signalFor(): only a handler with work to abort (the LLM call) needs one. */
  cancellation: Cancellation | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Epoch ms at which the 408 goes out. */
  at: number;
}

export interface RequestDeadlines {
  /**
   * preHandler hook of the routes that do work (all but /health and /ready, which answer from memory): arms the
   * 408 for what is left of the budget, counted from the request's arrival. Until then Node's own requestTimeout
   * (the same budget) bounds the wait for headers and body, and a request answered before its handler (every 401
   * and 429 of /webhook) never arms a timer.
   */
  start(request: FastifyRequest, reply: FastifyReply): void;
  /** onResponse hook: stops the clock. */
  finish(request: FastifyRequest): void;
  /** Cancelled when the deadline passes or the client disconnects first. */
  signalFor(request: FastifyRequest): CancelSignal | undefined;
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
    deadline.cancellation?.cancel(new Error('request timed out'));
  };

  return {
    start(request, reply) {
      // fastify's elapsedTime counts from the request's arrival (its onRequest), so the budget is the whole request's.
      const leftMs = Math.max(0, timeoutMs - reply.elapsedTime);
      const deadline: Deadline = { reply, cancellation: undefined, timer: undefined, at: Date.now() + leftMs };
      deadline.timer = setTimeout(expire, leftMs, deadline);
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
      if (deadline.cancellation === undefined) {
        const cancellation = new Cancellation();
        deadline.cancellation = cancellation;
        // A client that goes away before its answer does not need the LLM call either.
        const raw = deadline.reply.raw;
        const gone = (): void => {
          if (!raw.writableFinished) cancellation.cancel(new Error('client disconnected'));
        };
        if (raw.destroyed || raw.socket === null || raw.socket.destroyed) gone();
        else raw.once('close', gone);
      }
      return deadline.cancellation;
    },
    deadlineFor(request) {
      const deadline = deadlines.get(request);
      return deadline === undefined ? undefined : deadline.at + DOWNSTREAM_SLACK_MS;
    },
  };
}
