// The operator's admin key: a random secret in <data_dir>/admin.key (0600) that the CLI sends to the running gateway.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_KEY_FILE = 'admin.key';

export function adminKeyPath(dataDir: string): string {
  return join(dataDir, ADMIN_KEY_FILE);
}

/** Reads the key, creating it (32 random bytes, hex, mode 0600) on first use. */
export function ensureAdminKey(dataDir: string): string {
  const path = adminKeyPath(dataDir);
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readAdminKey(dataDir);
}

export function readAdminKey(dataDir: string): string {
  return readFileSync(adminKeyPath(dataDir), 'utf8').trim();
}
