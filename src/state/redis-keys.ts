// Every Redis key of the shared state, built from one prefix: `<prefix><kind>:<id>` (spec §9).
//
// Redis Cluster: a script may only touch keys of one hash slot. Every script here touches one key, except
// the token scripts, whose keys all carry the hash tag `{paired}`, and the WhatsApp inbox scripts, whose keys
// all carry `{whatsapp}`; each group shares a slot. Nothing else is needed for Cluster; a prefix that itself
// contains a hash tag (e.g. `{clawgate}:`) puts every key in one slot, which is also correct (but then a
// single shard holds all of it).
//
// Every key either has a TTL (rate limits, idempotency, lockouts, WhatsApp wamids) or does not grow with
// traffic (the one pairing code; token hashes and revocation tombstones, which grow only with pairings and
// revocations; the WhatsApp queue, which holds only jobs not yet acknowledged).

export interface RedisKeys {
  /** Sorted set: one client's admitted requests in the window of limiter `limiter` ("webhook", "pair"). */
  rateLimit(limiter: string, clientKey: string): string;
  /** String: one idempotency record. */
  idempotency(scope: string, key: string): string;
  /** String: the hash of the outstanding pairing code. */
  pairingCode(): string;
  /** Hash: one client's failed codes and lockout history. */
  lockout(clientKey: string): string;
  /** Hash: paired token hash → createdAt. */
  tokens(): string;
  /** Hash: paired token hash → lastUsedAt. */
  tokenUses(): string;
  /** Set: revoked token hashes (tombstones). */
  revokedTokens(): string;
  /** Stream with one consumer group: the WhatsApp jobs not yet acknowledged. */
  whatsappQueue(): string;
  /** Sorted set: entry id of a claimed WhatsApp job → when it is due again (ms, Redis clock). */
  whatsappDue(): string;
  /** Hash: entry id of a WhatsApp job → its saved progress. */
  whatsappProgress(): string;
  /** String with a TTL: one WhatsApp message id (wamid) already queued. */
  whatsappSeen(wamid: string): string;
}

/** The key builder for `prefix` (`[state] key_prefix`, default "clawgate:"). */
export function createRedisKeys(prefix: string): RedisKeys {
  return {
    rateLimit: (limiter, clientKey) => `${prefix}ratelimit:${limiter}:${clientKey}`,
    // The scope's length goes first so that no (scope, key) pair can spell another's key.
    idempotency: (scope, key) => `${prefix}idempotency:${scope.length}:${scope}:${key}`,
    pairingCode: () => `${prefix}pairing:code`,
    lockout: (clientKey) => `${prefix}lockout:${clientKey}`,
    tokens: () => `${prefix}tokens:{paired}`,
    tokenUses: () => `${prefix}token-uses:{paired}`,
    revokedTokens: () => `${prefix}revoked-tokens:{paired}`,
    // One slot for all four: enqueue checks a wamid and appends to the queue in one script.
    whatsappQueue: () => `${prefix}whatsapp-queue:{whatsapp}`,
    whatsappDue: () => `${prefix}whatsapp-due:{whatsapp}`,
    whatsappProgress: () => `${prefix}whatsapp-progress:{whatsapp}`,
    whatsappSeen: (wamid) => `${prefix}whatsapp-seen:{whatsapp}:${wamid}`,
  };
}
