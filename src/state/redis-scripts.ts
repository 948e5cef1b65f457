// Reads the .lua files once and defines them as commands on an ioredis client (EVALSHA, EVAL on NOSCRIPT).
import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';

/**
 * Command name → the script's file (relative to this module, so every script lives under src/state: the build
 * copies them beside it, in dist/src/state and in the bundle, dist/bundle) and key count
 * (-1: as many as the caller passes first, ioredis's form for a variable number of keys).
 */
const SCRIPTS = {
  clawgateSlidingWindow: { file: 'rate-limit/sliding-window.lua', numberOfKeys: 1 },
  clawgateIdempotencyClaim: { file: 'idempotency/claim.lua', numberOfKeys: 1 },
  clawgateIdempotencyComplete: { file: 'idempotency/complete.lua', numberOfKeys: 1 },
  clawgateIdempotencyRelease: { file: 'idempotency/release.lua', numberOfKeys: 1 },
  clawgateRedeemCode: { file: 'pairing/redeem-code.lua', numberOfKeys: 1 },
  clawgateRecordFailure: { file: 'pairing/record-failure.lua', numberOfKeys: 1 },
  clawgateLockoutRemaining: { file: 'pairing/lockout-remaining.lua', numberOfKeys: 1 },
  clawgateSeedTokens: { file: 'pairing/seed-tokens.lua', numberOfKeys: 2 },
  clawgateAddToken: { file: 'pairing/add-token.lua', numberOfKeys: 2 },
  clawgateVerifyToken: { file: 'pairing/verify-token.lua', numberOfKeys: 2 },
  clawgateRemoveToken: { file: 'pairing/remove-token.lua', numberOfKeys: 3 },
  clawgateInboxEnqueue: { file: 'whatsapp-inbox/inbox-enqueue.lua', numberOfKeys: -1 },
  clawgateInboxClaim: { file: 'whatsapp-inbox/inbox-claim.lua', numberOfKeys: 3 },
  clawgateInboxReschedule: { file: 'whatsapp-inbox/inbox-reschedule.lua', numberOfKeys: 2 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

declare module 'ioredis' {
  // The typed signatures of the commands defineScripts() adds; the replies are as each .lua header states.
  interface RedisCommander<Context> {
    clawgateSlidingWindow(
      key: string,
      limit: number,
      windowMs: number,
      member: string,
    ): Result<[allowed: number, count: number, resetMs: number], Context>;
    clawgateIdempotencyClaim(key: string, inFlightValue: string, leaseMs: number): Result<string | null, Context>;
    clawgateIdempotencyComplete(
      key: string,
      doneValue: string,
      ttlMs: number,
      inFlightValue: string,
    ): Result<number, Context>;
    clawgateIdempotencyRelease(key: string, inFlightValue: string): Result<number, Context>;
    clawgateRedeemCode(key: string, codeHash: string): Result<number, Context>;
    clawgateRecordFailure(
      key: string,
      maxFailures: number,
      lockoutBaseMs: number,
      lockoutMaxMs: number,
      keepMs: number,
    ): Result<number, Context>;
    clawgateLockoutRemaining(key: string): Result<number, Context>;
    clawgateSeedTokens(tokensKey: string, revokedKey: string, ...hashes: string[]): Result<number, Context>;
    clawgateAddToken(tokensKey: string, revokedKey: string, hash: string, createdAt: number): Result<number, Context>;
    clawgateVerifyToken(tokensKey: string, usesKey: string, hash: string, now: number): Result<number, Context>;
    clawgateRemoveToken(tokensKey: string, usesKey: string, revokedKey: string, hash: string): Result<number, Context>;
    /** Variable keys: `numberOfKeys`, the queue and one seen key per message, then the group, retention and messages. */
    clawgateInboxEnqueue(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Result<number[], Context>;
    clawgateInboxClaim(
      queueKey: string,
      dueKey: string,
      progressKey: string,
      group: string,
      consumer: string,
      limit: number,
      leaseMs: number,
      orphanIdleMs: number,
    ): Result<Array<string | number>, Context>;
    clawgateInboxReschedule(
      dueKey: string,
      progressKey: string,
      entryId: string,
      delayMs: number,
      progress: string,
    ): Result<number, Context>;
  }
}

let sources: ReadonlyMap<ScriptName, string> | undefined;

/** The scripts' text, read on first use (not at import) and kept. */
function loadSources(): ReadonlyMap<ScriptName, string> {
  sources ??= new Map(
    Object.entries(SCRIPTS).map(([name, script]) => [
      name as ScriptName,
      readFileSync(new URL(`./${script.file}`, import.meta.url), 'utf8'),
    ]),
  );
  return sources;
}

/** Defines every clawgate script on `client` (once per client). */
export function defineScripts(client: Redis): void {
  const lua = loadSources();
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const { numberOfKeys } = SCRIPTS[name];
    client.defineCommand(name, { ...(numberOfKeys >= 0 ? { numberOfKeys } : {}), lua: lua.get(name) ?? '' });
  }
}
