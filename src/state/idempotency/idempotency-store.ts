// interface IdempotencyStore: claim / complete / release of X-Idempotency-Key records, scoped per token (spec §4).

/** The first answer kept for replay. */
export interface StoredResponse {
  status: number;
  body: Record<string, unknown>;
}

export type ClaimResult =
  /** The key was free (or expired): the caller now owns it and must complete() or release() it. */
  | { outcome: 'claimed' }
  /** Another request holds the key and has not finished. */
  | { outcome: 'in_progress' }
  /** A request with this key finished with `response` within the TTL. */
  | { outcome: 'done'; response: StoredResponse };

export interface IdempotencyStore {
  /** Atomically claims `key` within `scope` (a token hash, or "global"); across instances exactly one caller wins. */
  claim(scope: string, key: string): Promise<ClaimResult>;
  /** Marks a claimed key done with the answer to replay; it then lives for the TTL. */
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Frees a claimed key after a failure, so a retry is processed normally. */
  release(scope: string, key: string): Promise<void>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
