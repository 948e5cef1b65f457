// PostgresMemory: memory shared by several gateway instances; pooled `pg`, tsvector recall ranked by ts_rank (spec §8).
import pg from 'pg';
import type { QueryConfig, QueryResultRow } from 'pg';
import type { Logger } from '../observability/logger.js';
import type { MemoryBackend, MemoryCategory, MemoryEntry } from './memory-backend.js';
import { runPostgresMigrations } from './migrations/postgres/run-postgres-migrations.js';
import { FALLBACK_SCAN_ENTRIES, escapeLikePattern, parseFallbackText, parseQueryTerms } from './query-terms.js';
import { validateStoreArguments } from './validate-store-arguments.js';

const DEFAULT_POOL_SIZE = 10;
/** How long an operation waits for a connection before failing (a down database must not hang requests). */
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;
/** Plain identifiers only: the name travels in a libpq `options` string, where spaces and quotes need escaping. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface PostgresMemoryOptions {
  /** `postgres://user:pass@host:port/db`; never logged. */
  connectionString: string;
  /** Schema to keep the tables in, created when missing; default: the connection's search_path (public). */
  schema?: string;
  /** Most connections this instance opens. */
  poolSize?: number;
  connectionTimeoutMs?: number;
  /** Where idle-connection errors are reported (the pool would otherwise crash the process). */
  logger?: Logger;
}

interface MemoryRow extends QueryResultRow {
  key: string;
  content: string;
  category: string;
  session_id: string | null;
  created_at: Date;
  updated_at: Date;
  score?: number;
}

const COLUMNS = 'key, content, category, session_id, created_at, updated_at';
const ORDER_NEWEST = 'ORDER BY updated_at DESC, id DESC';

// Named queries are prepared once per pooled connection, then only executed.
const QUERIES = {
  upsert: `INSERT INTO clawgate_memories (key, content, category, session_id) VALUES ($1, $2, $3, $4)
    ON CONFLICT (key) DO UPDATE SET
      content = EXCLUDED.content,
      category = EXCLUDED.category,
      session_id = EXCLUDED.session_id,
      updated_at = greatest(now(), clawgate_memories.updated_at)`,
  get: `SELECT ${COLUMNS} FROM clawgate_memories WHERE key = $1`,
  listAll: `SELECT ${COLUMNS} FROM clawgate_memories ${ORDER_NEWEST}`,
  listCategory: `SELECT ${COLUMNS} FROM clawgate_memories WHERE category = $1 ${ORDER_NEWEST}`,
  forget: 'DELETE FROM clawgate_memories WHERE key = $1',
  count: 'SELECT count(*)::int AS n FROM clawgate_memories',
  // $1 is built from quoted words only (see recall), so to_tsquery never meets user syntax.
  ftsRecall: `SELECT ${COLUMNS}, ts_rank(search, q)::float8 AS score
    FROM clawgate_memories, to_tsquery('simple', $1) AS q
    WHERE search @@ q
    ORDER BY score DESC, updated_at DESC, id DESC
    LIMIT $2`,
  // Rows are filtered with ILIKE ANY first; only the matches pay for the per-term score.
  likeRecall: `WITH patterns AS (SELECT array_agg('%' || p || '%') AS a FROM unnest($1::text[]) AS p)
    SELECT ${COLUMNS},
      (SELECT count(*) FROM unnest(patterns.a) AS t(p) WHERE content ILIKE t.p OR key ILIKE t.p)::float8
        / cardinality(patterns.a) AS score
    FROM (SELECT * FROM clawgate_memories ORDER BY id DESC LIMIT $3) AS recent, patterns
    WHERE content ILIKE ANY (patterns.a) OR key ILIKE ANY (patterns.a)
    ORDER BY score DESC, updated_at DESC, id DESC
    LIMIT $2`,
  ping: 'SELECT 1 AS ok',
} as const;

export class PostgresMemory implements MemoryBackend {
  readonly name = 'postgres';
  readonly #pool: pg.Pool;
  #closed = false;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects, creates the schema and tables on first start, and returns the backend; rejects when unreachable. */
  static async connect(options: PostgresMemoryOptions): Promise<PostgresMemory> {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new RangeError(`PostgreSQL memory schema must match ${SCHEMA_NAME}: ${JSON.stringify(options.schema)}`);
    }
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
    });
    pool.on('error', (err) => {
      options.logger?.warn({ err: { message: err.message } }, 'idle PostgreSQL memory connection failed');
    });
    try {
      if (options.schema !== undefined) await createSchema(pool, options.schema);
      await runPostgresMigrations(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresMemory(pool);
  }

  async store(key: string, content: string, category: MemoryCategory, sessionId?: string): Promise<void> {
    validateStoreArguments(key, category);
    await this.#query('upsert', [
      withoutNul(key),
      withoutNul(content),
      withoutNul(category),
      sessionId === undefined ? null : withoutNul(sessionId),
    ]);
  }

  async recall(query: string, limit: number): Promise<MemoryEntry[]> {
    const max = Math.floor(limit);
    if (!(max > 0)) return [];
    const terms = parseQueryTerms(query);
    if (terms.length > 0) {
      // Words are letters, digits and marks only, each a quoted lexeme, OR-ed: no tsquery operator
      // from the user's text survives, so the parse cannot fail.
      const tsquery = terms.map((t) => `'${t}'`).join(' | ');
      const rows = await this.#query('ftsRecall', [tsquery, max]);
      if (rows.length > 0) return rows.map(toEntry);
    }
    // As in SqliteMemory: substring search over the newest entries when the words found nothing.
    const needles = terms.length > 0 ? terms : [parseFallbackText(query)].filter((t) => t.length > 0);
    if (needles.length === 0) return [];
    const patterns = needles.map((n) => escapeLikePattern(withoutNul(n)));
    const rows = await this.#query('likeRecall', [patterns, max, FALLBACK_SCAN_ENTRIES]);
    return rows.map(toEntry);
  }

  async get(key: string): Promise<MemoryEntry | null> {
    const rows = await this.#query('get', [withoutNul(key)]);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  async list(category?: MemoryCategory): Promise<MemoryEntry[]> {
    const rows =
      category === undefined ? await this.#query('listAll', []) : await this.#query('listCategory', [withoutNul(category)]);
    return rows.map(toEntry);
  }

  async forget(key: string): Promise<boolean> {
    const result = await this.#pool.query(named('forget', [withoutNul(key)]));
    return (result.rowCount ?? 0) > 0;
  }

  async count(): Promise<number> {
    const result = await this.#pool.query<{ n: number }>(named('count', []));
    return result.rows[0]?.n ?? 0;
  }

  async health(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      const result = await this.#pool.query<{ ok: number }>(named('ping', []));
      return result.rows[0]?.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #query(name: keyof typeof QUERIES, values: unknown[]): Promise<MemoryRow[]> {
    const result = await this.#pool.query<MemoryRow>(named(name, values));
    return result.rows;
  }
}

function named(name: keyof typeof QUERIES, values: unknown[]): QueryConfig {
  return { name: `clawgate-memory-${name}`, text: QUERIES[name], values };
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    // Serialised: two instances running CREATE SCHEMA IF NOT EXISTS together can still collide.
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('clawgate:memory:' || $1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** `name` as a PostgreSQL identifier: double-quoted, inner quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL text cannot hold U+0000; it becomes U+FFFD instead of failing the write. */
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

function toEntry(row: MemoryRow): MemoryEntry {
  const entry: MemoryEntry = {
    key: row.key,
    content: row.content,
    category: row.category,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.session_id !== null) entry.sessionId = row.session_id;
  if (row.score !== undefined) entry.score = row.score;
  return entry;
}
