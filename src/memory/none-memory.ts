// NoneMemory: `[memory] backend = "none"`, accepts every store and remembers nothing (spec §8).
import type { MemoryBackend, MemoryCategory, MemoryEntry } from './memory-backend.js';
import { validateStoreArguments } from './validate-store-arguments.js';

export class NoneMemory implements MemoryBackend {
  readonly name = 'none';

  async store(key: string, _content: string, category: MemoryCategory, _sessionId?: string): Promise<void> {
    validateStoreArguments(key, category);
  }

  async recall(_query: string, _limit: number): Promise<MemoryEntry[]> {
    return [];
  }

  async get(_key: string): Promise<MemoryEntry | null> {
    return null;
  }

  async list(_category?: MemoryCategory): Promise<MemoryEntry[]> {
    return [];
  }

  async forget(_key: string): Promise<boolean> {
    return false;
  }

  async count(): Promise<number> {
    return 0;
  }

  async health(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
