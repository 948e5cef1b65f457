// `clawgate gateway` as a user runs it: first start, banner, flags and env, startup errors, graceful shutdown.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { echoOpenAi } from '../fakes/openai-server.js';
import { useFakeLlm } from '../helpers/fake-llm.js';
import { call, pair, postJson } from '../helpers/http.js';
import { cleanEnv, runCli, spawnGateway } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

function writeConfig(dir: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.toml');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

describe('clawgate gateway', () => {
  it('first start: writes a commented 0600 config under ~/.clawgate and prints the URL and pairing code', async () => {
    const home = makeTempDir();
    const gw = await spawnGateway(['gateway', '--port', '0'], cleanEnv({ HOME: home }));
    try {
      const configPath = join(home, '.clawgate', 'config.toml');
      expect(statSync(configPath).mode & 0o777).toBe(0o600);
      expect(readFileSync(configPath, 'utf8')).toContain('# port = 3000');
      expect(gw.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const code = /X-Pairing-Code: (\d{6})/.exec(gw.output())?.[1];
      expect(code).toBeDefined();
      expect(gw.output()).toContain(`curl -X POST ${gw.url}/pair`);
      expect((await call(`${gw.url}/health`)).status).toBe(200);
      expect(statSync(join(home, '.clawgate', 'memory.db')).isFile()).toBe(true);
    } finally {
      gw.child.kill('SIGTERM');
      expect(await gw.exited).toBe(0);
    }
  });

  it('takes the config from CLAWGATE_CONFIG, and flags beat env which beats the file', async () => {
    const dir = makeTempDir();
    const configPath = writeConfig(dir, '[gateway]\nport = 1\nrequire_pairing = false\n');
    const gw = await spawnGateway(['gateway', '--port', '0'], cleanEnv({ HOME: dir, CLAWGATE_CONFIG: configPath, ZEROCLAW_GATEWAY_PORT: '2' }));
    try {
      expect(gw.url).not.toMatch(/:(1|2)$/);
      expect(gw.output()).toContain('Pairing disabled');
    } finally {
      gw.child.kill('SIGINT');
      expect(await gw.exited).toBe(0);
    }
  });

  it('says pairing is active when tokens exist', async () => {
    const dir = makeTempDir();
    const configPath = writeConfig(dir, `[gateway]\npaired_tokens = ["${'a'.repeat(64)}"]\n`);
    const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
    try {
      expect(gw.output()).toContain('Pairing active');
      expect(gw.output()).not.toContain('X-Pairing-Code:');
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });

  it('warns in the banner when WhatsApp is configured without an app secret', async () => {
    const dir = makeTempDir();
    const configPath = writeConfig(
      dir,
      '[channels_config.whatsapp]\naccess_token = "t"\nphone_number_id = "1"\nverify_token = "v"\nallowed_numbers = ["*"]\n',
    );
    const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
    try {
      const banner = gw.output().slice(gw.output().indexOf('listening on'));
      expect(banner).toMatch(/! WhatsApp: .*app secret/i);
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });

  it('stops with one clear message naming the key, its type and the file for a wrong type', async () => {
    const dir = makeTempDir();
    const configPath = writeConfig(dir, '[gateway]\nport = "three thousand"\nsurprise = 1\n');
    const result = await runCli(['gateway', '--config', configPath], cleanEnv({ HOME: dir }));
    expect(result.code).toBe(1);
    expect(result.output).toContain(configPath);
    expect(result.output).toContain('gateway.port: expected number, got string');
    expect(result.output).not.toContain('    at '); // no stack trace
  });

  it('refuses a port in use and a public bind with a message naming the fix', async () => {
    const dir = makeTempDir();
    const configPath = writeConfig(dir, '');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const inUse = await runCli(['gateway', '--config', configPath, '--port', String(port)], cleanEnv({ HOME: dir }));
      expect(inUse.code).toBe(1);
      expect(inUse.output).toContain(`port ${port}`);
      expect(inUse.output).toContain('already in use');
    } finally {
      blocker.close();
    }
    const publicBind = await runCli(['gateway', '--config', configPath, '--host', '0.0.0.0', '--port', '0'], cleanEnv({ HOME: dir }));
    expect(publicBind.code).toBe(1);
    expect(publicBind.output).toContain('refusing to bind to public address 0.0.0.0');
    expect(publicBind.output).toContain('allow_public_bind');
  });

  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    const dir = makeTempDir();
    const configPath = writeConfig(dir, `default_provider = "custom:${llm.baseUrl}"\napi_key = "sk-test"\n`);
    const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
    const code = /X-Pairing-Code: (\d{6})/.exec(gw.output())?.[1] ?? null;
    const token = await pair(gw.url, code);
    llm.reply((req) => ({ ...echoOpenAi(req), delayMs: 800 }));
    try {
      const inFlight = postJson(`${gw.url}/webhook`, { message: 'finish me' }, { authorization: `Bearer ${token}` });
      await new Promise((r) => setTimeout(r, 300));
      gw.child.kill('SIGTERM');
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.json['response']).toBe('echo: finish me');
      expect(await gw.exited).toBe(0);
    } finally {
      llm.reset();
      gw.child.kill('SIGKILL');
    }
  });
});
