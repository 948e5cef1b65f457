// The one provider interface (spec §7) and the ProviderError family; nothing here knows HTTP routes.
import type { CancelSignal } from './cancel-signal.js';

/** One chat turn sent to an LLM. */
export interface ChatRequest {
  /** Optional system prompt. */
  system?: string;
  /** The user's message. */
  message: string;
  /** Model name as the vendor spells it. */
  model: string;
  /** Sampling temperature, 0..2. */
  temperature: number;
  /** Aborted when the gateway request times out or the client goes away: the HTTP call must stop. */
  signal?: CancelSignal;
  /**
   * Epoch ms (Date.now() clock) by which the answer must be complete, normally the gateway's request deadline.
   * No attempt or retry starts that cannot finish by then, and each HTTP call is cut off at it.
   */
  deadline?: number;
}

/** Token usage, when the vendor reports it. */
export interface ChatUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface ChatResult {
  /** The reply text. */
  text: string;
  /** The model that actually answered (a fallback model may differ from the one asked for). */
  model: string;
  /** The provider name that answered (catalogue name, e.g. "openrouter"). */
  provider: string;
  usage?: ChatUsage;
}

export interface Provider {
  /** Catalogue name of the primary provider, used as a metric label. */
  readonly name: string;
  /** Sends one chat turn; rejects with a ProviderError (or an AbortError when `signal` aborts). */
  chat(request: ChatRequest): Promise<ChatResult>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** How one protocol adapter (openai-compatible, anthropic, ollama, gemini) is built. */
export interface ProtocolProviderOptions {
  /** Catalogue name, used in errors, logs and metric labels. */
  name: string;
  /** Base URL the protocol's paths are appended to. */
  baseUrl: string;
  /** Credential; omitted for local servers that need none. */
  apiKey?: string;
  /** Extra headers sent on every request (e.g. OpenRouter's attribution headers). */
  headers?: Readonly<Record<string, string>>;
  /** Connect timeout and default overall timeout of each HTTP call. */
  connectTimeoutMs?: number;
  timeoutMs?: number;
}

/** Base of every provider failure; `message` is already sanitised (no keys, no tokens). */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    message: string,
    readonly provider: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The vendor answered with a non-2xx status. */
export class ProviderHttpError extends ProviderError {
  override name = 'ProviderHttpError';
  constructor(
    message: string,
    provider: string,
    readonly status: number,
    /** Delay the vendor asked for (Retry-After / retry-after-ms), when it did. */
    readonly retryAfterMs: number | undefined,
    /** Vendor error code or type, e.g. "insufficient_quota", "overloaded_error". */
    readonly vendorCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, provider, options);
  }
}

/** The call did not finish within its time budget. */
export class ProviderTimeoutError extends ProviderError {
  override name = 'ProviderTimeoutError';
}

/** Connection refused, reset, DNS failure and the like. */
export class ProviderNetworkError extends ProviderError {
  override name = 'ProviderNetworkError';
}

/** The provider is not usable as configured (e.g. no API key). Never retried. */
export class ProviderConfigError extends ProviderError {
  override name = 'ProviderConfigError';
}
