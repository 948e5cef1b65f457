import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeMemoryBackendContract } from './memory-backend.contract.js';
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
      expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([{ version: 1, name: 'init' }]);
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
