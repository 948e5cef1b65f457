// Operator API (spec §2 "Beyond the reference"): new pairing code, list and revoke tokens. Loopback peers with the admin key only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PairingService } from '../../security/pairing.js';
import { hexDigestsEqual, sha256Hex, tokenFingerprint } from '../../security/tokens.js';
import type { TokenStore } from '../../state/pairing/pairing-store.js';
import { canonicalizeIp } from '../client-ip.js';
import { GatewayError } from '../errors.js';
import { headerValue } from '../request-context.js';

export const ADMIN_KEY_HEADER = 'x-clawgate-admin-key';
const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1']);

export interface AdminRouteDeps {
  pairing: PairingService;
  tokens: TokenStore;
  adminKey: string;
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const keyHash = sha256Hex(deps.adminKey);

  // The peer address, never a forwarded header: a reverse proxy on this host must not open the admin API.
  const authorize = async (request: FastifyRequest) => {
    const peer = canonicalizeIp(request.raw.socket?.remoteAddress);
    const given = headerValue(request, ADMIN_KEY_HEADER);
    const keyOk = given !== undefined && hexDigestsEqual(sha256Hex(given), keyHash);
    if (peer === undefined || !LOOPBACK_PEERS.has(peer) || !keyOk) throw new GatewayError('ADMIN_FORBIDDEN');
  };

  app.post('/admin/pairing-code', { onRequest: authorize }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { code: await deps.pairing.issueCode() };
  });

  app.get('/admin/tokens', { onRequest: authorize }, async () => {
    const tokens = await deps.tokens.list();
    return {
      tokens: tokens.map((t) => ({
        fingerprint: tokenFingerprint(t.hash),
        created_at: t.createdAt === undefined ? null : new Date(t.createdAt).toISOString(),
        last_used_at: t.lastUsedAt === undefined ? null : new Date(t.lastUsedAt).toISOString(),
      })),
    };
  });

  app.delete<{ Params: { fingerprint: string } }>('/admin/tokens/:fingerprint', { onRequest: authorize }, async (request) => {
    const outcome = await deps.pairing.revoke(request.params.fingerprint);
    if (outcome === 'not_found') throw new GatewayError('TOKEN_NOT_FOUND');
    if (outcome === 'ambiguous') throw new GatewayError('TOKEN_AMBIGUOUS');
    return { revoked: true, fingerprint: request.params.fingerprint.toLowerCase() };
  });
}
