import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../config/schema.js';
import { createSilentLogger } from '../observability/logger.js';
import { createPrometheusMetrics, type PrometheusMetrics } from '../observability/prometheus-metrics.js';
import {
  TEST_DATABASE_URL,
  dropSchema,
  isPostgresReachable,
  uniqueSchemaName,
} from '../../test/memory/postgres-test-database.js';
import { createMemory, describePostgresTarget } from './create-memory.js';
import { MemoryConfigError } from './memory-backend.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'clawgate-create-memory-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function buildConfig(memory: Record<string, unknown>): Config {
  return Object.freeze({ ...configSchema.parse({ memory }), configPath: join(dataDir, 'config.toml'), dataDir });
}

function deps() {
  return { logger: createSilentLogger(), metrics: createPrometheusMetrics({ defaultMetrics: false }) };
}

async function metricValue(
  metrics: PrometheusMetrics,
  labels: { backend: string; operation: string; outcome: string },
) {
  const metric = await metrics.memoryOperations.get();
  const sample = metric.values.find((v) => v.labels.backend === labels.backend && v.labels.operation === labels.operation && v.labels.outcome === labels.outcome);
  return sample?.value ?? 0;
}

describe('createMemory', () => {
  it('opens sqlite by default at <dataDir>/memory.db and counts operations', async () => {
    const d = deps();
    const memory = await createMemory(buildConfig({}), d);
    expect(memory.name).toBe('sqlite');
    await memory.store('webhook_msg_1', 'hello', 'conversation');
    await memory.recall('hello', 5);
    expect(existsSync(join(dataDir, 'memory.db'))).toBe(true);
    expect(await metricValue(d.metrics, { backend: 'sqlite', operation: 'store', outcome: 'ok' })).toBe(1);
    expect(await metricValue(d.metrics, { backend: 'sqlite', operation: 'recall', outcome: 'ok' })).toBe(1);
    await memory.close();
  });

  it('resolves a relative [memory] path inside the data folder, creating folders', async () => {
    const memory = await createMemory(buildConfig({ path: 'nested/dir/agent.db' }), deps());
    expect(existsSync(join(dataDir, 'nested/dir/agent.db'))).toBe(true);
    await memory.close();
  });

  it('counts and rethrows a failing operation', async () => {
    const d = deps();
    const memory = await createMemory(buildConfig({}), d);
    await memory.close();
    await expect(memory.store('k', 'v', 'core')).rejects.toThrow();
    expect(await metricValue(d.metrics, { backend: 'sqlite', operation: 'store', outcome: 'error' })).toBe(1);
    expect(await memory.health()).toBe(false);
    expect(await metricValue(d.metrics, { backend: 'sqlite', operation: 'health', outcome: 'error' })).toBe(1);
    expect((await d.metrics.errors.get()).values.find((v) => v.labels.component === 'memory')?.value).toBe(1);
  });

  it('builds none', async () => {
    const memory = await createMemory(buildConfig({ backend: 'none' }), deps());
    expect(memory.name).toBe('none');
    await memory.store('k', 'v', 'core');
    expect(await memory.count()).toBe(0);
  });

  it('rejects an unknown backend, naming the choices', async () => {
    const err = await createMemory(buildConfig({ backend: 'redis' }), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryConfigError);
    expect((err as Error).message).toMatch(/unknown \[memory\] backend "redis".*"sqlite", "markdown", "postgres", "none"/);
  });

  it('rejects a sqlite path that cannot be opened', async () => {
    writeFileSync(join(dataDir, 'a-file'), 'not a folder');
    const err = await createMemory(buildConfig({ path: 'a-file/memory.db' }), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryConfigError);
    expect((err as Error).message).toMatch(/cannot open the SQLite memory database .*\[memory\] path/);
  });
});

const pgReachable = await isPostgresReachable();

describe('createMemory: markdown and postgres', () => {
  it('opens markdown in <dataDir>/memory by default', async () => {
    const memory = await createMemory(buildConfig({ backend: 'markdown' }), deps());
    expect(memory.name).toBe('markdown');
    await memory.store('k', 'v', 'core');
    expect(existsSync(join(dataDir, 'memory', 'core.md'))).toBe(true);
    await memory.close();
  });

  it('asks for db_url or DATABASE_URL when postgres has none', async () => {
    const err = await createMemory(buildConfig({ backend: 'postgres' }), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryConfigError);
    expect((err as Error).message).toMatch(/needs a connection string: set \[memory\] db_url .* DATABASE_URL/);
  });

  it('reports an unreachable postgres without the password', async () => {
    const url = 'postgres://clawgate:s3cret-pw@127.0.0.1:1/agent';
    const err = await createMemory(buildConfig({ backend: 'postgres', db_url: url }), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryConfigError);
    expect((err as Error).message).toMatch(/cannot use PostgreSQL memory at 127\.0\.0\.1:1\/agent: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  it('describes a connection string without credentials', () => {
    expect(describePostgresTarget('postgres://u:p@db.internal/mem')).toBe('db.internal:5432/mem');
    expect(describePostgresTarget('not a url')).toMatch(/does not parse/);
  });

  it.skipIf(!pgReachable && process.env.CI !== 'true')('connects to postgres and creates its tables', async () => {
    const schema = uniqueSchemaName();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    try {
      const url = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const d = deps();
      const memory = await createMemory(buildConfig({ backend: 'postgres', db_url: url }), d);
      expect(memory.name).toBe('postgres');
      await memory.store('webhook_msg_1', 'hello postgres', 'conversation');
      expect((await memory.recall('postgres', 5)).map((e) => e.key)).toEqual(['webhook_msg_1']);
      expect(await metricValue(d.metrics, { backend: 'postgres', operation: 'store', outcome: 'ok' })).toBe(1);
      await memory.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
