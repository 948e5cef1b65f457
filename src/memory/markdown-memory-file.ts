// The markdown memory file format: render and parse one file of entries, readable by people, exact for the machine.
import { z } from 'zod';
import type { MemoryEntry } from './memory-backend.js';

// Each entry is a block between two marker comments; everything outside the blocks (titles,
// headings, notes a person adds) is ignored when parsing. A content line that itself starts with
// the marker gets one more leading backslash, so any text round-trips.
const ENTRY_MARKER = '<!-- clawgate:entry ';
const END_MARKER = '<!-- clawgate:end -->';
const MARKER_LINE = /^(\\*)<!-- clawgate:/;
const ENTRY_LINE = /^<!-- clawgate:entry (\{.*\}) -->$/;

const entryMetaSchema = z.object({
  key: z.string().min(1),
  category: z.string().min(1),
  sessionId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type EntryMeta = z.infer<typeof entryMetaSchema>;

/** The whole file for `entries` under a `# title` heading. */
export function renderMarkdownMemoryFile(title: string, entries: readonly MemoryEntry[]): string {
  const parts = [`# ${title}\n`];
  for (const entry of entries) {
    const meta: EntryMeta = {
      key: entry.key,
      category: entry.category,
      ...(entry.sessionId === undefined ? {} : { sessionId: entry.sessionId }),
      createdAt: entry.createdAt,
      updatedAt: entry.updatedAt,
    };
    const heading = entry.key.replace(/\s+/g, ' ');
    const body = entry.content
      .split('\n')
      .map((line) => (MARKER_LINE.test(line) ? `\\${line}` : line))
      .join('\n');
    parts.push(`\n## ${heading}\n${ENTRY_MARKER}${jsonForComment(meta)} -->\n${body}\n${END_MARKER}\n`);
  }
  return parts.join('');
}

/** The entries of a file written by renderMarkdownMemoryFile; unreadable blocks are skipped and counted. */
export function parseMarkdownMemoryFile(text: string): { entries: MemoryEntry[]; skipped: number } {
  const entries: MemoryEntry[] = [];
  let skipped = 0;
  let meta: EntryMeta | null = null;
  let body: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (!inBlock) {
      const match = ENTRY_LINE.exec(line);
      if (match?.[1] !== undefined) {
        meta = parseMeta(match[1]);
        body = [];
        inBlock = true;
      }
      continue;
    }
    if (line === END_MARKER) {
      if (meta) {
        const entry: MemoryEntry = {
          key: meta.key,
          content: body.join('\n'),
          category: meta.category,
          createdAt: meta.createdAt,
          updatedAt: meta.updatedAt,
        };
        if (meta.sessionId !== undefined) entry.sessionId = meta.sessionId;
        entries.push(entry);
      } else {
        skipped += 1;
      }
      inBlock = false;
      continue;
    }
    const escaped = MARKER_LINE.exec(line);
    body.push(escaped?.[1] ? line.slice(1) : line);
  }
  if (inBlock) skipped += 1;
  return { entries, skipped };
}

// JSON with `<` and `>` escaped can never close the HTML comment it sits in.
function jsonForComment(value: EntryMeta): string {
  return JSON.stringify(value).replace(/[<>]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseMeta(json: string): EntryMeta | null {
  try {
    const parsed = entryMetaSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
