// Migration 2: the FTS5 index is brought up to date in batches instead of by a trigger on every insert.
import type { SqliteMigration } from './sqlite-migration.js';

/**
 * A new row only records its id in `memories_fts_pending` (a cheap append) and SqliteMemory indexes the pending rows
 * in one statement, before every recall and soon after writes. Indexing a row in its own insert cost about half of
 * each auto-saved message; in batches the per-row cost drops by ~30 us.
 *
 * An external-content FTS5 index must never be told to delete a row it does not hold (that corrupts it), so the
 * delete and update triggers act on the index only for rows that are not pending; a pending row is indexed with its
 * current content when its turn comes.
 */
export const migration002DeferredFts: SqliteMigration = {
  version: 2,
  name: 'deferred fts',
  up(db) {
    db.exec(`
      CREATE TABLE memories_fts_pending (id INTEGER PRIMARY KEY);

      DROP TRIGGER memories_fts_insert;
      CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
        INSERT OR IGNORE INTO memories_fts_pending (id) VALUES (new.id);
      END;

      DROP TRIGGER memories_fts_delete;
      CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, key, content)
          SELECT 'delete', old.id, old.key, old.content
          WHERE NOT EXISTS (SELECT 1 FROM memories_fts_pending WHERE id = old.id);
        DELETE FROM memories_fts_pending WHERE id = old.id;
      END;

      DROP TRIGGER memories_fts_update;
      CREATE TRIGGER memories_fts_update AFTER UPDATE OF key, content ON memories
      WHEN NOT EXISTS (SELECT 1 FROM memories_fts_pending WHERE id = old.id) BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, key, content) VALUES ('delete', old.id, old.key, old.content);
        INSERT INTO memories_fts (rowid, key, content) VALUES (new.id, new.key, new.content);
      END;
    `);
  },
};
