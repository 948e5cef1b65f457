// PairingService: code check with per-client lockout, token issue and persistence with rollback (spec §2).
import type { Logger } from '../observability/logger.js';
import type { PairingStore, TokenStore } from '../state/pairing/pairing-store.js';
import { generatePairingCode, generateToken, sha256Hex, tokenFingerprint } from './tokens.js';

export type PairOutcome =
  | { kind: 'paired'; token: string }
  | { kind: 'invalid_code' }
  | { kind: 'locked_out'; retryAfterSecs: number }
  | { kind: 'persist_failed' };

/** Writes token hash changes where they survive a restart (the config file); rejects when it could not. */
export type PersistTokens = (change: { add?: string[]; remove?: string[] }) => Promise<unknown>;

export interface PairingServiceOptions {
  pairing: PairingStore;
  tokens: TokenStore;
  persist: PersistTokens;
  requirePairing: boolean;
  logger: Logger;
  /** Told whenever the set of paired tokens becomes empty or not. */
  onPairedChange?: (paired: boolean) => void;
}

const BEARER = /^Bearer +(\S+) *$/i;

export class PairingService {
  constructor(private readonly options: PairingServiceOptions) {}

  get requirePairing(): boolean {
    return this.options.requirePairing;
  }

  /**
   * At startup: issues a one-time code when pairing is required and no token is stored (spec §2).
   * Answers the plaintext code for the banner, or null.
   */
  async issueInitialCode(): Promise<string | null> {
    if (!this.options.requirePairing) return null;
    const count = await this.options.tokens.count();
    this.options.onPairedChange?.(count > 0);
    if (count > 0) return null;
    return this.issueCode();
  }

  /** Replaces any outstanding code with a new one and answers it (also used by the operator's new-code command). */
  async issueCode(): Promise<string> {
    const code = generatePairingCode();
    await this.options.pairing.setCode(sha256Hex(code));
    return code;
  }

  /** Checks `code` from `clientKey`: lockout first, then the code; a success issues and persists a token. */
  async pair(clientKey: string, code: string | undefined): Promise<PairOutcome> {
    const { pairing, tokens, logger } = this.options;
    const lockedMs = await pairing.lockoutRemainingMs(clientKey);
    if (lockedMs > 0) return { kind: 'locked_out', retryAfterSecs: Math.ceil(lockedMs / 1000) };

    const codeHash = sha256Hex((code ?? '').trim());
    const redeemed = this.options.requirePairing && code !== undefined && code.trim() !== '' && (await pairing.redeemCode(codeHash));
    if (!redeemed) {
      const lockoutMs = await pairing.recordFailure(clientKey);
      if (lockoutMs > 0) logger.warn({ client: clientKey, lockoutSecs: lockoutMs / 1000 }, 'pairing lockout started');
      return { kind: 'invalid_code' };
    }

    await pairing.clearFailures(clientKey);
    const token = generateToken();
    const hash = sha256Hex(token);
    await tokens.add(hash);
    try {
      await this.options.persist({ add: [hash] });
    } catch (err) {
      // Roll back: a token the next restart would forget must not be handed out; the code stays usable.
      await tokens.remove(hash);
      await pairing.setCode(codeHash);
      logger.error({ err: describe(err) }, 'pairing succeeded but the token could not be saved to the config file');
      return { kind: 'persist_failed' };
    }
    this.options.onPairedChange?.(true);
    logger.info({ token: tokenFingerprint(hash) }, 'client paired');
    return { kind: 'paired', token };
  }

  /** The token hash when `authorization` is `Bearer <token>` for a stored, unrevoked token; else null. */
  async authenticate(authorization: string | undefined): Promise<string | null> {
    const match = authorization === undefined ? null : BEARER.exec(authorization);
    if (match === null) return null;
    const hash = sha256Hex(match[1] as string);
    return (await this.options.tokens.verify(hash)) ? hash : null;
  }

  /** Revokes the one token whose hash starts with `fingerprint` (at least 8 hex digits, as listed by the operator). */
  async revoke(fingerprint: string): Promise<'revoked' | 'not_found' | 'ambiguous'> {
    const prefix = fingerprint.toLowerCase();
    if (!/^[0-9a-f]{8,64}$/.test(prefix)) return 'not_found';
    const matches = (await this.options.tokens.list()).filter((t) => t.hash.startsWith(prefix));
    if (matches.length > 1) return 'ambiguous';
    const hash = matches[0]?.hash;
    if (hash === undefined) return 'not_found';
    await this.options.persist({ remove: [hash] });
    await this.options.tokens.remove(hash);
    this.options.onPairedChange?.((await this.options.tokens.count()) > 0);
    this.options.logger.info({ token: tokenFingerprint(hash) }, 'token revoked');
    return 'revoked';
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
