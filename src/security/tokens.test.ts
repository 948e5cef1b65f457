import { describe, expect, it } from 'vitest';
import { generatePairingCode, generateToken, hexDigestsEqual, normalizeTokenHash, sha256Hex, TOKEN_PATTERN } from './tokens.js';

describe('tokens', () => {
  it('generates zc_ + 64 lowercase hex, never the same twice', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(TOKEN_PATTERN);
  });

  it('draws 6-digit codes over the whole range, zero-padded', () => {
    const codes = Array.from({ length: 5000 }, generatePairingCode);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    const firstDigits = new Set(codes.map((c) => c[0]));
    expect(firstDigits.size).toBe(10); // a code below 100000 appears, padded
  });

  it('compares digests in constant time and refuses different lengths or empty input', () => {
    const a = sha256Hex('a');
    expect(hexDigestsEqual(a, sha256Hex('a'))).toBe(true);
    expect(hexDigestsEqual(a, sha256Hex('b'))).toBe(false);
    expect(hexDigestsEqual(a, a.slice(0, 62))).toBe(false);
    expect(hexDigestsEqual('', '')).toBe(false);
  });

  it('normalises stored entries to hashes', () => {
    expect(normalizeTokenHash('F'.repeat(64))).toBe('f'.repeat(64));
    expect(normalizeTokenHash('zc_plain')).toBe(sha256Hex('zc_plain'));
  });
});
