// SqliteMemory: the default backend, one WAL database file, FTS5 recall ranked by BM25 with a LIKE fallback (spec §8).
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import type { MemoryBackend, MemoryCategory, MemoryEntry } from './memory-backend.js';
import { runSqliteMigrations } from './migrations/sqlite/run-sqlite-migrations.js';
import { FALLBACK_SCAN_ENTRIES, escapeLikePattern, parseFallbackText, parseQueryTerms } from './query-terms.js';
import { validateStoreArguments } from './validate-store-arguments.js';

/** How long a write waits for another process (the CLI) holding the lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;
/** Key matches count less than content matches in BM25 (keys are mostly generated ids). */
const BM25_KEY_WEIGHT = 0.5;
const BM25_CONTENT_WEIGHT = 1.0;
/**
 * New rows wait in `memories_fts_pending` and are indexed together (migration 2): at the latest this long after
 * their commit, as soon as this many are waiting, and always before a recall.
 */
const INDEX_DELAY_MS = 1_000;
const INDEX_BATCH_ROWS = 500;

export interface SqliteMemoryOptions {
  /** Database file, created with its folder's permission; `:memory:` for a private in-process database. */
  path: string;
  /** How long a write waits for another process holding the write lock before failing; 5 s by default. */
  busyTimeoutMs?: number;
}

/** One store() waiting for its group commit. */
interface PendingStore {
  key: string;
  content: string;
  category: string;
  sessionId: string | null;
  now: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface MemoryRow {
  key: string;
  content: string;
  category: string;
  session_id: string | null;
  created_at: string;
  updated_at: string;
}
interface RankedRow extends MemoryRow {
  score: number;
}

const COLUMNS = 'm.key, m.content, m.category, m.session_id, m.created_at, m.updated_at';

export class SqliteMemory implements MemoryBackend {
  readonly name = 'sqlite';
  readonly path: string;
  readonly #db: Database;
  readonly #upsert: Statement<[string, string, string, string | null, string, string]>;
  readonly #get: Statement<[string], MemoryRow>;
  readonly #listAll: Statement<[], MemoryRow>;
  readonly #listCategory: Statement<[string], MemoryRow>;
  readonly #forget: Statement<[string]>;
  readonly #count: Statement<[], { n: number }>;
  readonly #ftsRecall: Statement<[string, number], RankedRow>;
  readonly #likeRecall: Statement<[{ needles: string; limit: number; scan: number }], RankedRow>;
  readonly #ping: Statement<[], { ok: number }>;
  readonly #hasUnindexed: Statement<[], { pending: number }>;
  /** Indexes every pending row and empties the pending table, in one immediate transaction. */
  readonly #indexPending: () => void;
  /** Rows this instance committed since it last indexed (another process's rows are found by #hasUnindexed). */
  #unindexedRows = 0;
  #indexTimer: NodeJS.Timeout | undefined;
  /** Writes a batch in one BEGIN IMMEDIATE … COMMIT; returns the error of each row that failed, by index. */
  readonly #writeBatch: (batch: readonly PendingStore[]) => Map<number, unknown>;
  /** Stores accepted since the last commit, in call order; written together by #flush. */
  #pending: PendingStore[] = [];
  #flushScheduled = false;

  /** Opens (or creates) the database and applies pending migrations; throws when the file cannot be opened. */
  constructor(options: SqliteMemoryOptions) {
    this.path = options.path;
    this.#db = new BetterSqlite3(options.path, { timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
    try {
      this.#db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed write survives a process crash (SIGKILL); only power loss
      // can take back the last transactions, which is the trade the gateway accepts for speed.
      this.#db.pragma('synchronous = NORMAL');
      runSqliteMigrations(this.#db);

      const db = this.#db;
      this.#upsert = db.prepare(`
        INSERT INTO memories (key, content, category, session_id, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
          content = excluded.content,
          category = excluded.category,
          session_id = excluded.session_id,
          updated_at = excluded.updated_at`);
      this.#get = db.prepare(`SELECT ${COLUMNS} FROM memories m WHERE m.key = ?`);
      this.#listAll = db.prepare(`SELECT ${COLUMNS} FROM memories m ORDER BY m.updated_at DESC, m.id DESC`);
      this.#listCategory = db.prepare(
        `SELECT ${COLUMNS} FROM memories m WHERE m.category = ? ORDER BY m.updated_at DESC, m.id DESC`,
      );
      this.#forget = db.prepare('DELETE FROM memories WHERE key = ?');
      this.#count = db.prepare('SELECT count(*) AS n FROM memories');
      // bm25() is lower-is-better; negated so that the score is higher-is-better like every backend.
      // Ranked inside the FTS table first: only the `limit` winners are joined to their rows,
      // which matters when common words match most of memory.
      this.#ftsRecall = db.prepare(`
        SELECT ${COLUMNS}, f.score
        FROM (
          SELECT rowid, -bm25(memories_fts, ${BM25_KEY_WEIGHT}, ${BM25_CONTENT_WEIGHT}) AS score
          FROM memories_fts
          WHERE memories_fts MATCH ?
          ORDER BY score DESC, rowid DESC
          LIMIT ?
        ) f JOIN memories m ON m.id = f.rowid
        ORDER BY f.score DESC, m.id DESC`);
      // The fallback takes a JSON array of escaped patterns so one prepared statement serves any
      // number of terms; the score is the share of terms found.
      this.#likeRecall = db.prepare(`
        SELECT * FROM (
          SELECT ${COLUMNS}, m.id,
            (SELECT count(*) FROM json_each(@needles) t
              WHERE m.content LIKE '%' || t.value || '%' ESCAPE '\\'
                 OR m.key LIKE '%' || t.value || '%' ESCAPE '\\') * 1.0
              / json_array_length(@needles) AS score
          FROM (SELECT * FROM memories ORDER BY id DESC LIMIT @scan) m
        ) WHERE score > 0
        ORDER BY score DESC, updated_at DESC, id DESC
        LIMIT @limit`);
      this.#ping = db.prepare('SELECT 1 AS ok');
      this.#hasUnindexed = db.prepare('SELECT EXISTS (SELECT 1 FROM memories_fts_pending) AS pending');
      const indexRows = db.prepare(`
        INSERT INTO memories_fts (rowid, key, content)
        SELECT m.id, m.key, m.content FROM memories_fts_pending p JOIN memories m ON m.id = p.id`);
      const clearPending = db.prepare('DELETE FROM memories_fts_pending');
      this.#indexPending = db.transaction(() => {
        indexRows.run();
        clearPending.run();
      }).immediate;
      this.#writeBatch = db.transaction((batch: readonly PendingStore[]) => {
        const errors = new Map<number, unknown>();
        for (const [i, p] of batch.entries()) {
          try {
            this.#upsert.run(p.key, p.content, p.category, p.sessionId, p.now, p.now);
          } catch (err) {
            // A failed statement is undone on its own (SQLite's statement atomicity), so one bad
            // row fails alone. An error that ended the whole transaction (disk full, I/O) must fail
            // every row: the rows after it would otherwise run in autocommit, outside the batch.
            if (!db.inTransaction) throw err;
            errors.set(i, err);
          }
        }
        return errors;
      }).immediate;
    } catch (err) {
      this.#db.close();
      throw err;
    }
    // Rows a crash left unindexed are indexed soon, as new ones would be.
    if (this.#hasUnindexed.get()?.pending === 1) this.#scheduleIndexing();
  }

  /**
   * Group commit: stores made in the same event-loop turn are written together in one
   * transaction at the end of the turn (setImmediate), which shares the cost of the commit and of
   * the FTS5 segment flush across them. Resolves only once that transaction has committed.
   */
  store(key: string, content: string, category: MemoryCategory, sessionId?: string): Promise<void> {
    try {
      validateStoreArguments(key, category);
      if (!this.#db.open) throw new TypeError('The memory database is closed');
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      const now = new Date().toISOString();
      this.#pending.push({ key, content, category, sessionId: sessionId ?? null, now, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // setImmediate, not a microtask: requests whose bodies arrive in the same poll phase are
        // each handled in their own callback, and a microtask would commit after every one.
        setImmediate(() => this.#flush());
      }
    });
  }

  /**
   * Writes every pending store in one transaction, then settles their promises. Also called
   * before each read, so a read sees every store made before it, awaited or not.
   */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    let errors: Map<number, unknown>;
    try {
      errors = this.#writeBatch(batch);
    } catch (err) {
      // Nothing of the batch was committed (lock timeout, disk full, closed database): all fail.
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) {
      if (errors.has(i)) p.reject(errors.get(i));
      else p.resolve();
    }
    this.#unindexedRows += batch.length - errors.size;
    if (this.#unindexedRows >= INDEX_BATCH_ROWS) this.#indexInBackground();
    else this.#scheduleIndexing();
  }

  #scheduleIndexing(): void {
    if (this.#indexTimer !== undefined) return;
    this.#indexTimer = setTimeout(() => this.#indexInBackground(), INDEX_DELAY_MS);
    this.#indexTimer.unref();
  }

  /** Indexes every pending row now, this process's or another's; the timer and the count start over. */
  #index(): void {
    clearTimeout(this.#indexTimer);
    this.#indexTimer = undefined;
    this.#unindexedRows = 0;
    this.#indexPending();
  }

  /**
   * #index from the timer or a full batch. A failure (the write lock held by another process past the busy
   * timeout) leaves the rows pending for the next attempt, or for the next recall, which reports it.
   */
  #indexInBackground(): void {
    if (!this.#db.open) return;
    try {
      this.#index();
    } catch {
      this.#scheduleIndexing();
    }
  }

  /** Before a search: commits pending stores, then indexes the pending rows if there are any. */
  #bringIndexUpToDate(): void {
    this.#flush();
    if (this.#hasUnindexed.get()?.pending === 1) this.#index();
  }

  async recall(query: string, limit: number): Promise<MemoryEntry[]> {
    this.#bringIndexUpToDate();
    const max = Math.floor(limit);
    if (!(max > 0)) return [];
    const terms = parseQueryTerms(query);
    if (terms.length > 0) {
      // Every term is a quoted FTS5 string (no quotes can occur in it), OR-ed: no operator,
      // column filter or syntax in the user's text ever reaches the FTS5 parser.
      const match = terms.map((t) => `"${t}"`).join(' OR ');
      const rows = this.#ftsRecall.all(match, max);
      if (rows.length > 0) return rows.map(toEntry);
    }
    // Words FTS5 cannot see (part of a longer token, text in scripts without spaces) or a query
    // with no words at all (emoji, punctuation): substring search over the newest entries.
    const needles = terms.length > 0 ? terms : [parseFallbackText(query)].filter((t) => t.length > 0);
    if (needles.length === 0) return [];
    const needlesJson = JSON.stringify(needles.map(escapeLikePattern));
    return this.#likeRecall.all({ needles: needlesJson, limit: max, scan: FALLBACK_SCAN_ENTRIES }).map(toEntry);
  }

  async get(key: string): Promise<MemoryEntry | null> {
    this.#flush();
    const row = this.#get.get(key);
    return row ? toEntry(row) : null;
  }

  async list(category?: MemoryCategory): Promise<MemoryEntry[]> {
    this.#flush();
    const rows = category === undefined ? this.#listAll.all() : this.#listCategory.all(category);
    return rows.map(toEntry);
  }

  async forget(key: string): Promise<boolean> {
    this.#flush();
    return this.#forget.run(key).changes > 0;
  }

  async count(): Promise<number> {
    this.#flush();
    return this.#count.get()?.n ?? 0;
  }

  async health(): Promise<boolean> {
    try {
      return this.#db.open && this.#ping.get()?.ok === 1;
    } catch {
      return false;
    }
  }

  /** Commits the stores still pending and indexes them, then closes the file. */
  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#flush();
    this.#indexInBackground();
    clearTimeout(this.#indexTimer);
    this.#db.close();
  }
}

function toEntry(row: MemoryRow | RankedRow): MemoryEntry {
  const entry: MemoryEntry = {
    key: row.key,
    content: row.content,
    category: row.category,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.session_id !== null) entry.sessionId = row.session_id;
  if ('score' in row) entry.score = row.score;
  return entry;
}
