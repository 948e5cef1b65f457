// What a failed Graph API send throws: one base class, the HTTP error with Meta's code, the transport failure.

/** A send the Graph API did not accept. `retryable` says whether the same send may succeed later. */
export class GraphSendError extends Error {
  override name = 'GraphSendError';
  constructor(
    message: string,
    /** True for throttling, 5xx and transport failures; false for permanent errors (bad number, window closed, token). */
    readonly retryable: boolean,
    /** The `whatsapp_send_failures_total{code}` label: Meta's code, `http_<status>`, `network` or `timeout`. */
    readonly label: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The Graph API answered an error: its status and Meta's `{"error":{message,type,code,error_subcode,fbtrace_id}}`. */
export class GraphHttpError extends GraphSendError {
  override name = 'GraphHttpError';
  constructor(
    message: string,
    retryable: boolean,
    readonly status: number,
    /** Meta's `error.code` (e.g. 131047), when the body had one. */
    readonly metaCode: number | undefined,
    readonly subcode: number | undefined,
    /** Meta's request id, for support tickets. */
    readonly fbtraceId: string | undefined,
    /** Delay Meta asked for (Retry-After), in ms. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message, retryable, metaCode !== undefined ? String(metaCode) : `http_${status}`);
  }
}

/** The request did not complete: connection refused or reset, DNS, or no answer in time. Always retryable. */
export class GraphNetworkError extends GraphSendError {
  override name = 'GraphNetworkError';
  constructor(message: string, timedOut: boolean, options?: ErrorOptions) {
    super(message, true, timedOut ? 'timeout' : 'network', options);
  }
}
