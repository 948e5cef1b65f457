// The default (sqlite) memory never loads pg or the markdown backend: pg alone costs ~55 ms of startup and ~12 MB.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/src/', import.meta.url));
const built = existsSync(join(DIST, 'memory/create-memory.js'));
if (!built) console.warn('lazy-backend-imports: dist/ is missing, run `npm run build`; skipped');

// Runs in a fresh node process against the build: vitest's own module graph already holds pg.
const PROBE = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [dist, dataDir, backend] = process.argv.slice(1);
const load = (p) => import(pathToFileURL(dist + p).href);
const { configSchema } = await load('config/schema.js');
const { createMemory } = await load('memory/create-memory.js');
const { createSilentLogger } = await load('observability/logger.js');
const { createMetrics } = await load('observability/metrics.js');
const config = Object.freeze({ ...configSchema.parse({ memory: { backend } }), configPath: dataDir + '/config.toml', dataDir });
const memory = await createMemory(config, { logger: createSilentLogger(), metrics: createMetrics({ defaultMetrics: false }) });
await memory.store('k', 'v', 'core');
await memory.close();
const loaded = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify({
  pg: loaded.some((p) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(p)),
}));
`;

async function probe(backend: string): Promise<{ pg: boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clawgate-lazy-memory-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE, DIST, dataDir, backend]);
    return JSON.parse(stdout) as { pg: boolean };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe.skipIf(!built && process.env.CI !== 'true')('createMemory module loading', () => {
  it('does not load pg for sqlite, markdown or none', async () => {
    expect(await probe('sqlite')).toEqual({ pg: false });
    expect(await probe('markdown')).toEqual({ pg: false });
    expect(await probe('none')).toEqual({ pg: false });
  });
});
