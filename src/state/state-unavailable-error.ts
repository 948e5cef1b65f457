// StateUnavailableError: a shared state store cannot be reached; the gateway fails closed with 503 (spec §9).
export class StateUnavailableError extends Error {
  override name = 'StateUnavailableError';

  /** `message` says what failed where (never a secret); `cause` keeps the driver's error for the log. */
  constructor(message = 'State store unavailable', options?: { cause?: unknown }) {
    super(message, options);
  }
}
