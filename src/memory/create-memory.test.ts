import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../config/schema.js';
import { createSilentLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createMemory } from './create-memory.js';
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
  return { logger: createSilentLogger(), metrics: createMetrics({ defaultMetrics: false }) };
}

async function metricValue(
  metrics: ReturnType<typeof createMetrics>,
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
