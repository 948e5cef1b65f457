// POST /pair end to end (spec §2): code, lockout doubling and isolation, rate limit, persistence, rollback, restart.
import { readFileSync, renameSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/gateway/errors.js';
import { PAIRED_MESSAGE } from '../../src/gateway/messages.js';
import { sha256Hex } from '../../src/security/tokens.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { call, postJson } from '../helpers/http.js';
import { startGateway, type StartOptions, type TestGateway } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

const open: TestGateway[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close({ removeDir: true });
});

async function start(options: StartOptions = {}): Promise<TestGateway> {
  const gw = await startGateway({
    ...options,
    config: {
      ...llmConfig(llm),
      ...(options.config ?? {}),
      gateway: { trust_forwarded_headers: true, pair_rate_limit_per_minute: 0, ...((options.config?.['gateway'] as object) ?? {}) },
    },
  });
  open.push(gw);
  return gw;
}

function tryCode(gw: TestGateway, code: string | undefined, client = '203.0.113.7') {
  const headers: Record<string, string> = { 'x-forwarded-for': client };
  if (code !== undefined) headers['x-pairing-code'] = code;
  return call(`${gw.url}/pair`, { method: 'POST', headers });
}

function wrongCode(code: string): string {
  return code === '000000' ? '000001' : '000000';
}

describe('POST /pair', () => {
  it('exchanges the one-time code for a zc_ token once, persisting only its hash', async () => {
    const gw = await start();
    const code = gw.pairingCode as string;
    expect(code).toMatch(/^\d{6}$/);
    const answer = await tryCode(gw, code);
    expect(answer.status).toBe(200);
    const token = answer.json['token'] as string;
    expect(token).toMatch(/^zc_[0-9a-f]{64}$/);
    expect(answer.json).toEqual({ paired: true, persisted: true, token, message: PAIRED_MESSAGE });
    expect(answer.headers.get('cache-control')).toBe('no-store');

    const file = readFileSync(gw.configPath, 'utf8');
    expect(file).toContain(sha256Hex(token));
    expect(file).not.toContain(token);
    expect(statSync(gw.configPath).mode & 0o777).toBe(0o600);

    const again = await tryCode(gw, code, '203.0.113.8');
    expect(again.status).toBe(403);
    expect(again.json).toEqual(renderError('INVALID_PAIRING_CODE').body);
    const health = await call(`${gw.url}/health`);
    expect(health.json['paired']).toBe(true);
  });

  it('answers 403 for a wrong, empty or missing code', async () => {
    const gw = await start();
    for (const code of [wrongCode(gw.pairingCode as string), '', undefined, 'abcdef', `${gw.pairingCode as string}0`]) {
      const answer = await tryCode(gw, code, `198.51.100.${code?.length ?? 99}`);
      expect(answer.status).toBe(403);
      expect(answer.json).toEqual(renderError('INVALID_PAIRING_CODE').body);
    }
  });

  it('locks a client out after 5 failures for 60 s, doubling per lockout, even for the right code', async () => {
    let now = Date.UTC(2026, 0, 1);
    const gw = await start({ now: () => now });
    const code = gw.pairingCode as string;
    const fail = () => tryCode(gw, wrongCode(code));

    for (let i = 0; i < 5; i++) expect((await fail()).status).toBe(403);
    const locked = await tryCode(gw, code);
    expect(locked.status).toBe(429);
    expect(locked.json).toEqual(renderError('PAIR_LOCKED_OUT', { retryAfterSecs: 60 }).body);
    expect(locked.json['error']).toBe('Too many failed attempts. Try again in 60s.');
    expect(locked.headers.get('retry-after')).toBe('60');

    now += 30_000;
    expect((await tryCode(gw, code)).json['retry_after']).toBe(30);

    const expectedLockouts = [120, 240, 480, 960, 1920, 3600, 3600];
    for (const secs of expectedLockouts) {
      now += 3_601_000; // past any lockout
      for (let i = 0; i < 5; i++) expect((await fail()).status).toBe(403);
      const answer = await fail();
      expect(answer.status).toBe(429);
      expect(answer.json['retry_after']).toBe(secs);
    }
  });

  it('keeps lockouts per client: a locked-out client does not block another, which may still pair', async () => {
    const gw = await start();
    const code = gw.pairingCode as string;
    for (let i = 0; i < 5; i++) await tryCode(gw, wrongCode(code), '192.0.2.1');
    expect((await tryCode(gw, code, '192.0.2.1')).status).toBe(429);
    const other = await tryCode(gw, code, '192.0.2.2');
    expect(other.status).toBe(200);
  });

  it('a success clears the client record', async () => {
    const gw = await start();
    const code = gw.pairingCode as string;
    for (let i = 0; i < 4; i++) await tryCode(gw, wrongCode(code));
    expect((await tryCode(gw, code)).status).toBe(200);
    const code2 = await gw.deps.pairing.issueCode();
    for (let i = 0; i < 4; i++) expect((await tryCode(gw, wrongCode(code2))).status).toBe(403);
    expect((await tryCode(gw, code2)).status).toBe(200);
  });

  it('rate-limits /pair per client before checking lockouts or codes', async () => {
    const gw = await start({ config: { gateway: { pair_rate_limit_per_minute: 2 } } });
    const code = gw.pairingCode as string;
    expect((await tryCode(gw, wrongCode(code))).headers.get('ratelimit-policy')).toBe('"pair";q=2;w=60');
    await tryCode(gw, wrongCode(code));
    const limited = await tryCode(gw, code);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual(renderError('PAIR_RATE_LIMITED', { retryAfterSecs: 60 }).body);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('ratelimit')).toBe('"pair";r=0;t=60');
    // Another client is not limited, and the code was never consumed by the limited attempt.
    expect((await tryCode(gw, code, '192.0.2.99')).status).toBe(200);
  });

  it('does not hand out a token it could not persist, and the code stays valid (rollback)', async () => {
    const gw = await start();
    const code = gw.pairingCode as string;
    const moved = `${gw.configPath}.away`;
    renameSync(gw.configPath, moved); // the save must fail: the file is gone
    const failed = await tryCode(gw, code);
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual(renderError('PAIRING_NOT_PERSISTED').body);
    expect(failed.json).toMatchObject({ paired: false, persisted: false });
    expect(failed.text).not.toContain(gw.dir);
    expect(gw.logs.join('\n')).toContain('could not be saved');
    expect(await gw.deps.stores.tokens.count()).toBe(0);

    renameSync(moved, gw.configPath);
    const retried = await tryCode(gw, code);
    expect(retried.status).toBe(200);
  });

  it('keeps the token across a restart, with the rest of the file and its comments intact', async () => {
    const first = await start();
    const token = (await tryCode(first, first.pairingCode as string)).json['token'] as string;
    const dir = first.dir;
    await first.close();
    open.pop();
    const before = readFileSync(`${dir}/config.toml`, 'utf8');

    const second = await startGateway({ dir });
    open.push(second);
    expect(second.pairingCode).toBeNull();
    const answer = await postJson(`${second.url}/webhook`, { message: 'still me' }, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(readFileSync(`${dir}/config.toml`, 'utf8')).toBe(before);
  });

  it('writes into a commented file without losing comments or other keys', async () => {
    const configText = [
      '# my gateway',
      `default_provider = "custom:${llm.baseUrl}" # local fake`,
      'api_key = "sk-test"',
      '',
      '[gateway]',
      '# tokens below',
      'paired_tokens = [] # filled by pairing',
      'webhook_rate_limit_per_minute = 0',
      '',
      '[memory]',
      'backend = "none" # keep nothing',
      '',
    ].join('\n');
    const gw = await startGateway({ configText });
    open.push(gw);
    const token = (await tryCode(gw, gw.pairingCode as string)).json['token'] as string;
    const after = readFileSync(gw.configPath, 'utf8');
    for (const line of ['# my gateway', '# local fake', '# tokens below', '# filled by pairing', 'backend = "none" # keep nothing']) {
      expect(after).toContain(line);
    }
    expect(after).toContain(`"${sha256Hex(token)}"`);
  });

  it('hashes plaintext tokens found in an old config file, which keep working', async () => {
    const legacy = `zc_${'ab'.repeat(32)}`;
    const gw = await start({ config: { gateway: { paired_tokens: [legacy] } } });
    expect(gw.pairingCode).toBeNull();
    const answer = await postJson(`${gw.url}/webhook`, { message: 'legacy' }, { authorization: `Bearer ${legacy}` });
    expect(answer.status).toBe(200);
  });
});
