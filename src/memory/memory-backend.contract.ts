// describeMemoryBackendContract: the one conformance suite every MemoryBackend's test file runs (style §2.3).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryBackend } from './memory-backend.js';

export interface MemoryBackendHarness {
  /** A fresh, empty backend private to one test. */
  memory: MemoryBackend;
  /** Closes `memory` and opens the same store again (a restart); absent where nothing persists. */
  reopen?: () => Promise<MemoryBackend>;
  /** Closes whatever is still open and removes the test's data. */
  cleanup: () => Promise<void>;
}

export interface MemoryBackendContractOptions {
  /** False for `none`: only the "accepts and forgets" half of the contract applies. */
  persists: boolean;
}

/** Query texts that must never throw and never match everything. */
export const HOSTILE_QUERIES: readonly string[] = [
  '"',
  "'",
  '"unterminated phrase',
  "it's",
  'AND',
  'OR NOT AND',
  'NEAR(rust async, 2)',
  '*',
  'rust*',
  'content:rust',
  'key:anything',
  '{key content}: rust',
  '^rust',
  '-rust',
  '+rust',
  '(',
  ')))',
  '\\',
  '%',
  '_',
  '%_%',
  "'; DROP TABLE memories; --",
  '); DELETE FROM memories; --',
  '!@#$%^&*()[]{}<>?/|~`',
  'a & b | !c <-> d',
  ':*',
  '\u0000',
  '\u0000rust\u0000',
  '🎉🔥💥',
  '👨‍👩‍👧‍👦',
  '\uD800',
  'x'.repeat(10_240),
  'rust '.repeat(2_048),
  '🔥'.repeat(2_560),
  Array.from({ length: 1_000 }, (_, i) => `w${i} OR "q${i}" AND`).join(' '),
];

export function describeMemoryBackendContract(
  label: string,
  createHarness: () => Promise<MemoryBackendHarness>,
  options: MemoryBackendContractOptions,
): void {
  describe(`MemoryBackend contract: ${label}`, () => {
    let harness: MemoryBackendHarness;
    let memory: MemoryBackend;

    beforeEach(async () => {
      harness = await createHarness();
      memory = harness.memory;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('is healthy once built', async () => {
      expect(await memory.health()).toBe(true);
    });

    it('rejects an empty key or category', async () => {
      await expect(memory.store('', 'x', 'core')).rejects.toThrow(/key/);
      await expect(memory.store('k', 'x', '')).rejects.toThrow(/category/);
    });

    it('never throws on hostile query text', async () => {
      await memory.store('plain', 'nothing special here', 'core');
      for (const query of HOSTILE_QUERIES) {
        const found = await memory.recall(query, 5);
        expect(Array.isArray(found), `query ${JSON.stringify(query.slice(0, 40))}`).toBe(true);
      }
      expect(await memory.count()).toBe(options.persists ? 1 : 0);
    });

    if (!options.persists) {
      it('accepts every store and remembers nothing', async () => {
        await memory.store('k1', 'remember me', 'core', 'session-1');
        expect(await memory.get('k1')).toBeNull();
        expect(await memory.recall('remember', 10)).toEqual([]);
        expect(await memory.list()).toEqual([]);
        expect(await memory.count()).toBe(0);
        expect(await memory.forget('k1')).toBe(false);
      });
      return;
    }

    it('stores and gets an entry with its fields', async () => {
      const before = Date.now();
      await memory.store('k1', 'hello world', 'core', 'session-1');
      await memory.store('k2', 'no session', 'conversation');
      const entry = await memory.get('k1');
      expect(entry).toMatchObject({ key: 'k1', content: 'hello world', category: 'core', sessionId: 'session-1' });
      expect(entry?.score).toBeUndefined();
      expect(Date.parse(entry?.createdAt ?? '')).toBeGreaterThanOrEqual(before - 1_000);
      expect(entry?.updatedAt).toBe(entry?.createdAt);
      const other = await memory.get('k2');
      expect(other?.sessionId).toBeUndefined();
      expect(await memory.get('missing')).toBeNull();
    });

    it('upserts by key: one entry, new content and category, first createdAt kept', async () => {
      await memory.store('k', 'first version about apples', 'daily', 's1');
      const first = await memory.get('k');
      await new Promise((r) => setTimeout(r, 5));
      await memory.store('k', 'second version about pears', 'core');
      expect(await memory.count()).toBe(1);
      const second = await memory.get('k');
      expect(second).toMatchObject({ key: 'k', content: 'second version about pears', category: 'core' });
      expect(second?.sessionId).toBeUndefined();
      expect(second?.createdAt).toBe(first?.createdAt);
      expect(Date.parse(second?.updatedAt ?? '')).toBeGreaterThan(Date.parse(first?.createdAt ?? ''));
      expect(await memory.recall('apples', 10)).toEqual([]);
      expect((await memory.recall('pears', 10)).map((e) => e.key)).toEqual(['k']);
      expect((await memory.list('daily')).length).toBe(0);
    });

    it('ranks the best match first, scores descending, at most `limit`', async () => {
      await memory.store('pie', 'a recipe for apple pie with cinnamon', 'core');
      await memory.store('borrow', 'the rust borrow checker explained', 'core');
      await memory.store('tokio', 'tokio is an async runtime for rust; the rust async runtime of choice', 'core');
      await memory.store('fox', 'the quick brown fox jumps over the lazy dog', 'daily');
      await memory.store('async-js', 'javascript promises and async functions', 'daily');
      const found = await memory.recall('rust async runtime', 10);
      expect(found[0]?.key).toBe('tokio');
      expect(found.map((e) => e.key)).toEqual(expect.arrayContaining(['tokio', 'borrow', 'async-js']));
      expect(found.map((e) => e.key)).not.toContain('pie');
      const scores = found.map((e) => e.score ?? Number.NaN);
      expect(scores.every((s) => Number.isFinite(s))).toBe(true);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(await memory.recall('rust async runtime', 1)).toHaveLength(1);
      expect(await memory.recall('rust', 0)).toEqual([]);
      expect(await memory.recall('zebra', 10)).toEqual([]);
      expect(await memory.recall('   ', 10)).toEqual([]);
    });

    it('matches case-insensitively and ignores punctuation around words', async () => {
      await memory.store('meeting', 'Meeting with Alice on Friday.', 'daily');
      expect((await memory.recall('ALICE', 5)).map((e) => e.key)).toEqual(['meeting']);
      expect((await memory.recall('"friday"?!', 5)).map((e) => e.key)).toEqual(['meeting']);
    });

    it('finds unicode text: accents, Cyrillic, CJK, emoji', async () => {
      await memory.store('de', 'Grüße aus München', 'core');
      await memory.store('ru', 'привет мир', 'core');
      await memory.store('ja', '東京 タワー に行きました', 'core');
      await memory.store('party', 'party tonight 🎉 bring snacks', 'core');
      await memory.store('other', 'completely unrelated text', 'core');
      expect((await memory.recall('München', 5)).map((e) => e.key)).toEqual(['de']);
      expect((await memory.recall('привет', 5)).map((e) => e.key)).toEqual(['ru']);
      expect((await memory.recall('東京', 5)).map((e) => e.key)).toEqual(['ja']);
      expect((await memory.recall('🎉', 5)).map((e) => e.key)).toEqual(['party']);
      expect((await memory.get('ja'))?.content).toBe('東京 タワー に行きました');
    });

    it('treats LIKE and FTS metacharacters literally', async () => {
      await memory.store('a', 'alpha beta', 'core');
      await memory.store('b', 'gamma delta', 'core');
      expect(await memory.recall('%', 10)).toEqual([]);
      expect(await memory.recall('_', 10)).toEqual([]);
      expect(await memory.recall('*', 10)).toEqual([]);
      expect(await memory.recall('-alpha', 10)).toHaveLength(1);
      expect((await memory.recall('alpha OR', 10)).map((e) => e.key)).toEqual(['a']);
      expect((await memory.recall('NOT alpha', 10)).map((e) => e.key)).toEqual(['a']);
      await memory.store('pct', 'a 100% discount', 'core');
      expect((await memory.recall('%', 10)).map((e) => e.key)).toEqual(['pct']);
    });

    it('stores and returns content exactly: quotes, newlines, markup, 10 KB', async () => {
      const tricky = [
        'line one\nline two\r\n\ttabbed',
        '## a heading\n<!-- a comment -->\n```\ncode\n```',
        `quotes ' " \` and backslashes \\ \\\\`,
        '{"json": true}',
        'x'.repeat(10_240),
        '',
      ];
      for (const [i, content] of tricky.entries()) await memory.store(`t${i}`, content, 'daily');
      for (const [i, content] of tricky.entries()) expect((await memory.get(`t${i}`))?.content).toBe(content);
      await memory.store('weird key ## <!-- -->\n"\'', 'value', 'custom category');
      expect(await memory.get('weird key ## <!-- -->\n"\'')).toMatchObject({ category: 'custom category' });
    });

    it('forgets an entry: gone from get, recall, list and count', async () => {
      await memory.store('keep', 'keep this note about llamas', 'core');
      await memory.store('drop', 'drop this note about llamas', 'core');
      expect(await memory.forget('drop')).toBe(true);
      expect(await memory.forget('drop')).toBe(false);
      expect(await memory.forget('never-existed')).toBe(false);
      expect(await memory.get('drop')).toBeNull();
      expect((await memory.recall('llamas', 10)).map((e) => e.key)).toEqual(['keep']);
      expect((await memory.list()).map((e) => e.key)).toEqual(['keep']);
      expect(await memory.count()).toBe(1);
    });

    it('lists newest first, optionally by category', async () => {
      await memory.store('c1', 'one', 'conversation');
      await memory.store('d1', 'two', 'daily');
      await memory.store('c2', 'three', 'conversation');
      await memory.store('x1', 'four', 'my-notes');
      expect((await memory.list()).map((e) => e.key)).toEqual(['x1', 'c2', 'd1', 'c1']);
      expect((await memory.list('conversation')).map((e) => e.key)).toEqual(['c2', 'c1']);
      expect((await memory.list('my-notes')).map((e) => e.key)).toEqual(['x1']);
      expect(await memory.list('nothing-here')).toEqual([]);
      expect(await memory.count()).toBe(4);
    });

    it('loses nothing under 200 concurrent stores', async () => {
      const keys = Array.from({ length: 200 }, (_, i) => `webhook_msg_${i}`);
      await Promise.all(keys.map((key, i) => memory.store(key, `message number ${i} zz${i}`, 'conversation')));
      expect(await memory.count()).toBe(200);
      const stored = await Promise.all(keys.map((key) => memory.get(key)));
      expect(stored.map((e) => e?.content)).toEqual(keys.map((_, i) => `message number ${i} zz${i}`));
      expect((await memory.recall('zz137', 5)).map((e) => e.key)).toEqual(['webhook_msg_137']);
    });

    it('keeps one entry under concurrent upserts of the same key', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => memory.store('same', `version ${i}`, 'core')));
      expect(await memory.count()).toBe(1);
      expect((await memory.get('same'))?.content).toMatch(/^version \d+$/);
    });

    it('keeps everything across a close and reopen', async () => {
      if (!harness.reopen) return;
      await memory.store('persist', 'survives a restart', 'core', 's');
      await memory.store('daily', 'also survives', 'daily');
      memory = await harness.reopen();
      expect(await memory.get('persist')).toMatchObject({ content: 'survives a restart', sessionId: 's' });
      expect(await memory.count()).toBe(2);
      expect((await memory.recall('restart', 5)).map((e) => e.key)).toEqual(['persist']);
    });
  });
}
