// createMemory: `[memory] backend` → the backend, opened and migrated, wrapped with metrics; bad config throws MemoryConfigError.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { InstrumentedMemory } from './instrumented-memory.js';
import { MemoryConfigError, type MemoryBackend } from './memory-backend.js';
import { NoneMemory } from './none-memory.js';
import { SqliteMemory } from './sqlite-memory.js';
// markdown-memory.js and postgres-memory.js are imported only when selected: pg alone costs
// ~55 ms of startup and ~12 MB of RSS that the default (sqlite) gateway never uses.

/** Backend names `[memory] backend` accepts. */
export const MEMORY_BACKENDS = ['sqlite', 'markdown', 'postgres', 'none'] as const;

export interface CreateMemoryDeps {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Builds the configured backend. Throws MemoryConfigError, whose message names the key to fix,
 * for an unknown backend, an unopenable file or folder, or an unreachable PostgreSQL.
 */
export async function createMemory(config: Config, deps: CreateMemoryDeps): Promise<MemoryBackend> {
  const backend = await openBackend(config, deps.logger);
  deps.logger.debug({ backend: backend.name }, 'memory backend ready');
  return new InstrumentedMemory(backend, deps);
}

/**
 * Where the configured backend keeps its entries, for people: the SQLite file, the markdown
 * folder, PostgreSQL's `host:port/database` (never the credentials), or null.
 */
export function describeMemoryLocation(config: Config): string | null {
  const { backend, path, db_url: url } = config.memory;
  if (backend === 'sqlite') return sqliteFile(config, path);
  if (backend === 'markdown') return markdownDir(config, path);
  if (backend === 'postgres') return url === undefined ? null : describePostgresTarget(url);
  return null;
}

// A relative [memory] path is read from the data folder, like every file the gateway writes.
function sqliteFile(config: Config, path: string | undefined): string {
  return resolve(config.dataDir, path ?? 'memory.db');
}

function markdownDir(config: Config, path: string | undefined): string {
  return resolve(config.dataDir, path ?? 'memory');
}

async function openBackend(config: Config, logger: Logger): Promise<MemoryBackend> {
  const { backend, path } = config.memory;
  switch (backend) {
    case 'sqlite': {
      const file = sqliteFile(config, path);
      try {
        mkdirSync(dirname(file), { recursive: true });
        return new SqliteMemory({ path: file });
      } catch (err) {
        throw new MemoryConfigError(
          `cannot open the SQLite memory database ${file}: ${errorMessage(err)}; ` +
            'check [memory] path (or data_dir) points to a writable location',
          { cause: err },
        );
      }
    }
    case 'markdown': {
      const dir = markdownDir(config, path);
      const { MarkdownMemory } = await import('./markdown-memory.js');
      try {
        return new MarkdownMemory({ dir });
      } catch (err) {
        throw new MemoryConfigError(
          `cannot open the markdown memory folder ${dir}: ${errorMessage(err)}; ` +
            'check [memory] path (or data_dir) names a writable folder',
          { cause: err },
        );
      }
    }
    case 'postgres': {
      const url = config.memory.db_url;
      if (url === undefined || url.trim() === '') {
        throw new MemoryConfigError(
          `[memory] backend = "postgres" needs a connection string: set [memory] db_url in ${config.configPath} ` +
            'or the DATABASE_URL environment variable (postgres://user:password@host:5432/database)',
        );
      }
      const { PostgresMemory } = await import('./postgres-memory.js');
      try {
        return await PostgresMemory.connect({ connectionString: url, logger });
      } catch (err) {
        // The message names host, port and database only: the URL may carry a password.
        throw new MemoryConfigError(
          `cannot use PostgreSQL memory at ${describePostgresTarget(url)}: ${errorMessage(err)}; ` +
            'check [memory] db_url (or DATABASE_URL), that the server is running and the user may create tables',
          { cause: err },
        );
      }
    }
    case 'none':
      return new NoneMemory();
    default:
      throw new MemoryConfigError(
        `unknown [memory] backend ${JSON.stringify(backend)} in ${config.configPath}: ` +
          `use one of ${MEMORY_BACKENDS.map((b) => `"${b}"`).join(', ')}`,
      );
  }
}

/** `host:port/database` of a connection string, without user or password. */
export function describePostgresTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${decodeURIComponent(parsed.pathname.slice(1))}`;
  } catch {
    return 'the configured database (db_url does not parse as a URL)';
  }
}

function errorMessage(err: unknown): string {
  // AggregateError (every address refused) carries no message of its own.
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map((e) => errorMessage(e)).join('; ') || 'connection failed';
  }
  return err instanceof Error ? err.message : String(err);
}
