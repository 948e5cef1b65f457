// `clawgate memory list|search|get|forget|stats [--config PATH] [--json]`: inspect and edit the agent's memory (spec §8).
import { InvalidArgumentError, type Command } from 'commander';
import { parsePositiveInt } from '../options.js';
import type { CommonFlags } from './memory-actions.js';

export const DEFAULT_LIST_LIMIT = 100;
export const DEFAULT_SEARCH_LIMIT = 10;

/** Where the command writes; tests pass their own. */
export interface MemoryCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  setExitCode(code: number): void;
}

const PROCESS_IO: MemoryCommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** The actions and what they load (config, memory backends, metrics), imported when a memory command runs. */
const loadActions = () => import('./memory-actions.js');

export function registerMemoryCommand(program: Command, io: MemoryCommandIo = PROCESS_IO): void {
  const memory = program.command('memory').description("inspect the agent's memory (the configured backend)");

  withCommonOptions(memory.command('list'))
    .description('entries, newest first')
    .option('--category <name>', 'only this category (core, daily, conversation or a custom name)')
    .option('--limit <n>', `at most n entries, 0 for all (default ${DEFAULT_LIST_LIMIT})`, parseLimit)
    .action(async (flags: CommonFlags & { category?: string; limit?: number }) => (await loadActions()).memoryList(flags, io));

  withCommonOptions(memory.command('search').argument('<query>', 'words to look for'))
    .description('entries matching QUERY, best match first')
    .option('--limit <n>', `at most n entries (default ${DEFAULT_SEARCH_LIMIT})`, parsePositiveInt)
    .action(async (query: string, flags: CommonFlags & { limit?: number }) => (await loadActions()).memorySearch(query, flags, io));

  withCommonOptions(memory.command('get').argument('<key>', 'the entry key'))
    .description('one entry in full')
    .action(async (key: string, flags: CommonFlags) => (await loadActions()).memoryGet(key, flags, io));

  withCommonOptions(memory.command('forget').argument('<key>', 'the entry key'))
    .description('delete one entry')
    .action(async (key: string, flags: CommonFlags) => (await loadActions()).memoryForget(key, flags, io));

  withCommonOptions(memory.command('stats'))
    .description('backend, location, health and entries per category')
    .action(async (flags: CommonFlags) => (await loadActions()).memoryStats(flags, io));
}

function withCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', 'config file (default: $CLAWGATE_CONFIG or ~/.clawgate/config.toml)')
    .option('--json', 'machine-readable output');
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 for all');
  return Number(value);
}
