// A zod schema built on first use. The protocol modules' answer schemas are only consulted when an answer fails its
// hand-written fast check, yet building them at import cost ~5-7 ms of startup per vendor protocol (all four load).
import type { z } from 'zod';

export function lazySchema<T extends z.ZodType>(build: () => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build());
}
