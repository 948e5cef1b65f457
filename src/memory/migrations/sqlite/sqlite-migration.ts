// SqliteMigration: one numbered, forward-only schema step (style §2.7), applied once in its own transaction.
import type { Database } from 'better-sqlite3';

export interface SqliteMigration {
  /** 1, 2, 3…: applied in order, recorded in `schema_migrations`, never edited once released. */
  readonly version: number;
  /** Short description, recorded beside the version. */
  readonly name: string;
  /** Applies the step; runs inside a transaction the runner opens. */
  up(db: Database): void;
}
