// interfaces PairingStore (one-shot code, per-client lockouts) and TokenStore (paired token hashes) (spec §2, §9).
// Every method of a shared (Redis) store rejects with StateUnavailableError when the store cannot be reached.

export interface PairingStore {
  /** Makes `codeHash` (SHA-256 hex of the 6-digit code) the one outstanding code, replacing any other. */
  setCode(codeHash: string): Promise<void>;
  /**
   * Makes `codeHash` the outstanding code only when none is outstanding; true when it was set. Lets instances
   * starting together agree on one code (the one whose call answered true shows it).
   */
  setCodeIfAbsent(codeHash: string): Promise<boolean>;
  /** True while a code is outstanding. */
  hasCode(): Promise<boolean>;
  /** Consumes the outstanding code if it equals `codeHash` (constant time); true for exactly one caller. */
  redeemCode(codeHash: string): Promise<boolean>;
  /** Milliseconds left of `clientKey`'s lockout; 0 when not locked out. */
  lockoutRemainingMs(clientKey: string): Promise<number>;
  /**
   * Counts a failed code from `clientKey`. When this failure reaches the limit a lockout starts:
   * answers its length in ms (60 s, doubling per lockout of the same client, capped); else 0.
   * A failure during a lockout is not counted (answers 0). After a lockout ends counting starts again,
   * while the doubling history stays until clearFailures() (or a day without failures).
   */
  recordFailure(clientKey: string): Promise<number>;
  /** Forgets `clientKey`'s failures and lockout history (after a success). */
  clearFailures(clientKey: string): Promise<void>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}

export interface TokenRecord {
  /** SHA-256 hex of the token. */
  hash: string;
  /** Epoch ms; absent for tokens that came from an old config file. */
  createdAt?: number;
  lastUsedAt?: number;
}

export interface TokenStore {
  /** True when `hash` belongs to a paired, unrevoked token. Records the use. */
  verify(hash: string): Promise<boolean>;
  /** Adds a paired token hash. */
  add(hash: string): Promise<void>;
  /** Removes (revokes) a token hash; true when it was there. */
  remove(hash: string): Promise<boolean>;
  /** Every paired token. */
  list(): Promise<TokenRecord[]>;
  /** Number of paired tokens. */
  count(): Promise<number>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
