// A gateway loads only the packages its config uses. Each of these cost startup time and idle memory (measured on
// this machine: pg ~55 ms / 12 MB, prom-client ~45 ms / 8 MB, undici ~85 ms / 15 MB, fastify's ajv ~30 ms / 3 MB).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.js';
import { cleanEnv, spawnGateway } from '../helpers/gateway-process.js';

const DIST = fileURLToPath(new URL('../../dist/src/', import.meta.url));
const built = existsSync(join(DIST, 'main.js'));
if (!built) console.warn('lazy-imports: dist/ is missing, run `npm run build`; skipped');

const WATCHED = ['pg', 'prom-client', 'undici', 'ioredis', 'ajv'] as const;
type Loaded = Record<(typeof WATCHED)[number], boolean>;

// Runs in a fresh node process against the build (vitest's own module graph already holds these packages): builds
// the whole gateway from a config, as `clawgate gateway` does, and reports which watched packages got loaded.
const PROBE = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [dist, dataDir, settings] = process.argv.slice(1);
const load = (p) => import(pathToFileURL(dist + p).href);
const { configSchema } = await load('config/schema.js');
const { buildGateway } = await load('main.js');
const { createSilentLogger } = await load('observability/logger.js');
const config = Object.freeze({ ...configSchema.parse(JSON.parse(settings)), configPath: dataDir + '/config.toml', dataDir });
const gateway = await buildGateway(config, { logger: createSilentLogger(), env: {} });
await gateway.close();
const loaded = Object.keys(createRequire(import.meta.url).cache);
const watched = ${JSON.stringify(WATCHED)};
console.log(JSON.stringify(Object.fromEntries(watched.map((name) => [name, loaded.some((p) => p.includes('/node_modules/' + name + '/'))]))));
`;

async function probe(settings: Record<string, unknown>): Promise<Loaded> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clawgate-lazy-imports-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE, DIST, dataDir, JSON.stringify(settings)]);
    return JSON.parse(stdout) as Loaded;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const NONE_LOADED: Loaded = { pg: false, 'prom-client': false, undici: false, ioredis: false, ajv: false };

describe.skipIf(!built && process.env.CI !== 'true')('packages a gateway loads at startup', () => {
  it('loads none of pg, prom-client, undici, ioredis or ajv on the default config (sqlite memory, no metrics)', async () => {
    expect(await probe({})).toEqual(NONE_LOADED);
  });

  it('loads none of them for the markdown and none memory backends either', async () => {
    expect(await probe({ memory: { backend: 'markdown' } })).toEqual(NONE_LOADED);
    expect(await probe({ memory: { backend: 'none' } })).toEqual(NONE_LOADED);
  });

  it('loads prom-client once [observability] backend = "prometheus" asks for it', async () => {
    expect(await probe({ observability: { backend: 'prometheus' } })).toEqual({ ...NONE_LOADED, 'prom-client': true });
  });
});

// The same check on what `npm start` runs: the bundled CLI, as a process, on the default config it writes itself.
// A preloaded script reports the loaded packages as the process exits.
const PRELOAD = `
const watched = ${JSON.stringify(WATCHED)};
process.on('exit', () => {
  const loaded = Object.keys(require.cache);
  const found = Object.fromEntries(watched.map((name) => [name, loaded.some((p) => p.includes('/node_modules/' + name + '/'))]));
  process.stderr.write('LOADED ' + JSON.stringify(found) + '\\n');
});
`;

describe.skipIf(!built && process.env.CI !== 'true')('packages the bundled gateway loads', () => {
  it('serves /health on the default config without loading any of them', async () => {
    const home = mkdtempSync(join(tmpdir(), 'clawgate-lazy-bundle-'));
    try {
      const preload = join(home, 'report-packages.cjs');
      writeFileSync(preload, PRELOAD);
      const gateway = await spawnGateway(['gateway', '--port', '0'], cleanEnv({ HOME: home, NODE_OPTIONS: `--require ${preload}` }));
      expect((await call(`${gateway.url}/health`)).status).toBe(200);
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      const report = /LOADED (\{.*\})/.exec(gateway.output())?.[1];
      expect(report).toBeDefined();
      expect(JSON.parse(report as string)).toEqual(NONE_LOADED);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
