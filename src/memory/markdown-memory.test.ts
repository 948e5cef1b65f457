import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MarkdownMemory } from './markdown-memory.js';
import { describeMemoryBackendContract } from './memory-backend.contract.js';

describeMemoryBackendContract(
  'markdown',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawgate-markdown-memory-'));
    let current = new MarkdownMemory({ dir });
    return {
      memory: current,
      reopen: async () => {
        await current.close();
        current = new MarkdownMemory({ dir });
        return current;
      },
      cleanup: async () => {
        await current.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { persists: true },
);

describe('MarkdownMemory files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawgate-markdown-memory-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes core entries to core.md and the rest to one file per day, readable', async () => {
    const memory = new MarkdownMemory({ dir });
    await memory.store('name', 'The user is called Ada.', 'core');
    await memory.store('webhook_msg_1', 'hello there', 'conversation');
    await memory.close();
    const today = new Date().toISOString().slice(0, 10);
    expect(readdirSync(dir).sort()).toEqual([`${today}.md`, 'core.md'].sort());
    const core = readFileSync(join(dir, 'core.md'), 'utf8');
    expect(core).toContain('# Memory: core');
    expect(core).toContain('## name\n');
    expect(core).toContain('\nThe user is called Ada.\n');
    expect(readFileSync(join(dir, `${today}.md`), 'utf8')).toContain('\nhello there\n');
  });

  it('moves an entry between files when its category changes, and removes empty files', async () => {
    const memory = new MarkdownMemory({ dir });
    await memory.store('k', 'first', 'daily');
    await memory.store('k', 'now core', 'core');
    expect(readdirSync(dir)).toEqual(['core.md']);
    await memory.forget('k');
    expect(readdirSync(dir)).toEqual([]);
    await memory.close();
  });

  it('sees a forget made by another process before writing the same file', async () => {
    const gateway = new MarkdownMemory({ dir });
    await gateway.store('a', 'alpha', 'core');
    await gateway.store('b', 'beta', 'core');
    const cli = new MarkdownMemory({ dir });
    expect(await cli.forget('a')).toBe(true);
    await cli.close();
    await gateway.store('c', 'gamma', 'core');
    expect((await gateway.list()).map((e) => e.key).sort()).toEqual(['b', 'c']);
    await gateway.close();
    expect(readFileSync(join(dir, 'core.md'), 'utf8')).not.toContain('alpha');
  });

  it('ignores text a person added outside the entry blocks and skips broken blocks', async () => {
    const memory = new MarkdownMemory({ dir });
    await memory.store('k', 'kept', 'core');
    await memory.close();
    const path = join(dir, 'core.md');
    writeFileSync(
      path,
      `${readFileSync(path, 'utf8')}\nSome notes of mine.\n<!-- clawgate:entry {not json} -->\nbroken\n<!-- clawgate:end -->\n`,
    );
    const reopened = new MarkdownMemory({ dir });
    expect((await reopened.list()).map((e) => e.content)).toEqual(['kept']);
    await reopened.close();
  });
});
