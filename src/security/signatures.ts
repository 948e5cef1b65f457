// Secret and signature checks in constant time: X-Webhook-Secret (spec §3 step 3), X-Hub-Signature-256 (spec §5).
import { createHmac } from 'node:crypto';
import { hexDigestsEqual, sha256Hex } from './tokens.js';

/**
 * Builds the X-Webhook-Secret check: only the secret's hash is kept in the closure, never the plaintext.
 * Answers null when no (non-blank) secret is configured, meaning the step does not apply.
 */
export function createWebhookSecretVerifier(secret: string | undefined): ((header: string | undefined) => boolean) | null {
  if (secret === undefined || secret.trim() === '') return null;
  const expectedHash = sha256Hex(secret.trim());
  return (header) => header !== undefined && hexDigestsEqual(sha256Hex(header.trim()), expectedHash);
}

const SIGNATURE_PREFIX = 'sha256=';
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** True when `header` is exactly `sha256=<hex HMAC-SHA256 of rawBody with appSecret>`. */
export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || !header.startsWith(SIGNATURE_PREFIX)) return false;
  const given = header.slice(SIGNATURE_PREFIX.length);
  if (!SHA256_HEX.test(given)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return hexDigestsEqual(given.toLowerCase(), expected);
}
