// StateUnavailableError: a shared state store cannot be reached; the gateway fails closed with 503 (spec §9).
export class StateUnavailableError extends Error {
  override name = 'StateUnavailableError';
}
