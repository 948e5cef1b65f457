// Test helper: the local PostgreSQL server (spec'd at 127.0.0.1:5432) and a private schema per test, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Override with CLAWGATE_TEST_DATABASE_URL; default the machine's trust-auth server. */
export const TEST_DATABASE_URL =
  process.env.CLAWGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when the server answers; under CI=true a missing server must fail the tests instead of skipping them. */
export async function isPostgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name nobody else uses. */
export function uniqueSchemaName(prefix = 'clawgate_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
