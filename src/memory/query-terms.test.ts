import { describe, expect, it } from 'vitest';
import { MAX_QUERY_TERMS, escapeLikePattern, parseFallbackText, parseQueryTerms } from './query-terms.js';

describe('parseQueryTerms', () => {
  it('keeps words only, lower-cased and de-duplicated, in order', () => {
    expect(parseQueryTerms('"Rust" AND rust* NEAR(async, 2) -tokio content:Runtime')).toEqual([
      'rust',
      'and',
      'near',
      'async',
      '2',
      'tokio',
      'content',
      'runtime',
    ]);
    expect(parseQueryTerms("'; DROP TABLE memories; --")).toEqual(['drop', 'table', 'memories']);
  });

  it('keeps letters of every script and combining marks, drops emoji and symbols', () => {
    expect(parseQueryTerms('Grüße 東京 привет 🎉 e\u0301t\u00e9')).toEqual(['grüße', '東京', 'привет', 'e\u0301té']);
    expect(parseQueryTerms('🎉🔥 %_* \u0000')).toEqual([]);
  });

  it('bounds a huge query', () => {
    const terms = parseQueryTerms(Array.from({ length: 5_000 }, (_, i) => `w${i}`).join(' '));
    expect(terms).toHaveLength(MAX_QUERY_TERMS);
    expect(parseQueryTerms('x'.repeat(10_240))[0]).toHaveLength(64);
  });
});

describe('parseFallbackText and escapeLikePattern', () => {
  it('trims, drops control characters, caps the length', () => {
    expect(parseFallbackText('  🎉\u0000🔥  ')).toBe('🎉 🔥');
    expect(Array.from(parseFallbackText('🔥'.repeat(1_000)))).toHaveLength(256);
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLikePattern('100%_\\x')).toBe('100\\%\\_\\\\x');
  });
});
