// Nothing acknowledged is lost (issue 5): SIGKILL mid-burst, restart, and every message that got a 200 is in SQLite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pair, postJson } from '../helpers/http.js';
import { cleanEnv, runCli, spawnGateway } from '../helpers/gateway-process.js';
import { llmConfig, useFakeLlm } from '../helpers/fake-llm.js';
import { makeTempDir } from '../helpers/start-gateway.js';
import { stringify } from 'smol-toml';

const llm = useFakeLlm();

describe('crash durability', () => {
  it('keeps every message answered 200 after a SIGKILL in the middle of a burst', async () => {
    const dir = makeTempDir();
    mkdirSync(dir, { recursive: true });
    const configPath = join(dir, 'config.toml');
    writeFileSync(configPath, stringify({ ...llmConfig(llm), gateway: { webhook_rate_limit_per_minute: 0 } }));
    const env = cleanEnv({ HOME: dir });
    const gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], env);
    const token = await pair(gw.url, /X-Pairing-Code: (\d{6})/.exec(gw.output())?.[1] ?? null);

    const acknowledged: string[] = [];
    let sent = 0;
    const workers = Array.from({ length: 8 }, async (_, worker) => {
      for (let i = 0; ; i++) {
        const message = `burst ${worker}-${i}`;
        sent++;
        try {
          const answer = await postJson(`${gw.url}/webhook`, { message }, { authorization: `Bearer ${token}` });
          if (answer.status === 200) acknowledged.push(message);
        } catch {
          return; // the process is gone
        }
      }
    });
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 10));
    gw.child.kill('SIGKILL');
    await Promise.all(workers);
    expect(await gw.exited).toBe('SIGKILL');
    expect(sent).toBeGreaterThan(acknowledged.length); // some requests were cut off mid-flight

    // Restart the gateway on the same folder, then read its memory with the operator command.
    const restarted = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], env);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    const listed = await runCli(['memory', 'list', '--category', 'conversation', '--limit', '0', '--config', configPath, '--json'], env);
    expect(listed.code).toBe(0);
    const stored = new Set((JSON.parse(listed.output) as Array<{ content: string }>).map((entry) => entry.content));
    const missing = acknowledged.filter((message) => !stored.has(message));
    expect(missing).toEqual([]);
  });
});
