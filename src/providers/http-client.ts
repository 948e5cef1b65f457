// One pooled keep-alive undici Pool per provider base URL: JSON POST with connect and overall timeouts, abortable.
import { Pool, type Dispatcher } from 'undici';
import { ProviderNetworkError, ProviderTimeoutError } from './provider.js';
import { abortReason } from './sleep-unless-aborted.js';

/** Node's global fetch measured at about a quarter of a pooled `Pool.request` here, so providers use this instead. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECTIONS = 64;
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** A chat reply is a few KB; a vendor sending megabytes is broken or hostile, and we buffer the whole body. */
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** undici's headersTimeout may fire this much late (its coarse timer clock); shorter budgets get a precise timer. */
const COARSE_TIMER_SLACK_MS = 2_000;

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface HttpClientOptions {
  /** Vendor base URL, e.g. `https://openrouter.ai/api/v1`; request paths are appended to it. */
  baseUrl: string;
  /** Catalogue name, carried by the errors this client throws. */
  provider: string;
  /** Time allowed to open a TCP/TLS connection. */
  connectTimeoutMs?: number;
  /** Default overall time for one request, from sending to the last body byte. */
  timeoutMs?: number;
  /** Most sockets kept open to the vendor. */
  connections?: number;
  /** Larger response bodies are cut off and fail the request. */
  maxResponseBytes?: number;
}

export interface PostJsonOptions {
  /** Extra request headers; read once per object and remembered, so pass the same unchanging object each call. */
  headers?: Readonly<Record<string, string>>;
  /** The caller's abort (request timeout, client gone): the HTTP call stops and this signal's reason is thrown. */
  signal?: AbortSignal;
  /** Overall time for this request; overrides the client default (the deadline budget passes it down). */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown;
  /** The raw body text (for error messages when it is not JSON). */
  text: string;
}

export interface HttpClient {
  /** The normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  /** POSTs `body` as JSON to `baseUrl + path`; any HTTP status resolves, transport failures reject. */
  postJson(path: string, body: unknown, options?: PostJsonOptions): Promise<HttpResponse>;
  /** Closes the pool's sockets. */
  close(): Promise<void>;
}

/** The first value of a response header (undici lower-cases names). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });
/** Content headers this client sets itself; a caller's own spelling of them is dropped. */
const OWN_HEADERS = new Set(['content-type', 'content-length']);

/**
 * The headers undici is given for a caller's header object: the caller's, then our content type. Built once per
 * header object (providers pass the same frozen object on every call); undici adds the content-length of a string body.
 */
function requestHeaders(
  cache: WeakMap<object, Readonly<Record<string, string>>>,
  headers: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  if (headers === undefined) return JSON_HEADERS;
  let merged = cache.get(headers);
  if (merged === undefined) {
    const built: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!OWN_HEADERS.has(name.toLowerCase())) built[name] = value;
    }
    built['content-type'] = 'application/json';
    merged = Object.freeze(built);
    cache.set(headers, merged);
  }
  return merged;
}

/** The declared body length, or undefined when the vendor streams it chunked (or sends something unreadable). */
function contentLength(headers: ResponseHeaders): number | undefined {
  const raw = headerValue(headers, 'content-length');
  if (raw === undefined) return undefined;
  const length = Number(raw);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** Destroys an unread or half-read body; the error it then emits has been dealt with by whoever calls this. */
function discard(body: Dispatcher.ResponseData['body'], reason?: Error): void {
  body.on('error', ignore).destroy(reason);
}

function ignore(): void {}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`base URL must be http(s): ${url.protocol}`);
  }
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  const baseUrl = `${url.origin}${pathPrefix}`;
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const provider = options.provider;
  const headerCache = new WeakMap<object, Readonly<Record<string, string>>>();
  const pool = new Pool(url.origin, {
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Counted by undici as bytes arrive, so a chunked body with no length to check up front is cut off as well.
    maxResponseSize: maxResponseBytes,
  });
  const tooLarge = (): Error => new ProviderNetworkError(`${provider}: response body larger than ${maxResponseBytes} bytes`, provider);

  async function postJson(path: string, body: unknown, opts: PostJsonOptions = {}): Promise<HttpResponse> {
    const callerSignal = opts.signal;
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    const timeoutMs = Math.max(1, opts.timeoutMs ?? defaultTimeoutMs);
    const startedAt = Date.now();
    const overallTimeout = (): ProviderTimeoutError =>
      new ProviderTimeoutError(`${provider}: no complete answer within ${timeoutMs} ms`, provider);

    // The caller's signal goes to undici as it is: an AbortController of our own, chained to it, cost more per call
    // than the rest of the client. undici's headersTimeout bounds the wait for the answer; the body phase gets a
    // timer for what is left of the budget, since bodyTimeout only bounds the gap between two chunks. undici runs
    // headersTimeout on a coarse clock (up to a second late), so a short budget keeps a precise timer of its own.
    let timedOut: ProviderTimeoutError | undefined;
    let timer: NodeJS.Timeout | undefined;
    let signal = callerSignal;
    let onCallerAbort: (() => void) | undefined;
    if (timeoutMs < COARSE_TIMER_SLACK_MS) {
      const controller = new AbortController();
      signal = controller.signal;
      timer = setTimeout(() => controller.abort((timedOut = overallTimeout())), timeoutMs);
      if (callerSignal) {
        onCallerAbort = (): void => controller.abort(abortReason(callerSignal));
        callerSignal.addEventListener('abort', onCallerAbort, { once: true });
      }
    }
    try {
      const res = await pool.request({
        path: pathPrefix + path,
        method: 'POST',
        headers: requestHeaders(headerCache, opts.headers),
        body: JSON.stringify(body),
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // A declared length over the cap fails before any of the body is read.
      const length = contentLength(res.headers);
      if (length !== undefined && length > maxResponseBytes) {
        discard(res.body);
        throw tooLarge();
      }
      const leftMs = timeoutMs - (Date.now() - startedAt);
      if (leftMs <= 0) {
        discard(res.body);
        throw (timedOut = overallTimeout());
      }
      timer ??= setTimeout(() => {
        timedOut = overallTimeout();
        discard(res.body, timedOut);
      }, leftMs);
      const text = await res.body.text();
      let parsed: unknown;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text) as unknown;
        } catch {
          parsed = undefined;
        }
      }
      return { status: res.statusCode, headers: res.headers, body: parsed, text };
    } catch (err) {
      if (callerSignal?.aborted) throw abortReason(callerSignal);
      if (timedOut) throw timedOut;
      if (err instanceof ProviderNetworkError) throw err;
      const code = errorCode(err);
      if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') throw tooLarge();
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        // Both are set to the overall budget, which is what ran out.
        throw new ProviderTimeoutError(`${provider}: no complete answer within ${timeoutMs} ms`, provider, { cause: err });
      }
      if (code === 'UND_ERR_CONNECT_TIMEOUT') {
        throw new ProviderTimeoutError(`${provider}: connect timeout`, provider, { cause: err });
      }
      throw new ProviderNetworkError(`${provider}: connection to ${url.host} failed (${code ?? 'error'})`, provider, { cause: err });
    } finally {
      clearTimeout(timer);
      if (onCallerAbort) callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return {
    baseUrl,
    postJson,
    close: () => pool.close(),
  };
}
