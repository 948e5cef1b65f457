// The actions of `clawgate memory`: open the configured backend, run one operation, print it. Imported only when a
// memory command runs (see memory.ts), so `clawgate gateway` does not load this file.
import { loadConfig } from '../../config/load.js';
import { createMemory, describeMemoryLocation } from '../../memory/create-memory.js';
import type { MemoryBackend, MemoryEntry } from '../../memory/memory-backend.js';
import { createSilentLogger } from '../../observability/logger.js';
import { createNoopMetrics } from '../../observability/noop-metrics.js';
import { describeStartupError } from '../startup-error.js';
import { DEFAULT_LIST_LIMIT, DEFAULT_SEARCH_LIMIT, type MemoryCommandIo } from './memory.js';

const CONTENT_COLUMN_CHARS = 60;
const KEY_COLUMN_CHARS = 40;

/** The options every memory command takes. */
export interface CommonFlags {
  /** --config: the config file (default: $CLAWGATE_CONFIG or ~/.clawgate/config.toml). */
  config?: string;
  /** --json: machine-readable output. */
  json?: boolean;
}

export function memoryList(flags: CommonFlags & { category?: string; limit?: number }, io: MemoryCommandIo): Promise<void> {
  return withMemory(flags, io, async (backend) => {
    const entries = await backend.list(flags.category);
    const limit = flags.limit ?? DEFAULT_LIST_LIMIT;
    const shown = limit === 0 ? entries : entries.slice(0, limit);
    if (flags.json) return writeJson(io, shown);
    if (shown.length === 0) return io.stdout.write('no entries\n');
    io.stdout.write(renderEntryTable(shown, false));
    if (shown.length < entries.length) {
      io.stdout.write(`showing ${shown.length} of ${entries.length}; --limit 0 shows all\n`);
    }
  });
}

export function memorySearch(query: string, flags: CommonFlags & { limit?: number }, io: MemoryCommandIo): Promise<void> {
  return withMemory(flags, io, async (backend) => {
    const entries = await backend.recall(query, flags.limit ?? DEFAULT_SEARCH_LIMIT);
    if (flags.json) return writeJson(io, entries);
    io.stdout.write(entries.length === 0 ? 'no matches\n' : renderEntryTable(entries, true));
  });
}

export function memoryGet(key: string, flags: CommonFlags, io: MemoryCommandIo): Promise<void> {
  return withMemory(flags, io, async (backend) => {
    const entry = await backend.get(key);
    if (!entry) io.setExitCode(1);
    if (flags.json) return writeJson(io, entry);
    if (!entry) return io.stderr.write(`no entry with key ${printable(key)}\n`);
    const rows: [string, string][] = [
      ['key', printable(entry.key)],
      ['category', printable(entry.category)],
      ['session', printable(entry.sessionId ?? '-')],
      ['created', entry.createdAt],
      ['updated', entry.updatedAt],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) io.stdout.write(`${label.padEnd(width)}  ${value}\n`);
    io.stdout.write(`\n${printable(entry.content, true)}\n`);
  });
}

export function memoryForget(key: string, flags: CommonFlags, io: MemoryCommandIo): Promise<void> {
  return withMemory(flags, io, async (backend) => {
    const forgotten = await backend.forget(key);
    if (!forgotten) io.setExitCode(1);
    if (flags.json) return writeJson(io, { key, forgotten });
    if (forgotten) io.stdout.write(`forgot ${printable(key)}\n`);
    else io.stderr.write(`no entry with key ${printable(key)}\n`);
  });
}

export function memoryStats(flags: CommonFlags, io: MemoryCommandIo): Promise<void> {
  return withMemory(flags, io, async (backend, location) => {
    const [healthy, count, entries] = await Promise.all([backend.health(), backend.count(), backend.list()]);
    const categories: Record<string, number> = {};
    for (const entry of entries) categories[entry.category] = (categories[entry.category] ?? 0) + 1;
    if (flags.json) return writeJson(io, { backend: backend.name, location, healthy, count, categories });
    const rows: string[][] = [
      ['backend', backend.name],
      ['location', location ?? '-'],
      ['healthy', healthy ? 'yes' : 'no'],
      ['entries', String(count)],
      ...Object.entries(categories)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([category, n]) => [`  ${printable(category)}`, String(n)]),
    ];
    io.stdout.write(renderTable(null, rows));
  });
}

/** Loads the config, opens the backend, runs `action`, closes; any failure is one line on stderr and exit 1. */
async function withMemory(
  flags: CommonFlags,
  io: MemoryCommandIo,
  action: (backend: MemoryBackend, location: string | null) => Promise<unknown>,
): Promise<void> {
  let backend: MemoryBackend | undefined;
  try {
    const { config } = await loadConfig(flags.config === undefined ? {} : { configPath: flags.config });
    backend = await createMemory(config, {
      logger: createSilentLogger(),
      // Nothing reads metrics in a one-shot command.
      metrics: createNoopMetrics(),
    });
    await action(backend, describeMemoryLocation(config));
  } catch (err) {
    io.stderr.write(`clawgate: ${describeStartupError(err)}\n`);
    io.setExitCode(1);
  } finally {
    await backend?.close().catch(() => {});
  }
}

function writeJson(io: MemoryCommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function renderEntryTable(entries: readonly MemoryEntry[], withScore: boolean): string {
  const headers = withScore ? ['SCORE', 'KEY', 'CATEGORY', 'UPDATED', 'CONTENT'] : ['KEY', 'CATEGORY', 'UPDATED', 'CONTENT'];
  const rows = entries.map((e) => [
    ...(withScore ? [formatScore(e.score ?? 0)] : []),
    truncate(printable(e.key), KEY_COLUMN_CHARS),
    printable(e.category),
    e.updatedAt.replace('T', ' ').slice(0, 19),
    truncate(printable(e.content), CONTENT_COLUMN_CHARS),
  ]);
  return renderTable(headers, rows);
}

/** Columns padded to their widest cell; a header row and its rule when `headers` is given. */
function renderTable(headers: readonly string[] | null, rows: readonly (readonly string[])[]): string {
  const columns = headers?.length ?? rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(length(headers?.[i] ?? ''), ...rows.map((r) => length(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - length(cell))))
      .join('  ')
      .trimEnd();
  const head = headers ? [line(headers), line(widths.map((w) => '-'.repeat(w)))] : [];
  return [...head, ...rows.map(line)].join('\n') + '\n';
}

// BM25 scores over a small memory can be tiny; three significant digits keep them apart.
function formatScore(score: number): string {
  return String(Number(score.toPrecision(3)));
}

function length(text: string): number {
  return Array.from(text).length;
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Text safe for a terminal: stored content comes from strangers, and an escape sequence in it
 * must not move the cursor or retitle the window. One line unless `multiline`.
 */
function printable(text: string, multiline = false): string {
  const spaced = multiline ? text : text.replace(/\s+/g, ' ').trim();
  // Format characters include bidi overrides (U+202E); joiners stay, emoji sequences need them.
  return spaced.replace(/(?![\u200c\u200d])[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) =>
    multiline && (c === '\n' || c === '\t') ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
