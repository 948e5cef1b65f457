// What every route reads off a request the same way: the client key (spec §1) and single header values.
import type { FastifyRequest } from 'fastify';
import { resolveClientKey } from './client-ip.js';

export function clientKeyOf(request: FastifyRequest, trustForwardedHeaders: boolean): string {
  return resolveClientKey(
    {
      peerAddress: request.raw.socket?.remoteAddress,
      forwardedFor: request.headers['x-forwarded-for'],
      realIp: request.headers['x-real-ip'],
    },
    trustForwardedHeaders,
  );
}

/** One header's value; a repeated header counts as its first value. */
export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
