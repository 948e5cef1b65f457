// Random zc_ tokens and pairing codes, SHA-256 hashing, constant-time comparison (spec §0, §2).
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'zc_';
export const TOKEN_PATTERN = /^zc_[0-9a-f]{64}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/i;
const PAIRING_CODE_DIGITS = 6;

/** A new bearer token: `zc_` + 32 CSPRNG bytes as lowercase hex. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('hex');
}

/** A uniform 6-digit code, zero-padded (crypto.randomInt draws without modulo bias). */
export function generatePairingCode(): string {
  return randomInt(0, 10 ** PAIRING_CODE_DIGITS)
    .toString()
    .padStart(PAIRING_CODE_DIGITS, '0');
}

/** Lowercase hex SHA-256: the only form in which tokens, codes and secrets are kept. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A stored `paired_tokens` entry as a hash: 64-hex entries are hashes already, anything else is an old plaintext token. */
export function normalizeTokenHash(entry: string): string {
  return HASH_PATTERN.test(entry) ? entry.toLowerCase() : sha256Hex(entry);
}

/** Short, non-secret name of a token for listings and logs: the first 12 hex digits of its hash. */
export function tokenFingerprint(hash: string): string {
  return hash.slice(0, 12);
}

/** Constant-time equality of two hex digests of the same algorithm (length is public). */
export function hexDigestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
