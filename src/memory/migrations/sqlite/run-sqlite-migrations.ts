// runSqliteMigrations: applies every SQLITE_MIGRATIONS step the database lacks, each in one immediate transaction.
import type { Database } from 'better-sqlite3';
import { migration001Init } from './001-init.js';
import { migration002DeferredFts } from './002-deferred-fts.js';
import type { SqliteMigration } from './sqlite-migration.js';

/** Every step, in version order. Append only. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [migration001Init, migration002DeferredFts];

/** Thrown when the database was written by a newer clawgate than this one. */
export class SqliteSchemaTooNewError extends Error {
  override name = 'SqliteSchemaTooNewError';
}

/** Brings `db` to the latest schema; returns the versions applied now (empty when up to date). */
export function runSqliteMigrations(db: Database, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const currentVersion = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );

  const current = currentVersion.get()?.v ?? 0;
  if (current > latest) {
    throw new SqliteSchemaTooNewError(
      `memory database schema is version ${current}, this clawgate knows up to ${latest}: upgrade clawgate`,
    );
  }

  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    // IMMEDIATE takes the write lock first, so a second process (the CLI) starting at the same
    // moment waits and then sees the step as applied instead of applying it twice.
    const apply = db.transaction(() => {
      if (isApplied.get(migration.version)) return false;
      migration.up(db);
      record.run(migration.version, migration.name, new Date().toISOString());
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }
  return applied;
}
