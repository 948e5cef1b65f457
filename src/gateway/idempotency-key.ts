// parseIdempotencyKey: X-Idempotency-Key (or the IETF Idempotency-Key, quoted or bare), validated (spec §4).
import { GatewayError } from './errors.js';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
// C0 controls, DEL and C1 controls.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The key, undefined when absent or blank, or GatewayError INVALID_IDEMPOTENCY_KEY. */
export function parseIdempotencyKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = first(headers['x-idempotency-key']) ?? first(headers['idempotency-key']);
  if (raw === undefined || raw.trim() === '') return undefined;
  let key = raw.trim();
  // IETF draft: the value is an sf-string ("..."); most clients send it bare. Accept both.
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1);
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || CONTROL_CHARACTERS.test(key)) {
    throw new GatewayError('INVALID_IDEMPOTENCY_KEY');
  }
  return key;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
