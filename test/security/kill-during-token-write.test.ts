// Crashes (issue 7): SIGKILL the gateway, in a loop, while it pairs clients as fast as it can, so that kills land
// before, during and after the atomic rewrite of config.toml. Each time the file must be valid TOML with every other
// key and comment intact, and hold every token the client was given (acknowledged means persisted), plus at most
// the one that was in flight. Never truncated, never a mix.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY_HEADER } from '../../src/gateway/routes/admin.js';
import { adminKeyPath } from '../../src/security/admin-key.js';
import { cleanEnv, spawnGateway } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/start-gateway.js';

const KILLS = 12;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const ORIGINAL_TOKEN_HASH = sha256(`zc_${randomBytes(32).toString('hex')}`);
const CONFIG = `# clawgate config written by hand: this comment must survive every rewrite
default_model = "kept/model" # and this one

[gateway]
# tokens below are rewritten by pairing
paired_tokens = ["${ORIGINAL_TOKEN_HASH}"]
pair_rate_limit_per_minute = 0

[memory]
backend = "none"
`;

interface PairingLoop {
  /** Hashes of the tokens whose 200 the client received. */
  acknowledged: string[];
  stop(): Promise<void>;
}

/** Issues a code through the operator API and redeems it, again and again, until stopped or the gateway dies. */
function pairContinuously(url: string, adminKey: string): PairingLoop {
  const acknowledged: string[] = [];
  let stopped = false;
  const run = (async () => {
    while (!stopped) {
      try {
        const issued = await fetch(`${url}/admin/pairing-code`, { method: 'POST', headers: { [ADMIN_KEY_HEADER]: adminKey } });
        const { code } = (await issued.json()) as { code: string };
        const paired = await fetch(`${url}/pair`, { method: 'POST', headers: { 'x-pairing-code': code } });
        const body = (await paired.json()) as { token?: string };
        if (paired.status === 200 && body.token !== undefined) acknowledged.push(sha256(body.token));
      } catch {
        return; // the gateway is gone
      }
    }
  })();
  return {
    acknowledged,
    stop: async () => {
      stopped = true;
      await run;
    },
  };
}

describe('SIGKILL while a new token is being written', () => {
  it(`leaves config.toml old or new, never truncated, across ${KILLS} kills`, async () => {
    const dir = makeTempDir();
    const configPath = join(dir, 'config.toml');
    writeFileSync(configPath, CONFIG, { mode: 0o600 });
    const expectedHashes = new Set([ORIGINAL_TOKEN_HASH]);
    const leftovers = new Set<string>();

    for (let kill = 0; kill < KILLS; kill++) {
      const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
      const loop = pairContinuously(gw.url, readFileSync(adminKeyPath(dir), 'utf8').trim());
      await new Promise((resolve) => setTimeout(resolve, 100 + randomInt(300)));
      gw.child.kill('SIGKILL');
      expect(await gw.exited).toBe('SIGKILL');
      await loop.stop();

      const text = readFileSync(configPath, 'utf8');
      const parsed = parse(text) as { default_model?: string; gateway?: { paired_tokens?: string[]; pair_rate_limit_per_minute?: number }; memory?: unknown };
      expect(text).toContain('# clawgate config written by hand: this comment must survive every rewrite');
      expect(text).toContain('# tokens below are rewritten by pairing');
      expect(parsed.default_model).toBe('kept/model');
      expect(parsed.gateway?.pair_rate_limit_per_minute).toBe(0);
      expect(parsed.memory).toEqual({ backend: 'none' });

      const stored = parsed.gateway?.paired_tokens ?? [];
      for (const hash of loop.acknowledged) expectedHashes.add(hash);
      // Every token a client holds is stored; at most one more (its answer was on the way when the kill came).
      for (const hash of expectedHashes) expect(stored).toContain(hash);
      const unacknowledged = stored.filter((hash) => !expectedHashes.has(hash));
      expect(unacknowledged.length).toBeLessThanOrEqual(1);
      for (const hash of unacknowledged) expectedHashes.add(hash);
      expect(new Set(stored).size).toBe(stored.length);
      for (const hash of stored) expect(hash).toMatch(/^[0-9a-f]{64}$/);

      // A temp file left behind is the trace of a kill in the middle of a write; the config was untouched by it.
      for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) leftovers.add(name);
    }
    console.log(`${KILLS} kills, ${expectedHashes.size - 1} tokens issued, ${leftovers.size} kills landed inside a write (temp file left behind)`);
    expect(expectedHashes.size).toBeGreaterThan(KILLS); // the loop really was pairing when the kills came
  }, 120_000);
});
