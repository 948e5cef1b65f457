// LocalIdempotencyStore: in-process claim / complete / release records with TTLs, bounded (spec §4).
import type { ClaimResult, IdempotencyStore, StoredResponse } from './idempotency-store.js';

/** Expired records are swept at least this often, so idle keys do not sit until eviction. */
const SWEEP_INTERVAL_MS = 60_000;

export interface LocalIdempotencyStoreOptions {
  /** How long a done record is replayed, from its completion (`idempotency_ttl_secs`). */
  ttlMs: number;
  /** Most records held; the oldest is evicted first (`idempotency_max_keys`). */
  maxKeys: number;
  /** How long an unfinished claim holds its key, so a crashed request cannot hold it forever. */
  inFlightTtlMs: number;
  /** Clock in epoch ms; tests inject one so TTLs pass without sleeping. */
  now?: () => number;
}

type IdempotencyRecord =
  | { state: 'in_flight'; expiresAt: number }
  | { state: 'done'; expiresAt: number; response: StoredResponse };

/** Records in a Map in insertion order (complete() re-inserts), so the first one is the oldest. */
export class LocalIdempotencyStore implements IdempotencyStore {
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #inFlightTtlMs: number;
  readonly #now: () => number;
  readonly #records = new Map<string, IdempotencyRecord>();
  #lastSweepAt: number;

  constructor(options: LocalIdempotencyStoreOptions) {
    for (const name of ['ttlMs', 'maxKeys', 'inFlightTtlMs'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
    }
    this.#ttlMs = options.ttlMs;
    this.#maxKeys = options.maxKeys;
    this.#inFlightTtlMs = options.inFlightTtlMs;
    this.#now = options.now ?? Date.now;
    this.#lastSweepAt = this.#now();
  }

  /** Number of records held now (for tests and diagnostics). */
  get size(): number {
    return this.#records.size;
  }

  async claim(scope: string, key: string): Promise<ClaimResult> {
    const now = this.#now();
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MS) this.#sweep(now);
    const id = recordId(scope, key);
    const record = this.#records.get(id);
    if (record !== undefined && record.expiresAt > now) {
      return record.state === 'done'
        ? { outcome: 'done', response: structuredClone(record.response) }
        : { outcome: 'in_progress' };
    }
    this.#records.delete(id);
    this.#makeRoom();
    this.#records.set(id, { state: 'in_flight', expiresAt: now + this.#inFlightTtlMs });
    return { outcome: 'claimed' };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    const id = recordId(scope, key);
    // Re-inserted so the record's age (for eviction) counts from completion, like its TTL.
    this.#records.delete(id);
    this.#makeRoom();
    this.#records.set(id, { state: 'done', expiresAt: this.#now() + this.#ttlMs, response: structuredClone(response) });
  }

  async release(scope: string, key: string): Promise<void> {
    const id = recordId(scope, key);
    // Only an unfinished claim is freed: a done record stays until its TTL.
    if (this.#records.get(id)?.state === 'in_flight') this.#records.delete(id);
  }

  async close(): Promise<void> {
    this.#records.clear();
  }

  /** Evicts the oldest records until one more fits. */
  #makeRoom(): void {
    while (this.#records.size >= this.#maxKeys) {
      const first = this.#records.keys().next();
      if (first.done === true) return;
      this.#records.delete(first.value);
    }
  }

  #sweep(now: number): void {
    this.#lastSweepAt = now;
    for (const [id, record] of this.#records) if (record.expiresAt <= now) this.#records.delete(id);
  }
}

/** One string per (scope, key); the NUL cannot occur in a token hash, so no two pairs collide. */
function recordId(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}
