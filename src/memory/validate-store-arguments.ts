// validateStoreArguments: the checks every backend's store() makes before writing anything.
import type { MemoryCategory } from './memory-backend.js';

/** Throws a RangeError when `key` or `category` is empty (a caller bug, never user text). */
export function validateStoreArguments(key: string, category: MemoryCategory): void {
  if (typeof key !== 'string' || key.length === 0) throw new RangeError('memory key must be a non-empty string');
  if (typeof category !== 'string' || category.length === 0) {
    throw new RangeError('memory category must be a non-empty string');
  }
}
