// The commented default config written on first start: config.example.toml from the package root.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE_NAME = 'config.example.toml';

/** Walks up from this module (src/ or dist/src/) to the folder holding config.example.toml. */
function findTemplate(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, TEMPLATE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${TEMPLATE_NAME} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function readDefaultConfigText(): string {
  return readFileSync(findTemplate(), 'utf8');
}
