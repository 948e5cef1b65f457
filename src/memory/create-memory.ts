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
  const backend = await openBackend(config);
  deps.logger.debug({ backend: backend.name }, 'memory backend ready');
  return new InstrumentedMemory(backend, deps);
}

async function openBackend(config: Config): Promise<MemoryBackend> {
  const { backend, path } = config.memory;
  switch (backend) {
    case 'sqlite': {
      const file = path === undefined ? resolve(config.dataDir, 'memory.db') : resolve(config.dataDir, path);
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
    case 'none':
      return new NoneMemory();
    default:
      throw new MemoryConfigError(
        `unknown [memory] backend ${JSON.stringify(backend)} in ${config.configPath}: ` +
          `use one of ${MEMORY_BACKENDS.map((b) => `"${b}"`).join(', ')}`,
      );
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
