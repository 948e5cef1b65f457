// One pooled keep-alive undici Pool per provider base URL: JSON POST with connect and overall timeouts, abortable.
import type { Dispatcher, Pool } from 'undici';
import type { CancelSignal } from './cancel-signal.js';
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
  signal?: CancelSignal;
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

let undici: Promise<typeof import('undici')> | undefined;

/**
 * undici, imported on the first LLM call rather than at startup: it is the largest module the gateway loads (~85 ms
 * and ~15 MB here), and a gateway that only serves /health, /pair or refusals never needs it. The first call waits
 * for the import once.
 */
function loadUndici(): Promise<typeof import('undici')> {
  return (undici ??= import('undici'));
}

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
  let pool: Pool | undefined;
  let opening: Promise<Pool> | undefined;
  const openPool = (): Promise<Pool> =>
    (opening ??= loadUndici().then(
      ({ Pool }) =>
        (pool = new Pool(url.origin, {
          connections: options.connections ?? DEFAULT_CONNECTIONS,
          connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
          keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
          // Counted by undici as bytes arrive, so a chunked body with no length to check up front is cut off as well.
          maxResponseSize: maxResponseBytes,
        })),
    ));

  function postJson(path: string, body: unknown, opts: PostJsonOptions = {}): Promise<HttpResponse> {
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (pool === undefined) return openPool().then(() => postJson(path, body, opts));
    const open = pool;
    const timeoutMs = Math.max(1, opts.timeoutMs ?? defaultTimeoutMs);
    return new Promise<HttpResponse>((resolve, reject) => {
      const exchange = new JsonExchange(provider, url.host, timeoutMs, maxResponseBytes, signal, resolve, reject);
      open.dispatch(
        {
          path: pathPrefix + path,
          method: 'POST',
          headers: requestHeaders(headerCache, opts.headers),
          body: JSON.stringify(body),
          // undici bounds the wait for the answer's headers and each gap in its body; JsonExchange bounds the whole.
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        exchange,
      );
    });
  }

  return {
    baseUrl,
    postJson,
    close: async () => {
      if (opening !== undefined) await (await opening).close();
    },
  };
}

/**
 * One request/response as an undici dispatch handler: the body is gathered straight from the socket's chunks and
 * the caller's signal is listened to directly. undici's `request()` wraps every answer in a Readable stream and
 * chains its own listener to the signal; for a few-KB JSON reply that machinery cost more than the rest of the call.
 */
class JsonExchange implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #headers: ResponseHeaders = {};
  #chunks: Buffer[] = [];
  #settled = false;
  /** Why the exchange was stopped from this side (caller abort, overall timeout), once it was. */
  #stopped: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #onAbort: (() => void) | undefined;
  readonly #startedAt = Date.now();

  constructor(
    private readonly provider: string,
    private readonly host: string,
    private readonly timeoutMs: number,
    private readonly maxResponseBytes: number,
    private readonly signal: CancelSignal | undefined,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (err: Error) => void,
  ) {
    // undici runs headersTimeout on a coarse clock (up to a second late): a short budget gets a precise timer now,
    // a long one only for the body phase, once the headers are in (bodyTimeout bounds only the gap between chunks).
    if (timeoutMs < COARSE_TIMER_SLACK_MS) this.#armTimer(timeoutMs);
    if (signal !== undefined) {
      // A bound method, not an arrow function: with the arrow (whose context holds `signal`) every exchange's objects
      // measured as surviving young GCs, ~1 MB promoted per scavenge under load against ~70 KB with this.
      this.#onAbort = this.#abortFromSignal.bind(this);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  #abortFromSignal(): void {
    if (this.signal !== undefined) this.#stop(abortReason(this.signal));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#stopped !== undefined) controller.abort(this.#stopped);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: ResponseHeaders): void {
    if (statusCode < 200) return; // 1xx informational: the real answer follows
    this.#status = statusCode;
    this.#headers = headers;
    // A declared length over the cap fails before any of the body is read.
    const length = contentLength(headers);
    if (length !== undefined && length > this.maxResponseBytes) return this.#stop(this.#tooLarge());
    if (this.#timer === undefined) {
      const leftMs = this.timeoutMs - (Date.now() - this.#startedAt);
      if (leftMs <= 0) return this.#stop(this.#overallTimeout());
      this.#armTimer(leftMs);
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    const chunks = this.#chunks;
    const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = undefined;
      }
    }
    this.#settle();
    this.resolve({ status: this.#status, headers: this.#headers, body: parsed, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.reject(this.#stopped ?? this.#translate(err));
  }

  /** Stops the exchange from this side: undici aborts the request and onResponseError rejects with `reason`. */
  #stop(reason: Error): void {
    if (this.#settled || this.#stopped !== undefined) return;
    this.#stopped = reason;
    if (this.#controller !== undefined) {
      this.#controller.abort(reason);
    } else {
      // Still queued for a socket: answer now; onRequestStart aborts it if it ever starts.
      this.#settle();
      this.reject(reason);
    }
  }

  #settle(): void {
    this.#settled = true;
    clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.signal?.removeEventListener('abort', this.#onAbort);
  }

  #armTimer(ms: number): void {
    this.#timer = setTimeout(() => this.#stop(this.#overallTimeout()), ms);
  }

  #overallTimeout(cause?: unknown): ProviderTimeoutError {
    return new ProviderTimeoutError(`${this.provider}: no complete answer within ${this.timeoutMs} ms`, this.provider, cause === undefined ? undefined : { cause });
  }

  #tooLarge(): ProviderNetworkError {
    return new ProviderNetworkError(`${this.provider}: response body larger than ${this.maxResponseBytes} bytes`, this.provider);
  }

  /** undici's transport errors as the provider errors the retry policy reads. */
  #translate(err: Error): Error {
    if (err instanceof ProviderNetworkError) return err;
    const code = errorCode(err);
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return this.#tooLarge();
    // Both are set to the overall budget, which is what ran out.
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return this.#overallTimeout(err);
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new ProviderTimeoutError(`${this.provider}: connect timeout`, this.provider, { cause: err });
    return new ProviderNetworkError(`${this.provider}: connection to ${this.host} failed (${code ?? 'error'})`, this.provider, { cause: err });
  }
}
