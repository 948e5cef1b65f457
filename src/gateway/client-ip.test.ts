import { describe, expect, it } from 'vitest';
import { canonicalizeIp, isLoopbackHost, resolveClientKey } from './client-ip.js';

describe('canonicalizeIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['1.2.3.4:8080', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['[::1]:443', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('%s → %s', (input, expected) => expect(canonicalizeIp(input)).toBe(expected));

  it.each(['', 'unknown', '1.2.3', '999.1.1.1', '[::1', 'example.com', '1.2.3.4:abc'])('rejects %j', (input) =>
    expect(canonicalizeIp(input)).toBeUndefined(),
  );
});

describe('resolveClientKey', () => {
  const source = { peerAddress: '::ffff:127.0.0.1', forwardedFor: 'junk, 203.0.113.9, 10.0.0.1', realIp: '198.51.100.1' };
  it('uses the peer unless forwarded headers are trusted', () => {
    expect(resolveClientKey(source, false)).toBe('127.0.0.1');
    expect(resolveClientKey(source, true)).toBe('203.0.113.9');
    expect(resolveClientKey({ ...source, forwardedFor: 'junk' }, true)).toBe('198.51.100.1');
    expect(resolveClientKey({ ...source, forwardedFor: ['x', '192.0.2.4'], realIp: undefined }, true)).toBe('192.0.2.4');
    expect(resolveClientKey({ peerAddress: undefined, forwardedFor: undefined, realIp: undefined }, true)).toBe('unknown');
  });
});

describe('isLoopbackHost', () => {
  it('accepts exactly the spec §1 loopback names', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', '127.0.0.2']) expect(isLoopbackHost(host)).toBe(false);
  });
});
