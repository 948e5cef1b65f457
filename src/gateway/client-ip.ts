// The client key for rate limits and lockouts: the peer address, or a forwarded one only when trusted (spec §1).
import { isIP } from 'node:net';

/**
 * Canonical form of an address, or undefined when `value` is not an IP:
 * `::ffff:1.2.3.4` → `1.2.3.4`, ports and brackets dropped (`1.2.3.4:80`, `[::1]:80`), IPv6 lowercased.
 */
export function canonicalizeIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let candidate = value.trim();
  if (candidate.startsWith('[')) {
    const close = candidate.indexOf(']');
    if (close === -1) return undefined;
    candidate = candidate.slice(1, close);
  } else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(candidate)) {
    candidate = candidate.slice(0, candidate.lastIndexOf(':'));
  }
  const zone = candidate.indexOf('%');
  if (zone !== -1) candidate = candidate.slice(0, zone);
  const version = isIP(candidate);
  if (version === 4) return candidate;
  if (version !== 6) return undefined;
  const lower = candidate.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  return mapped?.[1] ?? lower;
}

export interface ClientKeySource {
  peerAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  realIp: string | string[] | undefined;
}

/**
 * spec §1: with trusted forwarded headers, the first parseable address of X-Forwarded-For, else X-Real-IP,
 * else the peer; otherwise always the peer. Values that are not IPs are ignored.
 */
export function resolveClientKey(source: ClientKeySource, trustForwardedHeaders: boolean): string {
  if (trustForwardedHeaders) {
    for (const entry of headerValues(source.forwardedFor).flatMap((v) => v.split(','))) {
      const ip = canonicalizeIp(entry);
      if (ip !== undefined) return ip;
    }
    for (const entry of headerValues(source.realIp)) {
      const ip = canonicalizeIp(entry);
      if (ip !== undefined) return ip;
    }
  }
  return canonicalizeIp(source.peerAddress) ?? 'unknown';
}

function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** True for the hosts spec §1 lets the gateway bind without opting in to a public bind. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.trim().toLowerCase());
}
