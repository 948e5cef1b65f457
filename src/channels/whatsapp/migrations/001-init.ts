// Inbox migration 1: the job queue and the wamid dedupe record.
import type { SqliteMigration } from '../../../memory/migrations/sqlite/sqlite-migration.js';

export const inboxMigration001Init: SqliteMigration = {
  version: 1,
  name: 'whatsapp-inbox',
  up(db) {
    // Jobs are claimed oldest first (by id) among those due and not leased; times are epoch ms.
    // The dedupe record outlives its job: a redelivery days later must still be recognised.
    db.exec(`
      CREATE TABLE whatsapp_jobs (
        id INTEGER PRIMARY KEY,
        wamid TEXT NOT NULL UNIQUE,
        message TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        progress TEXT,
        due_at INTEGER NOT NULL,
        lease_until INTEGER
      );
      CREATE INDEX whatsapp_jobs_due_at ON whatsapp_jobs (due_at);

      CREATE TABLE whatsapp_seen (
        wamid TEXT PRIMARY KEY,
        seen_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX whatsapp_seen_seen_at ON whatsapp_seen (seen_at);
    `);
  },
};
