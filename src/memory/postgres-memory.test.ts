import { describe, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  dropSchema,
  isPostgresReachable,
  uniqueSchemaName,
} from '../../test/memory/postgres-test-database.js';
import { describeMemoryBackendContract } from './memory-backend.contract.js';
import { PostgresMemory } from './postgres-memory.js';

const reachable = await isPostgresReachable();
const run = reachable || process.env.CI === 'true';
if (!run) console.warn(`SKIPPED: PostgreSQL memory tests, no server at ${TEST_DATABASE_URL}`);

if (run) {
  describeMemoryBackendContract(
    'postgres',
    async () => {
      const schema = uniqueSchemaName();
      let current = await PostgresMemory.connect({ connectionString: TEST_DATABASE_URL, schema });
      return {
        memory: current,
        reopen: async () => {
          await current.close();
          current = await PostgresMemory.connect({ connectionString: TEST_DATABASE_URL, schema });
          return current;
        },
        cleanup: async () => {
          await current.close();
          await dropSchema(schema);
        },
      };
    },
    { persists: true },
  );
}

describe.skipIf(!run)('PostgresMemory', () => {
  it('creates the schema once when several instances start together, and they share entries', async () => {
    const schema = uniqueSchemaName();
    try {
      const instances = await Promise.all(
        Array.from({ length: 4 }, () => PostgresMemory.connect({ connectionString: TEST_DATABASE_URL, schema })),
      );
      await Promise.all(instances.map((m, i) => m.store(`from-${i}`, `written by instance ${i}`, 'conversation')));
      for (const m of instances) expect(await m.count()).toBe(4);
      expect((await instances[0]!.recall('instance', 10)).length).toBe(4);
      await Promise.all(instances.map((m) => m.close()));
    } finally {
      await dropSchema(schema);
    }
  });

  it('rejects an unreachable server instead of hanging', async () => {
    await expect(
      PostgresMemory.connect({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMs: 1_000 }),
    ).rejects.toThrow();
  });

  it('reports unhealthy once closed and refuses odd schema names', async () => {
    const schema = uniqueSchemaName();
    const memory = await PostgresMemory.connect({ connectionString: TEST_DATABASE_URL, schema });
    expect(await memory.health()).toBe(true);
    await memory.close();
    expect(await memory.health()).toBe(false);
    await dropSchema(schema);
    await expect(
      PostgresMemory.connect({ connectionString: TEST_DATABASE_URL, schema: 'bad"; DROP' }),
    ).rejects.toThrow(RangeError);
  });

  it('stores a NUL character as U+FFFD instead of failing', async () => {
    const schema = uniqueSchemaName();
    const memory = await PostgresMemory.connect({ connectionString: TEST_DATABASE_URL, schema });
    try {
      await memory.store('nul', 'a\u0000b', 'core');
      expect((await memory.get('nul'))?.content).toBe('a\uFFFDb');
    } finally {
      await memory.close();
      await dropSchema(schema);
    }
  });
});
