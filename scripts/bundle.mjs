// Bundles clawgate's own modules into dist/bundle/ (what `npm start` and the `clawgate` bin run), after tsc has
// type-checked and emitted dist/src/. Node 20 loads ESM file by file: clawgate's ~85 modules cost ~40 ms of every
// start, one bundle a few. npm packages stay external (node_modules), so each still loads only when used, and the
// gateway's lazy imports (WhatsApp, prom-client, pg, ioredis, undici) become chunks of their own.
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const OUT_DIR = 'dist/bundle';

rmSync(OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  // Entry and chunks side by side in one folder, so that files read relative to a module (below) sit at one place.
  outdir: OUT_DIR,
  chunkNames: '[name]-[hash]',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// src/state/redis-scripts.ts reads its Lua scripts relative to its own module (`./rate-limit/….lua`); in the bundle
// that module is one of the files in OUT_DIR, so the scripts go there with the same relative paths.
const STATE_DIR = 'src/state';
function copyLua(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyLua(path);
    else if (name.endsWith('.lua')) cpSync(path, join(OUT_DIR, relative(STATE_DIR, path)));
  }
}
copyLua(STATE_DIR);
