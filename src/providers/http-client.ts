// One pooled keep-alive undici Pool per provider base URL: JSON POST with connect and overall timeouts, abortable.
import { Pool } from 'undici';
import { ProviderNetworkError, ProviderTimeoutError } from './provider.js';
import { abortReason } from './sleep-unless-aborted.js';

/** Node's global fetch measured at about a quarter of a pooled `Pool.request` here, so providers use this instead. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECTIONS = 64;
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** A chat reply is a few KB; a vendor sending megabytes is broken or hostile, and we buffer the whole body. */
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

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
  headers?: Record<string, string>;
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
  const pool = new Pool(url.origin, {
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  });

  async function postJson(path: string, body: unknown, opts: PostJsonOptions = {}): Promise<HttpResponse> {
    const callerSignal = opts.signal;
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    const timeoutMs = Math.max(1, opts.timeoutMs ?? defaultTimeoutMs);

    // One controller per call: our overall timer and the caller's abort both end up here, so undici has one signal.
    const controller = new AbortController();
    let timedOut: ProviderTimeoutError | undefined;
    const timer = setTimeout(() => {
      timedOut = new ProviderTimeoutError(`${provider}: no complete answer within ${timeoutMs} ms`, provider);
      controller.abort(timedOut);
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort(abortReason(callerSignal as AbortSignal));
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

    const payload = JSON.stringify(body);
    try {
      const res = await pool.request({
        path: `${pathPrefix}${path}`,
        method: 'POST',
        headers: { ...opts.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
        body: payload,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxResponseBytes) {
          res.body.destroy();
          throw new ProviderNetworkError(`${provider}: response body larger than ${maxResponseBytes} bytes`, provider);
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
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
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
        throw new ProviderTimeoutError(`${provider}: ${code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect' : 'read'} timeout`, provider, {
          cause: err,
        });
      }
      throw new ProviderNetworkError(`${provider}: connection to ${url.host} failed (${code ?? 'error'})`, provider, { cause: err });
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return {
    baseUrl,
    postJson,
    close: () => pool.close(),
  };
}
