import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerMemoryCommand, type MemoryCommandIo } from '../../src/cli/commands/memory.js';
import { SqliteMemory } from '../../src/memory/sqlite-memory.js';

let dir: string;
let configPath: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clawgate-memory-cli-'));
  configPath = join(dir, 'config.toml');
  writeFileSync(configPath, '[memory]\nbackend = "sqlite"\n');
  const memory = new SqliteMemory({ path: join(dir, 'memory.db') });
  await memory.store('name', 'The user is called Ada Lovelace.', 'core');
  await memory.store('webhook_msg_1', 'please remember the dentist appointment on Friday', 'conversation', 's1');
  await memory.store('evil', 'before \u001b[2J\u001b]0;pwned\u0007 after \u202e', 'conversation');
  await memory.close();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const io: MemoryCommandIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new Command().exitOverride();
  registerMemoryCommand(program, io);
  await program.parseAsync(['memory', ...args], { from: 'user' });
  return { stdout, stderr, exitCode };
}

describe('clawgate memory', () => {
  it('lists entries newest first as a table, filtered by category', async () => {
    const all = await run('list', '--config', configPath);
    expect(all.exitCode).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+CATEGORY\s+UPDATED\s+CONTENT$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['evil', 'webhook_msg_1', 'name']);
    const core = await run('list', '--category', 'core', '--config', configPath, '--json');
    expect(JSON.parse(core.stdout).map((e: { key: string }) => e.key)).toEqual(['name']);
  });

  it('never writes terminal escape sequences from stored content', async () => {
    const { stdout } = await run('list', '--config', configPath);
    expect(stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(stdout).toContain('\\u001b[2J');
    const get = await run('get', 'evil', '--config', configPath);
    expect(get.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
  });

  it('searches best match first, with scores, and --json', async () => {
    const table = await run('search', 'dentist Friday', '--config', configPath);
    expect(table.stdout.split('\n')[0]).toMatch(/^SCORE\s+KEY/);
    expect(table.stdout.split('\n')[2]).toContain('webhook_msg_1');
    const json = await run('search', '"; DROP TABLE memories; --', '--limit', '3', '--config', configPath, '--json');
    expect(json.exitCode).toBe(0);
    expect(Array.isArray(JSON.parse(json.stdout))).toBe(true);
    expect((await run('search', 'zebra', '--config', configPath)).stdout).toBe('no matches\n');
  });

  it('gets one entry in full, and exits 1 for a missing key', async () => {
    const found = await run('get', 'webhook_msg_1', '--config', configPath);
    expect(found.stdout).toMatch(/^key\s+webhook_msg_1$/m);
    expect(found.stdout).toMatch(/^session\s+s1$/m);
    expect(found.stdout).toContain('\nplease remember the dentist appointment on Friday\n');
    const json = await run('get', 'name', '--json', '--config', configPath);
    expect(JSON.parse(json.stdout)).toMatchObject({ key: 'name', category: 'core' });
    const missing = await run('get', 'nope', '--config', configPath);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('no entry with key nope\n');
  });

  it('forgets an entry once', async () => {
    expect(await run('forget', 'name', '--config', configPath)).toMatchObject({ stdout: 'forgot name\n', exitCode: 0 });
    const again = await run('forget', 'name', '--json', '--config', configPath);
    expect(again.exitCode).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ key: 'name', forgotten: false });
    expect(JSON.parse((await run('list', '--json', '--config', configPath)).stdout)).toHaveLength(2);
  });

  it('shows stats: backend, location, health, entries per category', async () => {
    const json = JSON.parse((await run('stats', '--json', '--config', configPath)).stdout);
    expect(json).toEqual({
      backend: 'sqlite',
      location: join(dir, 'memory.db'),
      healthy: true,
      count: 3,
      categories: { core: 1, conversation: 2 },
    });
    const table = (await run('stats', '--config', configPath)).stdout;
    expect(table).toMatch(/^backend\s+sqlite$/m);
    expect(table).toMatch(/^entries\s+3$/m);
    expect(table).toMatch(/^ {2}conversation\s+2$/m);
  });

  it('reports a bad backend on stderr with exit 1', async () => {
    writeFileSync(configPath, '[memory]\nbackend = "redis"\n');
    const result = await run('stats', '--config', configPath);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^clawgate: memory: unknown \[memory\] backend "redis"/);
  });
});
