// Atomic rewrite of [gateway] paired_tokens in config.toml: temp file + fsync + rename, comments and other keys kept (spec §2).
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { normalizeTokenHash } from '../security/tokens.js';

export interface PairedTokensChange {
  add?: readonly string[];
  remove?: readonly string[];
}

type RawTable = Record<string, unknown>;

const GATEWAY_HEADER = /^\s*\[\s*gateway\s*\]\s*(#.*)?$/;
const ANY_TABLE_HEADER = /^\s*\[/;
const PAIRED_TOKENS_KEY = /^\s*paired_tokens\s*=/;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Applies `change` to the hashes stored in `file` and writes the file atomically.
 * Calls are serialised within the process; the file is re-read each time so edits made by hand survive.
 * Resolves to the hashes now stored; rejects (file untouched) when the file cannot be read, edited or written.
 */
export function savePairedTokens(file: string, change: PairedTokensChange): Promise<string[]> {
  const run = queue.then(() => saveNow(file, change));
  queue = run.catch(() => undefined);
  return run;
}

function saveNow(file: string, change: PairedTokensChange): string[] {
  const text = readFileSync(file, 'utf8');
  const before = parseToml(text) as RawTable;
  const current = readTokens(before);
  const removed = new Set(change.remove ?? []);
  const hashes = [...new Set([...current, ...(change.add ?? [])])].filter((h) => !removed.has(h));
  const next = replacePairedTokens(text, hashes);
  verifyEdit(before, next, hashes);
  writeAtomically(file, next);
  return hashes;
}

function readTokens(parsed: RawTable): string[] {
  const gateway = parsed['gateway'];
  const tokens = typeof gateway === 'object' && gateway !== null ? (gateway as RawTable)['paired_tokens'] : undefined;
  return Array.isArray(tokens) ? tokens.filter((t): t is string => typeof t === 'string').map(normalizeTokenHash) : [];
}

/** The TOML text with `paired_tokens` of [gateway] set to `hashes`, every other byte kept. */
export function replacePairedTokens(text: string, hashes: readonly string[]): string {
  const assignment = formatAssignment(hashes);
  const lines = text.split('\n');
  const header = lines.findIndex((line) => GATEWAY_HEADER.test(line));
  if (header === -1) {
    const separator = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${separator}\n[gateway]\n${assignment}\n`;
  }
  let end = lines.findIndex((line, i) => i > header && ANY_TABLE_HEADER.test(line));
  if (end === -1) end = lines.length;
  const keyLine = lines.findIndex((line, i) => i > header && i < end && PAIRED_TOKENS_KEY.test(line));
  if (keyLine === -1) {
    lines.splice(header + 1, 0, assignment);
    return lines.join('\n');
  }
  const start = lines.slice(0, keyLine).reduce((n, line) => n + line.length + 1, 0);
  const valueStart = text.indexOf('=', start) + 1;
  const valueEnd = findArrayEnd(text, valueStart);
  return text.slice(0, start) + assignment + text.slice(valueEnd);
}

function formatAssignment(hashes: readonly string[]): string {
  if (hashes.length === 0) return 'paired_tokens = []';
  return `paired_tokens = [\n${hashes.map((h) => `  "${h}",`).join('\n')}\n]`;
}

/** Index just past the `]` closing the array that starts after `from`, skipping strings and comments. */
function findArrayEnd(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '#') {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? text.length : newline;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      continue;
    }
    if (ch === '[') depth += 1;
    if (ch === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  throw new Error('paired_tokens is not a closed array');
}

function skipString(text: string, start: number): number {
  const quote = text[start] as string;
  const triple = text.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  let i = start + close.length;
  while (i < text.length) {
    if (quote === '"' && text[i] === '\\') {
      i += 2;
      continue;
    }
    if (text.startsWith(close, i)) return i + close.length;
    i += 1;
  }
  throw new Error('unterminated string in config file');
}

/** Refuses an edit that would change anything but paired_tokens: the file is never damaged by a save. */
function verifyEdit(before: RawTable, nextText: string, hashes: readonly string[]): void {
  const after = parseToml(nextText) as RawTable;
  if (!isDeepStrictEqual(readTokens(after), [...hashes])) throw new Error('config edit did not store the tokens');
  if (!isDeepStrictEqual(withoutTokens(before), withoutTokens(after))) {
    throw new Error('config edit would change keys other than gateway.paired_tokens');
  }
}

function withoutTokens(parsed: RawTable): RawTable {
  const gateway = { ...((parsed['gateway'] as RawTable | undefined) ?? {}) };
  delete gateway['paired_tokens'];
  return { ...parsed, gateway };
}

function tempFileName(file: string, pid: number): string {
  return `.${basename(file)}.${pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Removes temp files that a process killed in the middle of a save left beside `file` (the file itself is
 * always whole: the rename is atomic). Files of processes still alive are left alone. Answers how many went.
 */
export function removeStaleTempFiles(file: string): number {
  const prefix = `.${basename(file)}.`;
  let removed = 0;
  for (const name of readdirSync(dirname(file))) {
    const match = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match === null || isAlive(Number(match[1]))) continue;
    rmSync(join(dirname(file), name), { force: true });
    removed += 1;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeAtomically(file: string, text: string): void {
  const dir = dirname(file);
  const temp = join(dir, tempFileName(file, process.pid));
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/** fsync of the folder makes the rename itself durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
