// MarkdownMemory: human-readable files, core entries in core.md, the rest in one YYYY-MM-DD.md per day; keyword recall (spec §8).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { buildKeywordDocument, scoreKeywords, scoreSubstrings, type KeywordDocument } from './keyword-score.js';
import { parseMarkdownMemoryFile, renderMarkdownMemoryFile } from './markdown-memory-file.js';
import type { MemoryBackend, MemoryCategory, MemoryEntry } from './memory-backend.js';
import { parseFallbackText, parseQueryTerms } from './query-terms.js';
import { validateStoreArguments } from './validate-store-arguments.js';

const CORE_FILE = 'core.md';
const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.md$/;

export interface MarkdownMemoryOptions {
  /** Folder holding the files; created when missing. */
  dir: string;
}

interface CachedEntry {
  entry: MemoryEntry;
  file: string;
  /** Store order, to break ties between equal timestamps. */
  seq: number;
  doc: KeywordDocument;
}

interface FileState {
  /** Identity of the file as last read or written by us; a change means another process wrote it. */
  fingerprint: string | null;
  /** The write in progress, if any. */
  current: Promise<void> | null;
  /** The write queued behind it, shared by every change made meanwhile. */
  next: Promise<void> | null;
}

/**
 * Entries live in a cache that mirrors the files. Writes rewrite the whole file atomically
 * (temporary file, fsync, rename); changes made while a file is being written are coalesced
 * into one further write. A file changed by another process (`clawgate memory forget`) is re-read
 * before it is used, unless this process has a write of it pending.
 */
export class MarkdownMemory implements MemoryBackend {
  readonly name = 'markdown';
  readonly dir: string;
  readonly #entries = new Map<string, CachedEntry>();
  readonly #files = new Map<string, FileState>();
  #seq = 0;
  #closed = false;

  /** Creates the folder if needed and reads every memory file in it. */
  constructor(options: MarkdownMemoryOptions) {
    this.dir = options.dir;
    mkdirSync(this.dir, { recursive: true });
    this.#refreshAll();
  }

  async store(key: string, content: string, category: MemoryCategory, sessionId?: string): Promise<void> {
    validateStoreArguments(key, category);
    this.#assertOpen();
    const now = new Date().toISOString();
    // Another process may have written or forgotten this key since we last looked.
    this.#refreshAll();
    const existing = this.#entries.get(key);
    const entry: MemoryEntry = {
      key,
      content,
      category,
      createdAt: existing?.entry.createdAt ?? now,
      updatedAt: existing && existing.entry.updatedAt > now ? existing.entry.updatedAt : now,
    };
    if (sessionId !== undefined) entry.sessionId = sessionId;
    const target = fileFor(category, entry.createdAt);
    this.#entries.set(key, { entry, file: target, seq: ++this.#seq, doc: buildKeywordDocument(key, content) });
    const writes = [this.#scheduleWrite(target)];
    if (existing && existing.file !== target) writes.push(this.#scheduleWrite(existing.file));
    await Promise.all(writes);
  }

  async recall(query: string, limit: number): Promise<MemoryEntry[]> {
    this.#assertOpen();
    const max = Math.floor(limit);
    if (!(max > 0)) return [];
    this.#refreshAll();
    const cached = [...this.#entries.values()];
    const docs = cached.map((c) => c.doc);
    const terms = parseQueryTerms(query);
    let scores = scoreKeywords(docs, terms);
    if (!scores.some((s) => s > 0)) {
      const needles = terms.length > 0 ? terms : [parseFallbackText(query)].filter((t) => t.length > 0);
      scores = scoreSubstrings(docs, needles);
    }
    return cached
      .map((c, i) => ({ c, score: scores[i] ?? 0 }))
      .filter(({ score }) => score > 0)
      .sort((a, b) => b.score - a.score || newestFirst(a.c, b.c))
      .slice(0, max)
      .map(({ c, score }) => ({ ...c.entry, score }));
  }

  async get(key: string): Promise<MemoryEntry | null> {
    this.#assertOpen();
    this.#refreshAll();
    const cached = this.#entries.get(key);
    return cached ? { ...cached.entry } : null;
  }

  async list(category?: MemoryCategory): Promise<MemoryEntry[]> {
    this.#assertOpen();
    this.#refreshAll();
    return [...this.#entries.values()]
      .filter((c) => category === undefined || c.entry.category === category)
      .sort(newestFirst)
      .map((c) => ({ ...c.entry }));
  }

  async forget(key: string): Promise<boolean> {
    this.#assertOpen();
    this.#refreshAll();
    const cached = this.#entries.get(key);
    if (!cached) return false;
    this.#entries.delete(key);
    await this.#scheduleWrite(cached.file);
    return true;
  }

  async count(): Promise<number> {
    this.#assertOpen();
    this.#refreshAll();
    return this.#entries.size;
  }

  async health(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      return statSync(this.dir).isDirectory();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Pending writes finish: every store that resolved, and every one in flight, reaches the disk.
    await Promise.all([...this.#files.values()].flatMap((s) => [s.current, s.next]).map((p) => p?.catch(() => {})));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('markdown memory is closed');
  }

  #state(file: string): FileState {
    let state = this.#files.get(file);
    if (!state) {
      state = { fingerprint: null, current: null, next: null };
      this.#files.set(file, state);
    }
    return state;
  }

  #scheduleWrite(file: string): Promise<void> {
    const state = this.#state(file);
    if (state.next) return state.next;
    const previous = state.current ?? Promise.resolve();
    const next: Promise<void> = previous
      .catch(() => {})
      .then(async () => {
        state.next = null;
        state.current = next;
        await this.#writeFile(file, state);
      })
      .finally(() => {
        if (state.current === next) state.current = null;
      });
    state.next = next;
    return next;
  }

  async #writeFile(file: string, state: FileState): Promise<void> {
    // The snapshot is taken before the first await, so it holds every change made until now.
    const entries = [...this.#entries.values()]
      .filter((c) => c.file === file)
      .sort((a, b) => a.entry.createdAt.localeCompare(b.entry.createdAt) || a.seq - b.seq)
      .map((c) => c.entry);
    const path = join(this.dir, file);
    if (entries.length === 0) {
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      state.fingerprint = null;
      return;
    }
    const title = file === CORE_FILE ? 'Memory: core' : `Memory: ${file.slice(0, -3)}`;
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(renderMarkdownMemoryFile(title, entries), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
    await syncDirectory(this.dir);
    state.fingerprint = fingerprintOf(path);
  }

  #refreshAll(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n === CORE_FILE || DAY_FILE.test(n));
    } catch {
      return;
    }
    const onDisk = new Set(names);
    for (const name of names) this.#refreshFile(name);
    for (const [name, state] of this.#files) {
      if (!onDisk.has(name) && state.fingerprint !== null && !state.current && !state.next) this.#refreshFile(name);
    }
  }

  /** Re-reads `file` when another process changed it since we last read or wrote it. */
  #refreshFile(file: string): void {
    const state = this.#state(file);
    if (state.current || state.next) return;
    const fingerprint = fingerprintOf(join(this.dir, file));
    if (fingerprint === state.fingerprint) return;
    for (const [key, cached] of this.#entries) if (cached.file === file) this.#entries.delete(key);
    state.fingerprint = fingerprint;
    if (fingerprint === null) return;
    const { entries } = parseMarkdownMemoryFile(readFileSync(join(this.dir, file), 'utf8'));
    for (const entry of entries) {
      this.#entries.set(entry.key, {
        entry,
        file,
        seq: ++this.#seq,
        doc: buildKeywordDocument(entry.key, entry.content),
      });
    }
  }
}

/** core.md for core entries; the UTC day the entry was created for every other category. */
function fileFor(category: MemoryCategory, createdAt: string): string {
  return category === 'core' ? CORE_FILE : `${createdAt.slice(0, 10)}.md`;
}

function newestFirst(a: CachedEntry, b: CachedEntry): number {
  return b.entry.updatedAt.localeCompare(a.entry.updatedAt) || b.seq - a.seq;
}

function fingerprintOf(path: string): string | null {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return null;
  }
}

// A rename is durable only once the folder entry is; without this a crash could bring back the old file.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some platforms (and filesystems) refuse fsync on a directory; the data itself is synced.
  } finally {
    await handle.close();
  }
}
