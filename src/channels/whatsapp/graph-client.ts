// Graph API send (spec §5, wire-formats §4.4): one text message per call over a pooled undici client, retried per Meta's codes.
import { Pool } from 'undici';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { parseRetryAfterMs } from '../../providers/retry.js';
import { redactSecrets } from '../../providers/redact.js';
import { abortReason, sleepUnlessAborted } from '../../providers/sleep-unless-aborted.js';
import { GraphHttpError, GraphNetworkError, GraphSendError } from './graph-errors.js';
import { graphRetryDelayMs, isRetryableGraphError } from './graph-retry.js';
import type { ReplyAddress } from './inbox.js';
import { MAX_TEXT_CHARS } from './split-reply.js';

const DEFAULT_MAX_ATTEMPTS = 4;
/** One send is small; Meta answers in well under a second when healthy. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** Replies go out one worker job at a time per sender; a handful of sockets is plenty. */
const CONNECTIONS = 8;
/** A send answer is a few hundred bytes; anything this large is not the Graph API. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Meta's error body (Graph API error handling guide): only `code` and `error_subcode` drive decisions. */
const graphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

const sendAnswerSchema = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });

export interface GraphClientOptions {
  /** `graph_api_base_url`, e.g. `https://graph.facebook.com` (a path prefix is kept). */
  baseUrl: string;
  /** `graph_api_version`, e.g. `v23.0`. */
  version: string;
  phoneNumberId: string;
  /** Sent as `Authorization: Bearer`; never logged. */
  accessToken: string;
  metrics: Metrics;
  logger: Logger;
  /** Attempts per send, the first included (default 4). */
  maxAttempts?: number;
  /** Time allowed for one attempt, connection to last byte (default 15 s). */
  attemptTimeoutMs?: number;
  /** First backoff step (default 500 ms); tests shorten it. */
  backoffBaseMs?: number;
  random?: () => number;
}

export interface SendOptions {
  /** Aborts the send and any wait between attempts (shutdown). */
  signal?: AbortSignal;
}

export interface GraphClient {
  /**
   * Sends one text message of at most 4,096 characters to `to`. Retries 429, 5xx, transport failures and Meta's
   * throttling codes with backoff and jitter, up to `maxAttempts`; resolves with the new message's wamid. Rejects
   * with a GraphSendError (`retryable` false for permanent errors, or true when the attempts ran out), or with the
   * signal's reason when aborted.
   */
  sendText(to: ReplyAddress, body: string, options?: SendOptions): Promise<string>;
  close(): Promise<void>;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`graph_api_base_url must be http(s): ${url.protocol}`);
  if (options.phoneNumberId.trim() === '') throw new TypeError('phone_number_id is required to send WhatsApp replies');
  const path = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(options.version)}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const { metrics, logger } = options;
  const pool = new Pool(url.origin, {
    connections: CONNECTIONS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  });

  async function attempt(payload: string, signal: AbortSignal | undefined): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('attempt timed out')), attemptTimeoutMs);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await pool.request({
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.accessToken}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
        },
        body: payload,
        signal: controller.signal,
      });
      const text = await readLimited(res.body);
      const json = parseJson(text);
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const answer = sendAnswerSchema.safeParse(json);
        return answer.success ? (answer.data.messages[0]?.id ?? '') : '';
      }
      const meta = graphErrorBodySchema.safeParse(json);
      const error = meta.success ? meta.data.error : undefined;
      throw new GraphHttpError(
        // Meta quotes the token back in some errors ("Cannot parse access token: EAAG…"): never let it reach a log.
        `Graph API ${res.statusCode}${error?.code !== undefined ? ` code ${error.code}` : ''}: ${redactSecrets(error?.message ?? 'no error body', [options.accessToken])}`,
        isRetryableGraphError(res.statusCode, error?.code),
        res.statusCode,
        error?.code,
        error?.error_subcode,
        error?.fbtrace_id,
        parseRetryAfterMs(res.headers),
      );
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      if (err instanceof GraphSendError) throw err;
      const timedOut = controller.signal.aborted;
      throw new GraphNetworkError(
        timedOut ? `Graph API: no answer within ${attemptTimeoutMs} ms` : `Graph API: connection to ${url.host} failed`,
        timedOut,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function sendText(to: ReplyAddress, body: string, sendOptions: SendOptions = {}): Promise<string> {
    if (body.length > MAX_TEXT_CHARS) throw new RangeError(`a WhatsApp text holds at most ${MAX_TEXT_CHARS} characters`);
    const payload = JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      // A user who hid their number is addressed by BSUID in `recipient` (Meta's 2026 username change).
      ...(to.kind === 'phone' ? { to: to.digits } : { recipient: to.userId }),
      type: 'text',
      text: { preview_url: false, body },
    });
    const { signal } = sendOptions;
    for (let n = 1; ; n++) {
      if (signal?.aborted) throw abortReason(signal);
      try {
        return await attempt(payload, signal);
      } catch (err) {
        if (!(err instanceof GraphSendError)) throw err;
        metrics.whatsappSendFailures.inc({ code: err.label });
        const http = err instanceof GraphHttpError ? err : undefined;
        const context = {
          attempt: n,
          status: http?.status,
          metaCode: http?.metaCode,
          subcode: http?.subcode,
          fbtraceId: http?.fbtraceId,
          error: err.message,
        };
        if (!err.retryable || n >= maxAttempts) throw err;
        const delayMs = graphRetryDelayMs(n - 1, { metaCode: http?.metaCode, retryAfterMs: http?.retryAfterMs }, {
          ...(options.backoffBaseMs !== undefined ? { baseMs: options.backoffBaseMs } : {}),
          ...(options.random ? { random: options.random } : {}),
        });
        logger.warn({ ...context, retryInMs: delayMs }, 'WhatsApp send failed, retrying');
        await sleepUnlessAborted(delayMs, signal);
      }
    }
  }

  return { sendText, close: () => pool.close() };
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new Error(`Graph API answer larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
