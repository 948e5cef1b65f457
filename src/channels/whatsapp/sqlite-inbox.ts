// SqliteInbox: the embedded WhatsAppInbox, a WAL better-sqlite3 file in the data folder; jobs survive a crash and run again.
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { runSqliteMigrations } from '../../memory/migrations/sqlite/run-sqlite-migrations.js';
import type { Logger } from '../../observability/logger.js';
import {
  DEDUPE_RETENTION_MS,
  type EnqueueResult,
  type InboundMessage,
  type InboxJob,
  type JobProgress,
  type WhatsAppInbox,
} from './inbox.js';
import { decodeInboundMessage, decodeJobProgress, encodeInboundMessage, encodeJobProgress } from './inbox-record.js';
import { inboxMigration001Init } from './migrations/001-init.js';

/** The file's name inside `config.dataDir`. */
export const INBOX_FILE_NAME = 'whatsapp-inbox.db';
/** How long a write waits for the lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;
/** Expired dedupe records are swept at most this often (on enqueue and at open). */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export interface SqliteInboxOptions {
  /** Database file; `:memory:` for a private in-process one (tests). */
  path: string;
  /** Rows that no longer read back (damaged file) are logged here and dropped. */
  logger: Logger;
  /** How long a wamid is remembered (default and minimum of the contract: 7 days). */
  dedupeRetentionMs?: number;
  now?: () => number;
}

interface JobRow {
  id: number;
  message: string;
  attempts: number;
  progress: string | null;
}

/**
 * One gateway process owns the file: at open, jobs claimed by a previous process (which crashed or was
 * killed) are released and run again at once; a second process on the same data folder would repeat them.
 */
export class SqliteInbox implements WhatsAppInbox {
  readonly path: string;
  readonly #db: Database;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #retentionMs: number;
  #lastPruneMs = Number.NEGATIVE_INFINITY;
  readonly #markSeen: Statement<[string, number]>;
  readonly #insertJob: Statement<[string, string, number]>;
  readonly #due: Statement<[number, number, number], JobRow>;
  readonly #lease: Statement<[number, number]>;
  readonly #checkpoint: Statement<[string, number, number]>;
  readonly #delete: Statement<[number]>;
  readonly #giveBack: Statement<[number, number]>;
  readonly #releaseAll: Statement<[]>;
  readonly #count: Statement<[], { n: number }>;
  readonly #prune: Statement<[number]>;
  readonly #ping: Statement<[], { ok: number }>;

  /** Opens (or creates) the file and applies pending migrations; throws when it cannot be opened. */
  constructor(options: SqliteInboxOptions) {
    this.path = options.path;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#retentionMs = Math.max(DEDUPE_RETENTION_MS, options.dedupeRetentionMs ?? DEDUPE_RETENTION_MS);
    this.#db = new BetterSqlite3(options.path, { timeout: BUSY_TIMEOUT_MS });
    try {
      this.#db.pragma('journal_mode = WAL');
      // FULL, not NORMAL: Meta is told "received" once enqueue returns, so the commit must survive a power
      // loss too, not only a process crash. One fsync per delivery is cheap at WhatsApp's rates.
      this.#db.pragma('synchronous = FULL');
      runSqliteMigrations(this.#db, [inboxMigration001Init]);
      const db = this.#db;
      this.#markSeen = db.prepare('INSERT INTO whatsapp_seen (wamid, seen_at) VALUES (?, ?) ON CONFLICT (wamid) DO NOTHING');
      this.#insertJob = db.prepare(
        'INSERT INTO whatsapp_jobs (wamid, message, due_at) VALUES (?, ?, ?) ON CONFLICT (wamid) DO NOTHING',
      );
      this.#due = db.prepare(`
        SELECT id, message, attempts, progress FROM whatsapp_jobs
        WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY id LIMIT ?`);
      this.#lease = db.prepare('UPDATE whatsapp_jobs SET lease_until = ?, attempts = attempts + 1 WHERE id = ?');
      this.#checkpoint = db.prepare('UPDATE whatsapp_jobs SET progress = ?, lease_until = ? WHERE id = ?');
      this.#delete = db.prepare('DELETE FROM whatsapp_jobs WHERE id = ?');
      this.#giveBack = db.prepare('UPDATE whatsapp_jobs SET due_at = ?, lease_until = NULL WHERE id = ?');
      this.#releaseAll = db.prepare('UPDATE whatsapp_jobs SET lease_until = NULL WHERE lease_until IS NOT NULL');
      this.#count = db.prepare('SELECT count(*) AS n FROM whatsapp_jobs');
      this.#prune = db.prepare('DELETE FROM whatsapp_seen WHERE seen_at < ?');
      this.#ping = db.prepare('SELECT 1 AS ok');

      const released = this.#releaseAll.run().changes;
      if (released > 0) this.#logger.info({ jobs: released }, 'WhatsApp inbox: jobs unfinished by the previous run will run again');
      this.#pruneIfDue();
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  async enqueue(messages: readonly InboundMessage[]): Promise<EnqueueResult> {
    const now = this.#now();
    // Encode first: a message that cannot be stored fails the whole call before anything is written.
    const encoded = messages.map((message) => ({ wamid: message.wamid, text: encodeInboundMessage(message) }));
    const result: EnqueueResult = { queued: [], duplicates: [] };
    this.#db.transaction(() => {
      for (const { wamid, text } of encoded) {
        const fresh = this.#markSeen.run(wamid, now).changes === 1;
        // The job table is unique by wamid too, for a wamid whose dedupe record was swept while still queued.
        if (fresh && this.#insertJob.run(wamid, text, now).changes === 1) result.queued.push(wamid);
        else result.duplicates.push(wamid);
      }
    }).immediate();
    this.#pruneIfDue();
    return result;
  }

  async claim(limit: number, leaseMs: number): Promise<InboxJob[]> {
    if (limit <= 0) return [];
    const now = this.#now();
    const jobs: InboxJob[] = [];
    this.#db.transaction(() => {
      for (const row of this.#due.all(now, now, limit)) {
        const job = this.#decode(row);
        if (job === null) {
          this.#delete.run(row.id);
          continue;
        }
        this.#lease.run(now + leaseMs, row.id);
        jobs.push(job);
      }
    }).immediate();
    return jobs;
  }

  async checkpoint(jobId: string, progress: JobProgress, leaseMs: number): Promise<void> {
    this.#checkpoint.run(encodeJobProgress(progress), this.#now() + leaseMs, rowId(jobId));
  }

  async ack(jobId: string): Promise<void> {
    this.#delete.run(rowId(jobId));
  }

  async retry(jobId: string, delayMs: number): Promise<void> {
    this.#giveBack.run(this.#now() + Math.max(0, delayMs), rowId(jobId));
  }

  async depth(): Promise<number> {
    return this.#count.get()?.n ?? 0;
  }

  async health(): Promise<boolean> {
    try {
      return this.#ping.get()?.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    // Whatever is still leased was not finished: the next start takes it at once.
    this.#releaseAll.run();
    this.#db.close();
  }

  #decode(row: JobRow): InboxJob | null {
    try {
      return {
        id: String(row.id),
        message: decodeInboundMessage(row.message),
        attempts: row.attempts,
        progress: row.progress === null ? null : decodeJobProgress(row.progress),
      };
    } catch (err) {
      this.#logger.error({ jobId: row.id, err: err instanceof Error ? err.message : String(err) }, 'WhatsApp inbox: dropping a damaged job');
      return null;
    }
  }

  #pruneIfDue(): void {
    const now = this.#now();
    if (now - this.#lastPruneMs < PRUNE_INTERVAL_MS) return;
    this.#lastPruneMs = now;
    this.#prune.run(now - this.#retentionMs);
  }
}

function rowId(jobId: string): number {
  const id = Number(jobId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`not a SqliteInbox job id: ${jobId}`);
  return id;
}
