import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, splitReply } from './split-reply.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('splitReply', () => {
  it('keeps a text within the limit as it is', () => {
    expect(splitReply('short')).toEqual(['short']);
    const exact = 'x'.repeat(MAX_TEXT_CHARS);
    expect(splitReply(exact)).toEqual([exact]);
  });

  it('cuts on the last paragraph break before the limit', () => {
    const a = 'a'.repeat(30);
    const b = 'b'.repeat(30);
    const c = 'c'.repeat(30);
    expect(splitReply(`${a}\n\n${b}\n\n${c}`, 70)).toEqual([`${a}\n\n${b}`, c]);
  });

  it('falls back to a line break, then a sentence end, then a space', () => {
    expect(splitReply(`${'a'.repeat(20)}\n${'b'.repeat(20)}`, 30)).toEqual(['a'.repeat(20), 'b'.repeat(20)]);
    expect(splitReply('First sentence here. Second sentence here.', 30)).toEqual(['First sentence here.', 'Second sentence here.']);
    expect(splitReply('alpha beta gamma delta epsilon', 12)).toEqual(['alpha beta', 'gamma delta', 'epsilon']);
  });

  it('cuts a word longer than the limit hard, never inside a surrogate pair', () => {
    expect(splitReply('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    const emoji = '😀'.repeat(6); // 12 UTF-16 units
    const pieces = splitReply(emoji, 5);
    expect(pieces.join('')).toBe(emoji);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(5);
      expect(piece).not.toMatch(LONE_SURROGATE);
    }
  });

  it('never loses text other than the whitespace at the cuts, and every piece fits', () => {
    const text = Array.from({ length: 400 }, (_, i) => `Sentence number ${i} says something useful.${i % 7 === 0 ? '\n\n' : ' '}`).join('');
    const pieces = splitReply(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });
});
