// InstrumentedMemory: wraps a backend to count every operation per outcome and log failures (spec §3 step 6, §6).
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { MemoryBackend, MemoryCategory, MemoryEntry } from './memory-backend.js';

export type MemoryOperation = 'store' | 'recall' | 'get' | 'list' | 'forget' | 'count' | 'health';

export interface InstrumentedMemoryDeps {
  logger: Logger;
  metrics: Pick<Metrics, 'memoryOperations' | 'errors'>;
}

/**
 * Same contract as the wrapped backend. A failure is logged (operation and backend, never the
 * content) and counted, then rethrown: the caller decides whether it fails the request (it must
 * not for auto-save, spec §3 step 6).
 */
export class InstrumentedMemory implements MemoryBackend {
  readonly name: string;
  readonly #inner: MemoryBackend;
  readonly #deps: InstrumentedMemoryDeps;

  constructor(inner: MemoryBackend, deps: InstrumentedMemoryDeps) {
    this.name = inner.name;
    this.#inner = inner;
    this.#deps = deps;
  }

  store(key: string, content: string, category: MemoryCategory, sessionId?: string): Promise<void> {
    return this.#run('store', () => this.#inner.store(key, content, category, sessionId));
  }

  recall(query: string, limit: number): Promise<MemoryEntry[]> {
    return this.#run('recall', () => this.#inner.recall(query, limit));
  }

  get(key: string): Promise<MemoryEntry | null> {
    return this.#run('get', () => this.#inner.get(key));
  }

  list(category?: MemoryCategory): Promise<MemoryEntry[]> {
    return this.#run('list', () => this.#inner.list(category));
  }

  forget(key: string): Promise<boolean> {
    return this.#run('forget', () => this.#inner.forget(key));
  }

  count(): Promise<number> {
    return this.#run('count', () => this.#inner.count());
  }

  async health(): Promise<boolean> {
    let healthy: boolean;
    try {
      healthy = await this.#inner.health();
    } catch {
      // health() must never throw; a backend that does is unhealthy.
      healthy = false;
    }
    this.#deps.metrics.memoryOperations.inc({
      backend: this.name,
      operation: 'health',
      outcome: healthy ? 'ok' : 'error',
    });
    return healthy;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #run<T>(operation: MemoryOperation, call: () => Promise<T>): Promise<T> {
    const { metrics, logger } = this.#deps;
    try {
      const result = await call();
      metrics.memoryOperations.inc({ backend: this.name, operation, outcome: 'ok' });
      return result;
    } catch (err) {
      metrics.memoryOperations.inc({ backend: this.name, operation, outcome: 'error' });
      metrics.errors.inc({ component: 'memory' });
      logger.warn({ err, backend: this.name, operation }, 'memory operation failed');
      throw err;
    }
  }
}
