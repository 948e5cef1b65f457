// GatewayError + ERRORS, the one table: code → status → exact body (spec §1-§5, §9). The only file with error strings.

export interface ErrorRow {
  status: number;
  /** The `error` field of the JSON body; null = empty body (408). */
  error: string | null;
  /** Fixed fields sent beside `error`. */
  fields?: Record<string, unknown>;
  /** Fixed headers sent with the row. */
  headers?: Record<string, string>;
  /** text/plain rows send `error` as the whole body (WhatsApp verification, spec §5). */
  text?: true;
}

export const ERRORS = {
  // spec §1 transport
  NOT_FOUND: { status: 404, error: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, error: 'Method not allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, error: 'Payload too large: the limit is 65536 bytes' },
  REQUEST_TIMEOUT: { status: 408, error: null },
  BAD_REQUEST: { status: 400, error: 'Bad request' },
  HEADERS_TOO_LARGE: { status: 431, error: 'Request headers too large: the limit is 16384 bytes' },
  INTERNAL: { status: 500, error: 'Internal server error' },
  // spec §2 pairing
  PAIR_RATE_LIMITED: { status: 429, error: 'Too many pairing requests. Please retry later.' },
  PAIR_LOCKED_OUT: { status: 429, error: 'Too many failed attempts. Try again in {retry_after}s.' },
  INVALID_PAIRING_CODE: { status: 403, error: 'Invalid pairing code' },
  PAIRING_NOT_PERSISTED: {
    status: 500,
    error: 'Pairing failed: the token could not be saved. Try again; the pairing code is still valid.',
    fields: { paired: false, persisted: false },
  },
  // spec §3 webhook
  WEBHOOK_RATE_LIMITED: { status: 429, error: 'Too many webhook requests. Please retry later.' },
  UNAUTHORIZED_BEARER: {
    status: 401,
    error: 'Unauthorized — pair first via POST /pair, then send Authorization: Bearer <token>',
  },
  UNAUTHORIZED_SECRET: { status: 401, error: 'Unauthorized — invalid or missing X-Webhook-Secret header' },
  INVALID_JSON_BODY: { status: 400, error: 'Invalid JSON body. Expected: {"message": "..."}' },
  LLM_FAILED: { status: 500, error: 'LLM request failed' },
  // spec §4 idempotency
  INVALID_IDEMPOTENCY_KEY: {
    status: 400,
    error: 'Invalid X-Idempotency-Key: use at most 255 characters and no control characters',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    error: 'A request with this idempotency key is still in progress',
    fields: { retry_after: 1 },
    headers: { 'retry-after': '1' },
  },
  // spec §5 WhatsApp
  WHATSAPP_NOT_CONFIGURED: { status: 404, error: 'WhatsApp not configured' },
  WHATSAPP_NOT_CONFIGURED_TEXT: { status: 404, error: 'WhatsApp not configured', text: true },
  WHATSAPP_FORBIDDEN_TEXT: { status: 403, error: 'Forbidden', text: true },
  WHATSAPP_MISSING_CHALLENGE_TEXT: { status: 400, error: 'Missing hub.challenge', text: true },
  INVALID_SIGNATURE: { status: 401, error: 'Invalid signature' },
  WHATSAPP_APP_SECRET_REQUIRED: {
    status: 401,
    error:
      'WhatsApp app secret required: set [channels_config.whatsapp] app_secret or ZEROCLAW_WHATSAPP_APP_SECRET to accept signed webhooks',
  },
  INVALID_JSON_PAYLOAD: { status: 400, error: 'Invalid JSON payload' },
  // spec §9 scale-out
  STATE_UNAVAILABLE: { status: 503, error: 'State store unavailable' },
  // spec §2 beyond the reference: the operator API
  ADMIN_FORBIDDEN: {
    status: 403,
    error: 'Admin API: only from this machine (loopback), with the key in <data_dir>/admin.key',
  },
  TOKEN_NOT_FOUND: { status: 404, error: 'No paired token has that fingerprint' },
  TOKEN_AMBIGUOUS: { status: 409, error: 'Several tokens start with that fingerprint: give more characters' },
  // spec §6 readiness
  NOT_READY: { status: 503, error: 'Not ready: a required dependency is unavailable (see GET /health)' },
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorParams {
  /** Seconds for `retry_after` (body) and `Retry-After` (header) of 429 rows. */
  retryAfterSecs?: number;
  /** Extra headers (RateLimit fields, Allow). */
  headers?: Record<string, string>;
}

/**
 * A failure a route answers with one row of ERRORS. It is an answer, not a fault, so it carries no stack trace:
 * capturing one through fastify's async frames cost about 13 µs per 401/429, a third of the rejection path.
 */
export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(code); // a string message: cannot throw, so the limit is always restored
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.params = params;
  }
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  /** JSON object, plain text, or null for an empty body. */
  body: Record<string, unknown> | string | null;
}

/** The exact status, headers and body of a row: what the error handler sends and what tests compare with. */
export function renderError(code: ErrorCode, params: ErrorParams = {}): RenderedError {
  const row: ErrorRow = ERRORS[code];
  const headers: Record<string, string> = { ...row.headers, ...params.headers };
  const retryAfter = params.retryAfterSecs;
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (row.error === null) return { status: row.status, headers, body: null };
  const message = row.error.replace('{retry_after}', String(retryAfter ?? ''));
  if (row.text) return { status: row.status, headers, body: message };
  const body: Record<string, unknown> = { ...row.fields, error: message };
  if (retryAfter !== undefined) body['retry_after'] = retryAfter;
  return { status: row.status, headers, body };
}
