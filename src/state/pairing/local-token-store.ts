// LocalTokenStore: in-process paired token hashes with created / last-used times (spec §2).
import type { TokenRecord, TokenStore } from './pairing-store.js';

export interface LocalTokenStoreOptions {
  /** Clock in epoch ms for createdAt / lastUsedAt. */
  now?: () => number;
}

export class LocalTokenStore implements TokenStore {
  readonly #now: () => number;
  readonly #tokens = new Map<string, TokenRecord>();

  /** `initialHashes`: SHA-256 hex of the tokens in the config file (no createdAt: their age is unknown). */
  constructor(initialHashes: readonly string[], options: LocalTokenStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    for (const hash of initialHashes) this.#tokens.set(hash, { hash });
  }

  async verify(hash: string): Promise<boolean> {
    const record = this.#tokens.get(hash);
    if (record === undefined) return false;
    record.lastUsedAt = this.#now();
    return true;
  }

  async add(hash: string): Promise<void> {
    if (!this.#tokens.has(hash)) this.#tokens.set(hash, { hash, createdAt: this.#now() });
  }

  async remove(hash: string): Promise<boolean> {
    return this.#tokens.delete(hash);
  }

  async list(): Promise<TokenRecord[]> {
    return [...this.#tokens.values()].map((record) => ({ ...record }));
  }

  async count(): Promise<number> {
    return this.#tokens.size;
  }

  async close(): Promise<void> {}
}
