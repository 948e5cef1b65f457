import { createHash } from 'node:crypto';
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

  it('hashes the UTF-8 bytes of a string as SHA-256 (known vectors)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // U+00E9 is the two bytes C3 A9 in UTF-8, not the one byte E9 of latin1.
    expect(sha256Hex('\u00e9')).toBe(createHash('sha256').update(Buffer.from([0xc3, 0xa9])).digest('hex'));
  });

  it('normalises stored entries to hashes', () => {
    expect(normalizeTokenHash('F'.repeat(64))).toBe('f'.repeat(64));
    expect(normalizeTokenHash('zc_plain')).toBe(sha256Hex('zc_plain'));
  });
});
