// <data_dir>/gateway.json: where the running gateway listens, so operator commands find it (also with --port 0).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const RUNTIME_FILE = 'gateway.json';

const runtimeSchema = z.object({ url: z.url(), pid: z.number().int() });
export type RuntimeInfo = z.infer<typeof runtimeSchema>;

export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  writeFileSync(join(dataDir, RUNTIME_FILE), `${JSON.stringify(info)}\n`, { mode: 0o600 });
}

/** The running gateway's address, or null when none has written one (or the file is damaged). */
export function readRuntimeFile(dataDir: string): RuntimeInfo | null {
  try {
    const parsed = runtimeSchema.safeParse(JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Removes the file if it still names this process (another instance may share the folder). */
export function removeRuntimeFile(dataDir: string, pid: number): void {
  if (readRuntimeFile(dataDir)?.pid === pid) rmSync(join(dataDir, RUNTIME_FILE), { force: true });
}
