// Migration 1: the clawgate_memories table with a generated tsvector and its GIN index.
import type { PostgresMigration } from './postgres-migration.js';

export const migration001Init: PostgresMigration = {
  version: 1,
  name: 'init',
  async up(client) {
    // 'simple' (no stemming, no stop words) matches words in any language the same way SQLite's
    // unicode61 tokenizer does. Keys weigh less (C) than content (A): they are mostly generated ids.
    await client.query(`
      CREATE TABLE clawgate_memories (
        id BIGSERIAL PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        content TEXT NOT NULL,
        category TEXT NOT NULL,
        session_id TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        search TSVECTOR GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', key), 'C') || setweight(to_tsvector('simple', content), 'A')
        ) STORED
      )`);
    await client.query('CREATE INDEX clawgate_memories_search ON clawgate_memories USING GIN (search)');
    await client.query('CREATE INDEX clawgate_memories_updated_at ON clawgate_memories (updated_at)');
    await client.query(
      'CREATE INDEX clawgate_memories_category_updated_at ON clawgate_memories (category, updated_at)',
    );
  },
};
