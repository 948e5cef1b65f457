// LocalPairingStore: in-process one-shot code and per-client doubling lockouts, bounded (spec §2).
import { timingSafeEqual } from 'node:crypto';
import type { PairingStore } from './pairing-store.js';

/**
 * A client's failures and lockout history are forgotten this long after its last failure (or the end of its
 * last lockout), so the table (and Redis) do not keep every client that ever mistyped a code.
 */
export const LOCKOUT_HISTORY_TTL_MS = 24 * 3_600_000;

export interface LockoutOptions {
  /** Failed codes that start a lockout (spec §2: 5). */
  maxFailures?: number;
  /** Length of a client's first lockout (60 s); each further one doubles it. */
  lockoutBaseMs?: number;
  /** Cap of a lockout (3600 s). */
  lockoutMaxMs?: number;
}

export interface LocalPairingStoreOptions extends LockoutOptions {
  /** Most clients with a failure record; the oldest is evicted first (`rate_limit_max_keys`). */
  maxKeys: number;
  /** Clock in epoch ms; tests inject one so lockouts pass without sleeping. */
  now?: () => number;
}

interface ClientRecord {
  /** Failures since the last lockout ended (or since the start). */
  failures: number;
  /** Epoch ms the current lockout ends; 0 when none was started. */
  lockedUntil: number;
  /** Lockouts so far: the next one lasts base × 2^lockouts. */
  lockouts: number;
  /** Epoch ms after which the record is forgotten. */
  expiresAt: number;
}

/** The resolved lockout settings, checked once; shared with RedisPairingStore. */
export function resolveLockoutOptions(options: LockoutOptions): Required<LockoutOptions> {
  const resolved = {
    maxFailures: options.maxFailures ?? 5,
    lockoutBaseMs: options.lockoutBaseMs ?? 60_000,
    lockoutMaxMs: options.lockoutMaxMs ?? 3_600_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
  }
  if (resolved.lockoutMaxMs < resolved.lockoutBaseMs) throw new RangeError('lockoutMaxMs must be >= lockoutBaseMs');
  return resolved;
}

/** Length of a client's lockout number `lockouts` (1 = the first): base doubled each time, capped. */
export function lockoutLengthMs(lockouts: number, options: Required<LockoutOptions>): number {
  // 2^31 already exceeds any cap; clamping the exponent keeps the arithmetic finite.
  return Math.min(options.lockoutMaxMs, options.lockoutBaseMs * 2 ** Math.min(lockouts - 1, 31));
}

export class LocalPairingStore implements PairingStore {
  readonly #lockout: Required<LockoutOptions>;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #clients = new Map<string, ClientRecord>();
  #codeHash: Buffer | undefined;

  constructor(options: LocalPairingStoreOptions) {
    this.#lockout = resolveLockoutOptions(options);
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) throw new RangeError('maxKeys must be >= 1');
    this.#maxKeys = options.maxKeys;
    this.#now = options.now ?? Date.now;
  }

  /** Clients with a failure or lockout record now (for tests and diagnostics: the table is bounded by maxKeys). */
  get size(): number {
    return this.#clients.size;
  }

  async setCode(codeHash: string): Promise<void> {
    this.#codeHash = Buffer.from(codeHash, 'utf8');
  }

  async setCodeIfAbsent(codeHash: string): Promise<boolean> {
    if (this.#codeHash !== undefined) return false;
    this.#codeHash = Buffer.from(codeHash, 'utf8');
    return true;
  }

  async hasCode(): Promise<boolean> {
    return this.#codeHash !== undefined;
  }

  async redeemCode(codeHash: string): Promise<boolean> {
    const stored = this.#codeHash;
    if (stored === undefined) return false;
    const offered = Buffer.from(codeHash, 'utf8');
    // Both are SHA-256 hex, so the lengths match for every well-formed offer; the length check only guards
    // timingSafeEqual, which throws on unequal lengths.
    if (offered.length !== stored.length || !timingSafeEqual(offered, stored)) return false;
    this.#codeHash = undefined;
    return true;
  }

  async lockoutRemainingMs(clientKey: string): Promise<number> {
    const now = this.#now();
    const record = this.#current(clientKey, now);
    return record === undefined ? 0 : Math.max(0, record.lockedUntil - now);
  }

  async recordFailure(clientKey: string): Promise<number> {
    const now = this.#now();
    let record = this.#current(clientKey, now);
    if (record !== undefined && record.lockedUntil > now) return 0;
    if (record === undefined) {
      while (this.#clients.size >= this.#maxKeys) {
        const first = this.#clients.keys().next();
        if (first.done === true) break;
        this.#clients.delete(first.value);
      }
      record = { failures: 0, lockedUntil: 0, lockouts: 0, expiresAt: 0 };
    } else {
      this.#clients.delete(clientKey);
    }
    // Re-inserted: the Map stays in order of last failure, so the first client is the oldest.
    this.#clients.set(clientKey, record);
    if (record.lockedUntil !== 0) {
      // The last lockout is over: counting starts again, the doubling history stays.
      record.failures = 0;
      record.lockedUntil = 0;
    }
    record.failures += 1;
    record.expiresAt = now + LOCKOUT_HISTORY_TTL_MS;
    if (record.failures < this.#lockout.maxFailures) return 0;
    record.lockouts += 1;
    const lengthMs = lockoutLengthMs(record.lockouts, this.#lockout);
    record.failures = 0;
    record.lockedUntil = now + lengthMs;
    record.expiresAt = record.lockedUntil + LOCKOUT_HISTORY_TTL_MS;
    return lengthMs;
  }

  async clearFailures(clientKey: string): Promise<void> {
    this.#clients.delete(clientKey);
  }

  async close(): Promise<void> {
    this.#clients.clear();
  }

  /** The client's record unless it has expired (an expired one is dropped). */
  #current(clientKey: string, now: number): ClientRecord | undefined {
    const record = this.#clients.get(clientKey);
    if (record === undefined || record.expiresAt > now) return record;
    this.#clients.delete(clientKey);
    return undefined;
  }
}
