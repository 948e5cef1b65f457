// Operator commands against a running gateway (spec §2 beyond the reference): new code, list and revoke tokens.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, renderError } from '../../src/gateway/errors.js';
import { sha256Hex, tokenFingerprint } from '../../src/security/tokens.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { call, pair, postJson } from '../helpers/http.js';
import { cleanEnv, runCli, spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/start-gateway.js';

let llm: FakeOpenAiServer;
let gw: GatewayProcess;
let configPath: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  llm = await startFakeOpenAiServer();
  const dir = makeTempDir();
  mkdirSync(dir, { recursive: true });
  configPath = join(dir, 'config.toml');
  writeFileSync(configPath, `default_provider = "custom:${llm.baseUrl}"\napi_key = "sk-test"\n`);
  env = cleanEnv({ HOME: dir });
  gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], env);
});
afterAll(async () => {
  gw.child.kill('SIGTERM');
  await gw.exited;
  await llm.close();
});

describe('operator commands', () => {
  it('issue a new code, list tokens by fingerprint, and revoke one so its next request gets 401', async () => {
    const first = await pair(gw.url, /X-Pairing-Code: (\d{6})/.exec(gw.output())?.[1] ?? null);

    const newCode = await runCli(['pair', 'new-code', '--config', configPath], env);
    expect(newCode.code).toBe(0);
    const code = /One-time pairing code: (\d{6})/.exec(newCode.output)?.[1] ?? null;
    const second = await pair(gw.url, code);

    const listed = await runCli(['tokens', 'list', '--config', configPath, '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.output) as Array<{ fingerprint: string }>;
    const fingerprints = rows.map((r) => r.fingerprint).sort();
    expect(fingerprints).toEqual([tokenFingerprint(sha256Hex(first)), tokenFingerprint(sha256Hex(second))].sort());
    expect(listed.output).not.toContain(first);

    const revoked = await runCli(['tokens', 'revoke', tokenFingerprint(sha256Hex(first)), '--config', configPath], env);
    expect(revoked.code).toBe(0);
    const refused = await postJson(`${gw.url}/webhook`, { message: 'hi' }, { authorization: `Bearer ${first}` });
    expect(refused.status).toBe(401);
    expect((await postJson(`${gw.url}/webhook`, { message: 'hi' }, { authorization: `Bearer ${second}` })).status).toBe(200);

    const unknown = await runCli(['tokens', 'revoke', 'deadbeefdead', '--config', configPath], env);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain(ERRORS.TOKEN_NOT_FOUND.error);
  });

  it('refuses the admin API without the key', async () => {
    const answer = await call(`${gw.url}/admin/tokens`);
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual(renderError('ADMIN_FORBIDDEN').body);
    const forged = await call(`${gw.url}/admin/pairing-code`, { method: 'POST', headers: { 'x-clawgate-admin-key': 'guess' } });
    expect(forged.status).toBe(403);
  });
});
