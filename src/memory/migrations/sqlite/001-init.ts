// Migration 1: the memories table and its FTS5 index, kept in step by triggers.
import type { SqliteMigration } from './sqlite-migration.js';

export const migration001Init: SqliteMigration = {
  version: 1,
  name: 'init',
  up(db) {
    // An INTEGER PRIMARY KEY gives the FTS index a rowid that VACUUM never renumbers;
    // the key is the upsert target.
    db.exec(`
      CREATE TABLE memories (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        content TEXT NOT NULL,
        category TEXT NOT NULL,
        session_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX memories_updated_at ON memories (updated_at);
      CREATE INDEX memories_category_updated_at ON memories (category, updated_at);

      CREATE VIRTUAL TABLE memories_fts USING fts5(
        key, content,
        content = 'memories', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts (rowid, key, content) VALUES (new.id, new.key, new.content);
      END;
      CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, key, content) VALUES ('delete', old.id, old.key, old.content);
      END;
      CREATE TRIGGER memories_fts_update AFTER UPDATE OF key, content ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, key, content) VALUES ('delete', old.id, old.key, old.content);
        INSERT INTO memories_fts (rowid, key, content) VALUES (new.id, new.key, new.content);
      END;
    `);
  },
};
