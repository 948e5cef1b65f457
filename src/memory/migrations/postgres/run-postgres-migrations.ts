// runPostgresMigrations: applies every POSTGRES_MIGRATIONS step the schema lacks; safe when several instances start at once.
import type { Pool } from 'pg';
import { migration001Init } from './001-init.js';
import type { PostgresMigration } from './postgres-migration.js';

/** Every step, in version order. Append only. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [migration001Init];

/** Thrown when the schema was written by a newer clawgate than this one. */
export class PostgresSchemaTooNewError extends Error {
  override name = 'PostgresSchemaTooNewError';
}

/**
 * Brings the schema the pool's search_path selects up to date; returns the versions applied now.
 * Each step runs in its own transaction holding an advisory lock, so instances starting together
 * apply every step exactly once.
 */
export async function runPostgresMigrations(
  pool: Pool,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const applied: number[] = [];
  const client = await pool.connect();
  try {
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      await client.query('BEGIN');
      try {
        // Keyed by schema: instances of other deployments in other schemas never wait on each other.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('clawgate:memory:' || current_schema()))");
        await client.query(`CREATE TABLE IF NOT EXISTS clawgate_memory_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )`);
        const { rows } = await client.query<{ v: number | null }>(
          'SELECT max(version) AS v FROM clawgate_memory_migrations',
        );
        const current = rows[0]?.v ?? 0;
        if (current > latest) {
          throw new PostgresSchemaTooNewError(
            `memory schema is version ${current}, this clawgate knows up to ${latest}: upgrade clawgate`,
          );
        }
        const done = await client.query('SELECT 1 FROM clawgate_memory_migrations WHERE version = $1', [
          migration.version,
        ]);
        if (done.rowCount === 0) {
          await migration.up(client);
          await client.query('INSERT INTO clawgate_memory_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          applied.push(migration.version);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }
  } finally {
    client.release();
  }
  return applied;
}
