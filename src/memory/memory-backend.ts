// The one memory interface (spec §8); sqlite-, markdown-, postgres- and none-memory.ts implement it.

/** Built-in categories; any other non-empty name is a custom category. */
export type MemoryCategory = 'core' | 'daily' | 'conversation' | (string & {});

export interface MemoryEntry {
  key: string;
  content: string;
  category: MemoryCategory;
  sessionId?: string;
  /** ISO-8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  /** Relevance from recall(); higher is better. Absent outside recall(). */
  score?: number;
}

export interface MemoryBackend {
  /** Backend name as configured ("sqlite", "markdown", "postgres", "none"), used as a metric label. */
  readonly name: string;
  /** Inserts or replaces the entry under `key` (upsert). Resolves once the entry is durable. */
  store(key: string, content: string, category: MemoryCategory, sessionId?: string): Promise<void>;
  /** Entries matching `query`, best first, at most `limit`. Any query text is safe. */
  recall(query: string, limit: number): Promise<MemoryEntry[]>;
  /** The entry under `key`, or null. */
  get(key: string): Promise<MemoryEntry | null>;
  /** All entries, or those of one category, newest first. */
  list(category?: MemoryCategory): Promise<MemoryEntry[]>;
  /** Deletes `key`; true when something was deleted. */
  forget(key: string): Promise<boolean>;
  /** Number of entries. */
  count(): Promise<number>;
  /** True when the backend can serve (database reachable). Never throws. */
  health(): Promise<boolean>;
  /** Releases files and connections. */
  close(): Promise<void>;
}

/** Thrown by createMemory for a configuration the operator must fix (unknown backend, unreachable db). */
export class MemoryConfigError extends Error {
  override name = 'MemoryConfigError';
}
