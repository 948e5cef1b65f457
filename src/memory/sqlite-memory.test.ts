import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeMemoryBackendContract } from './memory-backend.contract.js';
import { migration001Init } from './migrations/sqlite/001-init.js';
import { runSqliteMigrations } from './migrations/sqlite/run-sqlite-migrations.js';
import { SqliteMemory } from './sqlite-memory.js';

describeMemoryBackendContract(
  'sqlite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawgate-sqlite-memory-'));
    const path = join(dir, 'memory.db');
    let current = new SqliteMemory({ path });
    return {
      memory: current,
      reopen: async () => {
        await current.close();
        current = new SqliteMemory({ path });
        return current;
      },
      cleanup: async () => {
        await current.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { persists: true },
);

describe('SqliteMemory', () => {
  it('uses WAL and records each migration once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawgate-sqlite-memory-'));
    try {
      const path = join(dir, 'memory.db');
      await new SqliteMemory({ path }).close();
      await new SqliteMemory({ path }).close();
      const db = new BetterSqlite3(path, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'init' },
        { version: 2, name: 'deferred fts' },
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawgate-sqlite-memory-'));
    try {
      const path = join(dir, 'memory.db');
      await new SqliteMemory({ path }).close();
      const db = new BetterSqlite3(path);
      db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', '2100-01-01')").run();
      db.close();
      expect(() => new SqliteMemory({ path })).toThrow(/version 999.*upgrade clawgate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports unhealthy and rejects operations once closed', async () => {
    const memory = new SqliteMemory({ path: ':memory:' });
    await memory.close();
    expect(await memory.health()).toBe(false);
    await expect(memory.store('k', 'v', 'core')).rejects.toThrow();
  });

  it('keeps the FTS index in step with updates and deletes', async () => {
    const memory = new SqliteMemory({ path: ':memory:' });
    await memory.store('k', 'original words', 'core');
    await memory.store('k', 'replacement text', 'core');
    await memory.forget('k');
    await memory.store('k2', 'original again', 'core');
    expect((await memory.recall('original', 5)).map((e) => e.key)).toEqual(['k2']);
    expect(await memory.recall('replacement', 5)).toEqual([]);
    await memory.close();
  });
});

describe('SqliteMemory deferred FTS indexing', () => {
  let dir: string;
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (): { path: string; memory: SqliteMemory } => {
    dir = mkdtempSync(join(tmpdir(), 'clawgate-sqlite-fts-'));
    const path = join(dir, 'memory.db');
    return { path, memory: new SqliteMemory({ path }) };
  };
  /** FTS5's own check of the index against the memories table: throws when they disagree. */
  const checkIndex = (path: string): void => {
    const db = new BetterSqlite3(path);
    try {
      db.exec("INSERT INTO memories_fts (memories_fts, rank) VALUES ('integrity-check', 1)");
    } finally {
      db.close();
    }
  };
  const pendingIds = (path: string): number[] => {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      return db.prepare<[], { id: number }>('SELECT id FROM memories_fts_pending ORDER BY id').all().map((r) => r.id);
    } finally {
      db.close();
    }
  };

  it('commits a row at once but indexes it later: before the next recall, or after a short delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { path, memory } = open();
    await memory.store('a', 'alpha words', 'core');
    expect(pendingIds(path)).toEqual([1]);
    expect((await memory.recall('alpha', 5)).map((e) => e.key)).toEqual(['a']);
    expect(pendingIds(path)).toEqual([]);

    await memory.store('b', 'beta words', 'core');
    expect(pendingIds(path)).toEqual([2]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pendingIds(path)).toEqual([]);
    checkIndex(path);
    await memory.close();
  });

  it('keeps the index exact through upserts and deletes of rows indexed or still pending', async () => {
    const { path, memory } = open();
    // A seeded walk over the operations, with recalls (which index) in between at random.
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const live = new Map<string, string>();
    for (let step = 0; step < 400; step++) {
      const key = `k${random(40)}`;
      const op = random(10);
      if (op < 5) {
        const word = `w${step}x`;
        await memory.store(key, `${word} common`, 'core');
        live.set(key, word);
      } else if (op < 8) {
        await memory.forget(key);
        live.delete(key);
      } else {
        await memory.recall('common', 3);
      }
    }
    for (const [key, word] of live) expect((await memory.recall(word, 5)).map((e) => e.key)).toEqual([key]);
    expect((await memory.recall('common', 100)).length).toBe(live.size);
    checkIndex(path);
    await memory.close();
  });

  it('indexes rows left pending by a crash once reopened', async () => {
    const { path, memory } = open();
    await memory.store('a', 'alpha', 'core');
    await memory.recall('alpha', 1);
    await memory.close();
    // A row committed by a process that died before indexing it.
    const db = new BetterSqlite3(path);
    db.prepare("INSERT INTO memories (key, content, category, created_at, updated_at) VALUES ('b', 'survivor', 'core', 'x', 'x')").run();
    db.close();
    expect(pendingIds(path)).toEqual([2]);
    const reopened = new SqliteMemory({ path });
    expect((await reopened.recall('survivor', 5)).map((e) => e.key)).toEqual(['b']);
    checkIndex(path);
    await reopened.close();
  });

  it('upgrades a version 1 database: its rows stay searchable and forgettable', async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawgate-sqlite-fts-'));
    const path = join(dir, 'memory.db');
    const v1 = new BetterSqlite3(path);
    runSqliteMigrations(v1, [migration001Init]);
    v1.prepare("INSERT INTO memories (key, content, category, created_at, updated_at) VALUES ('old', 'ancient text', 'core', 'x', 'x')").run();
    v1.close();
    const memory = new SqliteMemory({ path });
    expect((await memory.recall('ancient', 5)).map((e) => e.key)).toEqual(['old']);
    expect(await memory.forget('old')).toBe(true);
    expect(await memory.recall('ancient', 5)).toEqual([]);
    checkIndex(path);
    await memory.close();
  });
});

describe('SqliteMemory group commit', () => {
  const dirs: string[] = [];
  function tempPath(): string {
    const dir = mkdtempSync(join(tmpdir(), 'clawgate-sqlite-batch-'));
    dirs.push(dir);
    return join(dir, 'memory.db');
  }
  afterEach(() => {
    vi.useRealTimers();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('commits the stores of one turn together, each resolving only once another connection sees it', async () => {
    const path = tempPath();
    const memory = new SqliteMemory({ path });
    const reader = new BetterSqlite3(path, { readonly: true });
    const seen = reader.prepare<[string], { key: string }>('SELECT key FROM memories WHERE key = ?');
    const count = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM memories');
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      const visibleOnResolve = keys.map((key) => memory.store(key, `content ${key}`, 'conversation').then(() => seen.get(key)?.key));
      // Still the same turn: nothing is committed yet.
      expect(count.get()?.n).toBe(0);
      expect(await Promise.all(visibleOnResolve)).toEqual(keys);
      expect(count.get()?.n).toBe(20);
    } finally {
      reader.close();
      await memory.close();
    }
  });

  it('lets reads see stores made before them, awaited or not', async () => {
    const memory = new SqliteMemory({ path: ':memory:' });
    const stored = memory.store('early', 'seen by the next read', 'core');
    expect((await memory.get('early'))?.content).toBe('seen by the next read');
    expect(await memory.count()).toBe(1);
    await stored;
    void memory.store('gone', 'forgotten in the same turn', 'core');
    expect(await memory.forget('gone')).toBe(true);
    await memory.close();
  });

  it('keeps upsert semantics inside one batch: last write wins, first createdAt kept', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const memory = new SqliteMemory({ path: ':memory:' });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    const first = memory.store('same', 'first about apples', 'daily', 's1');
    vi.setSystemTime(new Date('2026-01-01T00:00:01.000Z'));
    const second = memory.store('same', 'second about pears', 'core');
    await Promise.all([first, second]);
    expect(await memory.get('same')).toEqual({
      key: 'same',
      content: 'second about pears',
      category: 'core',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(await memory.recall('apples', 5)).toEqual([]);
    await memory.close();
  });

  it('fails only the bad row of a batch; the others commit', async () => {
    const memory = new SqliteMemory({ path: ':memory:' });
    const good1 = memory.store('good1', 'fine', 'core');
    // Not a string: SQLite cannot bind it, as with any row the database refuses on its own.
    const bad = memory.store('bad', { not: 'text' } as unknown as string, 'core');
    const good2 = memory.store('good2', 'fine too', 'core');
    const results = await Promise.allSettled([good1, bad, good2]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await memory.list()).map((e) => e.key).sort()).toEqual(['good1', 'good2']);
    await memory.close();
  });

  it('rejects every store of a batch whose transaction cannot commit, and recovers', async () => {
    const path = tempPath();
    const memory = new SqliteMemory({ path, busyTimeoutMs: 50 });
    const locker = new BetterSqlite3(path);
    try {
      locker.exec('BEGIN IMMEDIATE');
      const results = await Promise.allSettled(['a', 'b', 'c'].map((key) => memory.store(key, 'blocked', 'core')));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : null))).toEqual([
        'SQLITE_BUSY',
        'SQLITE_BUSY',
        'SQLITE_BUSY',
      ]);
      locker.exec('ROLLBACK');
      expect(await memory.count()).toBe(0);
      await memory.store('d', 'after the lock', 'core');
      expect((await memory.list()).map((e) => e.key)).toEqual(['d']);
    } finally {
      locker.close();
      await memory.close();
    }
  });

  it('commits pending stores on close', async () => {
    const path = tempPath();
    const memory = new SqliteMemory({ path });
    const stored = memory.store('last', 'written at shutdown', 'core');
    await memory.close();
    await expect(stored).resolves.toBeUndefined();
    const reopened = new SqliteMemory({ path });
    expect((await reopened.get('last'))?.content).toBe('written at shutdown');
    await reopened.close();
  });
});
