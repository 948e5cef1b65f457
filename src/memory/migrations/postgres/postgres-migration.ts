// PostgresMigration: one numbered, forward-only schema step, applied once in its own transaction under an advisory lock.
import type { ClientBase } from 'pg';

export interface PostgresMigration {
  /** 1, 2, 3…: applied in order, recorded in `clawgate_memory_migrations`, never edited once released. */
  readonly version: number;
  /** Short description, recorded beside the version. */
  readonly name: string;
  /** Applies the step with unqualified names (the connection's search_path picks the schema). */
  up(client: ClientBase): Promise<void>;
}
